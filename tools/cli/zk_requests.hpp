#pragma once
// The ZooKeeper client API paddock-cli's commands use, one typed call per request over the
// shell's long-lived session: the Java client's names (getChildren, getData, exists, ...),
// each answering its decoded reply or the error code, or that the connection was lost.
#include "protocol/jute/records.hpp"
#include "tools/common/async_session.hpp"
#include "tools/common/reply_bodies.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paddock::cli {

template <class T> struct answer {
  int32_t err = 0;   // the server's error code (0: none)
  bool lost = false; // no answer: the connection is gone or timed out
  std::optional<T> value;
  bool ok() const { return !lost && err == 0 && value.has_value(); }
};

using session = tools::async_session;

answer<tools::children_with_stat> get_children(session& s, const std::string& path, bool watch);
answer<tools::get_data_reply> get_data(session& s, const std::string& path, bool watch);
answer<jute::stat> exists(session& s, const std::string& path, bool watch); // NoNode as err
answer<std::string> create(session& s, const jute::create_request& req);    // the created path
answer<jute::stat> set_data(session& s, const std::string& path, const std::string& data,
                            int32_t version);
answer<bool> remove(session& s, const std::string& path, int32_t version);
answer<tools::acl_reply> get_acl(session& s, const std::string& path);
answer<jute::stat> set_acl(session& s, const std::string& path, const jute::acl_list& acls,
                           int32_t version);
answer<bool> sync(session& s, const std::string& path);
answer<std::vector<std::string>> get_ephemerals(session& s, const std::string& prefix);
answer<int32_t> get_all_children_number(session& s, const std::string& path);
answer<bool> add_watch(session& s, const std::string& path, int32_t mode);
answer<bool> remove_watches(session& s, const std::string& path, int32_t watcher_type);
answer<std::vector<tools::client_info>> who_am_i(session& s);
answer<tools::get_data_reply> reconfig(session& s, const jute::reconfig_request& req);
answer<bool> add_auth(session& s, const std::string& scheme, const std::string& credentials);

// The opcode a create of these flags takes: createTTL for the TTL modes, create2 otherwise
// (the Java client's choice too).
int32_t create_opcode(int32_t flags);

// ZKUtil.listSubTreeBFS: `root` and every znode under it, breadth first. The error of the
// first getChildren that failed otherwise.
answer<std::vector<std::string>> list_subtree(session& s, const std::string& root);

} // namespace paddock::cli
