// The txn log writer on a disk that fails: ENOSPC, a short write, an EIO on a write, an
// fsync or a directory fsync, a failed cut-back, or the power going, at every byte or call
// of a few segments' worth of batches. After each, store::recover must give back exactly
// what was reported durable (more only where the server stopped without answering), never
// a record of a batch that was reported failed; and the writer goes on as the server does:
// a failed write fails its batch alone and the next one tries again (so writes resume once
// space is back), a failed fsync or cut-back stops it.
#include "logged_sessions.hpp"
#include "store/disk/fault_injecting_file_system.hpp"
#include "store/disk/recovery.hpp"
#include "store/disk/txn_log_writer.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <optional>

using namespace paddock;
using namespace paddock::store;
using paddock::testing::expected_sessions;
using paddock::testing::session_records;
using paddock::testing::sessions_of;
using op = fault_injecting_file_system::op;

namespace {

const std::string snap_dir = "/data/snap";
const std::string log_dir = "/data/log";

struct batch {
  int64_t first = 0;
  int64_t last = 0;
  bool new_segment = false; // the actor rolled to a new segment before this batch
};

// Three segments of batches of one to three records: 24 records, about 2 KB.
std::vector<batch> workload() {
  const std::vector<std::vector<int>> segments{{1, 3, 2, 1, 2}, {3, 1, 1, 2}, {2, 2, 1, 3}};
  std::vector<batch> out;
  int64_t next = 1;
  for (const auto& sizes : segments)
    for (size_t i = 0; i < sizes.size(); ++i) {
      out.push_back({next, next + sizes[i] - 1, i == 0});
      next += sizes[i];
    }
  return out;
}

const auto batches = workload();
const int64_t last_zxid = batches.back().last;

// The batches that write last_zxid's records after `durable`: the rest of the batch that
// holds durable + 1, then the following ones.
std::vector<batch> batches_after(int64_t durable) {
  std::vector<batch> out;
  for (const auto& b : batches)
    if (b.last > durable) out.push_back({std::max(b.first, durable + 1), b.last, b.new_segment});
  return out;
}

void make_directories(fault_injecting_file_system& fs) {
  REQUIRE(fs.create_directories(snap_dir).ok());
  REQUIRE(fs.create_directories(log_dir).ok());
}

// Plays the rules of the txn log writer actor (actors/txn_log_writer_actor.cpp) around the
// writer: a batch rolls to a new segment when it must (again after a failed start), is
// written with one write and made durable with one sync; a failure fails the batch, and
// the caller stops on a fatal one.
class log_driver {
public:
  log_driver(file_system& fs, int64_t prealloc, int64_t durable = 0)
      : log_(fs, log_dir, prealloc, true), durable_(durable) {}

  io_status write(const batch& b, const std::string& tag) {
    if (b.new_segment) roll_next_ = true;
    if (roll_next_ || !log_.has_segment()) {
      if (auto st = log_.start_segment(b.first); !st.ok()) return st;
      roll_next_ = false;
    }
    auto st = log_.write(session_records(b.first, b.last, tag));
    if (st.ok()) st = log_.sync();
    if (st.ok()) durable_ = b.last;
    return st;
  }

  // Writes `todo` in order until one fails; that failure, or success.
  io_status run(const std::vector<batch>& todo, const std::string& tag) {
    for (const auto& b : todo)
      if (auto st = write(b, tag); !st.ok()) return st;
    return io_status::success();
  }

  int64_t durable() const { return durable_; }

private:
  txn_log_writer log_;
  bool roll_next_ = false;
  int64_t durable_;
};

// What store::recover rebuilds from the disk: session id -> password. The log must be
// accepted (a torn tail cut, never a hole).
std::map<int64_t, std::string> recovered(fault_injecting_file_system& fs) {
  auto r = recover(fs, snap_dir, log_dir);
  INFO(r.status.message);
  REQUIRE(r.status.ok());
  auto sessions = sessions_of(r.tree);
  CHECK(r.tree.last_zxid() == static_cast<int64_t>(sessions.size()));
  return sessions;
}

// Zxids 1..last written by `tag`.
std::map<int64_t, std::string> written(int64_t last, const std::string& tag) {
  return expected_sessions(last, {}, tag);
}

// Zxids 1..durable by `before`, the rest up to last_zxid by `after`.
std::map<int64_t, std::string> written(int64_t durable, const std::string& before,
                                       const std::string& after) {
  std::map<int64_t, std::string> tags;
  for (int64_t z = 1; z <= durable; ++z)
    tags[z] = before;
  return expected_sessions(last_zxid, tags, after);
}

// Recovery after a writer stopped without answering the batch it failed on: everything
// reported durable, and possibly more of what was written, as a prefix, never a hole. What
// recovery served survives a power loss after it.
void check_restart_then_crash(fault_injecting_file_system& fs, int64_t durable,
                              const std::string& tag) {
  auto got = recovered(fs);
  const auto n = static_cast<int64_t>(got.size());
  CHECK(n >= durable);
  CHECK(got == written(n, tag));
  fs.crash();
  fs.restart();
  CHECK(recovered(fs) == got);
}

// A clean run: how many bytes and calls the workload takes, so tests can fail each one.
struct workload_cost {
  int64_t bytes = 0;
  uint64_t writes = 0, syncs = 0, directory_syncs = 0, mutating = 0;
};

workload_cost measure(int64_t prealloc) {
  fault_injecting_file_system fs;
  make_directories(fs);
  const auto before = fs.mutating_calls();
  workload_cost cost;
  {
    log_driver d(fs, prealloc);
    REQUIRE(d.run(batches, "a").ok());
    cost = {static_cast<int64_t>(fs.bytes_written()), fs.calls(op::write), fs.calls(op::sync),
            fs.calls(op::sync_directory), fs.mutating_calls() - before};
  }
  REQUIRE(recovered(fs) == written(last_zxid, "a"));
  return cost;
}

} // namespace

TEST_CASE("txn log: ENOSPC at every byte fails that batch alone: writes resume once space is "
          "back") {
  // After the failure: the server goes on (and space comes back), or it is restarted, or
  // the power goes with every unsynced page of the failed batch already on the disk.
  enum class then { go_on, restart, power_loss };
  for (int64_t prealloc : {0, 100}) {
    const auto cost = measure(prealloc);
    for (int64_t space = 0; space < cost.bytes; ++space) {
      for (auto next : {then::go_on, then::restart, then::power_loss}) {
        CAPTURE(prealloc, space, static_cast<int>(next));
        fault_injecting_file_system fs;
        make_directories(fs);
        fs.set_space(space);
        std::optional<log_driver> d;
        d.emplace(fs, prealloc);
        auto failure = d->run(batches, "a");
        REQUIRE_FALSE(failure.ok());
        CHECK(failure.error == ENOSPC);
        CHECK_FALSE(failure.fatal);
        const int64_t durable = d->durable();
        // Still full: the next batch (the same zxids, stamped again for other requests)
        // fails cleanly too, and leaves nothing behind.
        auto again = d->run(batches_after(durable), "b");
        CHECK_FALSE(again.ok());
        CHECK_FALSE(again.fatal);
        CHECK(d->durable() == durable);
        if (next == then::power_loss) {
          // The cut-back of the failed batch must have been made durable, or its records
          // (whose clients were told they failed) would come back here.
          fs.crash(fs.unsynced_bytes());
          fs.restart();
          d.reset();
          CHECK(recovered(fs) == written(durable, "a"));
          d.emplace(fs, prealloc, durable);
        } else if (next == then::restart) {
          d.reset(); // the server stops: what it reported durable is all there is
          CHECK(recovered(fs) == written(durable, "a"));
          fs.crash();
          fs.restart();
          CHECK(recovered(fs) == written(durable, "a"));
          d.emplace(fs, prealloc, durable);
        }
        fs.set_space(std::nullopt);
        REQUIRE(d->run(batches_after(durable), "c").ok());
        d.reset();
        CHECK(recovered(fs) == written(durable, "a", "c"));
        fs.crash();
        fs.restart();
        CHECK(recovered(fs) == written(durable, "a", "c"));
      }
    }
  }
}

TEST_CASE("txn log: a short write at every byte is finished, not reported") {
  for (int64_t prealloc : {0, 100}) {
    const auto cost = measure(prealloc);
    int64_t shortened = 0; // offsets that fell inside a write, which then took two calls
    for (int64_t at = 0; at <= cost.bytes; ++at) {
      CAPTURE(prealloc, at);
      fault_injecting_file_system fs;
      make_directories(fs);
      fs.short_write_after(at);
      log_driver d(fs, prealloc);
      REQUIRE(d.run(batches, "a").ok());
      const auto extra = fs.calls(op::write) - cost.writes;
      CHECK(extra <= 1);
      shortened += static_cast<int64_t>(extra);
      fs.crash();
      fs.restart();
      CHECK(recovered(fs) == written(last_zxid, "a"));
    }
    // Every offset but the writes' boundaries (0, each write's end) cut a write short.
    CHECK(shortened == cost.bytes - static_cast<int64_t>(cost.writes));
  }
}

TEST_CASE("txn log: EIO on every write fails that batch alone: the next write succeeds") {
  for (int64_t prealloc : {0, 100}) {
    const auto cost = measure(prealloc);
    for (uint64_t k = 0; k < cost.writes; ++k) {
      CAPTURE(prealloc, k);
      fault_injecting_file_system fs;
      make_directories(fs);
      fs.fail(op::write, EIO, k);
      log_driver d(fs, prealloc);
      auto failure = d.run(batches, "a");
      REQUIRE_FALSE(failure.ok());
      CHECK(failure.error == EIO);
      CHECK_FALSE(failure.fatal);
      const int64_t durable = d.durable();
      REQUIRE(d.run(batches_after(durable), "b").ok());
      fs.crash();
      fs.restart();
      CHECK(recovered(fs) == written(durable, "a", "b"));
    }
  }
}

TEST_CASE("txn log: a failed fsync or directory fsync at every call stops the writer") {
  for (int64_t prealloc : {0, 100}) {
    const auto cost = measure(prealloc);
    for (auto which : {op::sync, op::sync_directory}) {
      const auto calls = which == op::sync ? cost.syncs : cost.directory_syncs;
      REQUIRE(calls > 0);
      for (uint64_t k = 0; k < calls; ++k) {
        for (bool power_lost : {true, false}) {
          CAPTURE(prealloc, static_cast<int>(which), k, power_lost);
          fault_injecting_file_system fs;
          make_directories(fs);
          fs.fail(which, EIO, k);
          std::optional<log_driver> d;
          d.emplace(fs, prealloc);
          auto failure = d->run(batches, "a");
          REQUIRE_FALSE(failure.ok());
          CHECK(failure.fatal); // never retried: the server stops
          const int64_t durable = d->durable();
          d.reset();
          if (power_lost) {
            // The machine goes down with the server: exactly what was reported durable.
            fs.crash();
            fs.restart();
            CHECK(recovered(fs) == written(durable, "a"));
          } else {
            // Restarted on the same page cache: the unanswered batch may be there, whole.
            check_restart_then_crash(fs, durable, "a");
          }
        }
      }
    }
  }
}

TEST_CASE("txn log: a failed cut-back after a failed write stops the writer: recovery cuts the "
          "torn batch") {
  for (int64_t prealloc : {0, 100}) {
    const auto cost = measure(prealloc);
    for (int64_t space = 0; space < cost.bytes; ++space) {
      for (bool power_lost : {true, false}) {
        CAPTURE(prealloc, space, power_lost);
        fault_injecting_file_system fs;
        make_directories(fs);
        fs.set_space(space);
        fs.fail(op::truncate, EIO, 0, "/log.", true);
        std::optional<log_driver> d;
        d.emplace(fs, prealloc);
        auto failure = d->run(batches, "a");
        REQUIRE_FALSE(failure.ok());
        CHECK(failure.fatal);
        const int64_t durable = d->durable();
        d.reset();
        fs.clear_faults();
        if (power_lost) {
          fs.crash();
          fs.restart();
          CHECK(recovered(fs) == written(durable, "a"));
        } else {
          // The partial batch is a torn tail: cut, not served.
          check_restart_then_crash(fs, durable, "a");
        }
      }
    }
  }
}

TEST_CASE("txn log: the power goes at every call: what was synced survives, and the log goes "
          "on after recovery") {
  for (int64_t prealloc : {0, 100}) {
    const auto cost = measure(prealloc);
    for (uint64_t at = 0; at < cost.mutating; ++at) {
      // The unsynced bytes that reach the disk anyway: none, a torn record, everything.
      for (size_t keep : {size_t{0}, size_t{5}, size_t{90}, size_t{1} << 20}) {
        CAPTURE(prealloc, at, keep);
        fault_injecting_file_system fs;
        make_directories(fs);
        fs.crash_after(at, keep);
        std::optional<log_driver> d;
        d.emplace(fs, prealloc);
        REQUIRE_FALSE(d->run(batches, "a").ok());
        REQUIRE(fs.crashed());
        const int64_t durable = d->durable();
        d.reset();
        fs.restart();
        auto survived = recovered(fs);
        const auto n = static_cast<int64_t>(survived.size());
        CHECK(n >= durable);
        CHECK(survived == written(n, "a"));
        // The next life writes the rest; a second power loss keeps all of it (a torn tail
        // cut by the first recovery must stay cut, or it would now be a hole).
        d.emplace(fs, prealloc, n);
        REQUIRE(d->run(batches_after(n), "b").ok());
        d.reset();
        fs.crash();
        fs.restart();
        CHECK(recovered(fs) == written(n, "a", "b"));
      }
    }
  }
}
