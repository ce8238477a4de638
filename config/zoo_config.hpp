#pragma once
// zoo.cfg: ZooKeeper's key=value configuration, parsed and validated. Errors are values
// naming the key and the value, so the server can print them and exit with status 2.
#include "config/log_config.hpp"
#include "config/quorum_tls_settings.hpp"
#include "config/tls_settings.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paddock::config {

// One ensemble member, from a line
//   server.N=host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort]
// (an IPv6 host in brackets: server.1=[::1]:2888:3888).
struct peer_address {
  int64_t id = 0;             // N, 1..255
  std::string host;           // a name, an IPv4 address or an IPv6 address (no brackets)
  int32_t quorum_port = 0;    // followers and observers connect to the leader here
  int32_t election_port = 0;  // leader election
  bool observer = false;      // :observer; :participant (the default) votes
  std::string client_address; // the address before the client port ("": all addresses)
  int32_t client_port = 0;    // the client port after ';' (0 = not given on this line)
  friend bool operator==(const peer_address&, const peer_address&) = default;
};

// The line's value again, role spelled out: "zoo1:2888:3888:participant;2181",
// "[::1]:2888:3888:observer;[::1]:2181".
std::string to_string(const peer_address& p);

struct server_config {
  int32_t tick_time_ms = 2000;         // tickTime
  std::string data_dir;                // dataDir (required)
  std::string data_log_dir;            // dataLogDir (defaults to dataDir)
  int32_t client_port = 2181;          // clientPort
  bool client_port_set = false;        // clientPort appeared (an ensemble needs a client port)
  std::string client_port_address;     // clientPortAddress (empty: all addresses)
  int32_t max_client_cnxns = 60;       // maxClientCnxns, per client IP; 0 = unlimited
  int32_t min_session_timeout_ms = -1; // minSessionTimeout (-1: 2 * tickTime)
  int32_t max_session_timeout_ms = -1; // maxSessionTimeout (-1: 20 * tickTime)
  std::set<std::string> four_letter_whitelist{"srvr"}; // 4lw.commands.whitelist ("*" = all)
  int32_t max_buffer = 0xfffff;                        // jute.maxbuffer
  // globalOutstandingLimit: ZooKeeper's limit on requests in process, server-wide; Paddock
  // applies it per connection (decoded, unanswered requests), see docs/operator-guide.md.
  int32_t global_outstanding_limit = 1000;
  // nio.sessionlessCnxnTimeout (ZooKeeper's system property zookeeper.nio.*): a connection
  // that has not completed its handshake this long after it opened is closed.
  int32_t sessionless_cnxn_timeout_ms = 10000;
  bool force_sync = true;                  // forceSync
  int64_t snap_count = 100000;             // snapCount
  int64_t pre_alloc_size_kb = 65536;       // preAllocSize
  int32_t autopurge_snap_retain_count = 3; // autopurge.snapRetainCount
  int32_t autopurge_purge_interval_h = 0;  // autopurge.purgeInterval
  int32_t init_limit = 10;                 // initLimit
  int32_t sync_limit = 5;                  // syncLimit
  int64_t server_id = 0;                   // from dataDir/myid, when present
  // The leader's container / TTL sweeper (ZooKeeper's system properties of these names).
  bool extended_types_enabled = false;         // extendedTypesEnabled: createTTL allowed
  int32_t container_check_interval_ms = 60000; // znode.container.checkIntervalMs
  int32_t container_max_per_minute = 10000;    // znode.container.maxPerMinute
  // paddock.workerThreads: the threads that run the actors. 0: none of their own, every
  // actor runs on the I/O thread; N: CAF's scheduler with N threads; -1 (the default): 0 on
  // up to two cores, one per core but one above. Paddock's own key; see the operator guide.
  int32_t worker_threads = -1;
  // paddock.linearizableReads: every read of every session of an ensemble is linearizable,
  // confirmed by a round through the leader's quorum before it is served (ReadIndex; see the
  // operator guide, "Linearizable reads"). Paddock's own key; ZooKeeper has none.
  bool linearizable_reads = false;

  // The ensemble (ZooKeeper 3.5+ semantics): server.N lines from zoo.cfg or, when
  // dynamicConfigFile is set, from that file (then only from there).
  std::map<int64_t, peer_address> servers; // server.N, by id
  std::optional<bool> peer_type_observer;  // peerType (unset: as server.N says)
  std::string dynamic_config_file;         // dynamicConfigFile
  // The version of the ensemble's configuration: what the dynamic file's name carries
  // (zoo.cfg.dynamic.<hex>), 0 for server lines in zoo.cfg that no leader has stamped yet.
  int64_t config_version = 0;
  // The zoo.cfg this configuration came from (load_zoo_cfg): a reconfig rewrites it to point
  // at the new dynamic file, as ZooKeeper does.
  std::string config_path;
  bool reconfig_enabled = false;  // reconfigEnabled
  bool standalone_enabled = true; // standaloneEnabled
  // readonlymode.enabled (a system property of ZooKeeper's): a member cut off from its
  // quorum serves reads to clients that ask for a read-only connection.
  bool read_only_mode_enabled = false;
  // localSessionsEnabled: read for read-only mode only, where (as in ZooKeeper 3.7 and later)
  // a new session can only be a local one. Read-write, every Paddock session is global.
  bool local_sessions_enabled = false;
  // digest.enabled (ZooKeeper's zookeeper.digest.enabled, true since 3.6): every server keeps
  // the tree digest incrementally and learners compare theirs with the leader's.
  bool digest_enabled = true;
  bool quorum_listen_on_all_ips = false; // quorumListenOnAllIPs
  int32_t election_port_bind_retry = 3;  // electionPortBindRetry (0 = forever)
  int32_t cnx_timeout_ms = 5000;         // cnxTimeout
  // DigestAuthenticationProvider.superDigest ("user:base64(sha1(user:password))", "" = none):
  // ZooKeeper turns this zoo.cfg key into the system property
  // zookeeper.DigestAuthenticationProvider.superDigest; addauth with that identity makes a
  // session super (every permission on every znode).
  std::string super_digest;
  // The AdminServer (ZooKeeper's admin.* keys, which it reads as the system properties
  // zookeeper.admin.*): HTTP on admin_server_address:admin_server_port, the commands under
  // admin_command_url. Enabled by default, as in ZooKeeper.
  bool admin_enable_server = true;              // admin.enableServer
  std::string admin_server_address = "0.0.0.0"; // admin.serverAddress
  int32_t admin_server_port = 8080;             // admin.serverPort
  std::string admin_command_url = "/commands";  // admin.commandURL
  int32_t admin_idle_timeout_ms = 30000;        // admin.idleTimeout
  // The `snapshot` command (a backup: docs/operator-guide.md, "Backups"), as ZooKeeper 3.9's:
  // off by default, and at most one per interval (each one writes a snapshot).
  bool admin_snapshot_enabled = false;         // admin.snapshot.enabled
  int64_t admin_snapshot_interval_ms = 300000; // admin.snapshot.intervalInMS
  // fsync.warningthresholdms: a txn log fsync slower than this is logged as a warning, with
  // ZooKeeper's message (ZooKeeper reads it as the system property zookeeper.fsync.*).
  int64_t fsync_warning_threshold_ms = 1000;
  log_settings log; // paddock.log.*: the log file, its level and rotation

  // metricsProvider.*, read as ZooKeeper 3.8 reads them: naming the Prometheus provider's
  // class switches on /metrics on httpHost:httpPort; any other class (or none) exports
  // nothing, as ZooKeeper's default provider.
  bool metrics_enabled = false;              // metricsProvider.className
  std::string metrics_http_host = "0.0.0.0"; // metricsProvider.httpHost
  int32_t metrics_http_port = 7000;          // metricsProvider.httpPort
  bool metrics_export_jvm_info = true;       // metricsProvider.exportJvmInfo (no JVM here)

  // Client SASL (docs/operator-guide.md, SASL). ZooKeeper reads these as the system properties
  // zookeeper.<key>, which its zoo.cfg keys of the same name set.
  bool sasl_provider = false;                 // authProvider.N=...SASLAuthenticationProvider
  std::string jaas_login_config;              // jaasLoginConfig: the JAAS file (Paddock's key)
  std::string sasl_server_section = "Server"; // sasl.serverconfig: the JAAS section to use
  bool enforce_auth_enabled = false; // enforce.auth.enabled (or sessionRequireClientSASLAuth)
  bool session_require_client_sasl_auth = false; // sessionRequireClientSASLAuth
  std::vector<std::string> enforce_auth_schemes; // enforce.auth.schemes
  bool remove_host_from_principal = false;       // kerberos.removeHostFromPrincipal
  bool remove_realm_from_principal = false;      // kerberos.removeRealmFromPrincipal
  std::string sasl_super_user;                   // superUser: this sasl id is also super
  // Client TLS: secureClientPort and the ssl.* keys (docs/operator-guide.md, TLS).
  tls_settings tls;
  // TLS between servers: sslQuorum and the ssl.quorum.* keys (same section).
  quorum_tls_settings quorum_tls;

  // Quorum SASL: the servers authenticate each other (DIGEST-MD5) with the same JAAS file.
  bool quorum_enable_sasl = false;          // quorum.auth.enableSasl
  bool quorum_learner_require_sasl = false; // quorum.auth.learnerRequireSasl
  bool quorum_server_require_sasl = false;  // quorum.auth.serverRequireSasl
  std::string quorum_learner_login_context =
      "QuorumLearner";                                      // quorum.auth.learner.saslLoginContext
  std::string quorum_server_login_context = "QuorumServer"; // quorum.auth.server.saslLoginContext

  // Keys we read but do not act on yet, and keys we do not know: logged as warnings.
  std::vector<std::string> warnings;

  int32_t effective_min_session_timeout() const {
    return min_session_timeout_ms < 0 ? 2 * tick_time_ms : min_session_timeout_ms;
  }
  int32_t effective_max_session_timeout() const {
    return max_session_timeout_ms < 0 ? 20 * tick_time_ms : max_session_timeout_ms;
  }
  const std::string& effective_data_log_dir() const {
    return data_log_dir.empty() ? data_dir : data_log_dir;
  }
  // Where Paddock keeps its files: a directory of its own inside dataDir (snapshots) and
  // dataLogDir (txn log segments), so that they never mix with ZooKeeper's version-2/.
  std::string snap_dir() const { return data_dir + "/paddock"; }
  std::string log_dir() const { return effective_data_log_dir() + "/paddock"; }
  bool four_letter_allowed(std::string_view cmd) const;
  // enforce.auth.enabled: does a session with these schemes authenticated pass?
  bool enforce_auth_satisfied_by(std::string_view scheme) const;

  // ZooKeeper's isDistributed(): server lines with more than one participant, or any server
  // line with standaloneEnabled=false (an ensemble of one). A single participant with
  // standaloneEnabled=true runs standalone, as in ZooKeeper.
  bool is_ensemble() const;
  // Whether the plaintext client port is opened: always, unless only secureClientPort is
  // configured (no clientPort, no client port on this server's line): then, as in
  // ZooKeeper, clients reach this server over TLS only.
  bool plaintext_client_port() const;
  const peer_address* self() const; // the server.N line of server_id, or nullptr
  std::size_t voter_count() const;  // participants
};

// The provider class that serves /metrics in ZooKeeper 3.8.
inline constexpr std::string_view prometheus_metrics_provider =
    "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

struct config_error {
  std::string key; // the offending key ("" for a line that is not key=value)
  std::string value;
  std::string message;
  std::string to_string() const; // "invalid value 'x' for key 'tickTime': must be ..."
};

using parse_result = std::variant<server_config, config_error>;

// Parses zoo.cfg text and checks the server.N lines against each other. Does not touch the
// file system: dynamicConfigFile is recorded, not read, and myid is not known yet.
parse_result parse_zoo_cfg(std::string_view text);

// One server.N line on its own: `key` is "server.N". (Checked against others by add_server.)
std::variant<peer_address, config_error> parse_server(std::string_view key, std::string_view value);

// The server lines against each other and the ensemble as a whole, as zoo.cfg's are checked.
std::optional<config_error> check_members(const std::map<int64_t, peer_address>& servers,
                                          bool standalone_enabled);

// Adds the server.N lines of a dynamic configuration file's text to `cfg` and checks them
// against each other. `version=` lines are ignored, group./weight. lines warn as in zoo.cfg,
// any other key is an error (as in ZooKeeper).
std::optional<config_error> add_dynamic_config(server_config& cfg, std::string_view text);

// The checks that need this server's id (cfg.server_id, from myid): in an ensemble myid must
// name a server line; peerType must agree with that line; its client part and clientPort /
// clientPortAddress must agree, and the line's client part, when given, becomes client_port
// and client_port_address. `myid_path` only names the file in messages.
std::optional<config_error> resolve_self(server_config& cfg, std::string_view myid_path);

// Reads the file, parses it, reads dynamicConfigFile (relative to the working directory, as
// ZooKeeper) when set, reads dataDir/myid when it exists, and calls resolve_self.
parse_result load_zoo_cfg(const std::string& path);

} // namespace paddock::config
