#include "protocol/zab/peer.hpp"

#include "protocol/zab/peer_impl.hpp"

#include <algorithm>
#include <utility>

namespace paddock::zab {

// --- impl: shared machinery ---------------------------------------------------------------

peer::impl::impl(server_id self_id, ensemble m, timing tm, persistent_state state)
    : self(self_id), t(tm), members(std::move(m)), elect(self, members, pending, t) {
  accepted_epoch = state.accepted_epoch;
  current_epoch = state.current_epoch;
  last_logged = last_durable = last_applied = last_committed = state.last_logged;
  for (auto& x : state.recent)
    if (x.zxid <= state.last_logged) history.push_back(std::move(x));
  // Without history the base is where the log ends; with some, what precedes it is unknown.
  history_base = history.empty() ? state.last_logged : -1;
  self_observer = members.is_observer(self);
  // A reconfig logged after the active configuration may or may not have committed: pending
  // until a leader says (ZooKeeper's last seen configuration).
  if (state.last_seen_config && state.last_seen_config->version > members.version)
    pending = std::move(state.last_seen_config);
  find_pending();
}

void peer::impl::flush_appends() {
  if (append_buffer.empty()) return;
  out.emplace_back(append_log{std::move(append_buffer)});
  append_buffer.clear();
}

void peer::impl::flush_proposals(server_id to) {
  auto it = proposal_buffer.find(to);
  if (it == proposal_buffer.end() || it->second.empty()) return;
  flush_appends();
  out.emplace_back(send_message{to, proposal{std::move(it->second)}});
  it->second.clear();
}

void peer::impl::flush_all() {
  flush_appends();
  for (auto& [to, txns] : proposal_buffer)
    if (!txns.empty()) {
      out.emplace_back(send_message{to, proposal{std::move(txns)}});
      txns.clear();
    }
}

// Every action keeps its place: appends stamped before it go first.
void peer::impl::emit(action a) {
  flush_appends();
  out.push_back(std::move(a));
}

void peer::impl::send(server_id to, message m) {
  flush_proposals(to);
  emit(send_message{to, std::move(m)});
}

void peer::impl::report_status() {
  status_changed now{current, leader_id, current_epoch, serving};
  if (now.now == reported.now && now.leader == reported.leader && now.epoch == reported.epoch &&
      now.serving == reported.serving)
    return;
  reported = now;
  emit(now);
}

election::send_fn peer::impl::notifier() {
  return [this](server_id to, const notification& n) { send(to, n); };
}

void peer::impl::append(txn x) {
  last_logged = x.zxid;
  if (x.config && x.zxid > members.version) pending = x.config;
  append_buffer.push_back(x);
  history.push_back(std::move(x));
}

const txn* peer::impl::find(zxid_t z) const {
  auto it = std::lower_bound(history.begin(), history.end(), z,
                             [](const txn& x, zxid_t v) { return x.zxid < v; });
  return it != history.end() && it->zxid == z ? &*it : nullptr;
}

void peer::impl::apply_through(zxid_t z) {
  z = std::min(z, last_logged);
  if (z <= last_applied) return;
  auto it = std::upper_bound(history.begin(), history.end(), last_applied,
                             [](zxid_t v, const txn& x) { return v < x.zxid; });
  std::vector<txn> batch;
  for (; it != history.end() && it->zxid <= z; ++it)
    batch.push_back(*it);
  if (batch.empty()) return;
  last_applied = batch.back().zxid;
  emit(apply_txns{std::move(batch)});
  trim_history();
}

void peer::impl::persist() {
  emit(persist_epochs{accepted_epoch, current_epoch});
}

// Keeps at most max_diff_txns, never dropping what is not yet applied and committed.
void peer::impl::trim_history() {
  const auto keep_after = std::min(last_applied, last_committed);
  while (history.size() > t.max_diff_txns && history.front().zxid <= keep_after) {
    history_base = history.front().zxid;
    history.pop_front();
  }
}

void peer::impl::go_looking(int64_t now) {
  // Proposals not yet sent die with the role; appends already stamped stay in the log.
  proposal_buffer.clear();
  learners.clear();
  abandon_reads(); // a read round of a leadership that ended proves nothing
  pending_new_leader.reset();
  current = role::looking;
  leader_id = no_server;
  serving = false;
  report_status();
  elect.start_round(now, self_vote(), notifier());
}

void peer::impl::decided(int64_t now, const vote& v) {
  leader_id = v.leader;
  if (v.leader == self) {
    lead(now);
  } else {
    follow(now);
  }
}

// --- peer: the interface -------------------------------------------------------------------

peer::peer(server_id self, ensemble members, timing t, persistent_state state)
    : impl_(std::make_unique<impl>(self, std::move(members), t, std::move(state))) {}
peer::~peer() = default;
peer::peer(peer&&) noexcept = default;
peer& peer::operator=(peer&&) noexcept = default;

void peer::start(int64_t now_ms) {
  auto& s = *impl_;
  s.reported = {role::following, no_server, -1, true}; // differs: the first status is told
  s.go_looking(now_ms);
}

void peer::on_message(int64_t now_ms, server_id from, const message& m) {
  auto& s = *impl_;
  // Servers outside the configuration are heard too: a joining server follows as a
  // non-voting learner, and any server may tell us of a newer configuration.
  if (from == s.self) return;
  if (auto* n = std::get_if<notification>(&m)) {
    s.adopt(now_ms, n->config);
    // Our leader looking, after its leader_info reached us, has given up leading: a leader
    // never says "looking" (it answers as leading), and messages on a link keep their order,
    // so this was said after that leadership began. (Before its leader_info, a "looking" may
    // be from before it decided.) ZooKeeper's followers learn it from the closed connection;
    // waiting for initLimit/syncLimit instead would leave this server telling the others it
    // follows a leader that no longer leads, and a quorum of such stale words can elect a
    // server with less history than another voter's.
    if ((s.current == role::following || s.current == role::observing) && from == s.leader_id &&
        n->state == role::looking && s.fphase != impl::follow_phase::connecting)
      s.go_looking(now_ms);
    if (auto v = s.elect.on_notification(now_ms, from, *n, s.current, s.notifier()))
      s.decided(now_ms, *v);
    return;
  }
  if (s.current == role::looking) {
    if (auto* info = std::get_if<learner_info>(&m)) s.early_infos[from] = *info;
    return;
  }
  if (s.current == role::leading)
    s.leader_message(now_ms, from, m);
  else if (s.current == role::following || s.current == role::observing)
    s.learner_message(now_ms, from, m);
}

void peer::on_peer_down(int64_t now_ms, server_id other) {
  auto& s = *impl_;
  if (s.current == role::leading)
    s.leader_peer_down(other);
  else if ((s.current == role::following || s.current == role::observing) && other == s.leader_id)
    s.go_looking(now_ms);
}

void peer::resync_by_snapshot(int64_t now_ms) {
  auto& s = *impl_;
  if (s.current == role::leading) return;
  s.snapshot_wanted = true;
  if (s.current == role::following || s.current == role::observing) s.go_looking(now_ms);
}

void peer::on_tick(int64_t now_ms) {
  auto& s = *impl_;
  switch (s.current) {
  case role::looking:
    if (auto v = s.elect.on_tick(now_ms, s.notifier())) s.decided(now_ms, *v);
    break;
  case role::leading: s.leader_tick(now_ms); break;
  case role::following:
  case role::observing: s.learner_tick(now_ms); break;
  }
}

void peer::on_logged(int64_t now_ms, zxid_t zxid) {
  auto& s = *impl_;
  if (zxid <= s.last_durable) return;
  s.last_durable = std::min(zxid, s.last_logged);
  if (s.current == role::leading)
    s.leader_logged(now_ms);
  else if (s.current == role::following || s.current == role::observing)
    s.learner_logged(now_ms);
}

bool peer::on_snapshot_taken(int64_t now_ms, server_id learner, zxid_t zxid, uint64_t stream) {
  auto& s = *impl_;
  return s.current == role::leading && s.leader_snapshot(now_ms, learner, zxid, stream);
}

std::optional<zxid_t> peer::propose(int64_t now_ms, std::string payload,
                                    std::optional<ensemble> next) {
  auto& s = *impl_;
  if (s.current != role::leading || !s.serving) return std::nullopt;
  if (next && s.pending) return std::nullopt; // one reconfig at a time
  return s.leader_propose(now_ms, std::move(payload), std::move(next));
}

std::vector<action> peer::take_actions() {
  impl_->flush_all();
  return std::exchange(impl_->out, {});
}

role peer::current_role() const {
  return impl_->current;
}
server_id peer::leader() const {
  return impl_->leader_id;
}
int64_t peer::epoch() const {
  return impl_->current_epoch;
}
bool peer::serving() const {
  return impl_->serving;
}
zxid_t peer::last_logged() const {
  return impl_->last_logged;
}
zxid_t peer::last_committed() const {
  return impl_->last_committed;
}
zxid_t peer::last_applied() const {
  return impl_->last_applied;
}
int64_t peer::accepted_epoch() const {
  return impl_->accepted_epoch;
}
int64_t peer::election_round() const {
  return impl_->elect.round();
}
std::size_t peer::in_flight() const {
  return impl_->in_flight();
}
const ensemble& peer::config() const {
  return impl_->members;
}
const std::optional<ensemble>& peer::pending_config() const {
  return impl_->pending;
}
peer::learner_counts peer::leader_learner_counts() const {
  learner_counts c;
  const auto& i = *impl_;
  if (i.current != role::leading) return c;
  using phase = impl::learner_phase;
  for (const auto& [id, l] : i.learners) {
    ++c.learners;
    if (l.phase != phase::synced && l.phase != phase::up_to_date) continue;
    if (l.observer) {
      ++c.synced_observers;
    } else {
      ++c.synced_followers;
      if (!i.members.is_voter(id)) ++c.synced_non_voting_followers;
    }
  }
  return c;
}

std::optional<uint64_t> peer::commit_stream(server_id learner) const {
  const auto& i = *impl_;
  if (i.current != role::leading) return std::nullopt;
  auto it = i.learners.find(learner);
  if (it == i.learners.end()) return std::nullopt;
  using phase = impl::learner_phase;
  if (it->second.phase != phase::synced && it->second.phase != phase::up_to_date)
    return std::nullopt;
  return it->second.serial;
}

bool peer::quorum_synced(const ensemble& next) const {
  return impl_->quorum_synced(next);
}
bool peer::can_propose(bool reconfig) const {
  const auto& s = *impl_;
  return s.current == role::leading && s.serving && s.lphase == impl::leader_phase::established &&
         static_cast<int64_t>(s.in_flight()) < s.t.max_in_flight && s.counter < 0xffffffffLL &&
         !(reconfig && s.pending);
}

} // namespace paddock::zab
