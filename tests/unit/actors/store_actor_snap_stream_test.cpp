// The store's side of a learner's SNAP stream (leader), driven deterministically: the image
// the quorum peer asks for (take_snap_atom) is the tree at that zxid whatever commits follow,
// handed out a piece at a time as peer_links pulls (snap_pull_atom) with the size and CRC32C
// on the last piece; one copy-on-write snapshot at a time, so requests wait in line and a
// backup waits for the stream; and the ways a stream ends early: released, never pulled for
// 60 s, pulled under a stream number that is not (or no longer) the current one.
#include "actors/messages/store.hpp"
#include "actors/store_actor.hpp"
#include "actors/watch_manager.hpp"
#include "deterministic_system.hpp"
#include "scratch_dir.hpp"
#include "stand_ins.hpp"
#include "store/disk/crc32c.hpp"
#include "store/disk/snapshot.hpp"

#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace paddock;
using namespace paddock::testing;
using namespace std::chrono_literals;

namespace {

constexpr int64_t session_id = 0x100;
constexpr size_t big_value = 50 * 1024;
constexpr int big_nodes = 48; // 2.4 MB of data: an image of five pieces

// What the disk snapshot's writer was handed; it acks every slice and reports the snapshot
// written when the last one comes, as the real snapshotter does on a disk that works.
struct snapshotter_record {
  std::vector<actors::snapshot_slice> slices;
  actors::store_handle store;
};

actors::snapshotter_handle::behavior_type
recording_snapshotter(actors::snapshotter_handle::pointer self,
                      std::shared_ptr<snapshotter_record> rec) {
  return {
      [=](actors::snapshot_slice& s) {
        caf::anon_send(rec->store, actors::snapshot_ack_atom::value,
                       static_cast<uint64_t>(s.bytes.size()));
        if (s.last) self->send(rec->store, actors::snapshot_done_atom::value, s.zxid, true);
        rec->slices.push_back(std::move(s));
      },
      [](actors::purge_atom) {},
      [](actors::received_chunk&) -> caf::result<bool, std::string> {
        return {false, std::string("not a learner")};
      },
  };
}

// A request's outcome: the answer, or the error's text.
template <class T> struct outcome {
  std::optional<T> value;
  std::optional<std::string> error;
  bool answered() const { return value || error; }
};

struct fixture {
  scratch_dir dir;
  deterministic_system ds;
  std::shared_ptr<actors::server_context> ctx = test_context(ds, dir);
  std::shared_ptr<snapshotter_record> disk_snapshots = std::make_shared<snapshotter_record>();
  actors::store_handle store;
  int64_t zxid = 0;

  fixture() {
    store = ds.spawn(actors::store_actor, actors::context_ptr{ctx},
                     std::shared_ptr<store::data_tree>{});
    ctx->store = store;
    ctx->watch_manager = ds.spawn(actors::watch_manager, actors::context_ptr{ctx});
    disk_snapshots->store = store;
    ctx->snapshotter = ds.spawn(recording_snapshotter, disk_snapshots);
    store::txn session = create_session_txn(session_id);
    commit(std::move(session));
    for (int i = 1; i <= big_nodes; ++i)
      commit(create_txn(i, "/n" + std::to_string(i), std::string(big_value, 'a' + i % 26),
                        session_id));
  }

  void commit(store::txn t) {
    t.zxid = ++zxid;
    t.time_ms = 1000 + zxid;
    actors::commit_batch batch;
    batch.commits.push_back({std::move(t), {}, false});
    caf::anon_send(store, std::move(batch));
    ds.run();
  }

  // Lets time pass (the store paces its slices by its clock) until `done`, for at most
  // `limit` of virtual time.
  template <class Done> void advance_until(Done done, std::chrono::milliseconds limit = 1000ms) {
    ds.run();
    for (auto waited = 0ms; !done() && waited < limit; waited += 10ms)
      ds.advance(10ms);
  }

  // The quorum peer's request for an image: (zxid, stream), or nothing while it waits.
  std::optional<std::pair<int64_t, uint64_t>> take_snap() {
    auto out = std::make_shared<std::optional<std::pair<int64_t, uint64_t>>>();
    ds.sys().spawn(
        [=, dest = store](caf::event_based_actor* self,
                          std::shared_ptr<std::optional<std::pair<int64_t, uint64_t>>> result) {
          self->request(dest, caf::infinite, actors::take_snap_atom::value)
              .then([=](int64_t z, uint64_t stream) { *result = std::make_pair(z, stream); });
        },
        out);
    ds.run();
    pending_take_snaps.push_back(out);
    return *out;
  }
  std::vector<std::shared_ptr<std::optional<std::pair<int64_t, uint64_t>>>> pending_take_snaps;

  // peer_links' request for the next piece of `stream`.
  std::shared_ptr<outcome<actors::snap_piece>> pull(uint64_t stream) {
    auto out = std::make_shared<outcome<actors::snap_piece>>();
    ds.sys().spawn(
        [=, dest = store](caf::event_based_actor* self,
                          std::shared_ptr<outcome<actors::snap_piece>> result) {
          self->request(dest, caf::infinite, actors::snap_pull_atom::value, stream)
              .then([=](actors::snap_piece& p) { result->value = std::move(p); },
                    [=](caf::error& e) { result->error = self->system().render(e); });
        },
        out);
    advance_until([&] { return out->answered(); });
    return out;
  }

  // The AdminServer's backup request: (zxid, snapshot file), answered when that file is written.
  std::shared_ptr<outcome<std::pair<int64_t, std::string>>> backup() {
    auto out = std::make_shared<outcome<std::pair<int64_t, std::string>>>();
    ds.sys().spawn(
        [=, dest = store](caf::event_based_actor* self,
                          std::shared_ptr<outcome<std::pair<int64_t, std::string>>> result) {
          self->request(dest, caf::infinite, actors::backup_atom::value)
              .then([=](int64_t z, std::string& file) { result->value = std::make_pair(z, file); },
                    [=](caf::error& e) { result->error = self->system().render(e); });
        },
        out);
    ds.run();
    return out;
  }

  // Pulls every piece of `stream`: the image, checked against the last piece's size and CRC.
  std::string pull_all(uint64_t stream) {
    std::string image;
    for (int i = 0; i < 100; ++i) {
      auto piece = pull(stream);
      REQUIRE(piece->value);
      CHECK(piece->value->bytes.size() <= actors::snap_chunk_bytes);
      image += piece->value->bytes;
      if (piece->value->last) {
        CHECK(piece->value->total == image.size());
        CHECK(piece->value->crc == store::crc32c(image));
        return image;
      }
    }
    FAIL("the stream never gave its last piece");
    return {};
  }
};

std::string data_of(const store::data_tree& tree, const std::string& path) {
  std::string data;
  jute::stat stat;
  if (tree.get_data(path, data, stat) != jute::error_code::ok) return "<none>";
  return data;
}

} // namespace

TEST_CASE("a SNAP image is the tree at its zxid, in pieces, whatever commits come meanwhile",
          "[store_actor]") {
  fixture f;
  const auto taken = f.take_snap();
  REQUIRE(taken);
  const auto [image_zxid, stream] = *taken;
  CHECK(image_zxid == f.zxid);
  // Commits after the image's zxid change the live tree, not the image.
  f.commit(set_data_txn(100, "/n1", "changed", session_id));
  f.commit(create_txn(101, "/later", "x", session_id));

  const std::string image = f.pull_all(stream);
  CHECK(image.size() > 2 * actors::snap_chunk_bytes); // several pieces
  store::data_tree received;
  REQUIRE(store::parse_snapshot(image, "SNAP image", received).ok());
  CHECK(received.last_zxid() == image_zxid);
  CHECK(data_of(received, "/n1") == std::string(big_value, 'b'));
  CHECK(data_of(received, "/later") == "<none>");
  CHECK(received.node_count() == 4 + big_nodes);

  // The stream ended with its last piece: a pull under its number is refused.
  auto after = f.pull(stream);
  REQUIRE(after->error);
  CHECK_THAT(*after->error, Catch::Contains("no such SNAP stream"));
}

TEST_CASE("a pull under a stream number that is not the current stream is refused",
          "[store_actor]") {
  fixture f;
  auto none = f.pull(7);
  REQUIRE(none->error);
  CHECK_THAT(*none->error, Catch::Contains("no such SNAP stream"));

  const auto taken = f.take_snap();
  REQUIRE(taken);
  auto wrong = f.pull(taken->second + 1);
  REQUIRE(wrong->error);
  CHECK_THAT(*wrong->error, Catch::Contains("no such SNAP stream"));
  // The current stream is unharmed by it.
  auto first = f.pull(taken->second);
  REQUIRE(first->value);
  CHECK_FALSE(first->value->last);
}

TEST_CASE("streams run one at a time: the next request gets its image when one is released",
          "[store_actor]") {
  fixture f;
  const auto first = f.take_snap();
  REQUIRE(first);
  CHECK_FALSE(f.take_snap()); // waits: the tree has one copy-on-write snapshot
  REQUIRE(f.pull(first->second)->value);
  f.commit(set_data_txn(100, "/n1", "changed", session_id));

  caf::anon_send(f.store, actors::snap_release_atom::value, first->second);
  f.ds.run();
  // The waiting request gets a new stream, of the tree as it is now.
  const auto& second = *f.pending_take_snaps.back();
  REQUIRE(second);
  CHECK(second->second != first->second);
  CHECK(second->first == f.zxid);
  auto old = f.pull(first->second);
  REQUIRE(old->error);
  store::data_tree received;
  REQUIRE(store::parse_snapshot(f.pull_all(second->second), "SNAP image", received).ok());
  CHECK(data_of(received, "/n1") == "changed");
}

// The idle check runs every 60 s from the stream's start: a stream is dropped at the first
// check that finds it unpulled for 60 s, so between 60 and 120 s after its last pull.
TEST_CASE("a stream nobody pulls from is dropped after its idle limit, and the next in line begins",
          "[store_actor]") {
  fixture f;
  const auto first = f.take_snap();
  REQUIRE(first);
  REQUIRE(f.pull(first->second)->value); // one piece, then peer_links goes quiet
  CHECK_FALSE(f.take_snap());
  f.ds.advance(59s, 100ms);
  CHECK_FALSE(*f.pending_take_snaps.back()); // not yet: it was pulled less than 60 s ago
  f.ds.advance(62s, 100ms);
  REQUIRE(*f.pending_take_snaps.back()); // 121 s after its only pull
  auto dropped = f.pull(first->second);
  REQUIRE(dropped->error);
  CHECK_THAT(*dropped->error, Catch::Contains("no such SNAP stream"));
}

TEST_CASE("a stream pulled from now and then is kept past 60 s", "[store_actor]") {
  fixture f;
  const auto taken = f.take_snap();
  REQUIRE(taken);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.pull(taken->second)->value);
    f.ds.advance(40s, 100ms);
  }
  auto piece = f.pull(taken->second); // 120 s after the stream began
  REQUIRE(piece->value);
}

TEST_CASE("a disk snapshot asked for during a stream is skipped, a backup waits for its end",
          "[store_actor]") {
  fixture f;
  const auto taken = f.take_snap();
  REQUIRE(taken);
  caf::anon_send(f.store, actors::snapshot_atom::value);
  auto backup = f.backup();
  f.ds.advance(200ms);
  CHECK(f.disk_snapshots->slices.empty());
  CHECK_FALSE(backup->answered());

  f.pull_all(taken->second);
  // The stream's end lets the backup's snapshot begin; the skipped one does not come back.
  f.advance_until([&] { return backup->answered(); });
  REQUIRE(backup->value);
  CHECK(backup->value->first == f.zxid);
  CHECK_THAT(backup->value->second, Catch::EndsWith(store::snapshot_name(f.zxid)));
  REQUIRE_FALSE(f.disk_snapshots->slices.empty());
  CHECK(f.disk_snapshots->slices.front().first);
  CHECK(f.disk_snapshots->slices.back().last);
  size_t firsts = 0;
  for (const auto& s : f.disk_snapshots->slices)
    firsts += s.first ? 1 : 0;
  CHECK(firsts == 1); // one disk snapshot: the backup's
}
