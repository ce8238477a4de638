#pragma once
// One actor per client connection: frames and decodes the bytes the listener hands over,
// performs the handshake, and keeps ZooKeeper's FIFO client order — a read waits while one
// of this session's writes is still in flight, and everything behind a waiting request
// waits too. Replies then arrive from the watch manager already in order.
#include "actors/messages/client.hpp"
#include "actors/server_context.hpp"
#include "protocol/admin/four_letter_words.hpp"
#include "protocol/client/flow_control.hpp"
#include "protocol/jute/frame_decoder.hpp"
#include "protocol/jute/records.hpp"
#include "protocol/sasl/sasl_server.hpp"
#include "store/watches/watch_table.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/io/connection_handle.hpp>
#include <caf/stateful_actor.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace paddock::actors {

struct session_state {
  enum class phase { awaiting_connect, connecting, connected, closing };
  struct in_flight_entry {
    int32_t xid;
    int32_t opcode;
    bool is_write;
    int64_t started_us; // ctx->clock's monotonic time when it was dispatched
  };

  context_ptr ctx;
  listener_handle listener;
  caf::io::connection_handle hdl;
  store::watcher_id watcher = 0;
  std::string remote;
  jute::frame_decoder decoder;

  phase current = phase::awaiting_connect;
  int64_t session_id = 0;
  std::string passwd;
  int32_t timeout_ms = 0;
  bool client_sends_read_only = true;
  // Read-only mode (protocol/client/read_only.hpp): the server was read-only when this
  // connection came; `local_session`: its session was made here, unknown to the ensemble
  // (the tracker forgets it when this actor ends).
  bool read_only_server = false;
  // paddock.linearizableReads in an ensemble (not on a read-only server): reads go through
  // the quorum peer, which holds them until their read index is confirmed and applied.
  bool linearizable_reads = false;
  bool local_session = false;

  std::deque<jute::request> waiting;     // decoded, not yet dispatched
  std::deque<in_flight_entry> in_flight; // dispatched, reply not yet sent
  int writes_in_flight = 0;
  // Flow control: room for decoded requests, and whether the listener says the client's
  // unwritten replies are over the water mark (then nothing new is dispatched, and a
  // client that stays so for its session timeout is disconnected).
  client::request_window window;
  bool output_congested = false;
  uint64_t stall_epoch = 0;
  int64_t last_zxid = 0;
  std::shared_ptr<const std::vector<jute::id>>
      auth_ids;                              // ip:<address>, then digest ids from addAuth
  std::unique_ptr<sasl::sasl_exchange> sasl; // this connection's SASL exchange, once begun
  std::string out;                           // reply bytes gathered during one message
  int64_t last_touch_us = 0;   // when the tracker was last told (ctx->clock, monotonic)
  admin::connection_info info; // what cons reports; queued is filled in when asked
  uint64_t latency_total_ms = 0;

  // A session actor that is killed (fault injection) never gets to stop(): what it had in
  // flight stops counting as outstanding here.
  ~session_state();

  static inline const char* name = "paddock.session";
};

// `x509_id`: the subject of the client's TLS certificate (secure client port), or "": the
// session starts authenticated as x509:<subject>, as ZooKeeper's X509AuthenticationProvider.
// `read_only_server`: the listener serves read-only clients only (readonlymode.enabled, no
// quorum): this connection is refused unless it asks for read-only, and then its session is
// a local one, whose writes are answered NotReadOnly.
session_handle::behavior_type session_actor(session_handle::stateful_pointer<session_state> self,
                                            context_ptr ctx, listener_handle listener,
                                            caf::io::connection_handle hdl,
                                            store::watcher_id watcher, std::string remote,
                                            std::string x509_id, bool read_only_server);

} // namespace paddock::actors
