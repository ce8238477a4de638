#pragma once
// What the focused tests of the ZAB core share: a small ensemble, fast timing, and the
// actions of one kind picked out of what the core asked for.
#include "protocol/zab/peer.hpp"

#include <utility>
#include <variant>
#include <vector>

namespace paddock::zab::testing {

template <class T> std::vector<T> all_of(const std::vector<action>& actions) {
  std::vector<T> out;
  for (const auto& a : actions)
    if (auto* x = std::get_if<T>(&a)) out.push_back(*x);
  return out;
}

template <class M> std::vector<std::pair<server_id, M>> sent(const std::vector<action>& actions) {
  std::vector<std::pair<server_id, M>> out;
  for (const auto& a : actions)
    if (auto* s = std::get_if<send_message>(&a))
      if (auto* m = std::get_if<M>(&s->msg)) out.emplace_back(s->to, *m);
  return out;
}

inline ensemble voters(int n) {
  ensemble e;
  for (int i = 1; i <= n; ++i)
    e.members[i] = true;
  return e;
}

// The configurations of the reconfig tests: voters 1..n, versioned; and {1, 2} voting with 3
// made an observer, the reconfig a restart may find pending.
inline ensemble voters_at(int n, zxid_t version) {
  ensemble e = voters(n);
  e.version = version;
  return e;
}

inline ensemble third_as_observer(zxid_t version) {
  ensemble e;
  e.members = {{1, true}, {2, true}, {3, false}};
  e.version = version;
  return e;
}

inline timing fast() {
  timing t;
  t.tick_ms = 100;
  t.init_limit = 10;
  t.sync_limit = 5;
  t.finalize_wait_ms = 50;
  return t;
}

} // namespace paddock::zab::testing
