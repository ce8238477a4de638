// zkCli's config and reconfig, and paddock-cli's 4lw (a four-letter word on its own
// connection, as `echo mntr | nc` would send it).
#include "tools/cli/client_config.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/reconfig_spec.hpp"
#include "tools/cli/stat_printer.hpp"
#include "tools/common/net.hpp"

#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace paddock::cli {

namespace {

// Where ZooKeeper keeps the active membership (ZooDefs.CONFIG_NODE).
const std::string config_node = "/zookeeper/config";

std::string data_text(const tools::get_data_reply& reply) {
  return reply.data_is_null ? std::string("null") : reply.data;
}

void add_stat(const parsed_command& c, const jute::stat& s, result& r) {
  if (!c.has("s")) return;
  std::ostringstream out;
  print_stat(out, s);
  r.out += out.str();
  r.json.add_raw("stat", json_stat(s));
}

void config(cli_state& st, const parsed_command& c, result& r) {
  bool watch = c.has("w");
  auto reply = get_data(*st.session, config_node, watch);
  if (!succeeded(reply, config_node, r)) return;
  if (watch) st.watches.add(config_node, watch_kind::data);
  auto text = data_text(*reply.value);
  r.out = (c.has("c") ? client_config_string(text) : text) + "\n";
  r.json.add("config", c.has("c") ? client_config_string(text) : text);
  add_stat(c, reply.value->stat, r);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void reconfig_command(cli_state& st, const parsed_command& c, result& r) {
  reconfig_options options{c.value("add"), c.value("remove"), c.value("members"), std::nullopt,
                           c.value("v")};
  if (auto path = c.value("file")) {
    options.file = read_file(*path);
    if (!options.file) return r.fail(exit_usage, "reconfig: cannot read -file " + *path, "usage");
  }
  auto built = build_reconfig_request(options);
  if (auto* why = std::get_if<std::string>(&built))
    return r.fail(exit_usage, "reconfig: " + *why, "usage");
  auto reply = cli::reconfig(*st.session, std::get<jute::reconfig_request>(built));
  if (reply.lost)
    // A change that takes the leader away makes every server drop its clients while they
    // elect a new one, sometimes before the answer to this very reconfig is out.
    r.err += "reconfig: no answer, but the change may have committed: `config` shows the "
             "active configuration\n";
  // The Java admin client reports reconfig's errors with an empty path.
  if (!succeeded(reply, "", r)) return;
  r.out = "Committed new configuration:\n" + data_text(*reply.value) + "\n";
  r.json.add("config", data_text(*reply.value));
  add_stat(c, reply.value->stat, r);
}

void four_letter(cli_state& st, const parsed_command& c, result& r) {
  auto servers = tools::parse_endpoint_list(st.connect_string);
  if (!servers) return r.fail(exit_usage, "bad server list " + st.connect_string, "usage");
  std::string error;
  int fd = tools::connect_tcp(servers->front(), st.timeout, error);
  if (fd < 0) return r.fail(exit_connection, error, "connection");
  const auto& word = c.args[1];
  tools::send_all(fd, word);
  // The server answers and closes the connection.
  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + st.timeout;
  char buf[4096];
  while (tools::wait_readable(fd, deadline)) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  r.out = answer;
  if (!answer.empty() && answer.back() != '\n') r.out += '\n';
  r.json.add("word", word).add("response", answer);
}

} // namespace

void add_ensemble_commands(std::vector<command>& t) {
  t.push_back(
      {"config", "[-c] [-w] [-s]", {{"c"}, {"w"}, {"s", false, {"stat"}}}, true, 1, config});
  t.push_back(
      {"reconfig",
       "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | "
       "[-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]",
       {{"s", false, {"stat"}},
        {"v", true, {"version"}},
        {"file", true},
        {"members", true},
        {"add", true},
        {"remove", true}},
       true,
       1,
       reconfig_command});
  t.push_back({"4lw",
               "word # paddock-cli: a four-letter word (ruok, srvr, mntr, ...)",
               {},
               false,
               2,
               four_letter});
}

} // namespace paddock::cli
