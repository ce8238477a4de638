// zkCli's ACL and identity commands: getAcl, setAcl, addauth, whoami.
#include "protocol/jute/error_code.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/keeper_errors.hpp"
#include "tools/cli/stat_printer.hpp"
#include "tools/cli/zk_text.hpp"

#include <charconv>
#include <sstream>

namespace paddock::cli {

namespace {

std::string stat_text(const jute::stat& s) {
  std::ostringstream out;
  print_stat(out, s);
  return out.str();
}

void get_acl_command(cli_state& st, const parsed_command& c, result& r) {
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto acl = cli::get_acl(*st.session, path);
  if (!succeeded(acl, path, r)) return;
  std::string entries = "[";
  for (const auto& a : acl.value->acls) {
    r.out += acl_entry_text(a) + "\n";
    if (entries.size() > 1) entries += ",";
    entries += json_object()
                   .add("scheme", a.id.scheme)
                   .add("id", a.id.ident)
                   .add("perms", perm_string(a.perms))
                   .render();
  }
  r.json.add("path", path).add_raw("acl", entries + "]");
  if (c.has("s")) {
    r.out += stat_text(acl.value->stat);
    r.json.add_raw("stat", json_stat(acl.value->stat));
  }
}

// ZKUtil.visitSubTreeDFS's order, for setAcl -R.
void subtree(session& s, const std::string& path, std::vector<std::string>& out) {
  auto children = get_children(s, path, false);
  if (!children.ok()) return;
  auto names = children.value->children;
  std::sort(names.begin(), names.end());
  std::string prefix = path == "/" ? "/" : path + "/";
  for (const auto& n : names)
    out.push_back(prefix + n);
  for (const auto& n : names)
    subtree(s, prefix + n, out);
}

void set_acl_command(cli_state& st, const parsed_command& c, result& r) {
  int32_t version = -1;
  if (auto text = c.value("v")) {
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), version);
    if (ec != std::errc{} || ptr != text->data() + text->size())
      return r.fail(exit_usage, "-v argument must be an int value", "usage");
  }
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto acls = parse_acl(c.args[2], r.err);
  r.json.add("path", path);
  // The Java client refuses an empty ACL itself, with no path in its exception.
  if (acls.empty()) {
    record_failure(false, static_cast<int32_t>(jute::error_code::invalid_acl), "null", r);
    return;
  }
  if (c.has("R")) {
    auto root = get_data(*st.session, path, false);
    if (!succeeded(root, path, r)) return;
    std::vector<std::string> paths{path};
    subtree(*st.session, path, paths);
    std::vector<std::string> refused;
    for (const auto& p : paths) {
      auto s = cli::set_acl(*st.session, p, acls, version);
      if (s.ok()) continue;
      // zkCli prints the Java exception's message for each znode it could not change and
      // goes on (without a newline; paddock-cli ends the line).
      r.out += keeper_exception_message(s.lost ? -4 : s.err, p) + "\n";
      refused.push_back(p);
    }
    r.json.add_raw("refused", json_strings(refused));
    if (!refused.empty()) r.fail(exit_failed, "", "partial");
    return;
  }
  auto s = cli::set_acl(*st.session, path, acls, version);
  if (!succeeded(s, path, r)) return;
  if (c.has("s")) {
    r.out = stat_text(*s.value);
    r.json.add_raw("stat", json_stat(*s.value));
  }
}

void addauth(cli_state& st, const parsed_command& c, result& r) {
  std::string credentials = c.args.size() > 2 ? c.args[2] : "";
  auto a = add_auth(*st.session, c.args[1], credentials);
  r.json.add("scheme", c.args[1]);
  if (!succeeded(a, "", r)) return;
  // Sent again after a `connect`, as the Java client sends its auth info on reconnection.
  st.auth.push_back({c.args[1], credentials});
}

void whoami(cli_state& st, const parsed_command&, result& r) {
  auto who = who_am_i(*st.session);
  if (!succeeded(who, "", r)) return;
  r.out = "Auth scheme: User\n";
  std::string clients = "[";
  for (const auto& info : *who.value) {
    r.out += info.auth_scheme + ": " + info.user + "\n";
    if (clients.size() > 1) clients += ",";
    clients += json_object().add("scheme", info.auth_scheme).add("user", info.user).render();
  }
  r.json.add_raw("clients", clients + "]");
}

} // namespace

void add_acl_commands(std::vector<command>& t) {
  t.push_back({"getAcl", "[-s] path", {{"s"}}, true, 2, get_acl_command});
  t.push_back({"setAcl",
               "[-s] [-v version] [-R] path acl",
               {{"s"}, {"v", true}, {"R"}},
               true,
               3,
               set_acl_command});
  t.push_back({"addauth", "scheme auth", {}, true, 2, addauth});
  t.push_back({"whoami", "", {}, true, 1, whoami});
}

} // namespace paddock::cli
