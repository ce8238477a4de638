#pragma once
// Vocabulary of the ZAB cores: server ids, zxids, the txns they replicate and the ensemble
// they run in. No I/O, no clocks, no CAF: the cores see time only as the `now_ms` their
// caller passes in, and the payload of a txn only as bytes.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::zab {

using server_id = int64_t;
using zxid_t = int64_t; // epoch << 32 | counter, as ZooKeeper's
constexpr server_id no_server = -1;

constexpr zxid_t make_zxid(int64_t epoch, int64_t counter) {
  return (epoch << 32) | counter;
}
constexpr int64_t epoch_of(zxid_t z) {
  return z >> 32;
}
constexpr int64_t counter_of(zxid_t z) {
  return z & 0xffffffffLL;
}

// A configuration of the ensemble: every server and whether it votes, and the version, which
// is the zxid of the reconfig txn that made it (ZooKeeper's QuorumVerifier version). 0 is a
// configuration read from zoo.cfg that no leader has stamped yet: the first leader of an
// ensemble gives it the zxid of its epoch's start, as ZooKeeper does (unless a reconfig is
// pending, which commits instead). Quorum = strict majority of voters.
struct ensemble {
  std::map<server_id, bool> members; // id -> true for a participant, false for an observer
  zxid_t version = 0;
  // The configuration as the caller writes it (ZooKeeper's server.N lines with addresses).
  // The cores carry it between servers and never read it.
  std::string text;

  bool contains(server_id id) const { return members.contains(id); }
  bool is_voter(server_id id) const {
    auto it = members.find(id);
    return it != members.end() && it->second;
  }
  bool is_observer(server_id id) const {
    auto it = members.find(id);
    return it != members.end() && !it->second;
  }
  std::size_t voter_count() const;
  std::size_t quorum_size() const { return voter_count() / 2 + 1; }
  std::vector<server_id> voters() const;
  std::vector<server_id> all() const;
  friend bool operator==(const ensemble&, const ensemble&) = default;
};

// Bytes that never change once made, shared by every holder: a txn's payload goes from the
// proposal to the log, the peers' messages, the in-memory history and the apply without a
// copy (each hop adds a reference). Compares by content.
class shared_bytes {
public:
  shared_bytes() = default;
  shared_bytes(std::string bytes) // NOLINT: implicit, a payload is made from its bytes
      : bytes_(std::make_shared<const std::string>(std::move(bytes))) {}
  shared_bytes(const char* bytes) : shared_bytes(std::string(bytes)) {} // NOLINT

  const std::string& str() const { return bytes_ ? *bytes_ : no_bytes(); }
  operator const std::string&() const { return str(); } // NOLINT
  std::string_view view() const { return str(); }
  std::size_t size() const { return str().size(); }
  bool empty() const { return str().empty(); }

  friend bool operator==(const shared_bytes& a, const shared_bytes& b) {
    return a.bytes_ == b.bytes_ || a.str() == b.str();
  }

private:
  static const std::string& no_bytes() {
    static const std::string none;
    return none;
  }
  std::shared_ptr<const std::string> bytes_;
};

// One replicated transaction. `payload` is opaque to the cores (a store::txn as Protobuf
// bytes in the server; anything in the simulation). A reconfig txn also carries the
// configuration it makes (its version is the txn's zxid): the cores need it to count quorums
// in both configurations while it is pending and to activate it once it commits.
struct txn {
  zxid_t zxid = 0;
  shared_bytes payload;
  std::optional<ensemble> config;
  friend bool operator==(const txn&, const txn&) = default;
};

// The server's role, as ZooKeeper's ServerState.
enum class role : uint8_t { looking, following, leading, observing };
const char* to_string(role r);

// Timing and sizes, in the units ZooKeeper's config uses (ticks of tick_ms).
struct timing {
  int64_t tick_ms = 2000;           // tickTime
  int64_t init_limit = 10;          // initLimit: ticks a learner may take to connect and sync
  int64_t sync_limit = 5;           // syncLimit: ticks without hearing from a peer in broadcast
  int64_t finalize_wait_ms = 200;   // election: wait this long for a better vote before deciding
  int64_t election_resend_ms = 400; // election: resend our vote while still looking...
  int64_t election_resend_max_ms = 4000; // ... doubling up to this
  // Leader: the most proposals in flight (stamped, not yet committed). The caller holds
  // further writes back until commits make room.
  int64_t max_in_flight = 20000;
  // Leader: how many of the newest txns it keeps in memory to sync a learner by DIFF; a
  // learner further behind gets a SNAP.
  std::size_t max_diff_txns = 100000;
};

// What a server kept on disk (fsynced) when it starts: ZooKeeper's acceptedEpoch and
// currentEpoch files, and its log. The state machine of the caller holds every txn of the
// log applied (recovery applies them all, committed or not, as ZooKeeper does), so
// `last_applied` is the last zxid of the log (or of the snapshot when the log is empty).
struct persistent_state {
  int64_t accepted_epoch = 0;
  int64_t current_epoch = 0;
  zxid_t last_logged = 0;
  // The newest txns of the log, in zxid order, at most timing::max_diff_txns; the core serves
  // DIFFs from them when it leads. May be empty (then every lagging learner gets a SNAP).
  std::vector<txn> recent;
  // The configuration of the newest reconfig txn in the log, committed or not, or of the
  // snapshot's /zookeeper/config when that is newer (ZooKeeper's last seen configuration;
  // actors/zab_recovery.hpp). The core takes it as pending when it is newer than the active
  // configuration, also when its txn is older than `recent`: a leader must commit (and a
  // learner activate) a reconfig its data holds even where the DIFF history no longer does.
  std::optional<ensemble> last_seen_config;
};

} // namespace paddock::zab
