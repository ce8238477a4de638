// The leader's side of linearizable reads: Raft's ReadIndex (section 6.4 of Ongaro's thesis)
// on ZAB. A read is confirmed by a round: the leader notes its commit point R, sends every
// follower the round's number (read_round), and once a quorum of voters (itself included) echoed
// that number, R is the read's index: it may be served by any server that has applied R.
//
// Why a quorum of echoes is enough: a follower echoes only while it follows this leader in
// this epoch (it answers only its leader's read rounds), and once it acked a newer epoch it never
// follows this one again. Another leader commits nothing before a quorum acked its epoch;
// that quorum meets the echoing one in some follower, which therefore acked the new epoch
// after it echoed, i.e. after the round started. So when the round started no other leader
// had committed anything, and R is as new as any write a client could have seen
// acknowledged. A deposed leader cut off with a minority hears no quorum of echoes: its
// rounds never end, and its reads are dropped with its client connections when it stops
// leading (syncLimit), never answered from its stale state.
#include "protocol/zab/peer_impl.hpp"

namespace paddock::zab {

std::optional<uint64_t> peer::impl::leader_read_index(int64_t) {
  if (current != role::leading || !serving || lphase != leader_phase::established)
    return std::nullopt;
  const auto t = read_rounds.add();
  if (t.start) start_read_round(t.round);
  return t.round;
}

void peer::impl::start_read_round(uint64_t round) {
  read_round_index = last_committed;
  read_round_echoes.clear();
  for (const auto& [id, l] : learners)
    if (!l.observer && l.acked_new_leader) send(id, read_round{round});
  check_read_round(); // a leader that is a quorum alone needs no echo
}

// Every half tick, with the pings: an echo lost with a broken connection (the follower
// joined again since) is asked for again, so a live quorum always ends the round.
void peer::impl::resend_read_round() {
  const auto round = read_rounds.in_flight();
  if (!round) return;
  for (const auto& [id, l] : learners)
    if (!l.observer && l.acked_new_leader && !read_round_echoes.contains(id))
      send(id, read_round{*round});
}

void peer::impl::read_echo(server_id from, uint64_t round) {
  if (round == 0 || round != read_round_in_flight()) return;
  auto it = learners.find(from);
  // Only a follower that acked this leadership's NEWLEADER counts, as for commits.
  if (it == learners.end() || it->second.observer || !it->second.acked_new_leader) return;
  read_round_echoes.insert(from);
  check_read_round();
}

void peer::impl::check_read_round() {
  const auto round = read_rounds.in_flight();
  if (!round) return;
  const bool confirmed =
      all_quorums([&](server_id id) { return id == self || read_round_echoes.contains(id); });
  if (!confirmed) return;
  emit(read_index_ready{*round, read_round_index});
  if (auto next = read_rounds.finish()) start_read_round(*next);
}

void peer::impl::abandon_reads() {
  read_rounds.reset();
  read_round_echoes.clear();
}

uint64_t peer::impl::read_round_in_flight() const {
  return read_rounds.in_flight().value_or(0);
}

std::optional<uint64_t> peer::read_index(int64_t now_ms) {
  return impl_->leader_read_index(now_ms);
}

} // namespace paddock::zab
