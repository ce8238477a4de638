#include "actors/client_listener.hpp"

#include "actors/heap.hpp"
#include "actors/messages/admin.hpp"
#include "actors/messages/client.hpp"
#include "actors/session.hpp"
#include "protocol/admin/fault_injection.hpp"
#include "protocol/admin/four_letter_words.hpp"
#include "protocol/client/read_only.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace paddock::actors {

namespace {

using caf::io::connection_handle;

constexpr auto admin_timeout = std::chrono::seconds(5);
// A fault-injection command line must be complete this soon after its first bytes.
constexpr auto fault_line_timeout = std::chrono::seconds(3);
constexpr auto trim_delay = std::chrono::seconds(1);
constexpr int trim_after_closes = 100;

// Forgets a connection: its per-IP slot, its session mapping. `tell_session` when the
// client went away on its own (the session actor then ends); not when the session itself
// asked for the close.
// A timer of the listener's own. Sent without a sender: a broker's mailbox is not freed when
// it stops in CAF 0.17, and a timer firing after the stop would otherwise sit there naming the
// listener as its sender, which then keeps itself alive (LeakSanitizer at exit).
template <class Duration, class... Ts>
void send_self_later(listener_broker* self, Duration delay, Ts&&... xs) {
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), delay, std::forward<Ts>(xs)...);
}

void forget_connection(listener_broker* self, connection_handle hdl, bool tell_session) {
  auto& st = self->state;
  auto it = st.connections.find(hdl);
  if (it == st.connections.end()) return;
  if (auto n = --st.per_ip[it->second.ip]; n <= 0) st.per_ip.erase(it->second.ip);
  if (auto& session = it->second.session) {
    st.by_session.erase(session.address());
    self->demonitor(session.address());
    if (tell_session) self->send(session, closed_atom::value);
    st.ctx->stats->alive_connections.fetch_sub(1, std::memory_order_relaxed);
  }
  st.connections.erase(it);
  // What the connection and its session held is freed now; glibc keeps freed memory in its
  // arenas unless asked to give it back, so a server that once had many connections would
  // keep their memory. A trim walks the heap on this (the I/O) thread, so only after many
  // closes, and one a second at most.
  if (++st.closed_since_trim >= trim_after_closes && !st.trim_scheduled) {
    st.trim_scheduled = true;
    send_self_later(self, trim_delay, trim_atom::value);
  }
}

// CAF reuses connection handles (they are file descriptor numbers), so a write or close
// that an ended session sent late could name a newer connection. Only the connection's
// current session may write to it or close it.
bool from_current_session(listener_broker* self, connection_handle hdl) {
  auto it = self->state.connections.find(hdl);
  return it != self->state.connections.end() && it->second.session &&
         caf::actor_cast<caf::actor_addr>(self->current_sender()) == it->second.session.address();
}

// `ip`, `port`: the client's address (for a TLS connection, the one the TLS listener saw: the
// socket here is a local socket pair). `x509_id`: its certificate's subject, or "".
void on_new_connection(listener_broker* self, connection_handle hdl, std::string ip, uint16_t port,
                       std::string x509_id) {
  auto& st = self->state;
  const auto limit = st.ctx->config.max_client_cnxns;
  if (limit > 0 && st.per_ip[ip] >= limit) {
    spdlog::warn("too many connections from {} - max is {}", ip, limit);
    self->close(hdl);
    return;
  }
  ++st.per_ip[ip];
  listener_state::connection conn{st.ctx->flow};
  conn.ip = ip;
  conn.port = port;
  conn.x509_id = std::move(x509_id);
  conn.serial = st.next_serial++;
  send_self_later(self, std::chrono::milliseconds(st.ctx->config.sessionless_cnxn_timeout_ms),
                  handshake_timeout_atom::value, hdl, conn.serial);
  st.connections.emplace(hdl, std::move(conn));
  self->configure_read(hdl, caf::io::receive_policy::at_most(client::read_sizer::small));
  // One read, then CAF stops reading until on_data decides: a four-letter word is answered
  // with reads still stopped, so the FIN of a client that half-closes after writing its word
  // (`nc -N`, `nc -q`) is not read first; CAF 0.17 would drop the connection on it.
  self->trigger(hdl, 1);
}

// Reads the socket only while its session wants more and its replies are being taken.
void apply_reading(listener_broker* self, connection_handle hdl, listener_state::connection& conn) {
  const bool want = conn.session_wants_reading && !conn.backlog.congested();
  if (want == conn.reading) return;
  conn.reading = want;
  if (want)
    self->trigger(hdl);
  else
    self->halt(hdl);
}

// Acts on a change of a connection's output backlog. Returns false when it closed it.
bool on_backlog_change(listener_broker* self, connection_handle hdl,
                       listener_state::connection& conn, client::output_backlog::change change) {
  using change_kind = client::output_backlog::change;
  if (conn.acking != conn.backlog.tracking()) {
    conn.acking = conn.backlog.tracking();
    self->ack_writes(hdl, conn.acking);
  }
  switch (change) {
  case change_kind::none: return true;
  case change_kind::over_hard_cap:
    spdlog::warn("closing the connection of {}:{}: {} reply and event bytes wait to be written "
                 "to it (the limit is {}); the client is not reading",
                 conn.ip, conn.port, conn.backlog.pending(), self->state.ctx->flow.output_hard_cap);
    forget_connection(self, hdl, true);
    self->close(hdl);
    return false;
  case change_kind::congested:
  case change_kind::cleared:
    spdlog::debug("connection {}:{}: {} bytes unwritten, {}", conn.ip, conn.port,
                  conn.backlog.pending(),
                  change == change_kind::congested ? "not reading it" : "reading it again");
    if (conn.session) self->send(conn.session, backlog_atom::value, conn.backlog.congested());
    apply_reading(self, hdl, conn);
    return true;
  }
  return true;
}

// The first bytes of a connection decide what it is: a four-letter word, or the length
// prefix of a ConnectRequest.
void start_session(listener_broker* self, connection_handle hdl, listener_state::connection& conn) {
  auto& st = self->state;
  auto watcher = st.next_watcher++;
  auto remote = conn.ip + ":" + std::to_string(conn.port);
  conn.session = self->spawn(session_actor, st.ctx, caf::actor_cast<listener_handle>(self), hdl,
                             watcher, std::move(remote), conn.x509_id, st.read_only);
  self->monitor(conn.session);
  st.by_session.emplace(conn.session.address(), hdl);
  st.ctx->stats->alive_connections.fetch_add(1, std::memory_order_relaxed);
}

std::vector<session_handle> all_sessions(listener_broker* self) {
  std::vector<session_handle> sessions;
  sessions.reserve(self->state.by_session.size());
  for (auto& entry : self->state.connections)
    if (entry.second.session) sessions.push_back(entry.second.session);
  return sessions;
}

// Writes the answer to a command (a four-letter word, a fault-injection line) and closes the
// connection — if it is still the one that asked: CAF reuses handles.
void answer_and_close(listener_broker* self, connection_handle hdl, uint64_t serial,
                      const std::string& text) {
  auto it = self->state.connections.find(hdl);
  if (it == self->state.connections.end() || it->second.serial != serial) return;
  auto& buf = self->wr_buf(hdl);
  buf.insert(buf.end(), text.begin(), text.end());
  self->flush(hdl);
  forget_connection(self, hdl, false);
  self->close(hdl);
}

void answer_four_letter_word(listener_broker* self, connection_handle hdl, std::string cmd) {
  auto& st = self->state;
  const auto serial = st.connections.at(hdl).serial;
  if (!st.ctx->config.four_letter_allowed(cmd)) {
    // Not from inside on_data: the connection's single read is still being delivered, and
    // CAF 0.17 crashes passivating a connection that its handler has closed.
    self->send(self, answer_atom::value, hdl, serial, admin::not_whitelisted_message(cmd));
    return;
  }
  self->request(st.admin, admin_timeout, stats_atom::value, std::move(cmd), all_sessions(self))
      .then([=](std::string& text) { answer_and_close(self, hdl, serial, text); },
            [=](caf::error& err) {
              spdlog::warn("four-letter word failed: {}", self->system().render(err));
              answer_and_close(self, hdl, serial, "");
            });
}

// Test-only: reads a `kill` command line; once it is complete the fault injector carries it
// out and its answer goes back. A line too long, or not complete in time, closes the
// connection unanswered.
void read_fault_command(listener_broker* self, connection_handle hdl,
                        listener_state::connection& conn, const std::vector<char>& bytes) {
  conn.fault_line.append(bytes.data(), bytes.size());
  switch (admin::scan_fault_line(conn.fault_line)) {
  case admin::fault_line_state::incomplete: return;
  case admin::fault_line_state::too_long:
    spdlog::warn("fault injection: command line over {} bytes; closing", admin::max_fault_line);
    forget_connection(self, hdl, false);
    self->close(hdl);
    return;
  case admin::fault_line_state::complete: break;
  }
  // From here on the connection only waits for its answer.
  conn.fault_command = false;
  const auto serial = conn.serial;
  self->request(self->state.fault_injector, admin_timeout, fault_atom::value,
                std::exchange(conn.fault_line, {}), all_sessions(self))
      .then([=](std::string& text) { answer_and_close(self, hdl, serial, text); },
            [=](caf::error& err) {
              spdlog::warn("fault injection failed: {}", self->system().render(err));
              answer_and_close(self, hdl, serial, "");
            });
}

void on_data(listener_broker* self, caf::io::new_data_msg& msg) {
  auto& st = self->state;
  auto it = st.connections.find(msg.handle);
  if (it == st.connections.end()) return;
  auto& conn = it->second;
  if (auto size = conn.read_size.after_read(msg.buf.size()))
    self->configure_read(msg.handle, caf::io::receive_policy::at_most(size));
  if (conn.fault_command) {
    read_fault_command(self, msg.handle, conn, msg.buf);
    return;
  }
  if (conn.first_bytes) {
    conn.head.insert(conn.head.end(), msg.buf.begin(), msg.buf.end());
    const std::string_view head(conn.head.data(), conn.head.size());
    switch (admin::classify_first_bytes(head)) {
    case admin::first_bytes_kind::incomplete: self->trigger(msg.handle, 1); return;
    case admin::first_bytes_kind::four_letter_word:
      // From here on the connection only waits for its answer (reads stay stopped).
      answer_four_letter_word(self, msg.handle, std::string(head.substr(0, 4)));
      return;
    case admin::first_bytes_kind::other: break;
    }
    const bool fault_command = st.fault_injector && admin::is_fault_command(head.substr(0, 4));
    conn.first_bytes = false;
    msg.buf = std::exchange(conn.head, {});
    self->trigger(msg.handle); // read as bytes come from now on
    if (fault_command) {
      conn.fault_command = true;
      send_self_later(self, fault_line_timeout, fault_timeout_atom::value, msg.handle, conn.serial);
      read_fault_command(self, msg.handle, conn, msg.buf);
      return;
    }
    if (!st.serving && !st.read_only) {
      // As ZooKeeper when it is not running: the client tries its next server.
      spdlog::debug("closing a client connection: this server is not serving (no quorum yet)");
      forget_connection(self, msg.handle, false);
      self->close(msg.handle);
      return;
    }
    start_session(self, msg.handle, conn);
  }
  if (conn.session) self->send(conn.session, data_atom::value, std::move(msg.buf));
}

// Closes every connection that has a session: the clients move to another server (and,
// after a read-write spell, keep their sessions).
void close_client_connections(listener_broker* self, const char* why) {
  std::vector<connection_handle> with_session;
  for (auto& [hdl, conn] : self->state.connections)
    if (conn.session) with_session.push_back(hdl);
  if (!with_session.empty())
    spdlog::info("closing {} client connections: {}", with_session.size(), why);
  for (auto hdl : with_session) {
    forget_connection(self, hdl, true);
    self->close(hdl);
  }
}

// A not-serving spell begins: with readonlymode.enabled, read-only clients are served once it
// has lasted the grace (a short election does not turn clients read-only).
void start_not_serving(listener_broker* self) {
  auto& st = self->state;
  const auto epoch = ++st.read_only_epoch;
  if (!st.ctx->config.read_only_mode_enabled) return;
  send_self_later(
      self, std::chrono::milliseconds(client::read_only_grace_ms(st.ctx->config.tick_time_ms)),
      read_only_atom::value, epoch);
}

void set_read_only(listener_broker* self, bool on) {
  auto& st = self->state;
  if (st.read_only == on) return;
  st.read_only = on;
  st.ctx->stats->read_only.store(on, std::memory_order_relaxed);
  if (on) {
    spdlog::info("no quorum for {} ms: serving read-only clients (readonlymode.enabled)",
                 client::read_only_grace_ms(st.ctx->config.tick_time_ms));
    return;
  }
  // As ZooKeeper's read-only server at its shutdown: its sessions are local to it, so their
  // clients reconnect (to a read-write server now), and the sessions are forgotten.
  close_client_connections(self, "read-only mode is over");
  self->send(st.ctx->tracker, read_only_atom::value, false);
}

} // namespace

caf::behavior client_listener(listener_broker* self, context_ptr ctx, admin_handle admin,
                              fault_injector_handle fault_injector) {
  self->state.ctx = std::move(ctx);
  self->state.admin = std::move(admin);
  self->state.fault_injector = std::move(fault_injector);
  self->state.serving = !self->state.ctx->config.is_ensemble();
  if (!self->state.serving) start_not_serving(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    // A session actor ended (closed, expired, or crashed): its connection goes with it.
    auto& st = self->state;
    auto it = st.by_session.find(dm.source);
    if (it == st.by_session.end()) return;
    auto hdl = it->second;
    if (dm.reason && dm.reason != caf::exit_reason::normal)
      spdlog::error("the session actor of a connection failed: {}",
                    self->system().render(dm.reason));
    forget_connection(self, hdl, false);
    self->close(hdl);
  });
  return {
      [=](open_atom, uint16_t port, const std::string& address) -> caf::result<uint16_t> {
        auto& st = self->state;
        auto everywhere = [](const std::string& a) { return a.empty() || a == "0.0.0.0"; };
        const bool open = st.port != 0;
        if (open && port == st.port &&
            (address == st.address || (everywhere(address) && everywhere(st.address))))
          return st.port;
        auto res =
            self->add_tcp_doorman(port, everywhere(address) ? nullptr : address.c_str(), true);
        if (!res) return std::move(res.error());
        if (open) {
          spdlog::info("listening for clients on {}:{} now; {}:{} closed",
                       everywhere(address) ? "0.0.0.0" : address, res->second,
                       everywhere(st.address) ? "0.0.0.0" : st.address, st.port);
          self->close(st.doorman);
        }
        st.doorman = res->first;
        st.port = res->second;
        st.address = address;
        return res->second;
      },
      [=](const caf::io::new_connection_msg& msg) {
        on_new_connection(self, msg.handle, self->remote_addr(msg.handle),
                          self->remote_port(msg.handle), "");
      },
      [=](tls_atom, int fd, std::string& ip, uint16_t port, std::string& x509_id) {
        if (!self->state.accepting) {
          ::close(fd);
          return;
        }
        auto hdl = self->add_scribe(fd);
        on_new_connection(self, hdl, std::move(ip), port, std::move(x509_id));
      },
      [=](caf::close_atom) {
        auto& st = self->state;
        st.accepting = false;
        if (st.port != 0) {
          self->close(st.doorman);
          st.doorman = {}; // what CAF says about the closed port concerns no port of ours
          st.port = 0;
        }
        return caf::ok_atom::value;
      },
      // The AdminServer's commands that list connections ask for them here.
      [=](stats_atom) { return all_sessions(self); },
      [=](caf::io::new_data_msg& msg) { on_data(self, msg); },
      [=](const caf::io::connection_closed_msg& msg) { forget_connection(self, msg.handle, true); },
      // The single read of trigger(hdl, 1) is used up; on_data has decided what comes next.
      [=](const caf::io::connection_passivated_msg&) {},
      [=](answer_atom, connection_handle hdl, uint64_t serial, const std::string& text) {
        answer_and_close(self, hdl, serial, text);
      },
      [=](const caf::io::acceptor_closed_msg& msg) {
        if (msg.handle != self->state.doorman) return; // one a reconfig moved away from
        spdlog::error("the client port was closed; stopping");
        self->quit(caf::exit_reason::user_shutdown);
      },
      [=](trim_atom) {
        self->state.trim_scheduled = false;
        self->state.closed_since_trim = 0;
        release_free_heap();
      },
      [=](fault_timeout_atom, connection_handle hdl, uint64_t serial) {
        auto it = self->state.connections.find(hdl);
        if (it == self->state.connections.end() || it->second.serial != serial ||
            !it->second.fault_command)
          return;
        spdlog::warn("fault injection: no whole command line within {} s; closing",
                     fault_line_timeout.count());
        forget_connection(self, hdl, false);
        self->close(hdl);
      },
      [=](write_atom, connection_handle hdl, const std::string& bytes) {
        if (!from_current_session(self, hdl)) return;
        auto& buf = self->wr_buf(hdl);
        buf.insert(buf.end(), bytes.begin(), bytes.end());
        self->flush(hdl);
        // What flush could not hand to the transport's writer stays in wr_buf: a backlog.
        auto& conn = self->state.connections.at(hdl);
        on_backlog_change(self, hdl, conn, conn.backlog.on_flushed(bytes.size(), buf.size()));
      },
      [=](const caf::io::data_transferred_msg& msg) {
        auto it = self->state.connections.find(msg.handle);
        if (it == self->state.connections.end()) return;
        on_backlog_change(self, msg.handle, it->second,
                          it->second.backlog.on_written(static_cast<size_t>(msg.remaining)));
      },
      [=](reading_atom, connection_handle hdl, bool on) {
        if (!from_current_session(self, hdl)) return;
        auto& conn = self->state.connections.at(hdl);
        conn.session_wants_reading = on;
        apply_reading(self, hdl, conn);
      },
      [=](connected_atom, connection_handle hdl) {
        if (!from_current_session(self, hdl)) return;
        self->state.connections.at(hdl).established = true;
      },
      [=](handshake_timeout_atom, connection_handle hdl, uint64_t serial) {
        auto it = self->state.connections.find(hdl);
        if (it == self->state.connections.end() || it->second.serial != serial) return;
        auto& conn = it->second;
        // A four-letter word or a fault command waiting for its answer has its own timeout.
        const bool awaiting_answer = !conn.first_bytes && !conn.session;
        if (conn.established || awaiting_answer || conn.fault_command) return;
        spdlog::info("closing the connection of {}:{}: no handshake within {} ms", conn.ip,
                     conn.port, self->state.ctx->config.sessionless_cnxn_timeout_ms);
        forget_connection(self, hdl, true);
        self->close(hdl);
      },
      // Ensemble: whether this server may serve clients now. When it stops, every client
      // connection closes (the clients move to another server and keep their sessions).
      [=](serving_atom, bool on) {
        auto& st = self->state;
        if (st.serving == on) return;
        st.serving = on;
        if (on) {
          ++st.read_only_epoch; // a grace timer still on its way is void
          set_read_only(self, false);
          return;
        }
        close_client_connections(self, "this server stopped serving");
        start_not_serving(self);
      },
      [=](read_only_atom, uint64_t epoch) {
        auto& st = self->state;
        if (epoch == st.read_only_epoch && !st.serving) set_read_only(self, true);
      },
      [=](close_atom, connection_handle hdl) {
        if (!from_current_session(self, hdl)) return;
        // The session is done with this connection; what it wrote is still sent.
        forget_connection(self, hdl, false);
        self->close(hdl);
      },
  };
}

} // namespace paddock::actors
