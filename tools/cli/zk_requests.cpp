#include "tools/cli/zk_requests.hpp"

#include "protocol/jute/error_code.hpp"

namespace paddock::cli {

namespace {

// Sends, then decodes the reply body with `decode` when the server answered without error.
template <class T, class Decode>
answer<T> ask(session& s, int32_t opcode, const jute::request_body& body, Decode decode) {
  answer<T> out;
  auto r = s.call(opcode, body);
  if (!r) {
    out.lost = true;
    return out;
  }
  out.err = r->header.err;
  if (out.err != 0) return out;
  out.value = decode(r->body);
  if (!out.value) out.err = static_cast<int32_t>(jute::error_code::marshalling_error);
  return out;
}

auto no_body = [](std::string_view) { return std::optional<bool>(true); };

} // namespace

answer<tools::children_with_stat> get_children(session& s, const std::string& path, bool watch) {
  return ask<tools::children_with_stat>(s, jute::opcode::get_children2,
                                        jute::path_watch_request{path, watch},
                                        tools::decode_children2);
}

answer<tools::get_data_reply> get_data(session& s, const std::string& path, bool watch) {
  return ask<tools::get_data_reply>(s, jute::opcode::get_data,
                                    jute::path_watch_request{path, watch}, tools::decode_get_data);
}

answer<jute::stat> exists(session& s, const std::string& path, bool watch) {
  return ask<jute::stat>(s, jute::opcode::exists, jute::path_watch_request{path, watch},
                         tools::decode_stat_reply);
}

int32_t create_opcode(int32_t flags) {
  return flags == jute::create_mode::persistent_with_ttl ||
                 flags == jute::create_mode::persistent_sequential_with_ttl
             ? jute::opcode::create_ttl
         : flags == jute::create_mode::container ? jute::opcode::create_container
                                                 : jute::opcode::create2;
}

answer<std::string> create(session& s, const jute::create_request& req) {
  // create2's answer is the path and a Stat; the path is what zkCli prints.
  return ask<std::string>(s, create_opcode(req.flags), req, tools::decode_create);
}

answer<jute::stat> set_data(session& s, const std::string& path, const std::string& data,
                            int32_t version) {
  return ask<jute::stat>(s, jute::opcode::set_data, jute::set_data_request{path, data, version},
                         tools::decode_stat_reply);
}

answer<bool> remove(session& s, const std::string& path, int32_t version) {
  return ask<bool>(s, jute::opcode::remove, jute::delete_request{path, version}, no_body);
}

answer<tools::acl_reply> get_acl(session& s, const std::string& path) {
  return ask<tools::acl_reply>(s, jute::opcode::get_acl, jute::path_request{path},
                               tools::decode_get_acl);
}

answer<jute::stat> set_acl(session& s, const std::string& path, const jute::acl_list& acls,
                           int32_t version) {
  return ask<jute::stat>(s, jute::opcode::set_acl, jute::set_acl_request{path, acls, version},
                         tools::decode_stat_reply);
}

answer<bool> sync(session& s, const std::string& path) {
  return ask<bool>(s, jute::opcode::sync, jute::path_request{path}, no_body);
}

answer<std::vector<std::string>> get_ephemerals(session& s, const std::string& prefix) {
  return ask<std::vector<std::string>>(s, jute::opcode::get_ephemerals, jute::path_request{prefix},
                                       tools::decode_ephemerals);
}

answer<int32_t> get_all_children_number(session& s, const std::string& path) {
  return ask<int32_t>(s, jute::opcode::get_all_children_number, jute::path_request{path},
                      tools::decode_all_children_number);
}

answer<bool> add_watch(session& s, const std::string& path, int32_t mode) {
  return ask<bool>(s, jute::opcode::add_watch, jute::add_watch_request{path, mode}, no_body);
}

answer<bool> remove_watches(session& s, const std::string& path, int32_t watcher_type) {
  return ask<bool>(s, jute::opcode::remove_watches, jute::watch_request{path, watcher_type},
                   no_body);
}

answer<std::vector<tools::client_info>> who_am_i(session& s) {
  return ask<std::vector<tools::client_info>>(s, jute::opcode::who_am_i, jute::empty_request{},
                                              tools::decode_who_am_i);
}

answer<tools::get_data_reply> reconfig(session& s, const jute::reconfig_request& req) {
  return ask<tools::get_data_reply>(s, jute::opcode::reconfig, req, tools::decode_get_data);
}

answer<bool> add_auth(session& s, const std::string& scheme, const std::string& credentials) {
  answer<bool> out;
  auto r = s.add_auth(scheme, credentials);
  if (!r) {
    out.lost = true;
    return out;
  }
  out.err = r->header.err;
  if (out.err == 0) out.value = true;
  return out;
}

answer<std::vector<std::string>> list_subtree(session& s, const std::string& root) {
  answer<std::vector<std::string>> out;
  std::vector<std::string> nodes{root};
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto children = get_children(s, nodes[i], false);
    if (!children.ok()) {
      out.err = children.err;
      out.lost = children.lost;
      return out;
    }
    std::string prefix = nodes[i] == "/" ? "/" : nodes[i] + "/";
    for (const auto& child : children.value->children)
      nodes.push_back(prefix + child);
  }
  out.value = std::move(nodes);
  return out;
}

} // namespace paddock::cli
