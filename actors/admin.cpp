#include "actors/admin.hpp"

#include "actors/messages/store.hpp"
#include "config/membership.hpp"
#include "paddock/version.hpp"
#include "protocol/admin/admin_commands.hpp"
#include "protocol/admin/four_letter_words.hpp"
#include "protocol/zab/types.hpp"

#include <caf/all.hpp>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <pwd.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace paddock::actors {

namespace {

constexpr auto ask_timeout = std::chrono::seconds(2);

int64_t open_fds() {
  int64_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d))
      ++n;
    closedir(d);
    return n - 2; // . and ..
  }
  return -1;
}

int64_t max_fds() {
  rlimit rl{};
  return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? static_cast<int64_t>(rl.rlim_cur) : -1;
}

uint64_t dir_size(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

std::string env(const char* name, const char* fallback = "<NA>") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

// uname's machine and release: Java's os.arch and os.version (x86_64 where Java says amd64).
std::pair<std::string, std::string> os_release() {
  utsname uts{};
  if (uname(&uts) != 0) return {"<NA>", "<NA>"};
  return {uts.machine, uts.release};
}

// The effective user's name, as Java's user.name (from the password database, not $USER).
std::string user_name() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return env("USER", env("LOGNAME").c_str());
}

// The counters, the configuration and the environment: everything that needs no asking.
// `started_ms`: when the admin actor started, on ctx.clock's monotonic clock.
admin::server_snapshot local_figures(const server_context& ctx, int64_t started_ms) {
  admin::server_snapshot s;
  const auto& st = *ctx.stats;
  switch (st.zab_mode.load(std::memory_order_relaxed)) {
  case static_cast<int>(zab::role::leading): s.mode = "leader"; break;
  case static_cast<int>(zab::role::following): s.mode = "follower"; break;
  case static_cast<int>(zab::role::observing): s.mode = "observer"; break;
  case static_cast<int>(zab::role::looking): s.mode = "looking"; break;
  default: s.mode = "standalone"; break;
  }
  // Looking for a leader, but serving read-only clients meanwhile.
  if (st.read_only.load(std::memory_order_relaxed)) s.mode = "read-only";
  const auto& cfg = ctx.config;
  s.version = zookeeper_compat_version;
  s.packets_received = st.packets_received.load(std::memory_order_relaxed);
  s.packets_sent = st.packets_sent.load(std::memory_order_relaxed);
  s.outstanding_requests = st.outstanding_requests.load(std::memory_order_relaxed);
  s.alive_connections = st.alive_connections.load(std::memory_order_relaxed);
  s.local_sessions = st.local_sessions.load(std::memory_order_relaxed);
  s.digest_mismatches = st.digest_mismatches.load(std::memory_order_relaxed);
  const auto count = st.latency_count.load(std::memory_order_relaxed);
  if (count > 0) {
    s.min_latency_ms = static_cast<int64_t>(st.latency_min_us.load() / 1000);
    s.max_latency_ms = static_cast<int64_t>(st.latency_max_us.load() / 1000);
    s.avg_latency_ms =
        static_cast<double>(st.latency_total_us.load()) / 1000.0 / static_cast<double>(count);
  }
  s.open_file_descriptors = open_fds();
  s.max_file_descriptors = max_fds();
  s.uptime_ms = ctx.clock->monotonic_ms() - started_ms;
  s.config = {{"clientPort", std::to_string(cfg.client_port)},
              {"secureClientPort", "-1"},
              {"dataDir", cfg.data_dir},
              {"dataDirSize", std::to_string(dir_size(cfg.data_dir))},
              {"dataLogDir", cfg.effective_data_log_dir()},
              {"dataLogSize", std::to_string(dir_size(cfg.effective_data_log_dir()))},
              {"tickTime", std::to_string(cfg.tick_time_ms)},
              {"maxClientCnxns", std::to_string(cfg.max_client_cnxns)},
              {"minSessionTimeout", std::to_string(cfg.effective_min_session_timeout())},
              {"maxSessionTimeout", std::to_string(cfg.effective_max_session_timeout())},
              {"clientPortListenBacklog", "-1"},
              {"serverId", std::to_string(cfg.server_id)}};
  if (cfg.is_ensemble()) {
    // As QuorumZooKeeperServer.dumpConf: the quorum keys, this server's own ports and role
    // (its line in the active configuration, else zoo.cfg's), then the active membership.
    s.membership = st.membership();
    const config::peer_address* me = cfg.self();
    auto active = config::parse_members(s.membership);
    if (auto* members = std::get_if<config::members_map>(&active)) {
      if (auto it = members->find(cfg.server_id); it != members->end()) me = &it->second;
      int64_t voters = 0;
      for (const auto& [id, p] : *members)
        voters += p.observer ? 0 : 1;
      s.quorum_size = voters;
    }
    s.config.insert(s.config.end(), {{"initLimit", std::to_string(cfg.init_limit)},
                                     {"syncLimit", std::to_string(cfg.sync_limit)},
                                     {"electionAlg", "3"},
                                     {"electionPort", std::to_string(me ? me->election_port : 0)},
                                     {"quorumPort", std::to_string(me ? me->quorum_port : 0)},
                                     {"peerType", me && me->observer ? "1" : "0"}});
  }
  const auto& l = ctx.metrics->leader;
  if (s.mode == "leader" && l.leading.load(std::memory_order_relaxed)) {
    admin::leader_figures f;
    f.learners = l.learners.load(std::memory_order_relaxed);
    f.synced_followers = l.synced_followers.load(std::memory_order_relaxed);
    f.synced_non_voting_followers = l.synced_non_voting_followers.load(std::memory_order_relaxed);
    f.synced_observers = l.synced_observers.load(std::memory_order_relaxed);
    f.pending_syncs = l.pending_syncs.load(std::memory_order_relaxed);
    f.uptime_ms = ctx.clock->monotonic_ms() - l.started_ms.load(std::memory_order_relaxed);
    f.last_proposal_size = l.proposal_size.last();
    f.min_proposal_size = l.proposal_size.min();
    f.max_proposal_size = l.proposal_size.max();
    s.leader = f;
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::error_code ec;
  s.environment = {{"zookeeper.version", s.version},
                   {"paddock.version", version_string},
                   {"host.name", host},
                   {"os.name", "Linux"},
                   {"os.arch", os_release().first},
                   {"os.version", os_release().second},
                   {"user.name", user_name()},
                   {"user.home", env("HOME")},
                   {"user.dir", std::filesystem::current_path(ec).string()}};
  s.data_dir_size = dir_size(cfg.data_dir);
  s.log_dir_size = dir_size(cfg.effective_data_log_dir());
  return s;
}

// The AdminServer's additions to the four-letter words' figures: the configuration as
// ZooKeeperServerConf reports it, the quorum peer's view, the last snapshot, the process's
// properties. `initial_configuration`: zoo.cfg's text as read at start (standalone only).
admin::command_inputs command_figures(const server_context& ctx, admin::server_snapshot snap,
                                      const std::optional<std::string>& initial_configuration) {
  admin::command_inputs in;
  const auto& cfg = ctx.config;
  const auto& st = *ctx.stats;
  in.client_port = cfg.client_port;
  in.data_dir = cfg.snap_dir();
  in.data_log_dir = cfg.log_dir();
  in.tick_time = cfg.tick_time_ms;
  in.max_client_cnxns = cfg.max_client_cnxns;
  in.min_session_timeout = cfg.effective_min_session_timeout();
  in.max_session_timeout = cfg.effective_max_session_timeout();
  in.server_id = cfg.server_id;
  in.initial_configuration = initial_configuration;
  in.last_snapshot_zxid = st.last_snapshot_zxid.load(std::memory_order_relaxed);
  in.last_snapshot_time_s = st.last_snapshot_time_s.load(std::memory_order_relaxed);
  const auto [arch, release] = os_release();
  std::error_code ec;
  // Sorted by name, as ZooKeeper sorts the JVM's properties.
  in.system_properties = {{"file.separator", "/"},
                          {"line.separator", "\n"},
                          {"os.arch", arch},
                          {"os.name", "Linux"},
                          {"os.version", release},
                          {"path.separator", ":"},
                          {"user.dir", std::filesystem::current_path(ec).string()},
                          {"user.home", env("HOME")},
                          {"user.name", user_name()}};
  auto& q = in.quorum;
  q.ensemble = cfg.is_ensemble();
  if (q.ensemble) {
    q.my_id = cfg.server_id;
    q.leader_id = st.leader_id.load(std::memory_order_relaxed);
    q.is_leader = snap.mode == "leader";
    const int role = st.zab_role.load(std::memory_order_relaxed);
    const int shown = st.zab_mode.load(std::memory_order_relaxed);
    // ZooKeeper's phases: while looking it has no ZooKeeperServer and answers no phase at
    // all; discovery and synchronization until the leader is established (Paddock does not
    // tell these two apart outside the ZAB core: both are "synchronization"); broadcast while
    // serving.
    if (role == static_cast<int>(zab::role::looking) || role < 0)
      q.zab_phase.clear();
    else if (shown == static_cast<int>(zab::role::looking))
      q.zab_phase = "synchronization";
    else
      q.zab_phase = "broadcast";
    q.epoch = snap.zxid >> 32;
    const std::string address =
        cfg.client_port_address.empty() ? "0.0.0.0" : cfg.client_port_address;
    q.client_address = address + ":" + std::to_string(cfg.client_port);
    auto active = config::parse_members(st.membership());
    config::members_map members;
    if (auto* m = std::get_if<config::members_map>(&active); m && !m->empty())
      members = *m;
    else
      members = cfg.servers; // before the first configuration is active: zoo.cfg's
    for (const auto& [id, p] : members) {
      admin::member_view v{id, p.host, p.quorum_port, p.election_port, p.observer, ""};
      if (p.client_port > 0)
        v.client_address = (p.client_address.empty() ? "0.0.0.0" : p.client_address) + ":" +
                           std::to_string(p.client_port);
      else if (id == cfg.server_id)
        v.client_address = q.client_address; // ZooKeeper fills in its own from clientPort
      if (id == q.leader_id) q.leader_host = p.host;
      q.members.push_back(std::move(v));
    }
  }
  in.snapshot = std::move(snap);
  return in;
}

std::optional<std::string> read_initial_configuration(const server_context& ctx) {
  if (ctx.config.is_ensemble() || ctx.config.config_path.empty()) return std::nullopt;
  std::ifstream in(ctx.config.config_path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

using snapshot_ptr = std::shared_ptr<admin::server_snapshot>;

// Fills `snap` with the store's and the watch manager's figures (and their listings when
// `listings`), then calls `done`; `failed` if either does not answer in time.
void ask_store_and_watches(admin_handle::pointer self, const context_ptr& ctx, snapshot_ptr snap,
                           bool listings, std::function<void()> done,
                           std::function<void(caf::error&)> failed) {
  self->request(ctx->store, ask_timeout, stats_atom::value)
      .then(
          [=](tree_stats& t) mutable {
            snap->zxid = t.last_zxid;
            snap->digest = t.digest;
            snap->node_count = t.node_count;
            snap->ephemerals_count = t.ephemerals_count;
            snap->approximate_data_size = t.approximate_data_size;
            snap->global_sessions = t.session_count;
            self->request(ctx->watch_manager, ask_timeout, stats_atom::value, listings)
                .then(
                    [=](watch_stats& w) mutable {
                      snap->watch_count = w.watch_count;
                      snap->data_watch_count = w.data_watch_count;
                      snap->watched_paths = w.watched_paths;
                      snap->watching_connections = w.watchers;
                      snap->watches_by_session = std::move(w.by_session);
                      snap->watches_by_path = std::move(w.by_path);
                      done();
                    },
                    failed);
          },
          failed);
}

// Adds each session's figures to `snap->connections`, then calls `done`: a session that does
// not answer in time (it went away meanwhile) is simply not listed.
void ask_sessions_into(admin_handle::pointer self, const std::vector<session_handle>& sessions,
                       snapshot_ptr snap, std::function<void()> done) {
  if (sessions.empty()) {
    done();
    return;
  }
  auto pending = std::make_shared<size_t>(sessions.size());
  for (const auto& s : sessions)
    self->request(s, ask_timeout, stats_atom::value)
        .then(
            [=](admin::connection_info& info) mutable {
              snap->connections.push_back(std::move(info));
              if (--*pending == 0) done();
            },
            [=](caf::error&) mutable {
              if (--*pending == 0) done();
            });
}

} // namespace

admin_handle::behavior_type admin_actor(admin_handle::pointer self, context_ptr ctx) {
  const int64_t started_ms = ctx->clock->monotonic_ms();
  const auto initial_configuration = read_initial_configuration(*ctx);
  return {
      [=](stats_atom, std::string& word,
          std::vector<session_handle>& sessions) -> caf::result<std::string> {
        if (word == "srst" || word == "crst") ctx->stats->reset();
        const bool read_only = ctx->stats->read_only.load(std::memory_order_relaxed);
        if (word == "ruok" || word == "isro" || word == "crst" || word == "srst") {
          admin::server_snapshot mode_only;
          if (read_only) mode_only.mode = "read-only"; // isro: "ro"
          return admin::answer(word, mode_only);
        }
        // An ensemble member looking for a leader serves nothing (unless it serves read-only
        // clients); ZooKeeper says so for every word that would describe the data.
        const int mode = ctx->stats->zab_mode.load(std::memory_order_relaxed);
        if (mode == static_cast<int>(zab::role::looking) && !read_only && word != "conf" &&
            word != "envi" && word != "dirs")
          return std::string("This ZooKeeper instance is not currently serving requests\n");
        if (word == "hash") {
          // The store's digest history (each digest 0 while digest.enabled=false, as ZooKeeper).
          auto rp = self->make_response_promise<std::string>();
          self->request(ctx->store, ask_timeout, hash_atom::value)
              .then(
                  [=](std::vector<std::pair<int64_t, int64_t>>& history) mutable {
                    admin::server_snapshot s;
                    s.digest_history = std::move(history);
                    rp.deliver(admin::answer(word, s));
                  },
                  [=](caf::error& err) mutable { rp.deliver(err); });
          return rp;
        }
        auto rp = self->make_response_promise<std::string>();
        auto snap = std::make_shared<admin::server_snapshot>(local_figures(*ctx, started_ms));
        // Ask the store, then the watch manager, then (for cons/stat) each session; each
        // step is bounded by a timeout, and the answer is formatted once all are in.
        auto finish = [=]() mutable { rp.deliver(admin::answer(word, *snap)); };
        auto ask_sessions = [=]() mutable {
          if (admin::needs_connections(word))
            ask_sessions_into(self, sessions, snap, finish);
          else
            finish();
        };
        ask_store_and_watches(self, ctx, snap, admin::needs_watch_listings(word), ask_sessions,
                              [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      // mntr's figures as data, for /metrics and the AdminServer's `monitor`. While looking
      // for a leader the snapshot says so in its mode ("looking"); the caller decides.
      [=](monitor_atom) -> caf::result<admin::server_snapshot> {
        auto rp = self->make_response_promise<admin::server_snapshot>();
        auto snap = std::make_shared<admin::server_snapshot>(local_figures(*ctx, started_ms));
        ask_store_and_watches(
            self, ctx, snap, false, [=]() mutable { rp.deliver(std::move(*snap)); },
            [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      // The AdminServer's commands: the same figures, gathered the same way, as JSON.
      [=](admin_command_atom, std::string& name,
          std::vector<session_handle>& sessions) -> caf::result<std::string> {
        const bool serving = ctx->stats->zab_mode.load(std::memory_order_relaxed) !=
                                 static_cast<int>(zab::role::looking) ||
                             ctx->stats->read_only.load(std::memory_order_relaxed);
        const admin::command_spec* cmd = admin::find_command(name);
        // dump's listings, gathered only for dump.
        auto dumped = std::make_shared<admin::command_inputs>();
        auto answer = [=](admin::server_snapshot snap) {
          auto in = command_figures(*ctx, std::move(snap), initial_configuration);
          in.ephemerals_by_session = std::move(dumped->ephemerals_by_session);
          in.sessions_by_expiry = std::move(dumped->sessions_by_expiry);
          return admin::run_command(name, in, serving).pretty();
        };
        if (!cmd || (cmd->server_required && !serving)) return answer({});
        if (cmd->primary == "stat_reset" || cmd->primary == "connection_stat_reset")
          ctx->stats->reset();
        auto rp = self->make_response_promise<std::string>();
        auto snap = std::make_shared<admin::server_snapshot>(local_figures(*ctx, started_ms));
        auto failed = [=](caf::error& err) mutable { rp.deliver(err); };
        // The store and the watch manager, then dump's listings, then (connections, stats)
        // each session; each step bounded by a timeout, the answer built once all are in.
        auto finish = [=]() mutable { rp.deliver(answer(std::move(*snap))); };
        auto ask_sessions = [=]() mutable {
          if (admin::command_needs_connections(name))
            ask_sessions_into(self, sessions, snap, finish);
          else
            finish();
        };
        auto ask_dump = [=]() mutable {
          if (!admin::command_needs_dump(name)) {
            ask_sessions();
            return;
          }
          self->request(ctx->store, ask_timeout, dump_atom::value)
              .then(
                  [=](std::vector<std::pair<int64_t, std::vector<std::string>>>& e) mutable {
                    dumped->ephemerals_by_session = std::move(e);
                    self->request(ctx->tracker, ask_timeout, dump_atom::value)
                        .then(
                            [=](std::vector<std::pair<int64_t, std::vector<int64_t>>>& b) mutable {
                              dumped->sessions_by_expiry = std::move(b);
                              ask_sessions();
                            },
                            failed);
                  },
                  failed);
        };
        ask_store_and_watches(self, ctx, snap, admin::command_needs_watch_listings(name), ask_dump,
                              failed);
        return rp;
      },
  };
}

} // namespace paddock::actors
