#include "config/zoo_config.hpp"

#include "config/membership.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace paddock::config {

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\f\v");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\f\v");
  return s.substr(first, last - first + 1);
}

config_error invalid(std::string_view key, std::string_view value, std::string message) {
  return config_error{std::string(key), std::string(value), std::move(message)};
}

template <class Int> std::optional<Int> parse_int(std::string_view text) {
  Int v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Keys ZooKeeper knows that Paddock reads but does not act on yet (or never needs to).
bool known_but_unused(std::string_view key) {
  static constexpr std::string_view exact[] = {"secureClientPort",
                                               "secureClientPortAddress",
                                               "clientPortListenBacklog",
                                               "localSessionsUpgradingEnabled",
                                               "syncEnabled",
                                               "leaderServes",
                                               "skipACL",
                                               "serverCnxnFactory",
                                               "snapSizeLimitInKb",
                                               "txnLogSizeLimitInKb",
                                               "maxResponseCacheSize",
                                               "maxGetChildrenResponseCacheSize",
                                               "connectToLearnerMasterLimit",
                                               "quorum.cnxn.threads.size",
                                               "minClientCnxns"};
  static constexpr std::string_view prefixes[] = {
      "group.",           "weight.",       "authProvider.", "ssl.",
      "metricsProvider.", "multiAddress.", "admin.",        "zookeeper.",
      "znode.container.", "audit.",        "jvm."};
  for (auto k : exact)
    if (key == k) return true;
  for (auto p : prefixes)
    if (key.substr(0, p.size()) == p) return true;
  return false;
}

// Sets `out` from the text of an integer key, or returns the error naming it.
template <class Int>
std::optional<config_error> set_int(std::string_view key, std::string_view value, Int& out, Int min,
                                    Int max, const char* what) {
  auto v = parse_int<Int>(value);
  if (!v || *v < min || *v > max) return invalid(key, value, std::string("must be ") + what);
  out = *v;
  return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// ZooKeeper's booleans: true or false, in any case.
std::optional<config_error> set_bool(std::string_view key, std::string_view value, bool& out) {
  if (iequals(value, "true"))
    out = true;
  else if (iequals(value, "false"))
    out = false;
  else
    return invalid(key, value, "must be true or false");
  return std::nullopt;
}

bool is_any_address(std::string_view a) {
  return a.empty() || a == "0.0.0.0" || a == "::" || a == "0:0:0:0:0:0:0:0";
}

std::string host_port(std::string_view host, int32_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" : "") + std::string(host) + (v6 ? "]:" : ":") + std::to_string(port);
}

// "host:port:..." split at ':' as ZooKeeper's ConfigUtils.getHostAndPort, except that a
// bracketed IPv6 host ("[::1]:2888") is one part, returned without its brackets.
struct split_parts {
  std::vector<std::string_view> parts;
  std::string error; // set when the text cannot be split
};
split_parts split_host_and_port(std::string_view s) {
  split_parts out;
  if (!s.empty() && s[0] == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) return {{}, "'[' without a matching ']'"};
    auto host = s.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos)
      return {{}, "brackets are for IPv6 addresses, and '" + std::string(host) + "' is not one"};
    out.parts.push_back(host);
    s = s.substr(close + 1);
    if (s.empty()) return out;
    if (s[0] != ':') return {{}, "']' must be followed by ':' and a port"};
    s = s.substr(1);
  }
  while (true) {
    auto colon = s.find(':');
    out.parts.push_back(trim(s.substr(0, colon)));
    if (colon == std::string_view::npos) break;
    s = s.substr(colon + 1);
  }
  return out;
}

constexpr const char* server_line_form =
    "must be host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort]";

// Parses the value of a server.N line; the error names `key`.
std::variant<peer_address, config_error> parse_server_line(std::string_view key, int64_t id,
                                                           std::string_view value) {
  auto error = [&](const std::string& why) { return invalid(key, value, why); };
  if (value.find('|') != std::string_view::npos)
    return error("several addresses separated by '|' (ZooKeeper 3.6 multiAddress) are not "
                 "supported: give one address");
  auto semi = value.find(';');
  auto server_part = trim(value.substr(0, semi));
  peer_address p;
  p.id = id;
  auto split = split_host_and_port(server_part);
  if (!split.error.empty()) return error(split.error);
  auto& parts = split.parts;
  if (parts.size() < 3 || parts.size() > 4) {
    if (parts.size() > 4 && server_part[0] != '[')
      return error(std::string(server_line_form) +
                   " (an IPv6 address goes in brackets: [::1]:2888:3888)");
    return error(server_line_form);
  }
  auto port = [&](std::string_view text, const char* what,
                  int32_t& out) -> std::optional<config_error> {
    auto v = parse_int<int32_t>(text);
    if (!v || *v < 1 || *v > 65535)
      return error(std::string("the ") + what + " '" + std::string(text) +
                   "' is not a port number (1-65535)");
    out = *v;
    return std::nullopt;
  };
  p.host = parts[0];
  if (p.host.empty()) return error("the host is missing; " + std::string(server_line_form));
  if (auto e = port(parts[1], "quorum port", p.quorum_port)) return *e;
  if (auto e = port(parts[2], "election port", p.election_port)) return *e;
  if (parts.size() == 4) {
    if (iequals(parts[3], "observer"))
      p.observer = true;
    else if (!iequals(parts[3], "participant"))
      return error("the role must be participant or observer, not '" + std::string(parts[3]) + "'");
  }
  if (p.quorum_port == p.election_port)
    return error("the quorum port and the election port must differ");
  if (semi != std::string_view::npos) {
    auto client_part = trim(value.substr(semi + 1));
    if (client_part.empty() || client_part.find(';') != std::string_view::npos)
      return error(server_line_form);
    auto client = split_host_and_port(client_part);
    if (!client.error.empty()) return error(client.error);
    if (client.parts.size() > 2) return error(server_line_form);
    if (client.parts.size() == 2) {
      if (client.parts[0].empty()) return error("the client address before ':' is missing");
      p.client_address = client.parts[0];
    }
    if (auto e = port(client.parts.back(), "client port", p.client_port)) return *e;
  }
  return p;
}

std::optional<config_error> add_server(server_config& cfg, std::string_view key,
                                       std::string_view value) {
  auto id = parse_int<int64_t>(key.substr(7));
  if (!id || *id < 1 || *id > 255)
    return invalid(key, value, "the server id after 'server.' must be a number from 1 to 255");
  auto parsed = parse_server_line(key, *id, value);
  if (auto* e = std::get_if<config_error>(&parsed)) return *e;
  if (cfg.servers.count(*id) != 0)
    return invalid(key, value,
                   "server id " + std::to_string(*id) + " is already given by server." +
                       std::to_string(*id) + "=" + to_string(cfg.servers[*id]));
  cfg.servers.emplace(*id, std::get<peer_address>(parsed));
  return std::nullopt;
}

// The server lines against each other and the ensemble as a whole (ZooKeeper's
// parseDynamicConfig rules, plus: no address used twice).
std::optional<config_error> check_servers(const server_config& cfg) {
  if (cfg.servers.empty()) {
    if (!cfg.standalone_enabled)
      return invalid("standaloneEnabled", "false",
                     "needs server.N lines with at least one participant (standaloneEnabled=false "
                     "runs this server as an ensemble member)");
    return std::nullopt;
  }
  auto key_of = [](const peer_address& p) { return "server." + std::to_string(p.id); };
  const auto& first = cfg.servers.begin()->second;
  const auto voters = cfg.voter_count();
  if (voters == 0)
    return invalid(key_of(first), to_string(first),
                   "an ensemble needs at least one participant, and every server.N line says "
                   "observer");
  if (voters == 1 && cfg.standalone_enabled && voters < cfg.servers.size()) {
    auto observer = std::find_if(cfg.servers.begin(), cfg.servers.end(),
                                 [](const auto& kv) { return kv.second.observer; });
    return invalid(key_of(observer->second), to_string(observer->second),
                   "observers need a quorum to follow, and with a single participant and "
                   "standaloneEnabled=true that participant runs standalone (set "
                   "standaloneEnabled=false for an ensemble of one participant)");
  }
  // Each host:port may be bound by one role of one server only. A client port on all
  // addresses ("" or 0.0.0.0) is taken to be on the server's host.
  std::map<std::string, std::string> used; // "host:port" -> "the quorum port of server.1"
  for (const auto& [id, p] : cfg.servers) {
    auto claim = [&](std::string_view host, int32_t port,
                     const char* what) -> std::optional<config_error> {
      auto where = host_port(host, port);
      auto owner = std::string("the ") + what + " of " + key_of(p);
      auto [it, fresh] = used.emplace(where, owner);
      if (!fresh)
        return invalid(key_of(p), to_string(p),
                       where + " is " + owner + " and also " + it->second +
                           ": each host:port "
                           "may be used once");
      return std::nullopt;
    };
    if (auto e = claim(p.host, p.quorum_port, "quorum port")) return e;
    if (auto e = claim(p.host, p.election_port, "election port")) return e;
    if (p.client_port != 0)
      if (auto e = claim(is_any_address(p.client_address) ? p.host : p.client_address,
                         p.client_port, "client port"))
        return e;
  }
  return std::nullopt;
}

// A digest identity: a user with no ':' and the 28-character base64 of a SHA-1. ZooKeeper
// takes any string and then never matches; a typo here would silently disable the super user.
bool valid_super_digest(std::string_view value) {
  auto colon = value.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  auto hash = value.substr(colon + 1);
  if (hash.size() != 28 || hash.back() != '=') return false;
  for (char c : hash.substr(0, 27))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  return true;
}

constexpr std::string_view sasl_provider_class =
    "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";

// Quorum SASL (quorum.auth.*: servers authenticating each other, docs/operator-guide.md "SASL",
// "Between servers"). DIGEST-MD5 only: the Kerberos service principal (GSSAPI between
// servers) is not built, so setting it is an error naming the key rather than a setting
// silently ignored. nullopt when `key` is not a quorum.auth key, else its outcome.
std::optional<std::optional<config_error>>
apply_quorum_auth_key(server_config& cfg, std::string_view key, std::string_view value) {
  if (key.substr(0, 12) != "quorum.auth.") return std::nullopt;
  if (key == "quorum.auth.enableSasl") return set_bool(key, value, cfg.quorum_enable_sasl);
  if (key == "quorum.auth.learnerRequireSasl")
    return set_bool(key, value, cfg.quorum_learner_require_sasl);
  if (key == "quorum.auth.serverRequireSasl")
    return set_bool(key, value, cfg.quorum_server_require_sasl);
  if (key == "quorum.auth.learner.saslLoginContext" ||
      key == "quorum.auth.server.saslLoginContext") {
    if (value.empty()) return invalid(key, value, "a JAAS section name is needed");
    (key == "quorum.auth.learner.saslLoginContext" ? cfg.quorum_learner_login_context
                                                   : cfg.quorum_server_login_context) = value;
    return std::optional<config_error>{};
  }
  return invalid(key, value,
                 key == "quorum.auth.kerberos.servicePrincipal"
                     ? "Kerberos (GSSAPI) between servers is not supported: Paddock's quorum SASL "
                       "is DIGEST-MD5; remove the key"
                     : "unknown quorum.auth key");
}

// ZooKeeper's QuorumPeerConfig rules, in its order and with its words: a require switch
// needs enableSasl, and a server that requires its learners to authenticate must itself
// authenticate as a learner (else it could not join its own ensemble).
std::optional<config_error> check_quorum_auth(const server_config& cfg) {
  if (!cfg.quorum_enable_sasl && cfg.quorum_server_require_sasl)
    return invalid("quorum.auth.serverRequireSasl", "true",
                   "quorum.auth.enableSasl is disabled, so cannot enable "
                   "quorum.auth.serverRequireSasl");
  if (!cfg.quorum_enable_sasl && cfg.quorum_learner_require_sasl)
    return invalid("quorum.auth.learnerRequireSasl", "true",
                   "quorum.auth.enableSasl is disabled, so cannot enable "
                   "quorum.auth.learnerRequireSasl");
  if (!cfg.quorum_learner_require_sasl && cfg.quorum_server_require_sasl)
    return invalid("quorum.auth.serverRequireSasl", "true",
                   "quorum.auth.learnerRequireSasl is disabled, so cannot enable "
                   "quorum.auth.serverRequireSasl");
  return std::nullopt;
}

// The SASL keys: nullopt when `key` is not one of them, else the key's outcome.
std::optional<std::optional<config_error>> apply_sasl_key(server_config& cfg, std::string_view key,
                                                          std::string_view value) {
  if (key.substr(0, 13) == "authProvider.") {
    if (value == sasl_provider_class)
      cfg.sasl_provider = true;
    else if (value != "org.apache.zookeeper.server.auth.DigestAuthenticationProvider" &&
             value != "org.apache.zookeeper.server.auth.IPAuthenticationProvider")
      cfg.warnings.push_back("key " + std::string(key) + ": authentication provider " +
                             std::string(value) + " is not available (ignored)");
    return std::optional<config_error>{};
  }
  if (key == "jaasLoginConfig") {
    if (value.empty()) return invalid(key, value, "must name a JAAS login configuration file");
    cfg.jaas_login_config = value;
    return std::optional<config_error>{};
  }
  if (key == "sasl.serverconfig") {
    if (value.empty()) return invalid(key, value, "must name a section of the JAAS file");
    cfg.sasl_server_section = value;
    return std::optional<config_error>{};
  }
  if (key == "enforce.auth.enabled") return set_bool(key, value, cfg.enforce_auth_enabled);
  if (key == "enforce.auth.schemes") {
    cfg.enforce_auth_schemes.clear();
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto scheme = trim(rest.substr(0, comma));
      if (!scheme.empty()) cfg.enforce_auth_schemes.emplace_back(scheme);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return std::optional<config_error>{};
  }
  if (key == "sessionRequireClientSASLAuth") {
    bool required = false;
    if (auto e = set_bool(key, value, required)) return e;
    // As AuthenticationHelper: this one wins over enforce.auth.* whatever their order.
    cfg.session_require_client_sasl_auth = required;
    return std::optional<config_error>{};
  }
  if (key == "kerberos.removeHostFromPrincipal")
    return set_bool(key, value, cfg.remove_host_from_principal);
  if (key == "kerberos.removeRealmFromPrincipal")
    return set_bool(key, value, cfg.remove_realm_from_principal);
  if (key == "superUser") {
    cfg.sasl_super_user = value;
    return std::optional<config_error>{};
  }
  if (auto quorum = apply_quorum_auth_key(cfg, key, value)) return quorum;
  return std::nullopt;
}

// enforce.auth.*: schemes must be given and be ones this server has a provider for
// (AuthenticationHelper refuses to start otherwise).
std::optional<config_error> check_enforce_auth(server_config& cfg) {
  if (cfg.session_require_client_sasl_auth) {
    cfg.enforce_auth_enabled = true;
    cfg.enforce_auth_schemes = {"sasl"};
  }
  if (!cfg.enforce_auth_enabled) return std::nullopt;
  if (cfg.enforce_auth_schemes.empty())
    return invalid("enforce.auth.schemes", "",
                   "must name the schemes a session must authenticate with (digest, ip, sasl) "
                   "when enforce.auth.enabled is true");
  for (const auto& scheme : cfg.enforce_auth_schemes) {
    const bool available =
        scheme == "digest" || scheme == "ip" || (scheme == "sasl" && cfg.sasl_provider);
    if (!available)
      return invalid("enforce.auth.schemes", scheme,
                     scheme == "sasl"
                         ? "the sasl scheme needs authProvider.1=" +
                               std::string(sasl_provider_class)
                         : "no authentication provider for scheme " + scheme +
                               " (available: digest, ip, and sasl with its authProvider)");
  }
  return std::nullopt;
}

std::optional<config_error> apply(server_config& cfg, std::string_view key,
                                  std::string_view value) {
  constexpr int32_t i32max = INT32_MAX;
  constexpr int64_t i64max = INT64_MAX;
  if (key == "tickTime")
    return set_int<int32_t>(key, value, cfg.tick_time_ms, 1, i32max, "a positive number of ms");
  if (key == "dataDir") {
    if (value.empty()) return invalid(key, value, "must name a directory");
    cfg.data_dir = value;
    return std::nullopt;
  }
  if (key == "dataLogDir") {
    cfg.data_log_dir = value;
    return std::nullopt;
  }
  if (key == "clientPort") {
    cfg.client_port_set = true;
    return set_int<int32_t>(key, value, cfg.client_port, 1, 65535, "a port number (1-65535)");
  }
  if (key == "clientPortAddress") {
    cfg.client_port_address = value;
    return std::nullopt;
  }
  if (key == "maxClientCnxns")
    return set_int<int32_t>(key, value, cfg.max_client_cnxns, 0, i32max,
                            "0 (no limit) or a positive number");
  if (key == "minSessionTimeout")
    return set_int<int32_t>(key, value, cfg.min_session_timeout_ms, -1, i32max,
                            "a number of ms (-1 for 2 * tickTime)");
  if (key == "maxSessionTimeout")
    return set_int<int32_t>(key, value, cfg.max_session_timeout_ms, -1, i32max,
                            "a number of ms (-1 for 20 * tickTime)");
  if (key == "4lw.commands.whitelist") {
    cfg.four_letter_whitelist.clear();
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto word = trim(rest.substr(0, comma));
      if (!word.empty()) cfg.four_letter_whitelist.emplace(word);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return std::nullopt;
  }
  // ZooKeeper reads these two as JVM system properties; Paddock takes them from zoo.cfg.
  if (key == "znode.container.checkIntervalMs")
    return set_int<int32_t>(key, value, cfg.container_check_interval_ms, 1, i32max,
                            "a positive number of ms");
  if (key == "znode.container.maxPerMinute")
    return set_int<int32_t>(key, value, cfg.container_max_per_minute, 1, i32max,
                            "a positive number of deletions per minute");
  if (key == "jute.maxbuffer")
    return set_int<int32_t>(key, value, cfg.max_buffer, 1, i32max - 1024,
                            "a positive number of bytes");
  if (key == "globalOutstandingLimit")
    return set_int<int32_t>(key, value, cfg.global_outstanding_limit, 1, i32max,
                            "a positive number of requests");
  if (key == "nio.sessionlessCnxnTimeout")
    return set_int<int32_t>(key, value, cfg.sessionless_cnxn_timeout_ms, 1, i32max,
                            "a positive number of ms");
  if (key == "paddock.workerThreads")
    return set_int<int32_t>(key, value, cfg.worker_threads, -1, 256,
                            "-1 (as the cores suggest), 0 (the I/O thread) or up to 256 threads");
  if (key == "paddock.linearizableReads") return set_bool(key, value, cfg.linearizable_reads);
  if (key == "forceSync") {
    if (value == "yes" || value == "true")
      cfg.force_sync = true;
    else if (value == "no" || value == "false")
      cfg.force_sync = false;
    else
      return invalid(key, value, "must be yes or no");
    return std::nullopt;
  }
  if (key == "snapCount")
    return set_int<int64_t>(key, value, cfg.snap_count, 2, i64max, "at least 2");
  if (key == "preAllocSize")
    return set_int<int64_t>(key, value, cfg.pre_alloc_size_kb, 1, i64max / 1024,
                            "a positive size in KB");
  if (key == "autopurge.snapRetainCount")
    return set_int<int32_t>(key, value, cfg.autopurge_snap_retain_count, 3, i32max, "at least 3");
  if (key == "autopurge.purgeInterval")
    return set_int<int32_t>(key, value, cfg.autopurge_purge_interval_h, 0, i32max,
                            "0 (off) or a number of hours");
  if (key == "initLimit")
    return set_int<int32_t>(key, value, cfg.init_limit, 1, i32max, "a positive number of ticks");
  if (key == "syncLimit")
    return set_int<int32_t>(key, value, cfg.sync_limit, 1, i32max, "a positive number of ticks");
  if (key.substr(0, 7) == "server.") return add_server(cfg, key, value);
  if (key == "peerType") {
    if (iequals(value, "observer"))
      cfg.peer_type_observer = true;
    else if (iequals(value, "participant"))
      cfg.peer_type_observer = false;
    else
      return invalid(key, value, "must be observer or participant");
    return std::nullopt;
  }
  if (key == "dynamicConfigFile") {
    if (value.empty()) return invalid(key, value, "must name a file");
    cfg.dynamic_config_file = value;
    return std::nullopt;
  }
  if (key == "reconfigEnabled") return set_bool(key, value, cfg.reconfig_enabled);
  if (key == "extendedTypesEnabled") return set_bool(key, value, cfg.extended_types_enabled);
  if (key == "standaloneEnabled") return set_bool(key, value, cfg.standalone_enabled);
  if (key == "readonlymode.enabled") return set_bool(key, value, cfg.read_only_mode_enabled);
  if (key == "localSessionsEnabled") return set_bool(key, value, cfg.local_sessions_enabled);
  if (key == "digest.enabled") return set_bool(key, value, cfg.digest_enabled);
  if (key == "quorumListenOnAllIPs") return set_bool(key, value, cfg.quorum_listen_on_all_ips);
  if (key == "electionPortBindRetry")
    return set_int<int32_t>(key, value, cfg.election_port_bind_retry, 0, i32max,
                            "0 (retry forever) or a number of retries");
  if (key == "electionAlg") {
    if (parse_int<int32_t>(value) != 3)
      return invalid(key, value,
                     "must be 3: fast leader election is the only one (as in ZooKeeper 3.8)");
    return std::nullopt;
  }
  if (key == "cnxTimeout")
    return set_int<int32_t>(key, value, cfg.cnx_timeout_ms, 1, i32max, "a positive number of ms");
  if (key == "DigestAuthenticationProvider.superDigest") {
    if (!valid_super_digest(value))
      return invalid(key, value,
                     "must be user:base64(sha1(user:password)), e.g. as "
                     "DigestAuthenticationProvider.generateDigest prints it");
    cfg.super_digest = value;
    return std::nullopt;
  }
  if (key == "admin.enableServer") return set_bool(key, value, cfg.admin_enable_server);
  if (key == "admin.serverAddress") {
    if (value.empty()) return invalid(key, value, "must be an address to listen on");
    cfg.admin_server_address = value;
    return std::nullopt;
  }
  if (key == "admin.serverPort")
    return set_int<int32_t>(key, value, cfg.admin_server_port, 1, 65535, "a port, 1..65535");
  if (key == "admin.commandURL") {
    if (value.size() < 2 || value[0] != '/' || value.back() == '/')
      return invalid(key, value, "must be a path such as /commands");
    cfg.admin_command_url = value;
    return std::nullopt;
  }
  if (key == "admin.idleTimeout")
    return set_int<int32_t>(key, value, cfg.admin_idle_timeout_ms, 1, i32max,
                            "a positive number of ms");
  if (key == "admin.snapshot.enabled") return set_bool(key, value, cfg.admin_snapshot_enabled);
  if (key == "admin.snapshot.intervalInMS")
    return set_int<int64_t>(key, value, cfg.admin_snapshot_interval_ms, 0, i64max,
                            "a number of ms (0: no limit)");
  if (key == "fsync.warningthresholdms")
    return set_int<int64_t>(key, value, cfg.fsync_warning_threshold_ms, 0, i64max,
                            "a number of ms (0: every fsync)");
  if (is_log_key(key)) {
    if (auto why = apply_log_key(cfg.log, key, value)) return invalid(key, value, *why);
    return std::nullopt;
  }
  if (key == "metricsProvider.className") {
    cfg.metrics_enabled = value == prometheus_metrics_provider;
    if (!cfg.metrics_enabled && value != "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider")
      cfg.warnings.push_back("metricsProvider.className " + std::string(value) +
                             " is not the Prometheus provider: no /metrics endpoint");
    return std::nullopt;
  }
  if (key == "metricsProvider.httpHost") {
    if (value.empty()) return invalid(key, value, "must name an address to listen on");
    cfg.metrics_http_host = value;
    return std::nullopt;
  }
  if (key == "metricsProvider.httpPort")
    return set_int<int32_t>(key, value, cfg.metrics_http_port, 1, 65535, "a port number (1-65535)");
  if (key == "metricsProvider.exportJvmInfo")
    return set_bool(key, value, cfg.metrics_export_jvm_info);
  if (auto handled = apply_sasl_key(cfg, key, value)) return *handled;
  if (auto handled = apply_quorum_tls_key(cfg.quorum_tls, key, value, cfg.warnings))
    return *handled;
  if (auto handled = apply_tls_key(cfg.tls, key, value)) return *handled;
  if (known_but_unused(key))
    cfg.warnings.push_back("key " + std::string(key) + " is accepted but not used yet");
  else
    cfg.warnings.push_back("unknown key " + std::string(key) + " (ignored)");
  return std::nullopt;
}

// Calls fn(key, value) for each property of java.util.Properties text (without its line
// continuations and escapes), stopping at the first error.
template <class Fn> std::optional<config_error> for_each_property(std::string_view text, Fn fn) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    // The key ends at the first '=', ':' or whitespace; one such separator (with whitespace
    // around it) precedes the value.
    auto end = line.find_first_of("=: \t");
    auto key = line.substr(0, end);
    std::string_view value;
    if (end != std::string_view::npos) {
      auto rest = trim(line.substr(end));
      if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = trim(rest.substr(1));
      value = rest;
    }
    if (auto err = fn(key, value)) return err;
  }
  return std::nullopt;
}

} // namespace

std::variant<peer_address, config_error> parse_server(std::string_view key,
                                                      std::string_view value) {
  if (key.substr(0, 7) != "server.") return invalid(key, value, "a server line's key is server.N");
  auto id = parse_int<int64_t>(key.substr(7));
  if (!id || *id < 1 || *id > 255)
    return invalid(key, value, "the server id after 'server.' must be a number from 1 to 255");
  return parse_server_line(key, *id, value);
}

std::optional<config_error> check_members(const std::map<int64_t, peer_address>& servers,
                                          bool standalone_enabled) {
  server_config cfg;
  cfg.servers = servers;
  cfg.standalone_enabled = standalone_enabled;
  return check_servers(cfg);
}

std::string to_string(const peer_address& p) {
  auto s = host_port(p.host, p.quorum_port) + ":" + std::to_string(p.election_port) +
           (p.observer ? ":observer" : ":participant");
  if (p.client_port != 0)
    s += ";" + (p.client_address.empty() ? std::to_string(p.client_port)
                                         : host_port(p.client_address, p.client_port));
  return s;
}

bool server_config::four_letter_allowed(std::string_view cmd) const {
  // zkServer.sh depends on srvr, so ZooKeeper always answers it.
  if (cmd == "srvr") return true;
  return four_letter_whitelist.count("*") != 0 ||
         four_letter_whitelist.count(std::string(cmd)) != 0;
}

bool server_config::enforce_auth_satisfied_by(std::string_view scheme) const {
  return std::find(enforce_auth_schemes.begin(), enforce_auth_schemes.end(), scheme) !=
         enforce_auth_schemes.end();
}

bool server_config::is_ensemble() const {
  return !servers.empty() && (!standalone_enabled || voter_count() > 1);
}

const peer_address* server_config::self() const {
  auto it = servers.find(server_id);
  return it == servers.end() ? nullptr : &it->second;
}

std::size_t server_config::voter_count() const {
  return static_cast<std::size_t>(std::count_if(
      servers.begin(), servers.end(), [](const auto& kv) { return !kv.second.observer; }));
}

bool server_config::plaintext_client_port() const {
  if (client_port_set || !tls.enabled()) return true;
  const auto* me = self();
  return me != nullptr && me->client_port != 0;
}

std::string config_error::to_string() const {
  if (key.empty()) return message;
  return "invalid value '" + value + "' for key '" + key + "': " + message;
}

parse_result parse_zoo_cfg(std::string_view text) {
  server_config cfg;
  bool have_data_dir = false;
  auto err = for_each_property(text, [&](std::string_view key, std::string_view value) {
    if (key == "dataDir") have_data_dir = true;
    return apply(cfg, key, value);
  });
  if (err) return *err;
  if (!have_data_dir) return invalid("dataDir", "", "is required");
  if (auto e = check_enforce_auth(cfg)) return *e;
  if (auto e = check_quorum_auth(cfg)) return *e;
  if (auto e = check_tls(cfg.tls)) return *e;
  if (auto e = check_quorum_tls(cfg.quorum_tls)) return *e;
  if (cfg.effective_min_session_timeout() > cfg.effective_max_session_timeout())
    return invalid("minSessionTimeout", std::to_string(cfg.effective_min_session_timeout()),
                   "must not be larger than maxSessionTimeout (" +
                       std::to_string(cfg.effective_max_session_timeout()) + ")");
  if (!cfg.dynamic_config_file.empty()) {
    // As ZooKeeper: with a dynamic file the ensemble is there and only there.
    if (!cfg.servers.empty()) {
      const auto& p = cfg.servers.begin()->second;
      return invalid("server." + std::to_string(p.id), to_string(p),
                     "must be in the dynamic configuration file " + cfg.dynamic_config_file +
                         " when dynamicConfigFile is set, not in zoo.cfg");
    }
    return cfg; // the servers are checked once the dynamic file is read
  }
  if (auto e = check_servers(cfg)) return *e;
  return cfg;
}

std::optional<config_error> add_dynamic_config(server_config& cfg, std::string_view text) {
  auto err = for_each_property(
      text, [&](std::string_view key, std::string_view value) -> std::optional<config_error> {
        if (key == "version") return std::nullopt; // ZooKeeper's reconfig bookkeeping
        if (key.substr(0, 7) == "server.") return add_server(cfg, key, value);
        if (key.substr(0, 6) == "group." || key.substr(0, 7) == "weight.") {
          cfg.warnings.push_back("key " + std::string(key) + " is accepted but not used yet");
          return std::nullopt;
        }
        return invalid(key, value, "only server.N lines belong in the dynamic configuration file");
      });
  if (err) return err;
  return check_servers(cfg);
}

std::optional<config_error> resolve_self(server_config& cfg, std::string_view myid_path) {
  auto ids = [&] {
    std::string s;
    for (const auto& [id, p] : cfg.servers)
      s += (s.empty() ? "" : ", ") + std::to_string(id);
    return s;
  };
  const peer_address* me = cfg.self();
  if (!me) {
    if (!cfg.is_ensemble()) return std::nullopt; // standalone: myid is optional
    if (cfg.server_id == 0)
      return config_error{"myid", "",
                          std::string(myid_path) + " is missing or holds 0; in an ensemble it " +
                              "must hold this server's id, one of the server.N ids: " + ids()};
    return config_error{"myid", std::to_string(cfg.server_id),
                        "the id " + std::to_string(cfg.server_id) + " in " +
                            std::string(myid_path) + " is not one of the server.N ids: " + ids()};
  }
  const auto line = "server." + std::to_string(me->id) + "=" + to_string(*me);
  if (cfg.peer_type_observer && *cfg.peer_type_observer != me->observer)
    return invalid("peerType", *cfg.peer_type_observer ? "observer" : "participant",
                   "this server's line " + line + " says " +
                       (me->observer ? "observer" : "participant") + ": the two must agree");
  if (me->client_port != 0) {
    // ZooKeeper's setupClientPort: the line's client part must agree with clientPort and
    // with a specific clientPortAddress; then it is the one used.
    if (cfg.client_port_set && cfg.client_port != me->client_port)
      return invalid("clientPort", std::to_string(cfg.client_port),
                     "this server's line " + line + " gives client port " +
                         std::to_string(me->client_port) + ": the two must agree");
    if (!is_any_address(cfg.client_port_address) && cfg.client_port_address != me->client_address)
      return invalid(
          "clientPortAddress", cfg.client_port_address,
          "this server's line " + line + " gives client address " +
              (me->client_address.empty() ? "0.0.0.0 (all addresses)" : me->client_address) +
              ": the two must agree");
    cfg.client_port = me->client_port;
    if (!me->client_address.empty()) cfg.client_port_address = me->client_address;
  } else if (cfg.is_ensemble() && !cfg.client_port_set && !cfg.tls.enabled()) {
    return invalid("clientPort", "",
                   "is required in an ensemble: set clientPort, or give this server's client "
                   "port in its line (" +
                       line + ";2181)");
  }
  return std::nullopt;
}

namespace {
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
} // namespace

parse_result load_zoo_cfg(const std::string& path) {
  auto text = read_file(path);
  if (!text) return config_error{"", "", "cannot read configuration file " + path};
  auto result = parse_zoo_cfg(*text);
  auto* cfg = std::get_if<server_config>(&result);
  if (!cfg) return result;
  {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(path, ec);
    cfg->config_path = ec ? path : absolute.lexically_normal().string();
  }
  if (!cfg->dynamic_config_file.empty()) {
    const auto& dyn_path = cfg->dynamic_config_file;
    cfg->config_version = version_of_dynamic_config_path(dyn_path);
    auto dyn = read_file(dyn_path);
    if (!dyn)
      return invalid("dynamicConfigFile", dyn_path,
                     "cannot read the dynamic configuration file (a relative path is relative to "
                     "the working directory)");
    if (auto e = add_dynamic_config(*cfg, *dyn)) {
      e->message += " (in the dynamic configuration file " + dyn_path + ")";
      return *e;
    }
  }
  const auto myid_path = cfg->data_dir + "/myid";
  std::ifstream myid(myid_path);
  if (myid) {
    std::string line;
    std::getline(myid, line);
    auto id = parse_int<int64_t>(trim(line));
    if (!id || *id < 0 || *id > 255)
      return config_error{"myid", line,
                          "invalid value '" + line + "' in " + myid_path +
                              ": must be a server id from 0 to 255"};
    cfg->server_id = *id;
  }
  if (auto e = resolve_self(*cfg, myid_path)) return *e;
  return result;
}

} // namespace paddock::config
