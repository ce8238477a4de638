// zkCli's write commands: create, set, delete, deleteall.
#include "protocol/jute/codec.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/keeper_errors.hpp"
#include "tools/cli/stat_printer.hpp"
#include "tools/cli/zk_text.hpp"

#include <charconv>
#include <sstream>

namespace paddock::cli {

namespace {

template <class T> std::optional<T> number(const std::string& text) {
  T v{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// -v VERSION, -1 (any) when absent.
bool version_option(const parsed_command& c, int32_t& version, result& r) {
  version = -1;
  if (auto text = c.value("v")) {
    auto v = number<int32_t>(*text);
    if (!v) {
      r.fail(exit_usage, "-v argument must be an int value", "usage");
      return false;
    }
    version = *v;
  }
  return true;
}

// EphemeralType.TTL's bound: 40 bits of milliseconds.
constexpr int64_t max_ttl = (int64_t{1} << 40) - 1;

// CreateCommand's rules for combining -e -s -c -t, with its messages.
std::optional<int32_t> create_flags(const parsed_command& c, int64_t& ttl, result& r) {
  bool e = c.has("e"), s = c.has("s"), container = c.has("c"), t = c.has("t");
  auto malformed = [&](std::string why) {
    r.fail(exit_usage, std::move(why), "usage");
    return std::nullopt;
  };
  if (container && (e || s))
    return malformed(
        "-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
  ttl = 0;
  if (t) {
    auto v = number<int64_t>(*c.value("t"));
    if (!v) return malformed("-t argument must be a long value");
    ttl = *v;
  }
  if (t && e) return malformed("TTLs cannot be used with Ephemeral znodes");
  if (t && container) return malformed("TTLs cannot be used with Container znodes");
  if (t && (ttl <= 0 || ttl > max_ttl))
    return malformed("ttl must be positive and cannot be larger than: " + std::to_string(max_ttl));
  namespace m = jute::create_mode;
  if (e && s) return m::ephemeral_sequential;
  if (e) return m::ephemeral;
  if (s) return t ? m::persistent_sequential_with_ttl : m::persistent_sequential;
  if (container) return m::container;
  return t ? m::persistent_with_ttl : m::persistent;
}

void create_command(cli_state& st, const parsed_command& c, result& r) {
  int64_t ttl = 0;
  auto flags = create_flags(c, ttl, r);
  if (!flags) return;
  const auto& path = c.args[1];
  if (!valid_path(path, r, c.has("s"))) return;
  jute::create_request req;
  req.path = path;
  req.flags = *flags;
  req.ttl = c.has("t") ? ttl : -1;
  req.data_is_null = c.args.size() < 3; // no data argument: null, as zkCli sends
  if (!req.data_is_null) req.data = c.args[2];
  req.acls = jute::open_acl_unsafe();
  constexpr auto invalid_acl = static_cast<int32_t>(jute::error_code::invalid_acl);
  if (c.args.size() > 3) {
    req.acls = parse_acl(c.args[3], r.err);
    // The Java client refuses an empty ACL itself, with no path in its exception.
    if (req.acls.empty()) {
      r.err += keeper_exception_message(invalid_acl, "") + "\n";
      record_failure(false, invalid_acl, "null", r);
      return;
    }
  }
  auto created = cli::create(*st.session, req);
  if (!succeeded(created, path, r)) {
    if (created.err == static_cast<int32_t>(jute::error_code::ephemeral_on_local_session))
      r.err += "Unable to create ephemeral node on a local session\n";
    if (created.err == invalid_acl) r.err += keeper_exception_message(invalid_acl, path) + "\n";
    return;
  }
  r.err += "Created " + *created.value + "\n";
  r.json.add("path", *created.value);
}

void set(cli_state& st, const parsed_command& c, result& r) {
  int32_t version;
  if (!version_option(c, version, r)) return;
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto s = set_data(*st.session, path, c.args[2], version);
  if (!succeeded(s, path, r)) return;
  r.json.add("path", path);
  if (c.has("s")) {
    std::ostringstream out;
    print_stat(out, *s.value);
    r.out = out.str();
    r.json.add_raw("stat", json_stat(*s.value));
  }
}

void remove_one(cli_state& st, const parsed_command& c, result& r) {
  int32_t version;
  if (!version_option(c, version, r)) return;
  const auto& path = c.args[1];
  // zkCli 3.8 still takes `delete path version` but, as it says, uses only -v.
  if (c.args.size() > 2)
    r.err += "'delete path [version]' has been deprecated. Please use 'delete [-v version] "
             "path' instead.\n";
  if (!valid_path(path, r)) return;
  auto d = remove(*st.session, path, version);
  if (!succeeded(d, path, r)) return;
  r.json.add("path", path);
}

// ZKUtil.deleteRecursive: the subtree breadth first, deleted leaves first in multis of
// `batch` deletes (one by one when batch is 0 or less).
bool delete_tree(session& s, const std::vector<std::string>& tree, int32_t batch) {
  if (batch <= 0) {
    for (auto it = tree.rbegin(); it != tree.rend(); ++it)
      if (!remove(s, *it, -1).ok()) return false;
    return true;
  }
  jute::multi_request multi;
  for (auto it = tree.rbegin(); it != tree.rend(); ++it) {
    multi.ops.push_back({jute::opcode::remove, jute::delete_request{*it, -1}});
    if (static_cast<int32_t>(multi.ops.size()) == batch || it + 1 == tree.rend()) {
      auto reply = s.call(jute::opcode::multi, multi);
      if (!reply || reply->header.err != 0) return false;
      std::vector<jute::multi_result_entry> results;
      if (jute::decode_multi_response(std::span<const char>(reply->body), results) !=
          jute::decode_status::ok)
        return false;
      for (const auto& one : results)
        if (one.type == jute::opcode::error && one.err != 0) return false;
      multi.ops.clear();
    }
  }
  return true;
}

void delete_all(cli_state& st, const parsed_command& c, result& r) {
  int32_t batch = 1000;
  if (auto text = c.value("b")) {
    auto v = number<int32_t>(*text);
    if (!v) return r.fail(exit_usage, "-b argument must be an int value", "usage");
    batch = *v;
  }
  const auto& path = c.args[1];
  if (!valid_path(path, r)) return;
  auto tree = list_subtree(*st.session, path);
  if (!succeeded(tree, path, r)) return;
  r.json.add("path", path);
  if (!delete_tree(*st.session, *tree.value, batch)) {
    // zkCli prints this and exits 0; paddock-cli exits 1 so that scripts notice.
    r.fail(exit_failed, "Failed to delete some node(s) in the subtree!", "partial");
  }
}

} // namespace

void add_write_commands(std::vector<command>& t) {
  t.push_back({"create",
               "[-s] [-e] [-c] [-t ttl] path [data] [acl]",
               {{"s"}, {"e"}, {"c"}, {"t", true}},
               true,
               2,
               create_command});
  t.push_back({"set", "[-s] [-v version] path data", {{"s"}, {"v", true}}, true, 3, set});
  t.push_back({"delete", "[-v version] path", {{"v", true}}, true, 2, remove_one});
  t.push_back({"deleteall", "path [-b batch size]", {{"b", true}}, true, 2, delete_all});
}

} // namespace paddock::cli
