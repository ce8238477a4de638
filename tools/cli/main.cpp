// paddock-cli: a small zkCli-like client for scripts and humans.
//   paddock-cli [--server host:port] [--auth scheme:credentials]... COMMAND ARGS
// Exit status: 0 ok, 1 ZooKeeper error (its name is printed), 2 usage, 3 connection failure.
#include "paddock/version.hpp"
#include "tools/cli/commands.hpp"
#include "tools/cli/zkcli_spellings.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

// --auth digest:user:password: the scheme is what comes before the first colon.
std::optional<paddock::cli::auth_credential> parse_auth(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  return paddock::cli::auth_credential{text.substr(0, colon), text.substr(colon + 1)};
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

int main(int argc, char** argv) {
  using namespace paddock;
  CLI::App app{"paddock-cli: a small ZooKeeper command-line client (speaks to Paddock or "
               "Apache ZooKeeper)"};
  app.set_version_flag("--version", std::string("paddock-cli ") + version_string);
  app.require_subcommand(1);
  app.fallthrough(); // --server may come after the command too

  std::string server = "127.0.0.1:2181";
  int timeout_ms = 10000;
  app.add_option("--server", server, "host:port of the server")->capture_default_str();
  app.add_option("--timeout", timeout_ms, "connect and reply timeout in milliseconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  std::vector<std::string> auth_texts;
  app.add_option("--auth", auth_texts,
                 "scheme:credentials sent as addAuth before the command (repeatable), e.g. "
                 "digest:super:password")
      ->allow_extra_args(false); // one value per --auth, as zkCli's one addauth per line

  std::string path, data, word;
  bool ephemeral = false, sequential = false;
  int32_t version = -1;

  auto* ls = app.add_subcommand("ls", "list the children of PATH, one per line, sorted");
  ls->add_option("PATH", path)->required();
  auto* get = app.add_subcommand("get", "print the data of PATH");
  get->add_option("PATH", path)->required();
  auto* stat = app.add_subcommand("stat", "print the Stat of PATH, as zkCli does");
  stat->add_option("PATH", path)->required();
  auto* create = app.add_subcommand("create", "create PATH with DATA (default empty)");
  create->add_flag("-e", ephemeral, "ephemeral (deleted when this command's session ends)");
  create->add_flag("-s", sequential, "sequential (a 10-digit counter is appended)");
  create->add_option("PATH", path)->required();
  create->add_option("DATA", data);
  auto* set = app.add_subcommand("set", "set the data of PATH");
  set->add_option("PATH", path)->required();
  set->add_option("DATA", data)->required();
  set->add_option("-v", version, "expected version (-1: any)");
  auto* del = app.add_subcommand("delete", "delete PATH");
  del->add_option("PATH", path)->required();
  del->add_option("-v", version, "expected version (-1: any)");
  auto* four = app.add_subcommand("4lw", "send a four-letter word (ruok, srvr, mntr, ...)");
  four->add_option("WORD", word)->required();

  // zkCli's reconfig and config. zkCli's one-dash -add/-remove/-members/-file are accepted too
  // (zkcli_spellings.hpp); its -v and -s are the short forms here.
  cli::reconfig_options reconfig_options;
  std::string file_path;
  bool with_stat = false;
  auto* reconfig = app.add_subcommand(
      "reconfig", "change the ensemble's membership; prints the committed configuration");
  reconfig->add_option("--add", reconfig_options.add,
                       "servers to add or change: server.N=host:quorum:election[:role];"
                       "[host:]client[,...]");
  reconfig->add_option("--remove", reconfig_options.remove, "ids of servers to remove: N[,...]");
  reconfig->add_option("--members", reconfig_options.members,
                       "the whole new membership (bulk): server.N=...[,...]");
  reconfig->add_option("--file", file_path,
                       "the whole new membership from a file's server.N=... lines (bulk)");
  reconfig->add_option("-v,--version", reconfig_options.version,
                       "only if the current configuration has this version (hex, as "
                       "/zookeeper/config's version= line)");
  reconfig->add_flag("-s,--stat", with_stat, "print the Stat of /zookeeper/config too");
  auto* config = app.add_subcommand("config", "print the ensemble's configuration "
                                              "(/zookeeper/config)");
  config->add_flag("-s,--stat", with_stat, "print the Stat too");

  std::vector<std::string> args = cli::with_zkcli_spellings({argv + 1, argv + argc});
  std::vector<char*> arg_pointers{argv[0]};
  for (auto& a : args)
    arg_pointers.push_back(a.data());
  try {
    app.parse(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; real usage errors exit 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto ep = tools::parse_endpoint(server);
  if (!ep) {
    std::cerr << "paddock-cli: bad --server '" << server << "' (want host:port)\n";
    return 2;
  }
  cli::context ctx{*ep, std::chrono::milliseconds(timeout_ms), {}};
  for (const auto& text : auth_texts) {
    auto auth = parse_auth(text);
    if (!auth) {
      std::cerr << "paddock-cli: bad --auth '" << text << "' (want scheme:credentials)\n";
      return 2;
    }
    ctx.auth.push_back(*auth);
  }
  if (reconfig->count("--file") > 0) {
    reconfig_options.file = read_file(file_path);
    if (!reconfig_options.file) {
      std::cerr << "paddock-cli: reconfig: cannot read --file '" << file_path << "'\n";
      return 2;
    }
  }
  if (*ls) return cli::cmd_ls(ctx, path);
  if (*get) return cli::cmd_get(ctx, path);
  if (*stat) return cli::cmd_stat(ctx, path);
  if (*create) return cli::cmd_create(ctx, path, data, ephemeral, sequential);
  if (*set) return cli::cmd_set(ctx, path, data, version);
  if (*del) return cli::cmd_delete(ctx, path, version);
  if (*reconfig) return cli::cmd_reconfig(ctx, reconfig_options, with_stat);
  if (*config) return cli::cmd_config(ctx, with_stat);
  return cli::cmd_four_letter(ctx, word);
}
