#pragma once
// Stand-ins for the actors around the ones a test drives. Each speaks the typed interface of
// the actor it replaces (actors/messages/), so the compiler holds it to the same contract;
// it records what it receives for the test to check, and sends only what the test scripts:
//   recording_session    a client's session: the replies and events the watch manager sends
//   scripted_log_writer  the txn log writer: records appends; reports logged / log_failed
//                        when the test says so, to whoever takes the write path
//   recording_listener   the client listener: whether the server serves clients
//   scripted_peer_links  the quorum peer's connections: records what it sends to each server
//                        and delivers what the test makes the other servers say
//   recording_pipeline   the write path, as seen by the log writer (logged / log_failed) and
//                        by the session expiry actor (its closeSession txns)
// And what tests need around them: a server context on a scratch directory and the test's
// clock, the requests a client sends, and the frames that come back, decoded.
#include "actors/messages/client.hpp"
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/store.hpp"
#include "actors/server_context.hpp"
#include "deterministic_system.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/opcodes.hpp"
#include "protocol/jute/records.hpp"
#include "protocol/zab/messages.hpp"
#include "scratch_dir.hpp"
#include "store/requests/request_processor.hpp"

#include <caf/all.hpp>
#include <caf/io/connection_handle.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace paddock::testing {

// --- The server context ---------------------------------------------------------------------

// A context whose clock is the test's and whose data lives in `dir`; the test fills in the
// handles after spawning, as server.cpp does.
inline std::shared_ptr<actors::server_context> test_context(deterministic_system& ds,
                                                            const scratch_dir& dir) {
  auto ctx = std::make_shared<actors::server_context>();
  ctx->clock = ds.clock();
  ctx->config.data_dir = dir.path();
  ctx->config.force_sync = false; // the tests check order, not durability
  std::filesystem::create_directories(ctx->config.snap_dir());
  std::filesystem::create_directories(ctx->config.log_dir());
  return ctx;
}

// --- What clients send ----------------------------------------------------------------------

inline store::txn create_session_txn(int64_t session_id) {
  store::txn t;
  t.type = jute::opcode::create_session;
  t.session_id = session_id;
  t.session_timeout_ms = 10000;
  return t;
}

// A write as the session makes it (store::make_txn, the xid as cxid).
inline store::txn write_txn(jute::request r, int64_t session_id) {
  const int32_t xid = r.header.xid;
  auto t = store::make_txn(std::move(r), session_id);
  t.cxid = xid;
  return t;
}

inline store::txn create_txn(int32_t xid, const std::string& path, const std::string& data,
                             int64_t session_id) {
  return write_txn({{xid, jute::opcode::create},
                    jute::create_request{path, data, jute::open_acl_unsafe(), 0, -1}},
                   session_id);
}

inline store::txn set_data_txn(int32_t xid, const std::string& path, const std::string& data,
                               int64_t session_id) {
  return write_txn({{xid, jute::opcode::set_data}, jute::set_data_request{path, data, -1}},
                   session_id);
}

inline jute::request get_data(int32_t xid, const std::string& path, bool watch) {
  return {{xid, jute::opcode::get_data}, jute::path_watch_request{path, watch}};
}

// --- What comes back ------------------------------------------------------------------------

// A frame's reply header (after the length prefix). createSession's reply has no frame (the
// session answers it with a ConnectResponse): an empty header.
inline jute::reply_header header_of(const std::string& frame) {
  if (frame.empty()) return {};
  jute::reader r{std::string_view(frame).substr(4)};
  jute::reply_header h;
  h.xid = r.read_int();
  h.zxid = r.read_long();
  h.err = r.read_int();
  return h;
}

// A notification frame's event.
inline jute::watcher_event event_of(const std::string& frame) {
  jute::reader r{std::string_view(frame).substr(4 + 16)};
  jute::watcher_event e;
  e.type = static_cast<jute::event_type>(r.read_int());
  e.state = static_cast<jute::keeper_state>(r.read_int());
  e.path = r.read_string();
  return e;
}

// A getData reply: the data and the Stat fields a test looks at.
struct get_data_reply {
  std::string data;
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
};
inline get_data_reply get_data_of(const std::string& frame) {
  jute::reader r{std::string_view(frame).substr(4 + 16)};
  get_data_reply g;
  g.data = r.read_buffer();
  g.czxid = r.read_long();
  g.mzxid = r.read_long();
  g.ctime = r.read_long();
  g.mtime = r.read_long();
  return g;
}

// --- A client's session ---------------------------------------------------------------------

struct session_record {
  std::vector<actors::outbound> items; // replies and events, in the order they arrived
  size_t batches = 0;
  bool expired = false;

  std::vector<actors::outbound> replies() const {
    std::vector<actors::outbound> out;
    for (const auto& i : items)
      if (i.is_reply) out.push_back(i);
    return out;
  }
  std::vector<int32_t> reply_xids() const {
    std::vector<int32_t> out;
    for (const auto& i : replies())
      out.push_back(header_of(i.frame).xid);
    return out;
  }
};

inline actors::session_handle::behavior_type
recording_session(actors::session_handle::pointer, std::shared_ptr<session_record> record) {
  return {
      [=](actors::data_atom, const std::vector<char>&) {},
      [=](actors::outbound_batch& b) {
        ++record->batches;
        for (auto& i : b.items)
          record->items.push_back(std::move(i));
      },
      [=](actors::closed_atom) {},
      [=](actors::expire_atom) { record->expired = true; },
      [=](actors::moved_atom) {},
      [=](actors::backlog_atom, bool) {},
      [=](actors::stall_atom, uint64_t) {},
      [=](actors::stats_atom) { return admin::connection_info{}; },
  };
}

// --- The txn log writer ---------------------------------------------------------------------

struct log_record {
  std::vector<actors::log_append> appends; // in arrival order
  std::vector<int64_t> truncations;        // ZAB's TRUNC
  std::vector<int64_t> resets;             // ZAB's SNAP

  std::vector<int64_t> zxids() const {
    std::vector<int64_t> out;
    for (const auto& a : appends)
      out.push_back(a.zxid);
    return out;
  }
};

// The log writer's interface, plus the script: (logged) and (log_failed) tell the stand-in
// what to report, and it reports it to ctx->pipeline as the log writer does.
using scripted_log_writer_handle =
    actors::txn_log_writer_handle::extend<caf::reacts_to<actors::logged>,
                                          caf::reacts_to<actors::log_failed>>;

inline scripted_log_writer_handle::behavior_type
scripted_log_writer(scripted_log_writer_handle::pointer self, actors::context_ptr ctx,
                    std::shared_ptr<log_record> record) {
  return {
      [=](actors::log_append& a) { record->appends.push_back(std::move(a)); },
      [=](actors::log_append_batch& b) {
        for (auto& a : b.items)
          record->appends.push_back(std::move(a));
      },
      [=](actors::flush_atom) {},
      [=](actors::truncate_atom, int64_t zxid) -> caf::result<bool, std::string> {
        record->truncations.push_back(zxid);
        return {true, std::string{}};
      },
      [=](actors::reset_log_atom, int64_t zxid) -> caf::result<bool, std::string> {
        record->resets.push_back(zxid);
        return {true, std::string{}};
      },
      [=](actors::logged& l) { self->send(ctx->pipeline, std::move(l)); },
      [=](actors::log_failed& f) { self->send(ctx->pipeline, std::move(f)); },
  };
}

// --- The client listener --------------------------------------------------------------------

struct listener_record {
  std::vector<bool> serving; // each serving_atom, in order
};

inline actors::listener_handle::behavior_type
recording_listener(actors::listener_handle::pointer, std::shared_ptr<listener_record> record) {
  return {
      [=](actors::open_atom, uint16_t port, const std::string&) -> uint16_t { return port; },
      [=](actors::write_atom, caf::io::connection_handle, const std::string&) {},
      [=](actors::close_atom, caf::io::connection_handle) {},
      [=](actors::reading_atom, caf::io::connection_handle, bool) {},
      [=](actors::connected_atom, caf::io::connection_handle) {},
      [=](actors::serving_atom, bool on) { record->serving.push_back(on); },
  };
}

// --- The quorum peer's links to the other servers ------------------------------------------

struct links_record {
  struct zab_sent {
    zab::server_id to;
    uint64_t generation;
    zab::message msg;
  };
  struct app_sent {
    zab::server_id to;
    uint64_t generation;
    actors::app_message msg;
  };
  std::vector<zab_sent> zab;
  std::vector<app_sent> app;

  // The ZAB messages of type M sent so far, with their destination, in order.
  template <class M> std::vector<std::pair<zab::server_id, M>> sent() const {
    std::vector<std::pair<zab::server_id, M>> out;
    for (const auto& s : zab)
      if (auto* m = std::get_if<M>(&s.msg)) out.emplace_back(s.to, *m);
    return out;
  }
  // Likewise for the ensemble's own messages (forward_writes, forward_sync, ...).
  template <class M> std::vector<std::pair<zab::server_id, M>> sent_app() const {
    std::vector<std::pair<zab::server_id, M>> out;
    for (const auto& s : app)
      if (auto* m = std::get_if<M>(&s.msg)) out.emplace_back(s.to, *m);
    return out;
  }
  void clear() {
    zab.clear();
    app.clear();
  }
  // The memberships the quorum peer handed over when a configuration became active.
  std::vector<actors::peer_membership> memberships;
};

// peer_links' interface towards its owner, plus the script: (zab_in_atom, from, message),
// (app_in_atom, from, message) and (link_down_atom, peer, generation) are delivered to the
// owner as if they came from the network, in the order the test sends them (peer_links
// keeps each server's order the same way).
using scripted_links_handle = actors::peer_links_handle::extend<
    caf::reacts_to<actors::zab_in_atom, zab::server_id, zab::message>,
    caf::reacts_to<actors::app_in_atom, zab::server_id, actors::app_message>,
    caf::reacts_to<actors::link_down_atom, zab::server_id, uint64_t>>;

inline scripted_links_handle::behavior_type
scripted_peer_links(scripted_links_handle::pointer self, actors::peer_links_owner_handle owner,
                    std::shared_ptr<links_record> record) {
  return {
      [=](actors::zab_out_atom, zab::server_id to, uint64_t generation, zab::message& m) {
        record->zab.push_back({to, generation, std::move(m)});
      },
      [=](actors::app_out_atom, zab::server_id to, uint64_t generation, actors::app_message& m) {
        record->app.push_back({to, generation, std::move(m)});
      },
      [=](actors::drop_link_atom, const std::vector<zab::server_id>&) { return zab::no_server; },
      [=](actors::peer_membership& m) { record->memberships.push_back(std::move(m)); },
      [=](actors::zab_in_atom, zab::server_id from, zab::message& m) {
        self->send(owner, actors::zab_in_atom::value, from, std::move(m));
      },
      [=](actors::app_in_atom, zab::server_id from, actors::app_message& m) {
        self->send(owner, actors::app_in_atom::value, from, std::move(m));
      },
      [=](actors::link_down_atom, zab::server_id peer, uint64_t generation) {
        self->send(owner, actors::link_down_atom::value, peer, generation);
      },
  };
}

// --- The write path, as the log writer sees it ---------------------------------------------

struct pipeline_record {
  std::vector<store::txn> writes; // write_requests' txns (server-made ones have no origin)
  std::vector<actors::logged> logged;
  std::vector<actors::log_failed> failed;
};

inline actors::pipeline_handle::behavior_type
recording_pipeline(actors::pipeline_handle::pointer, std::shared_ptr<pipeline_record> record) {
  return {
      [=](actors::write_request& w) { record->writes.push_back(std::move(w.txn)); },
      [=](actors::sync_request&) {},
      [=](actors::logged& l) { record->logged.push_back(l); },
      [=](actors::log_failed& f) { record->failed.push_back(std::move(f)); },
  };
}

} // namespace paddock::testing
