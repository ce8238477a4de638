#include "actors/peer_links.hpp"

#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/ensemble_wire.hpp"
#include "actors/messages/held_size.hpp"
#include "actors/peer_protocol_check.hpp"
#include "actors/quorum_tls.hpp"
#include "protocol/sasl/quorum_auth.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <chrono>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>
#include <variant>

namespace paddock::actors {

namespace {

using namespace std::chrono_literals;
constexpr auto connect_timeout = 5s;
constexpr auto first_backoff = 50ms;
constexpr auto max_backoff = 1000ms;
constexpr auto handshake_timeout = 5s;

namespace qa = sasl::quorum_auth;

// SNAP streams (docs/replication.md, "SNAP as a stream"). A message to a peer, kept back while
// a stream to it is under way, with the link generation it was sent for.
struct held_message {
  uint64_t generation = 0;
  std::variant<zab::message, app_message> msg;
};

// Leader side: the image a sync_snap names, on its way to the learner. Pieces are pulled
// from the store while fewer than snap_window_chunks are unacked; the sync_snap and
// everything sent to the learner after it (held) follow once the last piece is acked. So the
// learner's core sees exactly the order the leader's core sent — the image, the sync_snap,
// the txns after it, new_leader — and the leader holds at most a window of the image.
// What is held is bounded in bytes, as held_size charges each message: at most
// snap_stream_actors::held_bytes_limit (snap_held_bytes_limit unless set).

struct outbound_snap {
  zab::sync_snap sync;
  uint64_t generation = 0; // of the link it started on: a break abandons it
  std::deque<held_message> held;
  uint64_t held_bytes = 0; // the sum of held_size over `held`
  uint64_t sent = 0, acked = 0, peak_unacked = 0, pieces = 0;
  bool pulling = false, produced_all = false;
  int64_t started_ms = 0;
};

// Learner side: the image being received from the leader, written by the snapshotter.
struct inbound_snap {
  zab::zxid_t zxid = 0;
  uint64_t stream = 0;
  uint64_t next_offset = 0; // where the next piece must begin
  bool complete = false;    // the last piece written, checked and fsync'ed
  int64_t started_ms = 0;
};

struct link {
  config::peer_address address;
  caf::actor quorum;   // the peer's peer_links, reached through its quorum port
  caf::actor election; // the same, through its election port (may be the same proxy)
  uint64_t generation = 0;
  bool connecting = false;
  std::chrono::milliseconds backoff = first_backoff;
  // SNAP streams: to this peer as its leader; from this peer as our leader.
  std::unique_ptr<outbound_snap> snap_out;
  std::optional<inbound_snap> snap_in;

  // Quorum SASL, this server as the learner (it connected to the peer): the peer's handle is
  // held back until the handshake's verdict.
  std::unique_ptr<qa::learner> learner;
  caf::actor pending;
  uint64_t attempt = 0;
  std::string last_refusal; // logged as an error once, then quietly while it repeats
  // Quorum SASL, this server as the server (the peer connected): the peer's process that
  // authenticated (messages from any other are not its).
  std::unique_ptr<qa::server> server_side;
  uint64_t server_attempt = 0;
  caf::node_id server_node;
  caf::node_id authenticated_node;
  bool warned_unauthenticated = false;
  std::string last_failure;
  std::string last_connect_error; // a failed connection other than a refused one, logged once
  // The peer protocol check (peer_protocol_check.hpp): the process of this peer found to
  // speak our version, or another (its messages are dropped; a restarted peer is a new
  // process), the error logged for it (once while it repeats), and whether a check of a
  // process that connected to us is under way.
  caf::node_id verified_node;
  caf::node_id mismatched_node;
  std::string last_mismatch;
  bool verifying = false;
};

struct links_state {
  zab::server_id self_id = 0;
  // Where this server listens (its own line; host "0.0.0.0" with quorumListenOnAllIPs).
  config::peer_address listening;
  bool listen_on_all_ips = false;
  peer_links_owner_handle owner;
  std::map<zab::server_id, link> peers;
  std::map<caf::actor_addr, zab::server_id> by_addr;
  std::mt19937_64 random{std::random_device{}()}; // fault injection's choice of a link
  // Quorum SASL: the quorum.auth switches and this server's QuorumLearner identity.
  qa::policy auth_policy;
  std::string learner_user;
  std::string learner_password;
  uint64_t next_attempt = 0;
  // The server is stopping (close_atom): no more connections, in or out.
  bool closing = false;
  // Where SNAP images come from (the store, leader) and go to (the snapshotter, learner).
  snap_stream_actors snap;
  // The peer protocol version this server advertises and demands of its peers.
  int protocol_version = 0;
  static inline const char* name = "paddock.peer_links";
};

using self_ptr = caf::stateful_actor<links_state>*;

void connect(self_ptr self, zab::server_id id);

int64_t now_ms(self_ptr self) {
  return self->state.snap.clock ? self->state.snap.clock->monotonic_ms() : 0;
}

// A message that is never sent: when it is a sync_snap, the store releases its image.
void release_image_of(self_ptr self, const std::variant<zab::message, app_message>& m) {
  const auto* zm = std::get_if<zab::message>(&m);
  const auto* snap = zm ? std::get_if<zab::sync_snap>(zm) : nullptr;
  if (snap && self->state.snap.store)
    self->send(self->state.snap.store, snap_release_atom::value, snap->stream);
}

// A SNAP stream to a learner is abandoned: the store releases its image, and the image of any
// later sync_snap held behind it (the learner joined again on the same link while the last
// pieces were unacked; the store had begun that image once the first was produced), which
// nothing else would release before the store's idle check.
void abandon_snap_out(self_ptr self, link& l) {
  if (self->state.snap.store)
    self->send(self->state.snap.store, snap_release_atom::value, l.snap_out->sync.stream);
  for (const auto& h : l.snap_out->held)
    release_image_of(self, h.msg);
  l.snap_out.reset();
}

// The connection to `id` is gone (or a message to it was dropped): a new generation. A SNAP
// stream on it is over: the store releases its copy-on-write snapshot, the learner joins
// again and gets a new one.
void raise_generation(self_ptr self, zab::server_id id) {
  auto& l = self->state.peers.at(id);
  ++l.generation;
  if (l.snap_out) {
    spdlog::warn("SNAP stream {} to learner {} abandoned: the link broke ({} bytes sent, {} "
                 "acked)",
                 l.snap_out->sync.stream, id, l.snap_out->sent, l.snap_out->acked);
    abandon_snap_out(self, l);
  }
  l.snap_in.reset();
  self->send(self->state.owner, link_down_atom::value, id, l.generation);
}

void forget_handles(self_ptr self, link& l) {
  for (auto* h : {&l.quorum, &l.election})
    if (*h) {
      self->state.by_addr.erase(h->address());
      self->demonitor(*h);
      *h = nullptr;
    }
}

// A server we know only because it connected to us (a joining learner), or one the active
// configuration no longer names: nowhere to connect to.
bool has_address(const link& l) {
  return l.address.quorum_port != 0;
}

void schedule_reconnect(self_ptr self, zab::server_id id) {
  auto& l = self->state.peers.at(id);
  if (!has_address(l)) return;
  self->delayed_send(self, l.backoff, reconnect_atom::value, id);
  l.backoff = std::min(max_backoff, l.backoff * 2);
}

// The link to `id` is gone: forget its handles, tell the owner (a new generation), and
// connect again after a while.
void lose_link(self_ptr self, zab::server_id id) {
  forget_handles(self, self->state.peers.at(id));
  raise_generation(self, id);
  schedule_reconnect(self, id);
}

void adopt(self_ptr self, zab::server_id id, caf::actor handle, bool election_port) {
  auto& st = self->state;
  auto& l = st.peers.at(id);
  auto& slot = election_port ? l.election : l.quorum;
  if (slot == handle) return;
  if (slot) st.by_addr.erase(slot.address());
  slot = std::move(handle);
  st.by_addr[slot.address()] = id;
  self->monitor(slot);
  l.backoff = first_backoff;
}

// The peer's quorum port answered (and quorum SASL, when on, let the link be used): adopt it,
// then connect its election port too.
void link_up(self_ptr self, zab::server_id id, caf::actor handle) {
  auto& l = self->state.peers.at(id);
  adopt(self, id, std::move(handle), false);
  auto host = l.address.host;
  auto quorum_port = static_cast<uint16_t>(l.address.quorum_port);
  auto election_port = static_cast<uint16_t>(l.address.election_port);
  spdlog::info("peer link to server {} ({}:{}) up", id, host, quorum_port);
  auto mm = peer_transport(self->system());
  self->request(mm, connect_timeout, caf::connect_atom::value, host, election_port)
      .then(
          [=](const caf::node_id&, caf::strong_actor_ptr& eptr,
              const std::set<std::string>& signatures) {
            // The same process as the quorum port, unless it was replaced meanwhile: then
            // the next quorum connect finds out.
            if (advertised_peer_protocol(signatures) != self->state.protocol_version) return;
            if (eptr && self->state.peers.at(id).quorum)
              adopt(self, id, caf::actor_cast<caf::actor>(eptr), true);
          },
          [=](caf::error&) {
            // Election messages then use the quorum connection.
          });
}

// Quorum SASL, learner side: acts on the handshake's verdict for the link to `id`.
void on_learner_decision(self_ptr self, zab::server_id id, const qa::decision& d) {
  auto& st = self->state;
  auto& l = st.peers.at(id);
  if (d.send)
    self->send(l.pending, quorum_auth_learner_atom::value, st.self_id, l.attempt,
               static_cast<int32_t>(d.send->state), d.send->token);
  if (d.outcome == qa::verdict::pending) return;
  auto handle = std::exchange(l.pending, nullptr);
  l.learner.reset();
  l.connecting = false;
  switch (d.outcome) {
  case qa::verdict::authenticated:
    spdlog::info("quorum SASL: authenticated to server {} as '{}'", id, st.learner_user);
    l.last_refusal.clear();
    link_up(self, id, std::move(handle));
    return;
  case qa::verdict::unauthenticated: // no handshake: learnerRequireSasl is false
    l.last_refusal.clear();
    link_up(self, id, std::move(handle));
    return;
  default:
    // Refused: retried with backoff, as a peer that is down. The error is logged when it
    // first happens (or changes), not at every retry.
    if (d.reason != l.last_refusal)
      spdlog::error("quorum SASL: the link to server {} is refused: {} (retrying)", id, d.reason);
    else
      spdlog::debug("quorum SASL: the link to server {} is refused again: {}", id, d.reason);
    l.last_refusal = d.reason;
    schedule_reconnect(self, id);
    return;
  }
}

// Quorum SASL, learner side: this server connected to `id`; authenticate before using it.
void start_learner_handshake(self_ptr self, zab::server_id id, caf::actor handle) {
  auto& st = self->state;
  auto& l = st.peers.at(id);
  l.connecting = true; // until the verdict
  l.pending = std::move(handle);
  l.attempt = ++st.next_attempt;
  l.learner = std::make_unique<qa::learner>(st.auth_policy, st.learner_user, st.learner_password);
  self->delayed_send(self, handshake_timeout, quorum_auth_timeout_atom::value, id, l.attempt);
  on_learner_decision(self, id, l.learner->begin());
}

// The peer protocol check, on a connection this server made to `id` (the process `node`),
// before the link is used (and before quorum SASL's handshake, whose frames are peer
// messages too). A peer of another version is never linked to; its messages are dropped
// (from_mismatched_peer); the error is logged once while it persists, each retry at debug level.
bool speaks_our_protocol(self_ptr self, zab::server_id id, const caf::node_id& node,
                         std::optional<int> theirs) {
  auto& st = self->state;
  auto& l = st.peers.at(id);
  if (theirs == st.protocol_version) {
    if (!l.last_mismatch.empty())
      spdlog::info("server {} now speaks peer protocol {}, as this server does", id, *theirs);
    l.last_mismatch.clear();
    l.mismatched_node = caf::node_id{};
    l.verified_node = node;
    return true;
  }
  l.verified_node = caf::node_id{};
  l.mismatched_node = node;
  auto message = peer_protocol_mismatch_message(id, l.address.host, l.address.quorum_port, theirs,
                                                st.protocol_version);
  if (message != l.last_mismatch)
    spdlog::error("{}", message);
  else
    spdlog::debug("{}", message);
  l.last_mismatch = std::move(message);
  return false;
}

// Whether the current message, from server `from`, comes from a process this server found to
// speak another peer protocol version (a build from before the check connects without
// checking, so its messages can arrive): such messages are dropped.
bool from_mismatched_peer(self_ptr self, zab::server_id from) {
  auto it = self->state.peers.find(from);
  if (it == self->state.peers.end() || it->second.mismatched_node == caf::node_id{}) return false;
  const auto& sender = self->current_sender();
  return sender && sender->node() == it->second.mismatched_node;
}

// Quorum SASL, server side: whether messages from `from` (the current message's sender) are
// heard. With quorum.auth.serverRequireSasl only once that peer's process authenticated; the
// first message dropped is logged.
bool admitted(self_ptr self, zab::server_id from) {
  auto& st = self->state;
  if (from_mismatched_peer(self, from)) return false;
  if (qa::server::admits_unauthenticated(st.auth_policy)) return true;
  auto it = st.peers.find(from);
  if (it == st.peers.end()) it = st.peers.emplace(from, link{}).first;
  auto& l = it->second;
  const auto& sender = self->current_sender();
  if (sender && l.authenticated_node != caf::node_id{} && sender->node() == l.authenticated_node)
    return true;
  if (!l.warned_unauthenticated) {
    spdlog::warn("dropping ZAB and election messages from server {}: it has not authenticated "
                 "with quorum SASL (quorum.auth.serverRequireSasl=true)",
                 from);
    l.warned_unauthenticated = true;
  }
  return false;
}

// A connection to `id` failed. Refused (the peer is down or not yet up) is routine; any other
// failure means the two ends do not understand each other — with sslQuorum a TLS handshake
// that failed (a certificate not trusted by one side, or a peer without TLS), without it a
// peer that does not answer the plaintext protocol (one with TLS) — and is logged as a
// warning, once while it repeats.
void log_connect_failure(self_ptr self, zab::server_id id, const caf::error& err) {
  auto& l = self->state.peers.at(id);
  const auto what = self->system().render(err);
  if (err == caf::sec::cannot_connect_to_node) {
    spdlog::debug("peer link to server {}: {}", id, what);
    return;
  }
  if (what == l.last_connect_error) {
    spdlog::debug("peer link to server {} failed again: {}", id, what);
    return;
  }
  l.last_connect_error = what;
  if (peer_links_use_tls(self->system()))
    spdlog::warn("TLS connection to server {} ({}:{}) failed ({}): its certificate is not "
                 "signed by a CA in ssl.quorum.trustStore.location, or it does not trust ours, "
                 "or it does not run sslQuorum=true (retrying)",
                 id, l.address.host, l.address.quorum_port, what);
  else
    spdlog::warn("peer link to server {} ({}:{}): not answering the plaintext peer protocol "
                 "({}); does it run sslQuorum=true? (retrying)",
                 id, l.address.host, l.address.quorum_port, what);
}

// Connects to a peer's quorum port, then its election port; both lead to its peer_links.
void connect(self_ptr self, zab::server_id id) {
  auto& l = self->state.peers.at(id);
  if (self->state.closing || l.connecting || l.quorum || !has_address(l)) return;
  l.connecting = true;
  auto mm = peer_transport(self->system());
  auto host = l.address.host;
  auto quorum_port = static_cast<uint16_t>(l.address.quorum_port);
  self->request(mm, connect_timeout, caf::connect_atom::value, host, quorum_port)
      .then(
          [=](const caf::node_id& node, caf::strong_actor_ptr& ptr,
              const std::set<std::string>& signatures) {
            auto& lk = self->state.peers.at(id);
            lk.connecting = false;
            lk.last_connect_error.clear();
            if (!ptr) {
              schedule_reconnect(self, id);
              return;
            }
            if (!speaks_our_protocol(self, id, node, advertised_peer_protocol(signatures))) {
              schedule_reconnect(self, id);
              return;
            }
            auto handle = caf::actor_cast<caf::actor>(ptr);
            if (self->state.auth_policy.enable_sasl)
              start_learner_handshake(self, id, std::move(handle));
            else
              link_up(self, id, std::move(handle));
          },
          [=](caf::error& err) {
            auto& lk = self->state.peers.at(id);
            lk.connecting = false;
            log_connect_failure(self, id, err);
            schedule_reconnect(self, id);
          });
}

// Sends one message to a peer as (zab_wire_atom, my id, message).
template <class T> void send_wire(self_ptr self, const caf::actor& to, T&& msg) {
  self->send(to, zab_wire_atom::value, self->state.self_id, std::forward<T>(msg));
}

// The handle to send on, or none (the message is dropped and the generation raised).
caf::actor route(self_ptr self, zab::server_id to, uint64_t generation, bool election) {
  auto& st = self->state;
  auto it = st.peers.find(to);
  if (it == st.peers.end()) return nullptr;
  auto& l = it->second;
  if (generation != l.generation) return nullptr; // sent before the owner heard of a break
  if (!l.quorum) {
    raise_generation(self, to);
    connect(self, to);
    return nullptr;
  }
  return election && l.election ? l.election : l.quorum;
}

// ----- SNAP streams ---------------------------------------------------------------------------

constexpr uint64_t snap_window_bytes = snap_window_chunks * snap_chunk_bytes;

void send_out(self_ptr self, zab::server_id to, uint64_t generation,
              std::variant<zab::message, app_message> m);

// The link to `id` is dropped on purpose: the peer is told to drop its end too (as a broken
// connection would make it), and both sides start again (a learner joins again).
void drop_peer(self_ptr self, zab::server_id id) {
  auto& l = self->state.peers.at(id);
  if (l.quorum) self->send(l.quorum, link_reset_atom::value, self->state.self_id);
  lose_link(self, id);
}

// Leader: asks the store for the next piece while the window to the learner has room.
void pull_piece(self_ptr self, zab::server_id to);

void on_piece(self_ptr self, zab::server_id to, uint64_t stream, snap_piece& p) {
  auto& l = self->state.peers.at(to);
  if (!l.snap_out || l.snap_out->sync.stream != stream) return; // abandoned meanwhile
  auto& out = *l.snap_out;
  out.pulling = false;
  auto dest = route(self, to, out.generation, false);
  if (!dest) return; // the link broke: the stream is abandoned
  const uint64_t size = p.bytes.size();
  send_wire(
      self, dest,
      snap_chunk{out.sync.zxid, stream, out.sent, std::move(p.bytes), p.last, p.total, p.crc});
  out.sent += size;
  ++out.pieces;
  out.peak_unacked = std::max(out.peak_unacked, out.sent - out.acked);
  out.produced_all = p.last;
  pull_piece(self, to);
}

void pull_piece(self_ptr self, zab::server_id to) {
  auto& st = self->state;
  auto& out = *st.peers.at(to).snap_out;
  if (out.pulling || out.produced_all || out.sent - out.acked >= snap_window_bytes) return;
  out.pulling = true;
  const uint64_t stream = out.sync.stream;
  self->request(st.snap.store, caf::infinite, snap_pull_atom::value, stream)
      .then([=](snap_piece& p) { on_piece(self, to, stream, p); },
            [=](caf::error& err) {
              auto& l = self->state.peers.at(to);
              if (!l.snap_out || l.snap_out->sync.stream != stream) return;
              spdlog::error("SNAP stream {} to learner {}: no next piece ({}); dropping the link "
                            "so that it joins again",
                            stream, to, self->system().render(err));
              abandon_snap_out(self, l); // the store ended it; any held behind it are released
              drop_peer(self, to);
            });
}

// Leader: the core sent a sync_snap: its image goes first, the sync_snap after it.
void start_snap_stream(self_ptr self, zab::server_id to, uint64_t generation, zab::sync_snap s) {
  auto& l = self->state.peers.at(to);
  l.snap_out = std::make_unique<outbound_snap>();
  l.snap_out->sync = s;
  l.snap_out->generation = generation;
  l.snap_out->started_ms = now_ms(self);
  pull_piece(self, to);
}

// Leader: every piece is on the learner's disk: the sync_snap, then what waited behind it.
void finish_snap_stream(self_ptr self, zab::server_id to) {
  auto& l = self->state.peers.at(to);
  auto out = std::move(l.snap_out);
  spdlog::info("SNAP stream {} to learner {} sent: {} bytes in {} pieces, {} ms, at most {} "
               "bytes unacked (window {} bytes)",
               out->sync.stream, to, out->sent, out->pieces, now_ms(self) - out->started_ms,
               out->peak_unacked, snap_window_bytes);
  if (auto dest = route(self, to, out->generation, false)) send_wire(self, dest, out->sync);
  for (auto& h : out->held)
    send_out(self, to, h.generation, std::move(h.msg)); // a later sync_snap streams anew
}

void on_snap_ack(self_ptr self, zab::server_id from, const snap_ack& a) {
  auto it = self->state.peers.find(from);
  if (it == self->state.peers.end() || !it->second.snap_out) return;
  auto& out = *it->second.snap_out;
  if (a.stream != out.sync.stream || a.zxid != out.sync.zxid) return; // an abandoned one's
  if (a.end > out.sent) {
    // Acking bytes never sent: a confused peer; the window arithmetic must not wrap.
    spdlog::warn("SNAP stream {} to learner {}: ack of {} bytes, only {} sent; dropping the link",
                 out.sync.stream, from, a.end, out.sent);
    return drop_peer(self, from);
  }
  out.acked = std::max(out.acked, a.end);
  if (out.produced_all && out.acked >= out.sent) return finish_snap_stream(self, from);
  pull_piece(self, from);
}

// Learner: the stream from `from` cannot be used; the link goes, and the learner joins again.
void refuse_snap(self_ptr self, zab::server_id from, const std::string& why) {
  spdlog::error("SNAP from server {} refused: {}; dropping the link to join again", from, why);
  drop_peer(self, from);
}

// Learner: a piece of the leader's image, handed to the snapshotter to write; acked to the
// leader once written.
void on_snap_chunk(self_ptr self, zab::server_id from, snap_chunk& c) {
  auto& l = self->state.peers.at(from);
  if (c.offset == 0) {
    // The snapshotter keeps one received image: a new stream replaces any other peer's,
    // whose sync_snap must then be refused (the learner joins again), not installed from a
    // file that is gone.
    for (auto& [id, other] : self->state.peers)
      if (id != from) other.snap_in.reset();
    l.snap_in = inbound_snap{c.zxid, c.stream, 0, false, now_ms(self)};
  }
  // A piece of a stream this side gave up (its link broke, or it refused it) is stale.
  if (!l.snap_in || l.snap_in->zxid != c.zxid || l.snap_in->stream != c.stream) return;
  // Within one stream, a gap means pieces were lost: the image cannot be whole.
  if (l.snap_in->next_offset != c.offset)
    return refuse_snap(self, from,
                       fmt::format("a piece of stream {} at byte {} where {} was expected",
                                   c.stream, c.offset, l.snap_in->next_offset));
  const uint64_t end = c.offset + c.bytes.size();
  l.snap_in->next_offset = end;
  const auto zxid = c.zxid;
  const auto stream = c.stream;
  const bool last = c.last;
  const auto generation = l.generation;
  auto still_ours = [=] {
    auto& lk = self->state.peers.at(from);
    return lk.generation == generation && lk.snap_in && lk.snap_in->stream == stream &&
           lk.snap_in->zxid == zxid;
  };
  self->request(self->state.snap.snapshotter, caf::infinite,
                received_chunk{zxid, c.offset, std::move(c.bytes), last, c.total, c.crc})
      .then(
          [=](bool ok, std::string& why) {
            if (!still_ours()) return;
            if (!ok) return refuse_snap(self, from, why);
            auto& lk = self->state.peers.at(from);
            if (last) {
              lk.snap_in->complete = true;
              spdlog::info("SNAP stream {} from server {} received: {} bytes in {} ms", stream,
                           from, end, now_ms(self) - lk.snap_in->started_ms);
            }
            if (lk.quorum) send_wire(self, lk.quorum, snap_ack{zxid, stream, end});
          },
          [=](caf::error& err) {
            if (still_ours()) refuse_snap(self, from, self->system().render(err));
          });
}

// Learner: the sync_snap reaches the core only with its whole image on disk.
void on_sync_snap(self_ptr self, zab::server_id from, zab::sync_snap& m) {
  auto& l = self->state.peers.at(from);
  if (!l.snap_in || !l.snap_in->complete || l.snap_in->zxid != m.zxid ||
      l.snap_in->stream != m.stream)
    return refuse_snap(self, from,
                       fmt::format("sync_snap of 0x{:x} without its whole image", m.zxid));
  l.snap_in.reset();
  self->send(self->state.owner, zab_in_atom::value, from, zab::message{std::move(m)});
}

// Everything to a peer goes through here: kept back behind a SNAP stream to it, and a
// sync_snap starts one.
void send_out(self_ptr self, zab::server_id to, uint64_t generation,
              std::variant<zab::message, app_message> m) {
  auto& st = self->state;
  if (auto it = st.peers.find(to); it != st.peers.end() && it->second.snap_out) {
    auto& out = *it->second.snap_out;
    const uint64_t size = held_size(m);
    // The limit is for every stream together: a learner stuck on its last unacked pieces
    // keeps its backlog while the store already streams the next learner's image.
    uint64_t all_held = 0;
    for (const auto& [id, peer] : st.peers)
      if (peer.snap_out) all_held += peer.snap_out->held_bytes;
    if (all_held + size > st.snap.held_bytes_limit) {
      // A learner that takes its image this slowly would make the leader hold every write
      // meanwhile: it starts again later, with a newer image.
      spdlog::warn("SNAP stream {} to learner {}: {} bytes in {} messages held behind it ({} "
                   "behind every stream); dropping the link",
                   out.sync.stream, to, out.held_bytes, out.held.size(), all_held);
      release_image_of(self, m);
      drop_peer(self, to);
      return;
    }
    out.held_bytes += size;
    out.held.push_back({generation, std::move(m)});
    return;
  }
  auto* zm = std::get_if<zab::message>(&m);
  auto dest = route(self, to, generation, zm && zab::is_election_message(*zm));
  if (!dest) {
    release_image_of(self, m); // never sent: the store's image for it is released at once
    return;
  }
  if (zm) {
    if (auto* snap = std::get_if<zab::sync_snap>(zm))
      return start_snap_stream(self, to, generation, *snap);
    std::visit([&](auto& x) { send_wire(self, dest, std::move(x)); }, *zm);
  } else {
    std::visit([&](auto& x) { send_wire(self, dest, std::move(x)); }, std::get<app_message>(m));
  }
}

// Inbound: the sender's handle becomes our way back to it when we have none yet.
// The peer protocol check of a peer whose link this server took from a connection the peer
// made: the middleman's connect to its quorum port answers the version it advertises there
// (CAF answers it even when a connection to that process exists already). A mismatch drops
// the link to that process, and its messages from then on (from_mismatched_peer).
void verify_peer_process(self_ptr self, zab::server_id id) {
  auto& l = self->state.peers.at(id);
  if (l.verifying || self->state.closing) return;
  l.verifying = true;
  auto mm = peer_transport(self->system());
  self->request(mm, connect_timeout, caf::connect_atom::value, l.address.host,
                static_cast<uint16_t>(l.address.quorum_port))
      .then(
          [=](const caf::node_id& node, caf::strong_actor_ptr&,
              const std::set<std::string>& signatures) {
            auto& lk = self->state.peers.at(id);
            lk.verifying = false;
            if (speaks_our_protocol(self, id, node, advertised_peer_protocol(signatures))) return;
            if (lk.quorum && lk.quorum.node() == node) lose_link(self, id);
          },
          [=](caf::error& err) {
            // Cannot tell now: the link stays, as it would without the check; a later link
            // from that process is checked again.
            self->state.peers.at(id).verifying = false;
            spdlog::debug("peer protocol check of server {}: {}", id, self->system().render(err));
          });
}

void note_sender(self_ptr self, zab::server_id from) {
  auto& st = self->state;
  if (from == st.self_id) return;
  auto it = st.peers.find(from);
  // A server outside our configuration (one joining it) is answered on its own connection.
  if (it == st.peers.end()) it = st.peers.emplace(from, link{}).first;
  if (it->second.quorum) return;
  // With quorum SASL a peer we can connect to is talked to only over a link this server
  // authenticated itself (or was let through unauthenticated), as in ZooKeeper, where a
  // connection authenticates before it carries anything.
  if (st.auth_policy.enable_sasl && has_address(it->second)) return;
  // After a peer protocol mismatch the link forms only over a connection this server made
  // and checked (a restarted peer is checked anew there), not over one the peer made.
  if (!it->second.last_mismatch.empty() && has_address(it->second)) {
    connect(self, from);
    return;
  }
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (sender && sender.node() != self->node()) {
    adopt(self, from, sender, false);
    spdlog::info("peer link to server {} up (it connected to us)", from);
    // The peer checked our version, but a build from before the check does not: check its
    // process too, through its quorum port (the link is dropped if it speaks another).
    if (has_address(it->second) && sender.node() != it->second.verified_node)
      verify_peer_process(self, from);
  }
}

template <class T> auto inbound_zab() {
  return [](self_ptr self, zab::server_id from, T& msg) {
    if (!admitted(self, from)) return;
    note_sender(self, from);
    self->send(self->state.owner, zab_in_atom::value, from, zab::message{std::move(msg)});
  };
}

template <class T> auto inbound_app() {
  return [](self_ptr self, zab::server_id from, T& msg) {
    if (!admitted(self, from)) return;
    note_sender(self, from);
    self->send(self->state.owner, app_in_atom::value, from, app_message{std::move(msg)});
  };
}

// A reconfig moved this server's own election or quorum port (or host): listen there too,
// then close what is no longer named, as ZooKeeper's QuorumPeer rebinds. Asked of the
// middleman, not through caf::io::publish, which would block this actor's thread.
void listen_at(self_ptr self, const config::peer_address& next) {
  auto& st = self->state;
  const auto before = st.listening;
  // With quorumListenOnAllIPs the host does not matter: only the ports do.
  auto bound_host = [&](const config::peer_address& a) {
    return st.listen_on_all_ips ? std::string("0.0.0.0") : a.host;
  };
  const std::string host = bound_host(next);
  const bool same_host = bound_host(before) == host;
  if (same_host && before.quorum_port == next.quorum_port &&
      before.election_port == next.election_port)
    return;
  st.listening = next;
  auto mm = peer_listener(self->system());
  const auto me = caf::actor_cast<caf::strong_actor_ptr>(self);
  std::set<int> wanted{next.election_port, next.quorum_port};
  for (int port : wanted) {
    if (same_host && (port == before.election_port || port == before.quorum_port))
      continue; // already listening there
    self->request(mm, caf::infinite, caf::publish_atom::value, static_cast<uint16_t>(port), me,
                  peer_protocol_signatures(st.protocol_version), host, true)
        .then([=](uint16_t) { spdlog::info("listening for peers on {}:{} now", host, port); },
              [=](caf::error& err) {
                spdlog::error("cannot listen for peers on {}:{} ({}): the others cannot reach "
                              "this server there until it restarts",
                              host, port, self->system().render(err));
              });
  }
  for (int port : {before.election_port, before.quorum_port})
    if (port != 0 && (!same_host || !wanted.contains(port)))
      self->send(mm, caf::close_atom::value, static_cast<uint16_t>(port));
}

// Shutdown, before the actors stop: closes both ports (answered with ok_atom once the
// middleman closed them) and connects to no one from now on. A peer connection accepted while
// CAF's middleman stops is launched and shut down in the same round of its multiplexer, and
// CAF 0.17 then never releases it (the connection keeps a reference to itself: a leak at
// exit); the peers, who reconnect as soon as this server's links go down, would otherwise do
// exactly that.
caf::response_promise stop_listening(self_ptr self) {
  auto& st = self->state;
  st.closing = true;
  std::set<int> ports{st.listening.election_port, st.listening.quorum_port};
  ports.erase(0);
  auto promise = self->make_response_promise();
  if (ports.empty()) {
    promise.deliver(caf::ok_atom::value);
    return promise;
  }
  auto left = std::make_shared<size_t>(ports.size());
  auto mm = peer_listener(self->system());
  for (int port : ports) {
    auto one_closed = [=]() mutable {
      if (--*left == 0) promise.deliver(caf::ok_atom::value);
    };
    self->request(mm, connect_timeout, caf::close_atom::value, static_cast<uint16_t>(port))
        .then([=]() mutable { one_closed(); },
              [=](caf::error& err) mutable {
                spdlog::debug("closing the peer port {}: {}", port, self->system().render(err));
                one_closed();
              });
  }
  return promise;
}

// Quorum SASL, server side: one frame of a peer's handshake (it connected to us).
void on_learner_frame(self_ptr self, zab::server_id from, uint64_t attempt, int32_t status,
                      std::string token) {
  auto& st = self->state;
  if (from == st.self_id) return;
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (!sender) return;
  auto it = st.peers.find(from);
  if (it == st.peers.end()) it = st.peers.emplace(from, link{}).first; // a joiner
  auto& l = it->second;
  // A new attempt (or a restarted process) starts a new handshake.
  if (!l.server_side || attempt != l.server_attempt || sender.node() != l.server_node) {
    l.server_side = std::make_unique<qa::server>(st.auth_policy);
    l.server_attempt = attempt;
    l.server_node = sender.node();
  }
  auto d = l.server_side->on_frame(qa::frame{static_cast<qa::status>(status), std::move(token)});
  if (d.send)
    self->send(sender, quorum_auth_server_atom::value, st.self_id, attempt,
               static_cast<int32_t>(d.send->state), d.send->token);
  switch (d.outcome) {
  case qa::verdict::pending: return;
  case qa::verdict::authenticated:
    spdlog::info("quorum SASL: server {} authenticated as '{}'", from, d.authenticated_id);
    l.authenticated_node = sender.node();
    l.warned_unauthenticated = false;
    l.last_failure.clear();
    return;
  case qa::verdict::unauthenticated:
    if (!d.reason.empty() && d.reason != l.last_failure)
      spdlog::warn("quorum SASL: server {} failed to authenticate ({}); heard anyway "
                   "(quorum.auth.serverRequireSasl=false)",
                   from, d.reason);
    l.last_failure = d.reason;
    return;
  case qa::verdict::refused:
    if (d.reason != l.last_failure)
      spdlog::error("quorum SASL: server {} failed to authenticate, its link is refused: {}", from,
                    d.reason);
    l.last_failure = d.reason;
    l.authenticated_node = caf::node_id{};
    return;
  }
}

caf::behavior peer_links(self_ptr self, zab::server_id self_id,
                         std::map<zab::server_id, config::peer_address> peers,
                         peer_links_owner_handle owner, config::peer_address listening,
                         bool listen_on_all_ips, qa::policy auth_policy,
                         std::optional<config::quorum_sasl_settings> auth, snap_stream_actors snap,
                         int protocol_version) {
  auto& st = self->state;
  st.protocol_version = protocol_version;
  st.auth_policy = auth_policy;
  st.snap = std::move(snap);
  if (auth) {
    st.learner_user = auth->learner_user;
    st.learner_password = auth->learner_password;
  }
  // Attempts of this process are told apart from a previous one's by where they start.
  st.next_attempt = st.random() >> 16;
  st.self_id = self_id;
  st.listening = std::move(listening);
  st.listen_on_all_ips = listen_on_all_ips;
  st.owner = std::move(owner);
  for (auto& [id, address] : peers)
    st.peers[id].address = std::move(address);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& s = self->state;
    auto it = s.by_addr.find(msg.source);
    if (it == s.by_addr.end()) return;
    auto id = it->second;
    spdlog::info("peer link to server {} down ({})", id, self->system().render(msg.reason));
    lose_link(self, id);
  });
  for (auto& [id, l] : st.peers)
    connect(self, id);

  return {
      [=](zab_out_atom, zab::server_id to, uint64_t generation, zab::message& m) {
        send_out(self, to, generation, std::move(m));
      },
      [=](app_out_atom, zab::server_id to, uint64_t generation, app_message& m) {
        send_out(self, to, generation, std::move(m));
      },
      [=](reconnect_atom, zab::server_id id) { connect(self, id); },
      [=](caf::close_atom) {
        // From this server only: a peer cannot make it stop listening.
        const auto& sender = self->current_sender();
        if (!sender || sender->node() != self->node()) {
          auto refused = self->make_response_promise();
          refused.deliver(caf::make_error(caf::sec::unexpected_message));
          return refused;
        }
        return stop_listening(self);
      },
      [=](quorum_auth_learner_atom, zab::server_id from, uint64_t attempt, int32_t status,
          std::string& token) { on_learner_frame(self, from, attempt, status, std::move(token)); },
      [=](quorum_auth_server_atom, zab::server_id from, uint64_t attempt, int32_t status,
          std::string& token) {
        auto it = self->state.peers.find(from);
        if (it == self->state.peers.end()) return;
        auto& l = it->second;
        if (!l.learner || attempt != l.attempt) return; // an abandoned handshake's
        on_learner_decision(
            self, from,
            l.learner->on_frame(qa::frame{static_cast<qa::status>(status), std::move(token)}));
      },
      [=](quorum_auth_timeout_atom, zab::server_id id, uint64_t attempt) {
        auto it = self->state.peers.find(id);
        if (it == self->state.peers.end()) return;
        auto& l = it->second;
        if (!l.learner || attempt != l.attempt) return;
        on_learner_decision(self, id, l.learner->on_silence());
      },
      // A reconfig activated: link to the servers it adds, stop reconnecting to the ones it
      // no longer names (a connection still up stays: a removed server may still be a
      // learner here until it notices, and a joiner is not named before it joins).
      [=](peer_membership& m) {
        auto& s = self->state;
        for (auto& [id, l] : s.peers)
          if (!m.peers.contains(id)) l.address = config::peer_address{};
        for (auto& [id, address] : m.peers) {
          if (id == s.self_id) {
            listen_at(self, address);
            continue;
          }
          auto& l = s.peers[id];
          // Its host, quorum or election port changed: connect anew. Its role or client
          // address are not the links' business (ZooKeeper keeps the leader then too). A
          // joiner we knew only by the connection it made to us had no address yet; that
          // connection stays (dropping it would drop a learner the new configuration counts
          // on).
          const bool moved = has_address(l) && (l.address.host != address.host ||
                                                l.address.quorum_port != address.quorum_port ||
                                                l.address.election_port != address.election_port);
          l.address = address;
          if (moved && l.quorum) lose_link(self, id);
          connect(self, id);
        }
      },
      // Fault injection: one link breaks. The CAF connection to the peer carries everything
      // between the two processes and cannot be closed alone, so the peer is told to drop its
      // end as well, as a broken connection would make it do.
      [=](drop_link_atom, const std::vector<zab::server_id>& candidates) {
        auto& s = self->state;
        std::vector<zab::server_id> up;
        for (auto id : candidates)
          if (auto it = s.peers.find(id); it != s.peers.end() && it->second.quorum)
            up.push_back(id);
        if (up.empty()) return zab::no_server;
        std::uniform_int_distribution<size_t> pick(0, up.size() - 1);
        const auto id = up[pick(s.random)];
        spdlog::warn("fault injection: killing follower-link {}", id);
        self->send(s.peers.at(id).quorum, link_reset_atom::value, s.self_id);
        lose_link(self, id);
        return id;
      },
      [=](link_reset_atom, zab::server_id from) {
        if (!self->state.peers.contains(from) || !admitted(self, from)) return;
        spdlog::warn("peer link to server {} dropped by that server (fault injection, or a "
                     "SNAP stream it refused)",
                     from);
        lose_link(self, from);
      },
      [=](zab_wire_atom, zab::server_id from, zab::notification& m) {
        inbound_zab<zab::notification>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::learner_info& m) {
        inbound_zab<zab::learner_info>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::leader_info& m) {
        inbound_zab<zab::leader_info>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::ack_epoch& m) {
        inbound_zab<zab::ack_epoch>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::sync_diff& m) {
        inbound_zab<zab::sync_diff>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::sync_trunc& m) {
        inbound_zab<zab::sync_trunc>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::sync_snap& m) {
        if (!admitted(self, from) || from == self->state.self_id) return;
        note_sender(self, from);
        on_sync_snap(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::new_leader& m) {
        inbound_zab<zab::new_leader>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::up_to_date& m) {
        inbound_zab<zab::up_to_date>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::proposal& m) {
        inbound_zab<zab::proposal>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::ack& m) {
        inbound_zab<zab::ack>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::commit& m) {
        inbound_zab<zab::commit>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::inform& m) {
        inbound_zab<zab::inform>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::ping& m) {
        inbound_zab<zab::ping>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, zab::read_round& m) {
        inbound_zab<zab::read_round>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, snap_chunk& c) {
        if (!admitted(self, from) || from == self->state.self_id) return;
        note_sender(self, from);
        on_snap_chunk(self, from, c);
      },
      [=](zab_wire_atom, zab::server_id from, snap_ack& a) {
        if (!admitted(self, from)) return;
        on_snap_ack(self, from, a);
      },
      [=](zab_wire_atom, zab::server_id from, forward_writes& m) {
        inbound_app<forward_writes>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, forward_sync& m) {
        inbound_app<forward_sync>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, sync_ack& m) {
        inbound_app<sync_ack>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, session_touches& m) {
        inbound_app<session_touches>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, tree_digest_report& m) {
        inbound_app<tree_digest_report>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, forward_read& m) {
        inbound_app<forward_read>()(self, from, m);
      },
      [=](zab_wire_atom, zab::server_id from, read_index_ack& m) {
        inbound_app<read_index_ack>()(self, from, m);
      },
  };
}

} // namespace

caf::actor spawn_peer_links(caf::actor_system& sys, const config::server_config& cfg,
                            peer_links_owner_handle owner, snap_stream_actors snap,
                            int protocol_version) {
  std::map<zab::server_id, config::peer_address> peers;
  for (const auto& [id, p] : cfg.servers)
    if (id != cfg.server_id) peers.emplace(id, p);
  const auto* me = cfg.self();
  const qa::policy auth_policy{cfg.quorum_enable_sasl, cfg.quorum_learner_require_sasl,
                               cfg.quorum_server_require_sasl};
  return sys.spawn(peer_links, cfg.server_id, std::move(peers), std::move(owner),
                   me ? *me : config::peer_address{}, cfg.quorum_listen_on_all_ips, auth_policy,
                   sasl::quorum_sasl(), std::move(snap), protocol_version);
}

std::string publish_peer_links(caf::actor_system& sys, const config::server_config& cfg,
                               const caf::actor& links, int protocol_version) {
  const auto* me = cfg.self();
  if (!me) return "no server line for this server";
  const std::string host = cfg.quorum_listen_on_all_ips ? "0.0.0.0" : me->host;
  for (int port : {me->election_port, me->quorum_port}) {
    for (int attempt = 1;; ++attempt) {
      auto res = publish_for_peers(sys, links, static_cast<uint16_t>(port), host,
                                   peer_protocol_signatures(protocol_version));
      if (res) break;
      const int retries = cfg.election_port_bind_retry;
      if (retries > 0 && attempt >= retries)
        return "cannot bind " + host + ":" + std::to_string(port) + ": " + sys.render(res.error()) +
               " (tried " + std::to_string(attempt) + " times; electionPortBindRetry)";
      spdlog::warn("cannot bind {}:{} ({}); trying again in 1 s", host, port,
                   sys.render(res.error()));
      std::this_thread::sleep_for(1s);
    }
  }
  return {};
}

} // namespace paddock::actors
