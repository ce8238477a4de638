#pragma once
// The session expiry actor's conversations (ZooKeeper's SessionTracker: ids, passwords,
// expiry; actors/session_expiry_actor.hpp).
//   session -> tracker   (new_session_atom, int32_t timeout_ms, session_handle owner)
//                        -> (int64_t id, std::string passwd)
//                        (reattach_atom, int64_t id, std::string passwd, int32_t timeout_ms,
//                        session_handle owner) -> (bool valid, std::string passwd)
//                        (touch_atom, int64_t id)   the client showed signs of life
//                        (forget_atom, int64_t id)  the client closes its session
//                        (unborn_atom, int64_t id)  its createSession could not be logged,
//                        or the client closed its local session
//   read-only mode:      (new_local_atom, int32_t timeout_ms, session_handle owner)
//                        -> (int64_t id, std::string passwd): a session local to this server
//                        (reattach_local_atom, int64_t id, std::string passwd, int32_t
//                        timeout_ms, session_handle owner) -> (int32_t, a local_reattach,
//                        std::string passwd)
//   listener -> tracker  (read_only_atom, bool on): read-only mode began or ended; at its end
//                        every local session is forgotten
//   tracker -> session   (expire_atom), (moved_atom): in client.hpp
//   tracker -> pipeline  write_request with no origin: an expiry's closeSession
//   pipeline -> tracker  (retry_close_atom, int64_t id) that closeSession could not be logged
//   store -> tracker     (session_up_atom, int64_t id, int32_t timeout_ms, std::string passwd)
//                        (session_down_atom, int64_t id): a createSession / closeSession of
//                        any server was applied (ensemble; session_down standalone too);
//                        session_list: the tree was replaced (SNAP, reload after TRUNC)
//   quorum peer -> tracker  (role_atom, bool leading); (touches_atom, std::vector<int64_t>)
//                        sessions a learner saw alive (leader)
//   tracker -> quorum peer  (touches_atom, std::vector<int64_t>) its clients' live
//                        sessions (learner), in ensemble_local.hpp's quorum_peer_handle
#include "actors/messages/client.hpp"
#include "actors/messages/common.hpp"
#include "actors/messages/registry.hpp"
#include "store/tree/data_tree.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace paddock::actors {

using new_session_atom = caf::atom_constant<caf::atom("newsess")>;
using reattach_atom = caf::atom_constant<caf::atom("reattach")>;
using touch_atom = caf::atom_constant<caf::atom("touch")>;
using forget_atom = caf::atom_constant<caf::atom("forget")>; // the client closes its session
// A createSession that could not be logged: the session never existed, forget it now.
using unborn_atom = caf::atom_constant<caf::atom("unborn")>;
using retry_close_atom = caf::atom_constant<caf::atom("retryclose")>; // pipeline -> tracker
using touches_atom = caf::atom_constant<caf::atom("touches")>;
using session_up_atom = caf::atom_constant<caf::atom("sessup")>;     // store -> tracker
using session_down_atom = caf::atom_constant<caf::atom("sessdown")>; // store -> tracker
using new_local_atom = caf::atom_constant<caf::atom("newlocal")>;
using reattach_local_atom = caf::atom_constant<caf::atom("relocal")>;

// What a read-only server's tracker says of a session a client brings back (sent as its
// int32_t value).
enum class local_reattach : int32_t {
  invalid = 0,     // unknown, expired or a wrong password: the session is over
  valid = 1,       // a local session of this server, taken over by the new connection
  of_ensemble = 2, // a session of the ensemble: not this server's to renew while read-only
};

// store -> tracker after a snapshot install or a reload: the sessions the tree now holds.
struct session_list {
  std::vector<store::session_entry> sessions;
};

// The session expiry actor; tick_atom is its own timer.
using session_expiry_handle = caf::typed_actor<
    caf::replies_to<new_session_atom, int32_t, session_handle>::with<int64_t, std::string>,
    caf::replies_to<reattach_atom, int64_t, std::string, int32_t,
                    session_handle>::with<bool, std::string>,
    caf::reacts_to<touch_atom, int64_t>, caf::reacts_to<touches_atom, std::vector<int64_t>>,
    caf::reacts_to<role_atom, bool>, caf::reacts_to<session_up_atom, int64_t, int32_t, std::string>,
    caf::reacts_to<session_down_atom, int64_t>, caf::reacts_to<session_list>,
    caf::reacts_to<forget_atom, int64_t>, caf::reacts_to<unborn_atom, int64_t>,
    caf::reacts_to<retry_close_atom, int64_t>, caf::reacts_to<tick_atom>,
    caf::replies_to<new_local_atom, int32_t, session_handle>::with<int64_t, std::string>,
    caf::replies_to<reattach_local_atom, int64_t, std::string, int32_t,
                    session_handle>::with<int32_t, std::string>,
    caf::reacts_to<read_only_atom, bool>,
    caf::replies_to<dump_atom>::with<std::vector<std::pair<int64_t, std::vector<int64_t>>>>>;

} // namespace paddock::actors
