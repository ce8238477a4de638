#pragma once
// Everything a client can observe of a data tree, as text, for tests that compare two trees
// (a snapshot loaded against the tree it was taken from, a tree recovered against the one
// acknowledged). Sorted by path: the order of siblings in a child table is not state.
#include "store/tree/data_tree.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace paddock::testing {

inline std::string describe_tree(const store::data_tree& t) {
  std::vector<std::string> lines;
  t.for_each_node([&](const store::znode_image& n) {
    std::ostringstream out;
    jute::acl_list acl;
    jute::stat st;
    std::string path = n.path.empty() ? "/" : std::string(n.path);
    REQUIRE(t.get_acl(path, acl, st) == jute::error_code::ok);
    out << path << " data=" << n.data << " null=" << n.data_is_null << " czxid=" << st.czxid
        << " mzxid=" << st.mzxid << " pzxid=" << st.pzxid << " ctime=" << st.ctime
        << " mtime=" << st.mtime << " v=" << st.version << " cv=" << st.cversion
        << " av=" << st.aversion << " owner=" << st.ephemeral_owner
        << " children=" << st.num_children << " stored_cv=" << n.cversion
        << " raw_owner=" << n.ephemeral_owner << " acl=";
    for (const auto& a : acl)
      out << a.perms << ":" << a.id.scheme << ":" << a.id.ident << ",";
    lines.push_back(out.str());
  });
  std::sort(lines.begin(), lines.end());
  std::ostringstream out;
  for (const auto& line : lines)
    out << line << "\n";
  for (const auto& s : t.sessions())
    out << "session " << s.id << " " << s.timeout_ms << " " << s.passwd << "\n";
  out << "zxid " << t.last_zxid() << " nodes " << t.node_count() << " eph " << t.ephemeral_count()
      << " size " << t.approximate_data_size() << " acls " << t.acl_count() << " containers "
      << t.containers().size() << " ttl " << t.ttl_nodes().size() << "\n";
  return out.str();
}

} // namespace paddock::testing
