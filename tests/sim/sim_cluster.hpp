#pragma once
// A deterministic simulation of a ZAB ensemble: pure zab::peer cores on a seeded random
// network (delays, FIFO per pair, broken connections, partitions) and disks that keep only
// what was made durable when a server crashes. ZAB's invariants are checked after every
// step; a violation records what went wrong and at which virtual time.
#include "protocol/zab/peer.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace paddock::sim {

// A small deterministic PRNG (splitmix64): the same seed gives the same run everywhere.
class rng {
public:
  explicit rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int64_t between(int64_t lo, int64_t hi) { // inclusive
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return static_cast<double>(next() % 1000000) < p * 1000000.0; }

private:
  uint64_t state_;
};

struct sim_options {
  int voters = 3;
  int observers = 0;
  // Reconfiguration: `spares` more servers exist outside the first configuration, and the
  // serving leader is asked now and then to add, remove, re-role or replace members (bulk).
  int spares = 0;
  bool reconfig = false;
  // Paused leaders (SIGSTOP): a leader stops for longer than syncLimit and resumes believing
  // it leads.
  bool pauses = false;
  uint64_t seed = 1;
  int64_t fault_ms = 8000; // faults and client load during this much virtual time
  int64_t heal_ms = 20000; // then everything healed, load stops, the ensemble must converge
  bool trace = false;
};

struct sim_stats {
  uint64_t leader_changes = 0; // established leaders (a new epoch served)
  uint64_t diffs = 0, truncs = 0, snaps = 0;
  uint64_t acked = 0; // txns acknowledged to clients
  // Linearizable reads asked of serving leaders: confirmed (and checked), or abandoned
  // because the leader left its role first (a deposed leader's reads end so).
  uint64_t reads_confirmed = 0, reads_abandoned = 0;
  // Reads that reached a server serving as leader whose tree lacked a committed txn: a plain
  // (sequentially consistent) read there would have been stale. The control showing the
  // linearizable-read check has something to catch.
  uint64_t stale_plain_reads = 0;
  uint64_t crashes = 0, partitions = 0, disconnects = 0, pauses = 0;
  uint64_t reconfigs_proposed = 0, reconfigs_activated = 0, removals = 0;
  void add(const sim_stats& o);
};

class cluster {
public:
  explicit cluster(sim_options opt);
  ~cluster();
  // Runs the whole scenario; returns "" or the first invariant violated (with a trace tail).
  std::string run();
  const sim_stats& stats() const { return stats_; }

private:
  struct node;
  struct envelope {
    int64_t at;
    zab::message msg;
    // A sync_snap's image (the stream the actors send ahead of it): zxid and the txns.
    std::optional<std::pair<zab::zxid_t, std::vector<zab::txn>>> image;
  };

  void step();
  void inject_faults();
  void client_load();
  void reconfigure();
  void start_joiner(node& n, const zab::ensemble& current, bool observer);
  void check_configs_committed();
  void deliver_messages();
  void complete_disk_writes();
  void answer_snapshots();
  void tick_all();
  void carry_out(node& n);
  void do_action(node& n, zab::action& a);
  void crash(node& n);
  void restart(node& n);
  bool connected(zab::server_id a, zab::server_id b) const;
  bool running(const node& n) const; // up and not paused
  void break_link(zab::server_id a, zab::server_id b);
  void heal_everything();
  void check_leader_established(node& n);
  void check_serving_consistent(node& n);
  void check_liveness();
  void fail(const std::string& what);
  void trace(const std::string& line);
  node& at(zab::server_id id);

  sim_options opt_;
  rng rng_;
  int64_t now_ = 0;
  std::vector<std::unique_ptr<node>> nodes_;
  zab::ensemble members_;
  zab::timing timing_;
  std::map<std::pair<zab::server_id, zab::server_id>, std::deque<envelope>> channels_;
  std::set<zab::server_id> isolated_; // one side of the current partition
  int64_t partition_until_ = 0;
  // What clients were told: zxid -> payload, and every txn a serving leader applied.
  std::map<zab::zxid_t, std::string> acked_;
  std::vector<zab::txn> committed_;
  std::map<int64_t, zab::server_id> leader_of_epoch_;
  // Every configuration a server activated, by version: the same version must always name
  // the same members, and (but for a first leader's stamp) be a committed reconfig txn.
  std::map<zab::zxid_t, std::map<zab::server_id, bool>> activated_;
  std::map<std::string, std::map<zab::server_id, bool>> config_of_payload_; // reconfig txns
  uint64_t next_payload_ = 1;
  std::string failure_;
  std::deque<std::string> trace_tail_;
  sim_stats stats_;
};

} // namespace paddock::sim
