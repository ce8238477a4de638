// The peer transport between two (and three) actor systems in one process: each system has
// its own node id, so messages cross real loopback TCP with CAF's serialization. Every ZAB
// message type and every ensemble message must arrive equal (a type one side did not
// register would arrive as an empty message, silently); a SNAP's image streams in acked
// pieces ahead of its sync_snap, and what was sent after the sync_snap arrives after it; a
// damaged image is refused and the link dropped; order holds per link; a lost peer is reported with
// a new link generation, and a message sent with an old generation is dropped.
#include "actors/messages/ensemble_local.hpp"
#include "actors/messages/ensemble_wire.hpp"
#include "actors/messages/held_size.hpp"
#include "actors/messages/peer_protocol_version.hpp"
#include "actors/messages/registry.hpp"
#include "actors/peer_links.hpp"
#include "store/disk/crc32c.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace paddock;
using namespace paddock::actors;
using namespace std::chrono_literals;

namespace {

struct peer_config : caf::actor_system_config {
  peer_config() {
    load<caf::io::middleman>();
    set("scheduler.max-threads", size_t{2});
    set("logger.console-verbosity", caf::atom("quiet"));
    register_wire_types(*this);
    configure_peer_transport(*this);
  }
};

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

config::server_config ensemble_of(int n, int64_t me, const std::vector<uint16_t>& ports) {
  config::server_config cfg;
  cfg.server_id = me;
  cfg.election_port_bind_retry = 3;
  for (int i = 1; i <= n; ++i) {
    config::peer_address p;
    p.id = i;
    p.host = "127.0.0.1";
    p.quorum_port = ports[static_cast<size_t>(2 * (i - 1))];
    p.election_port = ports[static_cast<size_t>(2 * (i - 1) + 1)];
    cfg.servers[i] = p;
  }
  return cfg;
}

// What a learner's snapshotter was handed of a SNAP image, and what it answers.
struct received_image {
  std::string bytes;
  bool last = false;
  uint64_t total = 0;
  uint32_t crc = 0;
  bool refuse = false; // answer every piece with an error (a disk full, say)
  bool stall = false;  // never answer (a disk that hangs): the leader gets no acks
  std::vector<caf::response_promise> unanswered;
};

// One server's transport: its actor system, its peer_links, and a mailbox standing in for
// the quorum peer. Standing in for the store, `image` is served as a SNAP's stream 1 (pieces
// of snap_chunk_bytes, pulled by peer_links); standing in for the snapshotter, `received`
// collects what arrives.
struct server {
  peer_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor owner{sys};
  caf::actor links;
  std::shared_ptr<std::string> image = std::make_shared<std::string>();
  std::shared_ptr<uint64_t> pulled = std::make_shared<uint64_t>(0);
  std::shared_ptr<received_image> received = std::make_shared<received_image>();
  // The streams whose images peer_links released (the fake store runs on CAF's threads).
  struct releases {
    std::mutex mutex;
    std::vector<uint64_t> streams;
    std::vector<uint64_t> sorted() {
      std::lock_guard lock(mutex);
      auto out = streams;
      std::sort(out.begin(), out.end());
      return out;
    }
  };
  std::shared_ptr<releases> released = std::make_shared<releases>();
  caf::actor fake_store, fake_snapshotter;
  // `held_bytes_limit`: what this server, as a leader, may hold back behind a SNAP stream.
  explicit server(const config::server_config& c, int protocol_version = peer_protocol_version,
                  uint64_t held_bytes_limit = snap_held_bytes_limit) {
    // The state goes in as spawn arguments, not captures: CAF 0.17 dereferences a null
    // argument tuple when a function actor is spawned without any (UBSan reports it).
    fake_store = sys.spawn(
        [](std::shared_ptr<std::string> image, std::shared_ptr<uint64_t> pulled,
           std::shared_ptr<releases> released) -> caf::behavior {
          // Streams 1 and 2 serve the same image, each from its own offset; `pulled` counts
          // the bytes handed out over every stream.
          struct stream_state {
            uint64_t offset = 0;
            uint32_t crc = 0;
          };
          auto streams = std::make_shared<std::map<uint64_t, stream_state>>();
          return {
              [=](snap_pull_atom, uint64_t stream) -> caf::result<snap_piece> {
                if (stream != 1 && stream != 2)
                  return caf::make_error(caf::sec::runtime_error, "no such stream");
                auto& st = (*streams)[stream];
                snap_piece p;
                p.bytes = image->substr(st.offset, snap_chunk_bytes);
                st.offset += p.bytes.size();
                *pulled += p.bytes.size();
                st.crc = store::crc32c_extend(
                    st.crc, std::span<const char>(p.bytes.data(), p.bytes.size()));
                p.last = st.offset == image->size();
                p.total = st.offset;
                p.crc = st.crc;
                return p;
              },
              [=](snap_release_atom, uint64_t stream) {
                std::lock_guard lock(released->mutex);
                released->streams.push_back(stream);
              },
          };
        },
        image, pulled, released);
    fake_snapshotter = sys.spawn(
        [](caf::event_based_actor* self,
           std::shared_ptr<received_image> received) -> caf::behavior {
          return {
              [=](received_chunk& c) -> caf::result<bool, std::string> {
                if (received->refuse) return {false, std::string("disk full")};
                if (received->stall) {
                  received->unanswered.push_back(self->make_response_promise());
                  return caf::delegated<bool, std::string>();
                }
                if (c.offset == 0) received->bytes.clear();
                received->bytes += c.bytes;
                received->last = c.last;
                received->total = c.total;
                received->crc = c.crc;
                return {true, std::string()};
              },
          };
        },
        received);
    links =
        spawn_peer_links(sys, c, caf::actor_cast<peer_links_owner_handle>(owner.ptr()),
                         snap_stream_actors{caf::actor_cast<store_handle>(fake_store),
                                            caf::actor_cast<snapshotter_handle>(fake_snapshotter),
                                            nullptr, held_bytes_limit},
                         protocol_version);
    auto error = publish_peer_links(sys, c, links, protocol_version);
    REQUIRE(error.empty());
  }
  ~server() {
    owner->send_exit(links, caf::exit_reason::user_shutdown);
    owner->send_exit(fake_store, caf::exit_reason::user_shutdown);
    owner->send_exit(fake_snapshotter, caf::exit_reason::user_shutdown);
  }

  void send(int64_t to, zab::message m, uint64_t generation = 0) {
    owner->send(links, zab_out_atom::value, to, generation, std::move(m));
  }
  // Waits for the next inbound ZAB message (link-down notices are counted on the way).
  zab::message receive(int64_t& from, uint64_t* downs = nullptr) {
    zab::message got;
    bool done = false;
    while (!done) {
      owner->receive(
          [&](zab_in_atom, int64_t f, zab::message& m) {
            from = f;
            got = std::move(m);
            done = true;
          },
          [&](link_down_atom, int64_t, uint64_t g) {
            if (downs) *downs = g;
          },
          caf::after(10s) >> [&] { FAIL("nothing arrived within 10 s"); });
    }
    return got;
  }
  // Sends until the peer's link is up and one message arrives at `to` (connections are
  // made in the background; sends before that are dropped with a new generation).
  void connect_to(server& other, int64_t to) {
    uint64_t generation = generation_of[to];
    for (int attempt = 0; attempt < 200; ++attempt) {
      send(to, zab::ping{attempt}, generation);
      bool arrived = false;
      other.owner->receive([&](zab_in_atom, int64_t, zab::message&) { arrived = true; },
                           caf::after(50ms) >> [] {});
      if (arrived) return;
      owner->receive(
          [&](link_down_atom, int64_t peer, uint64_t g) {
            if (peer == to) generation = g;
          },
          caf::after(1ms) >> [] {});
      generation_of[to] = generation;
    }
    FAIL("the link never came up");
  }
  // The generation of this server's link to each peer (each link counts its own): what a
  // send must name to be carried.
  std::map<int64_t, uint64_t> generation_of;
};

// The quorum and election ports of a two-server ensemble.
std::vector<uint16_t> ports_of_two() {
  std::vector<uint16_t> ports;
  for (int i = 0; i < 4; ++i)
    ports.push_back(free_port());
  return ports;
}

// Servers 1 and 2 of a two-server ensemble, 1's link to 2 up; 1 holds at most
// `held_bytes_limit` behind a SNAP stream.
struct linked_pair {
  std::vector<uint16_t> ports = ports_of_two();
  server a;
  server b;
  explicit linked_pair(uint64_t held_bytes_limit = snap_held_bytes_limit)
      : a(ensemble_of(2, 1, ports), peer_protocol_version, held_bytes_limit),
        b(ensemble_of(2, 2, ports)) {
    a.connect_to(b, 2);
  }
};

std::vector<zab::txn> some_txns(int n) {
  std::vector<zab::txn> v;
  for (int i = 1; i <= n; ++i)
    v.push_back({zab::make_zxid(3, i), std::string(static_cast<size_t>(i % 50), 'x') + "\0\xff",
                 std::nullopt});
  return v;
}

} // namespace

TEST_CASE("every peer message crosses between two actor systems unchanged", "[zab_wire]") {
  linked_pair pair;
  auto& a = pair.a;
  auto& b = pair.b;

  // A SNAP image of 3 MiB and a bit: seven pieces, the last a short one.
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>(i * 7919 % 251);
  *a.image = big;
  zab::ensemble cfg;
  cfg.members = {{1, true}, {2, true}, {3, false}};
  cfg.version = zab::make_zxid(4, 17);
  cfg.text = "server.1=127.0.0.1:2888:3888:participant;2181\nversion=400000011";
  auto with_reconfig = some_txns(3);
  with_reconfig[1].config = cfg;
  const std::vector<zab::message> all = {
      zab::notification{{3, zab::make_zxid(2, 9), 2}, 7, zab::role::following, cfg},
      zab::notification{{3, zab::make_zxid(2, 9), 2}, 7, zab::role::looking, {}},
      zab::learner_info{4, zab::make_zxid(4, 1), true},
      zab::learner_info{4, zab::make_zxid(4, 1), false, true},
      zab::leader_info{5},
      zab::ack_epoch{-1, zab::make_zxid(4, 2)},
      zab::sync_diff{zab::make_zxid(5, 3)},
      zab::sync_trunc{zab::make_zxid(4, 9)},
      zab::sync_snap{zab::make_zxid(5, 1), 1}, // what follows is held back behind its image
      zab::new_leader{5, cfg},
      zab::proposal{with_reconfig},
      zab::up_to_date{},
      zab::up_to_date{cfg},
      zab::proposal{some_txns(1000)},
      zab::ack{zab::make_zxid(5, 1000)},
      zab::commit{zab::make_zxid(5, 999)},
      zab::inform{some_txns(3)},
      zab::ping{zab::make_zxid(5, 999)},
      zab::read_round{42},
  };
  for (const auto& m : all)
    a.send(2, m, a.generation_of[2]);
  for (const auto& sent : all) {
    int64_t from = 0;
    auto got = b.receive(from);
    CHECK(from == 1);
    REQUIRE(got.index() == sent.index());
    INFO(zab::message_name(sent));
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          const auto& y = std::get<T>(got);
          if constexpr (std::is_same_v<T, zab::notification>) {
            CHECK(x.proposed == y.proposed);
            CHECK(x.election_epoch == y.election_epoch);
            CHECK(x.state == y.state);
          } else if constexpr (std::is_same_v<T, zab::learner_info>) {
            CHECK((x.accepted_epoch == y.accepted_epoch && x.last_zxid == y.last_zxid &&
                   x.observer == y.observer && x.wants_snapshot == y.wants_snapshot));
          } else if constexpr (std::is_same_v<T, zab::leader_info>) {
            CHECK(x.new_epoch == y.new_epoch);
          } else if constexpr (std::is_same_v<T, zab::ack_epoch>) {
            CHECK((x.current_epoch == y.current_epoch && x.last_zxid == y.last_zxid));
          } else if constexpr (std::is_same_v<T, zab::sync_diff>) {
            CHECK(x.last_zxid == y.last_zxid);
          } else if constexpr (std::is_same_v<T, zab::sync_trunc>) {
            CHECK(x.zxid == y.zxid);
          } else if constexpr (std::is_same_v<T, zab::sync_snap>) {
            CHECK(x.zxid == y.zxid);
            CHECK(x.stream == y.stream);
            // Its whole image is with the learner's snapshotter before it arrives.
            CHECK(b.received->bytes == big);
            CHECK(b.received->last);
            CHECK(b.received->total == big.size());
            CHECK(b.received->crc == store::crc32c(big));
          } else if constexpr (std::is_same_v<T, zab::new_leader>) {
            CHECK(x.epoch == y.epoch);
          } else if constexpr (std::is_same_v<T, zab::proposal> || std::is_same_v<T, zab::inform>) {
            CHECK(x.txns == y.txns);
          } else if constexpr (std::is_same_v<T, zab::ack> || std::is_same_v<T, zab::commit>) {
            CHECK(x.zxid == y.zxid);
          } else if constexpr (std::is_same_v<T, zab::ping>) {
            CHECK(x.last_committed == y.last_committed);
          } else if constexpr (std::is_same_v<T, zab::read_round>) {
            CHECK(x.round == y.round);
          }
        },
        sent);
  }

  // The ensemble's own messages travel the same way. A digest report as large as one gets.
  std::vector<std::pair<int64_t, int64_t>> digest_entries;
  for (int64_t i = 0; i < 65536; ++i)
    digest_entries.emplace_back(zab::make_zxid(5, 7 + i), -0x123456789a * (i + 1));
  a.owner->send(a.links, app_out_atom::value, int64_t{2}, a.generation_of[2],
                app_message{forward_writes{{std::string("txn\0bytes", 9), "second"}}});
  a.owner->send(a.links, app_out_atom::value, int64_t{2}, a.generation_of[2],
                app_message{session_touches{{1, 2, 0x0100000000000003}}});
  a.owner->send(a.links, app_out_atom::value, int64_t{2}, a.generation_of[2],
                app_message{tree_digest_report{digest_entries}});
  a.owner->send(a.links, app_out_atom::value, int64_t{2}, a.generation_of[2],
                app_message{forward_read{17}});
  a.owner->send(a.links, app_out_atom::value, int64_t{2}, a.generation_of[2],
                app_message{read_index_ack{17, zab::make_zxid(5, 7)}});
  for (int i = 0; i < 5; ++i)
    b.owner->receive(
        [&](app_in_atom, int64_t from, app_message& m) {
          CHECK(from == 1);
          if (auto* w = std::get_if<forward_writes>(&m)) {
            CHECK(w->txns == std::vector<std::string>{std::string("txn\0bytes", 9), "second"});
          } else if (auto* d = std::get_if<tree_digest_report>(&m)) {
            CHECK(d->digests == digest_entries);
          } else if (auto* r = std::get_if<forward_read>(&m)) {
            CHECK(r->id == 17);
          } else if (auto* ra = std::get_if<read_index_ack>(&m)) {
            CHECK(ra->id == 17);
            CHECK(ra->index == zab::make_zxid(5, 7));
          } else {
            CHECK(std::get<session_touches>(m).ids ==
                  std::vector<int64_t>{1, 2, 0x0100000000000003});
          }
        },
        caf::after(10s) >> [] { FAIL("no ensemble message arrived"); });

  // Order holds per link over many messages.
  for (int i = 0; i < 10000; ++i)
    a.send(2, zab::ack{i}, a.generation_of[2]);
  for (int i = 0; i < 10000; ++i) {
    int64_t from = 0;
    auto got = b.receive(from);
    REQUIRE(std::get<zab::ack>(got).zxid == i);
  }
}

TEST_CASE("a SNAP image the learner cannot take drops the link, and its sync_snap never arrives",
          "[zab_wire]") {
  linked_pair pair;
  auto& a = pair.a;
  auto& b = pair.b;
  *a.image = std::string(12 * snap_chunk_bytes + 5, 'i'); // more than the window
  b.received->refuse = true;
  const uint64_t generation = a.generation_of[2];
  a.send(2, zab::sync_snap{zab::make_zxid(5, 1), 1}, generation);
  a.send(2, zab::new_leader{5, {}}, generation);
  // The learner refuses the first piece: it drops its link and tells the leader to drop its
  // end; neither the sync_snap nor what followed it reaches the learner's core.
  bool leader_down = false, learner_down = false;
  for (int i = 0; i < 200 && !(leader_down && learner_down); ++i) {
    a.owner->receive(
        [&](link_down_atom, int64_t peer, uint64_t g) {
          CHECK(peer == 2);
          leader_down = g > generation;
        },
        [&](zab_in_atom, int64_t, zab::message&) {}, caf::after(50ms) >> [] {});
    b.owner->receive([&](link_down_atom, int64_t peer, uint64_t) { learner_down = peer == 1; },
                     [&](zab_in_atom, int64_t, zab::message& m) {
                       FAIL("the learner's core got " << zab::message_name(m));
                     },
                     caf::after(1ms) >> [] {});
  }
  CHECK(leader_down);
  CHECK(learner_down);
  CHECK(*a.pulled < a.image->size()); // the leader stopped producing the image
}

TEST_CASE("a learner that takes no SNAP piece costs the leader a bounded backlog, then its link",
          "[zab_wire]") {
  // Proposal batches with real payloads (16 txns of 16 KiB each): the backlog is bounded in
  // the bytes they carry, not in messages. The leader's limit is set to exactly 8 of them
  // (the same bound as the 256 MiB default, at a size a test sends in a moment).
  std::vector<zab::txn> batch;
  for (int i = 1; i <= 16; ++i)
    batch.push_back(
        {zab::make_zxid(5, i), std::string(16 * 1024, static_cast<char>('a' + i)), std::nullopt});
  const zab::message proposal{zab::proposal{batch}};
  constexpr int proposals_at_limit = 8;
  // Behind the first stream, a second sync_snap (the learner joined again on the same link
  // while the first stream's last pieces were unacked), then the proposals.
  const zab::message second_snap{zab::sync_snap{zab::make_zxid(5, 2), 2}};
  const uint64_t limit = held_size(second_snap) + proposals_at_limit * held_size(proposal);
  REQUIRE(limit > proposals_at_limit * 16 * 16 * 1024); // the payloads count
  linked_pair pair(limit);
  auto& a = pair.a;
  auto& b = pair.b;
  *a.image = std::string(3 * snap_chunk_bytes, 'i');
  b.received->stall = true; // the pieces arrive, none is ever acked
  const uint64_t generation = a.generation_of[2];
  a.send(2, zab::sync_snap{zab::make_zxid(5, 1), 1}, generation);
  // Everything sent after the sync_snap waits behind its image, up to the limit; the message
  // past it drops the link rather than growing the leader's memory.
  a.send(2, second_snap, generation);
  for (int i = 0; i < proposals_at_limit; ++i)
    a.send(2, proposal, generation);
  uint64_t down_generation = 0;
  a.owner->receive([&](link_down_atom, int64_t, uint64_t g) { down_generation = g; },
                   caf::after(300ms) >> [] {});
  CHECK(down_generation == 0); // at the limit, still held
  CHECK(a.released->sorted().empty());
  // The smallest message is one too many: a third sync_snap past the limit.
  a.send(2, zab::sync_snap{zab::make_zxid(5, 3), 3}, generation);
  a.owner->receive_while([&] { return down_generation == 0; })(
      [&](link_down_atom, int64_t peer, uint64_t g) {
        CHECK(peer == 2);
        down_generation = g;
      },
      [&](zab_in_atom, int64_t, zab::message&) {},
      caf::after(10s) >> [] { FAIL("the link was not dropped past the held limit"); });
  CHECK(down_generation > generation);
  // Nothing of the stream reached the learner's core: not the sync_snap, not what was held.
  b.owner->receive(
      [&](zab_in_atom, int64_t, zab::message& m) {
        FAIL("the learner's core got " << zab::message_name(m));
      },
      [&](link_down_atom, int64_t, uint64_t) {}, caf::after(200ms) >> [] {});
  // The leader pulled no more than the window of a stream nobody acked.
  CHECK(*a.pulled <= snap_window_chunks * snap_chunk_bytes);
  // Every image is released: the stream's, the one held behind it, the one never held.
  for (int i = 0; i < 100 && a.released->sorted().size() < 3; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(a.released->sorted() == std::vector<uint64_t>{1, 2, 3});
  b.received->stall = false;
  b.received->unanswered.clear();
}

TEST_CASE("the held backlog is bounded for every SNAP stream together, not per learner",
          "[zab_wire]") {
  // A leader streaming images to two learners at once (the store began the second once the
  // first was produced): what both hold counts against one limit, so N learners never hold
  // N times it.
  std::vector<uint16_t> ports;
  for (int i = 0; i < 6; ++i)
    ports.push_back(free_port());
  std::vector<zab::txn> batch;
  for (int i = 1; i <= 8; ++i)
    batch.push_back({zab::make_zxid(5, i), std::string(64 * 1024, 'p'), std::nullopt});
  const zab::message proposal{zab::proposal{batch}};
  // Room for two proposals in all (a sync_snap that starts a stream is not held).
  const uint64_t limit = 2 * held_size(proposal);
  server a(ensemble_of(3, 1, ports), peer_protocol_version, limit);
  server b(ensemble_of(3, 2, ports));
  server c(ensemble_of(3, 3, ports));
  a.connect_to(b, 2);
  a.connect_to(c, 3);
  *a.image = std::string(3 * snap_chunk_bytes, 'i');
  b.received->stall = true;
  c.received->stall = true;
  const uint64_t to2 = a.generation_of[2], to3 = a.generation_of[3];
  a.send(2, zab::sync_snap{zab::make_zxid(5, 1), 1}, to2);
  a.send(3, zab::sync_snap{zab::make_zxid(5, 1), 2}, to3);
  a.send(2, proposal, to2); // held behind stream 1
  a.send(3, proposal, to3); // held behind stream 2: at the limit, both together
  std::vector<int64_t> dropped;
  a.owner->receive([&](link_down_atom, int64_t peer, uint64_t) { dropped.push_back(peer); },
                   caf::after(300ms) >> [] {});
  CHECK(dropped.empty());
  // Either learner alone holds far less than the limit; together they are at it, so one more
  // message to learner 3 drops its link, and only its.
  a.send(3, zab::commit{zab::make_zxid(5, 8)}, to3);
  a.owner->receive_while([&] { return dropped.empty(); })(
      [&](link_down_atom, int64_t peer, uint64_t) { dropped.push_back(peer); },
      [&](zab_in_atom, int64_t, zab::message&) {},
      caf::after(10s) >> [] { FAIL("no link was dropped past the limit of every stream"); });
  CHECK(dropped == std::vector<int64_t>{3});
  for (auto* s : {&b, &c}) {
    s->received->stall = false;
    s->received->unanswered.clear();
  }
}

TEST_CASE("a lost peer is reported with a new generation: stale sends are dropped", "[zab_wire]") {
  const auto ports = ports_of_two();
  server a(ensemble_of(2, 1, ports));
  uint64_t generation = 0;
  {
    server b(ensemble_of(2, 2, ports));
    a.connect_to(b, 2);
    generation = a.generation_of[2];
  } // b's actor system ends: its connection breaks
  bool down = false;
  a.owner->receive_while([&] { return !down; })(
      [&](link_down_atom, int64_t peer, uint64_t g) {
        CHECK(peer == 2);
        CHECK(g > generation);
        generation = g;
        a.generation_of[2] = g;
        down = true;
      },
      [&](zab_in_atom, int64_t, zab::message&) {},
      caf::after(15s) >> [&] { FAIL("the lost peer was never reported"); });

  // Back on the same ports: the link comes up again and messages flow with the new
  // generation; one sent with the old generation never arrives.
  server b2(ensemble_of(2, 2, ports));
  a.connect_to(b2, 2);
  a.send(2, zab::ack{42}, 0); // generation 0 is long gone
  a.send(2, zab::ack{43}, a.generation_of[2]);
  int64_t from = 0;
  auto got = b2.receive(from);
  CHECK(std::get<zab::ack>(got).zxid == 43);
}

TEST_CASE("servers of different peer protocol versions never link, and do once they agree",
          "[zab_wire][peer_protocol]") {
  const auto ports = ports_of_two();
  server a(ensemble_of(2, 1, ports));
  uint64_t ga = 0; // a's generation of its link to b
  {
    server b(ensemble_of(2, 2, ports), peer_protocol_version + 1);
    // Two seconds of sends both ways (each side connects, finds the other's version and
    // retries, up to a second apart): nothing crosses.
    uint64_t gb = 0;
    for (int round = 0; round < 40; ++round) {
      a.send(2, zab::ping{round}, ga);
      b.send(1, zab::ping{round}, gb);
      a.owner->receive([&](link_down_atom, int64_t, uint64_t g) { ga = g; },
                       [&](zab_in_atom, int64_t, zab::message&) { FAIL("a heard b"); },
                       caf::after(25ms) >> [] {});
      b.owner->receive([&](link_down_atom, int64_t, uint64_t g) { gb = g; },
                       [&](zab_in_atom, int64_t, zab::message&) { FAIL("b heard a"); },
                       caf::after(25ms) >> [] {});
    }
    CHECK(ga > 0); // a's sends found no link and were dropped, each time with a new generation
    CHECK(gb > 0);
  }
  // b restarted with a's version, on the same ports: a's retries find it and the link forms.
  server b(ensemble_of(2, 2, ports));
  a.generation_of[2] = ga;
  a.connect_to(b, 2);
  b.connect_to(a, 1);
}

TEST_CASE("a port already taken is an error naming it, not a crash", "[zab_wire]") {
  const auto ports = ports_of_two();
  server a(ensemble_of(2, 1, ports));
  peer_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor owner{sys};
  auto c = ensemble_of(2, 1, ports); // the same ports as `a`
  c.election_port_bind_retry = 1;
  auto links = spawn_peer_links(sys, c, caf::actor_cast<peer_links_owner_handle>(owner.ptr()));
  auto error = publish_peer_links(sys, c, links);
  CHECK(error.find(std::to_string(ports[1])) != std::string::npos);
  owner->send_exit(links, caf::exit_reason::user_shutdown);
}
