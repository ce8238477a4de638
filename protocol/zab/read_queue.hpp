#pragma once
// Linearizable reads waiting to be served, in arrival order. Each belongs to a round
// (read_batches); a confirmed round gives its reads a read index, and a read leaves once the
// server has applied every txn up to that index. Reads leave strictly in arrival order: a
// session's replies keep their request order, and a later round's index is never below an
// earlier one's, so the front read is always the first that may go.
#include "protocol/zab/types.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace paddock::zab {

template <class Read> class read_queue {
public:
  void push(uint64_t round, Read r) { waiting_.push_back({round, std::move(r), std::nullopt}); }

  // Round `round` and every one before it are confirmed with read index `index`. Rounds are
  // confirmed in order, so the reads with an index are a prefix of the queue: the scan begins
  // after it, and a confirmation costs only the reads it gives an index to.
  void confirm(uint64_t round, zxid_t index) {
    for (; confirmed_ < waiting_.size(); ++confirmed_) {
      auto& w = waiting_[confirmed_];
      if (w.round > round) break;
      w.index = index;
    }
  }

  // Hands `serve` every read at the front whose round is confirmed and whose index is
  // applied (`applied`: the last txn this server applied), in order.
  template <class Serve> void release(zxid_t applied, Serve&& serve) {
    while (!waiting_.empty() && waiting_.front().index && *waiting_.front().index <= applied) {
      auto r = std::move(waiting_.front().read);
      waiting_.pop_front();
      --confirmed_;
      serve(std::move(r));
    }
  }

  void clear() {
    waiting_.clear();
    confirmed_ = 0;
  }
  std::size_t size() const { return waiting_.size(); }
  bool empty() const { return waiting_.empty(); }

private:
  struct waiting {
    uint64_t round;
    Read read;
    std::optional<zxid_t> index;
  };
  std::deque<waiting> waiting_;
  std::size_t confirmed_ = 0; // the front reads that have their index
};

} // namespace paddock::zab
