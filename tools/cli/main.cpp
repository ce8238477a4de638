// paddock-cli: a small zkCli-like client for scripts and humans.
//   paddock-cli [--server host:port] COMMAND ARGS
// Exit status: 0 ok, 1 ZooKeeper error (its name is printed), 2 usage, 3 connection failure.
#include "paddock/version.hpp"
#include "tools/cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; real usage errors exit 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto ep = tools::parse_endpoint(server);
  if (!ep) {
    std::cerr << "paddock-cli: bad --server '" << server << "' (want host:port)\n";
    return 2;
  }
  cli::context ctx{*ep, std::chrono::milliseconds(timeout_ms)};
  if (*ls) return cli::cmd_ls(ctx, path);
  if (*get) return cli::cmd_get(ctx, path);
  if (*stat) return cli::cmd_stat(ctx, path);
  if (*create) return cli::cmd_create(ctx, path, data, ephemeral, sequential);
  if (*set) return cli::cmd_set(ctx, path, data, version);
  if (*del) return cli::cmd_delete(ctx, path, version);
  return cli::cmd_four_letter(ctx, word);
}
