#include "actors/session.hpp"

#include "actors/messages/client.hpp"
#include "actors/messages/pipeline.hpp"
#include "actors/messages/sessions.hpp"
#include "actors/messages/store.hpp"
#include "protocol/client/read_only.hpp"
#include "protocol/jute/codec.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/requests/request_processor.hpp"
#include "store/tree/acl.hpp"
#include "store/tree/digest_auth.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace paddock::actors {

namespace {

using self_ptr = session_handle::stateful_pointer<session_state>;
using store::request_class;

constexpr auto tracker_timeout = std::chrono::seconds(10);

void flush(self_ptr self) {
  auto& st = self->state;
  if (st.out.empty()) return;
  self->send(st.listener, write_atom::value, st.hdl, std::move(st.out));
  st.out.clear();
}

// The session actor ends: requests still in flight will never be answered here.
void stop(self_ptr self) {
  auto& st = self->state;
  // A local (read-only) session outlives its connection, in the tracker, until its timeout.
  st.current = session_state::phase::closing;
  st.waiting.clear();
  st.ctx->stats->outstanding_requests.fetch_sub(static_cast<int64_t>(st.in_flight.size()),
                                                std::memory_order_relaxed);
  st.in_flight.clear();
  st.writes_in_flight = 0;
  self->quit();
}

// Closes the connection after what is already queued for it has been written. Every reason
// is worth a line in the log but the routine one (the client closed its session): `level`.
void close_connection(self_ptr self, const char* why,
                      spdlog::level::level_enum level = spdlog::level::info) {
  auto& st = self->state;
  if (st.current == session_state::phase::closing) return;
  spdlog::log(level, "closing connection {} (session 0x{:x}): {}", st.remote, st.session_id, why);
  flush(self);
  self->send(st.listener, close_atom::value, st.hdl);
  stop(self);
}

void send_connect_response(self_ptr self, bool valid) {
  auto& st = self->state;
  jute::connect_response resp;
  resp.timeout_ms = valid ? st.timeout_ms : 0;
  resp.session_id = valid ? st.session_id : 0;
  resp.passwd = valid ? st.passwd : std::string(16, '\0');
  resp.has_read_only = st.client_sends_read_only;
  resp.read_only = valid && st.read_only_server;
  jute::encode_connect_response(st.out, resp);
  self->state.ctx->stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
}

// The handshake is done (new session committed, or an existing one resumed): answer it.
void mark_connected(self_ptr self) {
  auto& st = self->state;
  st.current = session_state::phase::connected;
  st.last_touch_us = st.ctx->clock->monotonic_us();
  st.info.session_id = st.session_id;
  st.info.timeout_ms = st.timeout_ms;
  st.info.established_ms = st.ctx->clock->wall_ms();
  send_connect_response(self, true);
  self->send(st.listener, connected_atom::value, st.hdl);
}

size_t queued_requests(const session_state& st) {
  return st.waiting.size() + st.in_flight.size();
}

size_t reads_in_flight(const session_state& st) {
  return st.in_flight.size() - static_cast<size_t>(st.writes_in_flight);
}

void touch_tracker(self_ptr self) {
  auto& st = self->state;
  // The tracker keeps a local session's deadline itself and relays it to no leader.
  if (st.current != session_state::phase::connected) return;
  // Telling the tracker once per quarter tick is enough: it rounds deadlines up to whole
  // ticks anyway, and a message per request would cost more than it is worth.
  const int64_t now_us = st.ctx->clock->monotonic_us();
  const int64_t quarter_tick_us = int64_t{st.ctx->config.tick_time_ms / 4} * 1000;
  if (now_us - st.last_touch_us < quarter_tick_us) return;
  st.last_touch_us = now_us;
  self->send(st.ctx->tracker, touch_atom::value, st.session_id);
}

void answer_locally(self_ptr self, const jute::request& req, jute::error_code err) {
  auto& st = self->state;
  jute::encode_reply(st.out,
                     jute::reply_header{req.header.xid, st.last_zxid, static_cast<int32_t>(err)});
  st.ctx->stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
}

void start(self_ptr self, int32_t xid, int32_t opcode, bool is_write) {
  auto& st = self->state;
  st.in_flight.push_back({xid, opcode, is_write, st.ctx->clock->monotonic_us()});
  if (is_write) ++st.writes_in_flight;
  st.ctx->stats->outstanding_requests.fetch_add(1, std::memory_order_relaxed);
}

// addAuth: the identity joins the session's authInfo, which every ACL check is given.
// Unknown schemes fail the way ZooKeeper fails them: AuthFailed, then the connection closes.
bool handle_auth(self_ptr self, const jute::request& req) {
  auto& st = self->state;
  const auto& packet = std::get<jute::auth_packet>(req.body);
  // ZooKeeper 3.8 registers two providers by default: digest and ip.
  if (packet.scheme != "digest" && packet.scheme != "ip") {
    spdlog::warn("{}: no authentication provider for scheme '{}'", st.remote, packet.scheme);
    jute::encode_reply(st.out,
                       jute::reply_header{jute::xid::auth, 0,
                                          static_cast<int32_t>(jute::error_code::auth_failed)});
    close_connection(self, "auth failed");
    return false;
  }
  // The ip provider adds the connection's own address, which every session already has.
  if (packet.scheme == "digest") {
    jute::id ident{"digest", store::digest_identity(packet.auth)};
    // As DigestAuthenticationProvider: the super id goes in before the digest id itself.
    const auto& super_digest = st.ctx->config.super_digest;
    auto ids = std::make_shared<std::vector<jute::id>>(*st.auth_ids);
    auto add = [&](jute::id id) {
      if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(std::move(id));
    };
    if (!super_digest.empty() && ident.ident == super_digest) add(jute::id{"super", ""});
    add(std::move(ident));
    st.auth_ids = std::move(ids);
    // Watches registered earlier are checked against the new identities from now on (no
    // request is in flight here, so no older read_done can overwrite them).
    self->send(st.ctx->watch_manager, auth_changed{st.watcher, st.auth_ids});
  }
  jute::encode_reply(st.out, jute::reply_header{jute::xid::auth, 0, 0});
  return true;
}

// Adds `ids` to the session's authInfo (each once) and tells the watch manager.
void add_auth_ids(self_ptr self, std::vector<jute::id> ids) {
  auto& st = self->state;
  auto merged = std::make_shared<std::vector<jute::id>>(*st.auth_ids);
  for (auto& id : ids)
    if (std::find(merged->begin(), merged->end(), id) == merged->end())
      merged->push_back(std::move(id));
  st.auth_ids = std::move(merged);
  // Watches registered earlier are checked against the new identities from now on (no
  // request is in flight here, so no older read_done can overwrite them).
  self->send(st.ctx->watch_manager, auth_changed{st.watcher, st.auth_ids});
}

// A SASL packet (op 102), as ZooKeeper's processSasl: one token through this connection's
// exchange. Done: the session gains ("sasl", authorized id). Failed: AuthFailed (or
// SessionClosedRequireSaslAuth when enforce.auth requires sasl) with a null token, and the
// connection closes at once. Without SASL configured: ok and a null token.
bool handle_sasl(self_ptr self, const jute::request& req) {
  auto& st = self->state;
  const auto xid = req.header.xid;
  if (sasl::sasl_mechanism().empty()) {
    jute::encode_sasl_reply(st.out, xid);
    return true;
  }
  sasl::sasl_exchange::step_result result;
  if (!st.sasl) st.sasl = sasl::sasl_exchange::start(result.error);
  if (st.sasl) result = st.sasl->step(std::get<jute::sasl_request>(req.body).token);
  st.ctx->stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
  if (result.outcome == sasl::sasl_exchange::status::failed) {
    spdlog::warn("{}: SASL authentication failed (session 0x{:x}): {}", st.remote, st.session_id,
                 result.error);
    const auto& cfg = st.ctx->config;
    const auto err = cfg.enforce_auth_enabled && cfg.enforce_auth_satisfied_by("sasl")
                         ? jute::error_code::session_closed_require_sasl_auth
                         : jute::error_code::auth_failed;
    jute::encode_sasl_reply(st.out, xid, static_cast<int32_t>(err), std::nullopt);
    close_connection(self, "SASL authentication failed");
    return false;
  }
  if (result.outcome == sasl::sasl_exchange::status::done) {
    spdlog::info("{}: session 0x{:x} authenticated by SASL as {}", st.remote, st.session_id,
                 result.authorized_id);
    std::vector<jute::id> ids{{"sasl", result.authorized_id}};
    // zookeeper.superUser: this sasl id is a super user too.
    if (!st.ctx->config.sasl_super_user.empty() &&
        result.authorized_id == st.ctx->config.sasl_super_user)
      ids.push_back({"super", ""});
    add_auth_ids(self, std::move(ids));
  }
  jute::encode_sasl_reply(st.out, xid, 0, result.token);
  return true;
}

// enforce.auth.enabled (AuthenticationHelper.enforceAuthentication): a request other than
// auth or sasl from a session that has no id of the required schemes is answered
// SessionClosedRequireSaslAuth and the connection closes. False when it closed.
bool enforce_authentication(self_ptr self, const jute::request& req) {
  auto& st = self->state;
  const auto& cfg = st.ctx->config;
  if (!cfg.enforce_auth_enabled || req.header.type == jute::opcode::auth ||
      req.header.type == jute::opcode::sasl)
    return true;
  for (const auto& id : *st.auth_ids)
    if (cfg.enforce_auth_satisfied_by(id.scheme)) return true;
  spdlog::warn("{}: session 0x{:x} has not authenticated with any of the schemes "
               "enforce.auth.schemes requires, closing",
               st.remote, st.session_id);
  jute::encode_reply(
      st.out,
      jute::reply_header{req.header.xid, 0,
                         static_cast<int32_t>(jute::error_code::session_closed_require_sasl_auth)});
  st.ctx->stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
  close_connection(self, "authentication required");
  return false;
}

// A read-only server answers writes and syncs NotReadOnly, with the zxid of its tree as
// ZooKeeper's ReadOnlyRequestProcessor. A closeSession is answered and the connection closed:
// the (local) session ends with it, no txn is logged. False when it closed.
bool answer_read_only(self_ptr self, const jute::request& req) {
  auto& st = self->state;
  const auto zxid = st.ctx->stats->last_applied_zxid.load(std::memory_order_relaxed);
  const bool closing = req.header.type == jute::opcode::close_session;
  const auto err = closing ? jute::error_code::ok : jute::error_code::not_read_only;
  jute::encode_reply(st.out, jute::reply_header{req.header.xid, zxid, static_cast<int32_t>(err)});
  st.ctx->stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
  if (!closing) return true;
  // A local session ends here, no txn needed; a session of the ensemble is not this server's.
  if (st.local_session) self->send(st.ctx->tracker, unborn_atom::value, st.session_id);
  close_connection(self, "session closed by the client", spdlog::level::debug);
  return false;
}

// Sends what may go now, in order. A read (or a locally answered request) must not pass
// a write of this session that is still in flight; nothing may pass a request that waits.
void pump(self_ptr self) {
  auto& st = self->state;
  while (!st.waiting.empty() && st.current == session_state::phase::connected) {
    auto& req = st.waiting.front();
    auto cls = store::classify(req.header.type);
    // ZooKeeper refuses createTTL with Unimplemented unless extendedTypesEnabled is set,
    // and reconfig with ReconfigDisabled unless reconfigEnabled is, then with Unimplemented
    // on a standalone server (its PrepRequestProcessor finds no leader to ask).
    if (req.header.type == jute::opcode::create_ttl && !st.ctx->config.extended_types_enabled)
      cls = request_class::unsupported;
    std::optional<jute::error_code> refusal;
    if (req.header.type == jute::opcode::reconfig) {
      if (!st.ctx->config.reconfig_enabled)
        refusal = jute::error_code::reconfig_disabled;
      else if (!st.ctx->config.is_ensemble())
        refusal = jute::error_code::unimplemented;
      if (refusal) cls = request_class::unsupported;
    }
    // A read's reply size is known only once it ran: a bounded number of them at a time.
    const bool is_read = cls == request_class::read || cls == request_class::set_watches;
    if (!st.window.may_dispatch(is_read, reads_in_flight(st), st.output_congested)) return;
    if (st.ctx->config.enforce_auth_enabled) {
      // Judged once what is in flight is answered: an addAuth or SASL exchange ahead of this
      // request counts (the in-flight requests themselves passed this check).
      if (!st.in_flight.empty()) return;
      if (!enforce_authentication(self, req)) return;
    }
    if (st.read_only_server &&
        (client::refused_when_read_only(req.header.type) || cls == request_class::close_session)) {
      // Answered here, in order: after what is in flight.
      if (!st.in_flight.empty()) return;
      if (!answer_read_only(self, req)) return;
      st.waiting.pop_front();
      continue;
    }
    // A linearizable read waits in the quorum peer for its read index, so a later write,
    // sync or setWatches could overtake it on its way to the store: with reads in flight
    // they wait (as reads wait behind the session's writes), and replies stay in order.
    if (st.linearizable_reads && cls != request_class::read && reads_in_flight(st) > 0) return;
    const origin from{caf::actor_cast<session_handle>(self), req.header.xid};
    switch (cls) {
    case request_class::write: {
      auto txn = store::make_txn(std::move(req), st.session_id);
      txn.auth = st.auth_ids;
      txn.cxid = from.xid;
      start(self, from.xid, txn.type, true);
      self->send(st.ctx->pipeline, write_request{std::move(txn), from});
      break;
    }
    case request_class::close_session: {
      start(self, req.header.xid, req.header.type, true);
      self->send(st.ctx->tracker, forget_atom::value, st.session_id);
      auto txn = store::make_txn(std::move(req), st.session_id);
      txn.cxid = from.xid;
      self->send(st.ctx->pipeline, write_request{std::move(txn), from});
      st.waiting.pop_front();
      // Nothing the client sends after closeSession is served.
      st.waiting.clear();
      return;
    }
    case request_class::sync: {
      start(self, req.header.xid, req.header.type, true);
      auto& path = std::get<jute::path_request>(req.body).path;
      self->send(st.ctx->pipeline, sync_request{std::move(path), from});
      break;
    }
    case request_class::read: {
      if (st.writes_in_flight > 0) return;
      start(self, req.header.xid, req.header.type, false);
      read_request r{std::move(req), st.session_id, st.auth_ids, st.watcher, from};
      // paddock.linearizableReads: the quorum peer holds the read until its read index is
      // confirmed and applied, then hands it to the store.
      if (st.linearizable_reads)
        self->send(st.ctx->quorum_peer, std::move(r));
      else
        self->send(st.ctx->store, std::move(r));
      break;
    }
    case request_class::set_watches: {
      if (st.writes_in_flight > 0) return;
      start(self, req.header.xid, req.header.type, false);
      self->send(st.ctx->store,
                 set_watches_request{std::get<jute::set_watches_request>(std::move(req.body)),
                                     st.session_id, st.auth_ids, st.watcher, from});
      break;
    }
    case request_class::ping:
    case request_class::auth:
    case request_class::unsupported: {
      if (!st.in_flight.empty()) return;
      if (cls == request_class::ping) {
        answer_locally(self, req, jute::error_code::ok);
      } else if (cls == request_class::auth) {
        if (!handle_auth(self, req)) return;
      } else if (req.header.type == jute::opcode::error) {
        // An opcode ZooKeeper does not know: like its UnimplementedRequestProcessor,
        // answer Unimplemented (zxid -1) and close the connection; the session lives on.
        spdlog::warn("{}: unknown opcode, closing the connection", st.remote);
        jute::encode_reply(
            st.out, jute::reply_header{req.header.xid, -1,
                                       static_cast<int32_t>(jute::error_code::unimplemented)});
        close_connection(self, "unknown opcode");
        return;
      } else if (req.header.type == jute::opcode::sasl) {
        if (!handle_sasl(self, req)) return;
      } else {
        spdlog::debug("{}: opcode {} is not served", st.remote, req.header.type);
        answer_locally(self, req, refusal.value_or(jute::unserved_answer(req.header.type)));
      }
      break;
    }
    }
    st.waiting.pop_front();
  }
}

// The tracker did not answer: the connection ends; the session, if any, lives on.
void tracker_silent(self_ptr self, const caf::error& err) {
  spdlog::error("session tracker did not answer: {}", self->system().render(err));
  close_connection(self, "no session tracker");
}

// Asks the tracker for a new session id and password, of the ensemble (new_session_atom) or
// local to this read-only server (new_local_atom): on_id(id, passwd).
template <class Atom, class OnId> void request_new_session(self_ptr self, Atom kind, OnId on_id) {
  auto& st = self->state;
  self->request(st.ctx->tracker, tracker_timeout, kind, st.timeout_ms,
                caf::actor_cast<session_handle>(self))
      .then(std::move(on_id), [=](caf::error& err) { tracker_silent(self, err); });
}

// Asks the tracker whether the client's session may be taken over by this connection
// (reattach_atom, or reattach_local_atom on a read-only server): on_answer(verdict, passwd).
template <class Atom, class OnAnswer>
void request_reattach(self_ptr self, Atom kind, const jute::connect_request& req,
                      OnAnswer on_answer) {
  auto& st = self->state;
  st.session_id = req.session_id;
  self->request(st.ctx->tracker, tracker_timeout, kind, req.session_id, req.passwd, st.timeout_ms,
                caf::actor_cast<session_handle>(self))
      .then(std::move(on_answer), [=](caf::error& err) { tracker_silent(self, err); });
}

// Read-only mode (ZooKeeper 3.7 and later): a new session is a local one, made here without a
// txn, and only with localSessionsEnabled (else its ConnectRequest is answered NotReadOnly).
// It lives in the tracker until its timeout, so its client may come back to this server
// with it, as to ZooKeeper's; a session of the ensemble is not renewed here.
void begin_read_only_session(self_ptr self, const jute::connect_request& req) {
  auto& st = self->state;
  if (req.session_id == 0 && !st.ctx->config.local_sessions_enabled) {
    const auto zxid = st.ctx->stats->last_applied_zxid.load(std::memory_order_relaxed);
    jute::encode_reply(
        st.out, jute::reply_header{0, zxid, static_cast<int32_t>(jute::error_code::not_read_only)});
    close_connection(self, "read-only server: a new session needs localSessionsEnabled=true");
    return;
  }
  auto serve_local = [=](int64_t id, std::string passwd) {
    auto& s = self->state;
    s.session_id = id;
    s.passwd = std::move(passwd);
    s.local_session = true;
    spdlog::info("{}: read-only session 0x{:x}", s.remote, id);
    mark_connected(self);
    pump(self);
    flush(self);
  };
  if (req.session_id == 0) {
    request_new_session(self, new_local_atom::value, serve_local);
    return;
  }
  request_reattach(self, reattach_local_atom::value, req, [=](int32_t verdict, std::string passwd) {
    switch (static_cast<local_reattach>(verdict)) {
    case local_reattach::valid: serve_local(self->state.session_id, std::move(passwd)); return;
    case local_reattach::of_ensemble:
      close_connection(self, "read-only server: a session of the ensemble is not renewed");
      return;
    case local_reattach::invalid: break;
    }
    send_connect_response(self, false);
    close_connection(self, "invalid session");
  });
}

void begin_session(self_ptr self, const jute::connect_request& req) {
  auto& st = self->state;
  const auto& cfg = st.ctx->config;
  st.timeout_ms = std::clamp(req.timeout_ms, cfg.effective_min_session_timeout(),
                             cfg.effective_max_session_timeout());
  st.client_sends_read_only = req.has_read_only;
  st.current = session_state::phase::connecting;
  if (st.read_only_server) {
    begin_read_only_session(self, req);
    return;
  }
  if (req.session_id == 0) {
    request_new_session(self, new_session_atom::value, [=](int64_t id, std::string passwd) {
      auto& s = self->state;
      s.session_id = id;
      s.passwd = std::move(passwd);
      store::txn t;
      t.type = jute::opcode::create_session;
      t.session_id = id;
      t.session_timeout_ms = s.timeout_ms;
      t.session_passwd = s.passwd;
      start(self, 0, jute::opcode::create_session, true);
      self->send(s.ctx->pipeline,
                 write_request{std::move(t), origin{caf::actor_cast<session_handle>(self), 0}});
    });
    return;
  }
  request_reattach(self, reattach_atom::value, req, [=](bool valid, std::string passwd) {
    auto& s = self->state;
    if (!valid) {
      spdlog::info("{}: session 0x{:x} is expired or its password is wrong", s.remote,
                   s.session_id);
      send_connect_response(self, false);
      close_connection(self, "invalid session");
      return;
    }
    s.passwd = std::move(passwd);
    mark_connected(self);
    pump(self);
    flush(self);
  });
}

// Tells the listener when the socket should stop being read (the request window is full)
// or be read again.
void update_reading(self_ptr self) {
  auto& st = self->state;
  if (st.window.update_reading(queued_requests(st)))
    self->send(st.listener, reading_atom::value, st.hdl, st.window.reading());
}

// Decodes the buffered frames while the request window has room; the rest stay buffered
// until replies make room. Returns false when the connection was closed.
bool decode_frames(self_ptr self) {
  auto& st = self->state;
  std::span<const char> frame;
  while (st.current != session_state::phase::closing && st.window.may_decode(queued_requests(st)) &&
         st.decoder.next(frame)) {
    st.ctx->stats->packets_received.fetch_add(1, std::memory_order_relaxed);
    ++st.info.received;
    if (st.current == session_state::phase::awaiting_connect) {
      jute::connect_request req;
      auto status = jute::decode_connect_request(frame, req);
      if (status != jute::decode_status::ok) {
        spdlog::warn("{}: malformed connect request ({}), closing", st.remote,
                     jute::decode_status_name(status));
        close_connection(self, "malformed connect request");
        return false;
      }
      // A client that has seen a later zxid than this server has must not be served from
      // an older state: ZooKeeper refuses it so that it tries another server.
      const auto ours = st.ctx->stats->last_applied_zxid.load(std::memory_order_relaxed);
      if (req.last_zxid_seen > ours) {
        spdlog::warn("{}: refusing session: client has seen zxid 0x{:x}, our last zxid is 0x{:x}",
                     st.remote, req.last_zxid_seen, ours);
        close_connection(self, "client is ahead of this server");
        return false;
      }
      if (!client::accepts_connection(st.read_only_server, req.read_only)) {
        // As ZooKeeper's read-only server: the client tries its next server.
        close_connection(self, "read-only server, and the client did not ask for read-only");
        return false;
      }
      begin_session(self, req);
      continue;
    }
    jute::request req;
    auto status = jute::decode_request(frame, req);
    switch (jute::action_for(status, req.header.type)) {
    case jute::request_action::serve: break;
    case jute::request_action::unimplemented_close:
    case jute::request_action::marshalling_error:
      // Answered in its turn, like any request (see pump).
      spdlog::debug("{}: request of opcode {} did not decode ({})", st.remote, req.header.type,
                    jute::decode_status_name(status));
      req.header.type = status == jute::decode_status::unknown_opcode ? jute::opcode::error
                                                                      : jute::opcode::undecodable;
      req.body = jute::empty_request{};
      break;
    case jute::request_action::close:
      spdlog::warn("{}: malformed request ({}), closing connection", st.remote,
                   jute::decode_status_name(status));
      close_connection(self, "malformed request");
      return false;
    }
    st.waiting.push_back(std::move(req));
  }
  if (st.current == session_state::phase::closing) return false;
  if (st.decoder.failed()) {
    spdlog::warn("{}: frame length {} is over the limit of jute.maxbuffer {}, closing", st.remote,
                 st.decoder.bad_length(), st.ctx->config.max_buffer);
    close_connection(self, "frame too large");
    return false;
  }
  update_reading(self);
  return true;
}

void on_bytes(self_ptr self, std::vector<char>& bytes) {
  auto& st = self->state;
  if (st.current == session_state::phase::closing) return;
  st.decoder.feed(std::span<const char>(bytes.data(), bytes.size()));
  if (!decode_frames(self)) return;
  touch_tracker(self);
  pump(self);
  flush(self);
}

// The listener says whether the client's unwritten replies are over the water mark.
void on_backlog(self_ptr self, bool congested) {
  auto& st = self->state;
  st.output_congested = congested;
  const auto epoch = ++st.stall_epoch;
  if (congested) {
    const auto timeout =
        st.timeout_ms > 0 ? st.timeout_ms : st.ctx->config.effective_min_session_timeout();
    self->delayed_send(self, std::chrono::milliseconds(timeout), stall_atom::value, epoch);
    return;
  }
  if (!decode_frames(self)) return;
  pump(self);
  flush(self);
}

// The per-connection figures cons shows.
void note_response(session_state& st, const session_state::in_flight_entry& entry, int64_t zxid,
                   int64_t latency_ms) {
  auto& info = st.info;
  ++info.sent;
  info.last_op = admin::operation_name(entry.opcode);
  if (entry.xid >= 0) info.last_cxid = entry.xid;
  info.last_zxid = zxid;
  info.last_response_ms = st.ctx->clock->wall_ms();
  info.last_latency_ms = latency_ms;
  info.min_latency_ms = info.sent == 1 ? latency_ms : std::min(info.min_latency_ms, latency_ms);
  info.max_latency_ms = std::max(info.max_latency_ms, latency_ms);
  st.latency_total_ms += static_cast<uint64_t>(latency_ms);
  info.avg_latency_ms = static_cast<double>(st.latency_total_ms) / static_cast<double>(info.sent);
}

// One reply to the oldest request in flight. Returns false when the connection closed.
bool on_reply(self_ptr self, outbound& r) {
  auto& st = self->state;
  if (st.in_flight.empty()) {
    spdlog::error("{}: reply with nothing in flight (dropped)", st.remote);
    return true;
  }
  auto entry = st.in_flight.front();
  st.in_flight.pop_front();
  if (entry.is_write) --st.writes_in_flight;
  st.ctx->stats->outstanding_requests.fetch_sub(1, std::memory_order_relaxed);
  st.last_zxid = std::max(st.last_zxid, r.zxid);
  const int64_t us = st.ctx->clock->monotonic_us() - entry.started_us;
  st.ctx->stats->record_latency(static_cast<uint64_t>(us));
  // ZooKeeper's updatelatency is for requests that became txns, readlatency for the rest
  // (a sync included); in ms, here with the microseconds kept as a fraction.
  const bool update = entry.is_write && entry.opcode != jute::opcode::sync;
  auto& metrics = *st.ctx->metrics;
  (update ? metrics.updatelatency : metrics.readlatency).Observe(static_cast<double>(us) / 1000.0);
  note_response(st, entry, r.zxid, us / 1000);
  if (entry.opcode == jute::opcode::create_session) {
    if (r.failed) {
      // The session could not be logged (disk full): it does not exist.
      self->send(st.ctx->tracker, unborn_atom::value, st.session_id);
      send_connect_response(self, false);
      close_connection(self, "createSession could not be logged");
      return false;
    }
    mark_connected(self);
    return true;
  }
  st.out.append(r.frame);
  st.ctx->stats->packets_sent.fetch_add(1, std::memory_order_relaxed);
  if (entry.opcode == jute::opcode::close_session) {
    close_connection(self, "session closed by the client", spdlog::level::debug);
    return false;
  }
  return true;
}

void on_batch(self_ptr self, outbound_batch& batch) {
  auto& st = self->state;
  for (auto& item : batch.items) {
    if (st.current == session_state::phase::closing) return;
    if (!item.is_reply) {
      st.out.append(item.frame); // a notification, in its place among the replies
      continue;
    }
    if (!on_reply(self, item)) return;
  }
  // Replies made room in the request window: frames left buffered may be decoded now.
  if (!decode_frames(self)) return;
  pump(self);
  flush(self);
}

} // namespace

session_state::~session_state() {
  if (!ctx) return;
  ctx->stats->outstanding_requests.fetch_sub(static_cast<int64_t>(in_flight.size()),
                                             std::memory_order_relaxed);
}

session_handle::behavior_type session_actor(self_ptr self, context_ptr ctx,
                                            listener_handle listener,
                                            caf::io::connection_handle hdl,
                                            store::watcher_id watcher, std::string remote,
                                            std::string x509_id, bool read_only_server) {
  auto& st = self->state;
  st.read_only_server = read_only_server;
  // A read-only server has no quorum to ask: its reads stay what its clients asked for,
  // possibly stale. A standalone server's reads are linearizable already.
  st.linearizable_reads = ctx->config.linearizable_reads && ctx->quorum_peer && !read_only_server;
  st.decoder = jute::frame_decoder{ctx->config.max_buffer};
  st.window = client::request_window{ctx->flow};
  st.ctx = std::move(ctx);
  st.listener = std::move(listener);
  st.hdl = hdl;
  st.watcher = watcher;
  st.remote = std::move(remote);
  st.info.remote = "/" + st.remote;
  // ZooKeeper gives every connection the identity ip:<client address>.
  // An IPv4 client of a server listening on all addresses arrives as ::ffff:a.b.c.d; Java
  // (so ZooKeeper) sees it as a.b.c.d, and so do whoAmI and ip ACLs here.
  std::vector<jute::id> ids{
      {"ip", store::client_ip_identity(st.remote.substr(0, st.remote.rfind(':')))}};
  if (!x509_id.empty()) ids.push_back({"x509", std::move(x509_id)});
  st.auth_ids = std::make_shared<const std::vector<jute::id>>(std::move(ids));
  // Without the listener there is no connection: the session actor ends with it (when the
  // server stops), rather than linger until its last pending timeout lets it go.
  self->monitor(st.listener);
  self->set_down_handler([=](caf::down_msg&) { stop(self); });
  return {
      [=](data_atom, std::vector<char>& bytes) { on_bytes(self, bytes); },
      [=](outbound_batch& batch) { on_batch(self, batch); },
      [=](closed_atom) {
        // The client went away; its session lives on until it expires or the client
        // comes back (on any connection) within its timeout.
        if (self->state.current != session_state::phase::closing)
          spdlog::info("connection {} (session 0x{:x}) closed by the client without closing "
                       "its session",
                       self->state.remote, self->state.session_id);
        stop(self);
      },
      [=](expire_atom) { close_connection(self, "session expired"); },
      [=](moved_atom) { close_connection(self, "session moved to another connection"); },
      [=](backlog_atom, bool congested) { on_backlog(self, congested); },
      [=](stall_atom, uint64_t epoch) {
        auto& s = self->state;
        if (epoch != s.stall_epoch || !s.output_congested) return;
        spdlog::warn("{}: closing the connection of session 0x{:x}: it has not read its replies "
                     "for its session timeout",
                     s.remote, s.session_id);
        close_connection(self, "the client does not read its replies");
      },
      [=](stats_atom) -> admin::connection_info {
        auto& s = self->state;
        auto info = s.info;
        info.queued = static_cast<int64_t>(s.in_flight.size() + s.waiting.size());
        return info;
      },
  };
}

} // namespace paddock::actors
