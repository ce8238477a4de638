// paddock: the server binary. `paddock --config zoo.cfg` (or `paddock zoo.cfg`, as
// zkServer.sh passes it). Exit status 2 for a bad command line or configuration.
#include "actors/logging.hpp"
#include "actors/messages/peer_protocol_version.hpp"
#include "actors/migration_command.hpp"
#include "actors/restore_command.hpp"
#include "actors/server.hpp"
#include "actors/verify_command.hpp"
#include "config/quorum_sasl_settings.hpp"
#include "config/sasl_settings.hpp"
#include "config/zoo_config.hpp"
#include "paddock/git_commit.hpp"
#include "paddock/version.hpp"
#include "protocol/sasl/sasl_server.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <spdlog/spdlog.h>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage = R"(Usage: paddock --config FILE
  or:  paddock FILE
  or:  paddock import-zookeeper --from ZK_DATADIR --to DATADIR [--from-log ZK_DATALOGDIR]
  or:  paddock export-zookeeper --from DATADIR --to ZK_DATADIR [--from-log DATALOGDIR]
  or:  paddock verify DATADIR [--log-dir DATALOGDIR]
  or:  paddock restore FILE --to DATADIR [--log-dir DATALOGDIR]

Runs a Paddock server, a ZooKeeper-compatible coordination service.
FILE is a ZooKeeper zoo.cfg (tickTime, dataDir, clientPort, clientPortAddress,
maxClientCnxns, minSessionTimeout, maxSessionTimeout, 4lw.commands.whitelist,
jute.maxbuffer, ...); dataDir/myid is read when present.

Options:
  -c, --config FILE     the zoo.cfg to read
      --log-level LEVEL
                        trace, debug, info (default), warn, error, critical, off
                        (over paddock.log.level in zoo.cfg and $PADDOCK_LOG_LEVEL)
      --log-file FILE   log to FILE instead of standard error, rotated by size
                        (over paddock.log.file; see docs/operator-guide.md, Logs)
      --enable-fault-injection
                        FOR TESTS ONLY: a client-port connection that sends
                        `kill <target>\n` kills that actor of the server (session,
                        follower-link, pipeline, watch-manager, store, log-writer,
                        peer-links, session-tracker); see docs/operator-guide.md.
                        Never on a server that holds data you care about.
  -h, --help            print this help and exit
  -V, --version         print the version, the git commit and the build type, and
                        exit
      --peer-protocol-version
                        print the peer protocol version (the layout of the messages
                        between servers: servers of different versions cannot form
                        an ensemble) and exit
)";

// Client SASL, when a JAAS file is given (docs/operator-guide.md, SASL). False: the
// configuration is wrong, the message is logged.
bool setup_sasl(const paddock::config::server_config& cfg) {
  auto loaded = paddock::config::load_sasl_settings(cfg, std::getenv("SERVER_JVMFLAGS"));
  if (auto* err = std::get_if<std::string>(&loaded)) {
    spdlog::critical("{}", *err);
    return false;
  }
  auto* settings = std::get_if<paddock::config::sasl_settings>(&loaded);
  if (!settings) return true;
  if (auto err = paddock::sasl::init_sasl_server(*settings)) {
    spdlog::critical("SASL: {}", *err);
    return false;
  }
  spdlog::info("SASL: clients authenticate with {}{}", paddock::sasl::sasl_mechanism(),
               settings->section.uses_kerberos()
                   ? " as " + settings->section.principal
                   : " (" + std::to_string(settings->section.users.size()) + " users)");
  if (!cfg.sasl_provider)
    spdlog::warn("SASL: without authProvider.N=org.apache.zookeeper.server.auth."
                 "SASLAuthenticationProvider a sasl id grants nothing (as in ZooKeeper)");
  return true;
}

// Quorum SASL, when quorum.auth.enableSasl=true (docs/operator-guide.md, SASL, "Between
// servers"). False: the configuration is wrong, the message is logged.
bool setup_quorum_sasl(const paddock::config::server_config& cfg) {
  if (!cfg.quorum_enable_sasl) return true;
  auto loaded = paddock::config::load_quorum_sasl_settings(cfg, std::getenv("SERVER_JVMFLAGS"));
  if (auto* err = std::get_if<std::string>(&loaded)) {
    spdlog::critical("{}", *err);
    return false;
  }
  const auto& settings = std::get<paddock::config::quorum_sasl_settings>(loaded);
  if (auto err = paddock::sasl::init_quorum_sasl(settings)) {
    spdlog::critical("quorum SASL: {}", *err);
    return false;
  }
  spdlog::info("quorum SASL: DIGEST-MD5, this server authenticates as '{}', {} accepted names "
               "(learnerRequireSasl={}, serverRequireSasl={})",
               settings.learner_user, settings.users.size(), cfg.quorum_learner_require_sasl,
               cfg.quorum_server_require_sasl);
  return true;
}

} // namespace

int main(int argc, char** argv) {
  if (auto status = paddock::actors::run_migration_command(argc, argv)) return *status;
  if (auto status = paddock::actors::run_verify_command(argc, argv)) return *status;
  if (auto status = paddock::actors::run_restore_command(argc, argv)) return *status;
  std::string config_path;
  // Unset: paddock.log.level / paddock.log.file from zoo.cfg decide.
  std::optional<std::string> log_level;
  std::optional<std::string> log_file;
  paddock::actors::run_options options;
  if (const char* env = std::getenv("PADDOCK_LOG_LEVEL")) log_level = env;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "paddock: " << name << " needs a value\n" << usage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      return 0;
    } else if (arg == "-V" || arg == "--version") {
      // One line, for scripts and help2man: the version, the commit it was built from
      // ("unknown" outside a git checkout) and CMAKE_BUILD_TYPE.
      std::cout << "paddock " << paddock::version_string << " (commit " << paddock::git_commit
                << ", " << paddock::build_type << " build, ZooKeeper protocol "
                << paddock::zookeeper_compat_version << ")\n";
      return 0;
    } else if (arg == "--peer-protocol-version") {
      // One integer, for tools/deploy upgrade: a rolling upgrade needs the same on both
      // binaries (docs/operator-guide.md, "Upgrades and the on-disk format").
      std::cout << paddock::actors::peer_protocol_version << "\n";
      return 0;
    } else if (arg == "-c" || arg == "--config") {
      config_path = value(arg);
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = std::string(arg.substr(9));
    } else if (arg == "--log-level") {
      log_level = value(arg);
    } else if (arg == "--log-file") {
      log_file = value(arg);
    } else if (arg == "--enable-fault-injection") {
      options.fault_injection = true;
    } else if (!arg.empty() && arg[0] != '-' && config_path.empty()) {
      config_path = std::string(arg);
    } else {
      std::cerr << "paddock: unknown argument '" << arg << "'\n" << usage;
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "paddock: no configuration file given\n" << usage;
    return 2;
  }
  if (log_level && !paddock::config::valid_log_level(*log_level)) {
    std::cerr << "paddock: unknown log level '" << *log_level << "'\n" << usage;
    return 2;
  }
  // Standard error until zoo.cfg says where the log goes: its own errors are printed there.
  paddock::actors::log_to_stderr(log_level.value_or("info"));

  auto parsed = paddock::config::load_zoo_cfg(config_path);
  if (auto* err = std::get_if<paddock::config::config_error>(&parsed)) {
    spdlog::critical("{}: {}", config_path, err->to_string());
    return 2;
  }
  auto& cfg = std::get<paddock::config::server_config>(parsed);
  if (log_level) cfg.log.level = *log_level;
  if (log_file) cfg.log.file = *log_file;
  std::unique_ptr<paddock::actors::log_file> file_log;
  if (!cfg.log.file.empty()) {
    try {
      file_log = std::make_unique<paddock::actors::log_file>(cfg.log);
    } catch (const std::exception& e) {
      spdlog::critical("cannot log to {}: {}", cfg.log.file, e.what());
      return 2;
    }
  } else {
    spdlog::set_level(spdlog::level::from_str(cfg.log.level));
  }
  for (const auto& w : cfg.warnings)
    spdlog::warn("{}: {}", config_path, w);
  if (!setup_sasl(cfg) || !setup_quorum_sasl(cfg)) return 2;
  return paddock::actors::run_server(cfg, options);
}
