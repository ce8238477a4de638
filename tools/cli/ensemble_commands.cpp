// reconfig and config: zkCli's commands of the same names, with the same output.
#include "tools/cli/commands.hpp"
#include "tools/cli/session.hpp"
#include "tools/cli/stat_printer.hpp"
#include "tools/common/reply_bodies.hpp"

#include <iostream>
#include <string_view>

namespace paddock::cli {

namespace {

// Where ZooKeeper keeps the active membership (ZooDefs.CONFIG_NODE).
constexpr std::string_view config_node = "/zookeeper/config";

void print_data(const tools::get_data_reply& reply) {
  std::cout << (reply.data_is_null ? std::string_view("null") : std::string_view(reply.data))
            << '\n';
}

} // namespace

int cmd_reconfig(const context& ctx, const reconfig_options& options, bool with_stat) {
  auto built = build_reconfig_request(options);
  if (auto* why = std::get_if<std::string>(&built)) {
    std::cerr << "paddock-cli: reconfig: " << *why << '\n';
    return exit_usage;
  }
  int status = 0;
  bool unanswered = false;
  auto r = run_one(ctx, "reconfig", "", jute::opcode::reconfig,
                   std::get<jute::reconfig_request>(built), status, &unanswered);
  // A change that takes the leader away makes every server drop its clients while they elect
  // a new one, sometimes before the answer to this very reconfig is out (ZooKeeper too).
  if (unanswered)
    std::cerr << "paddock-cli: reconfig: no answer, but the change may have committed: "
                 "`config` shows the active configuration\n";
  if (!r) return status;
  // The reply is a GetDataResponse: the new configuration as /zookeeper/config holds it.
  auto reply = tools::decode_get_data(r->body);
  if (!reply) return malformed("reconfig", "");
  std::cout << "Committed new configuration:\n";
  print_data(*reply);
  if (with_stat) print_stat(std::cout, reply->stat);
  return exit_ok;
}

int cmd_config(const context& ctx, bool with_stat) {
  int status = 0;
  std::string path(config_node);
  auto r = run_one(ctx, "config", path, jute::opcode::get_data,
                   jute::path_watch_request{path, false}, status);
  if (!r) return status;
  auto reply = tools::decode_get_data(r->body);
  if (!reply) return malformed("config", path);
  print_data(*reply);
  if (with_stat) print_stat(std::cout, reply->stat);
  return exit_ok;
}

} // namespace paddock::cli
