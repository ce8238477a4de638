#pragma once
// The batching of linearizable reads: one round in flight at a time; every read that arrives
// while it is in flight joins the next round, which starts when the one in flight ends. So a
// burst of reads costs one round, and a read never joins a round that started before it
// arrived (its confirmation must come from answers sent after the read was received).
// Rounds are numbered from 1 and never reused by one instance.
// Used by the leader's core (rounds of pings to a quorum) and by a learner (requests for a
// read index sent to its leader).
#include <cstdint>
#include <optional>

namespace paddock::zab {

class read_batches {
public:
  struct ticket {
    uint64_t round = 0; // the round that confirms this read
    bool start = false; // the caller starts that round now
  };

  // A read arrived: which round confirms it, and whether that round starts now (none was
  // in flight).
  ticket add();

  // The round in flight ended (confirmed). Returns the next round to start now, if reads
  // wait for one.
  std::optional<uint64_t> finish();

  // Abandons the round in flight and the reads waiting for the next (the caller drops the
  // reads themselves). Numbering goes on where it was.
  void reset();

  // The round in flight, if any.
  std::optional<uint64_t> in_flight() const;

private:
  uint64_t last_ = 0;        // the last round started
  bool running_ = false;     // round last_ is in flight
  bool next_wanted_ = false; // reads wait for round last_ + 1
};

} // namespace paddock::zab
