#include "store/zookeeper/zk_snapshot.hpp"

#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "store/zookeeper/adler32.hpp"
#include "store/zookeeper/zk_digest.hpp"
#include "store/zookeeper/zk_records.hpp"

#include <charconv>
#include <fmt/format.h>
#include <map>

namespace paddock::store::zookeeper {

namespace {

constexpr int32_t snap_magic = 0x5A4B534E; // "ZKSN"
constexpr int64_t open_unsafe_acl_ref = -1;

size_t offset_of(std::string_view bytes, const jute::reader& r) {
  return bytes.size() - r.remaining();
}

// SnapStream.checkSealIntegrity: the Adler-32 of everything before the seal, then "/".
bool check_seal(std::string_view bytes, jute::reader& r, std::string& error) {
  auto at = offset_of(bytes, r);
  auto expected = adler32_of(bytes.substr(0, at));
  auto val = r.read_long();
  auto slash = r.read_string();
  if (!r.ok()) {
    error = fmt::format("truncated at the checksum (offset {})", at);
    return false;
  }
  if (static_cast<uint64_t>(val) != expected || slash != "/") {
    error = fmt::format("checksum mismatch at offset {}: file says {:#x}, content is {:#x}", at,
                        static_cast<uint64_t>(val), expected);
    return false;
  }
  return true;
}

void seal(std::string& out) {
  jute::writer w(out);
  auto sum = adler32_of(out);
  w.write_long(static_cast<int64_t>(sum));
  w.write_string("/");
}

} // namespace

bool parse_zk_snapshot(std::string_view bytes, zk_tree& out, zk_snapshot_info& info,
                       std::string& error) {
  jute::reader r(bytes);
  auto magic = r.read_int();
  auto version = r.read_int();
  info.dbid = r.read_long();
  if (!r.ok()) {
    error = "too short for a snapshot header";
    return false;
  }
  if (magic != snap_magic) {
    error = fmt::format("bad magic {:#010x} (a ZooKeeper snapshot starts with \"ZKSN\")",
                        static_cast<uint32_t>(magic));
    return false;
  }
  if (version != 2) {
    error = fmt::format("unsupported snapshot version {}", version);
    return false;
  }
  zk_tree tree;
  auto sessions = r.read_count(12);
  for (int32_t i = 0; i < sessions && r.ok(); ++i) {
    auto id = r.read_long();
    tree.sessions[id] = r.read_int();
  }
  std::map<int64_t, jute::acl_list> acls;
  auto lists = r.read_int();
  for (int32_t i = 0; i < lists && r.ok(); ++i) {
    auto ref = r.read_long();
    acls[ref] = read_acl_list(r);
  }
  if (!r.ok()) {
    error = "truncated in the sessions or the ACL cache";
    return false;
  }
  for (;;) {
    auto path = r.read_string();
    if (!r.ok()) {
      error = fmt::format("truncated in the znodes after {} of them", tree.nodes.size());
      return false;
    }
    if (path == "/") break;
    zk_node n;
    n.data = r.read_buffer(&n.data_is_null);
    auto acl_ref = r.read_long();
    read_stat_persisted(r, n.stat);
    if (!r.ok()) {
      error = fmt::format("truncated in znode {}", path);
      return false;
    }
    if (acl_ref == open_unsafe_acl_ref) {
      n.acl = jute::open_acl_unsafe();
    } else if (auto it = acls.find(acl_ref); it != acls.end()) {
      n.acl = it->second;
    } else {
      error =
          fmt::format("znode {} names ACL {}, which the ACL cache does not hold", path, acl_ref);
      return false;
    }
    auto slash = path.rfind('/');
    if (slash != std::string::npos) {
      auto parent = tree.nodes.find(path.substr(0, slash));
      if (parent == tree.nodes.end()) {
        error = fmt::format("znode {} comes without its parent", path);
        return false;
      }
      parent->second.children.insert(path.substr(slash + 1));
    } else if (!path.empty()) {
      error = fmt::format("znode path {} does not start with /", path);
      return false;
    }
    tree.nodes.insert_or_assign(std::move(path), std::move(n));
  }
  if (!tree.nodes.count("")) {
    error = "no root znode";
    return false;
  }
  if (!check_seal(bytes, r, error)) return false;
  // The digest: EOF here is an older snapshot (ZooKeeper reads it as one), a digest is
  // followed by a second seal.
  if (!r.at_end()) {
    jute::reader probe = r;
    zxid_digest d;
    d.zxid = probe.read_long();
    d.version = probe.read_int();
    if (d.version < 2) {
      auto hex = probe.read_string();
      uint64_t v = 0;
      std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
      d.digest = static_cast<int64_t>(v);
    } else {
      d.digest = probe.read_long();
    }
    if (probe.ok()) {
      r = probe;
      if (!check_seal(bytes, r, error)) return false;
      info.digest = d;
    }
  }
  // 3.9: the last processed zxid, sealed again (the file name still decides the zxid).
  if (info.digest && r.remaining() > 0) {
    jute::reader probe = r;
    auto last = probe.read_long();
    if (probe.ok()) {
      r = probe;
      if (!check_seal(bytes, r, error)) return false;
      info.last_processed_zxid = last;
    }
  }
  tree.index();
  out = std::move(tree);
  return true;
}

std::string write_zk_snapshot(const data_tree& tree) {
  std::string out;
  jute::writer w(out);
  w.write_int(snap_magic);
  w.write_int(2);
  w.write_long(-1); // FileSnap's dbId
  auto sessions = tree.sessions();
  w.write_int(static_cast<int32_t>(sessions.size()));
  for (const auto& s : sessions) {
    w.write_long(s.id);
    w.write_int(s.timeout_ms);
  }
  size_t count_at = out.size();
  w.write_int(0);
  int32_t lists = 0;
  tree.for_each_acl([&](uint32_t ref, const jute::acl_list& acl) {
    w.write_long(ref);
    write_acl_list(w, acl);
    ++lists;
  });
  std::string count;
  jute::writer(count).write_int(lists);
  out.replace(count_at, 4, count);
  uint64_t digest = 0;
  tree.for_each_node([&](const znode_image& n) {
    const stat_persisted stat{.czxid = n.czxid,
                              .mzxid = n.mzxid,
                              .ctime = n.ctime,
                              .mtime = n.mtime,
                              .version = n.version,
                              .cversion = n.cversion,
                              .aversion = n.aversion,
                              .ephemeral_owner = n.ephemeral_owner,
                              .pzxid = n.pzxid};
    w.write_string(n.path);
    w.write_buffer(n.data, n.data_is_null);
    w.write_long(n.acl_ref);
    write_stat_persisted(w, stat);
    digest += static_cast<uint64_t>(node_digest(n.path, n.data, n.data_is_null, stat));
  });
  w.write_string("/");
  seal(out);
  w.write_long(tree.last_zxid());
  w.write_int(zk_digest_version);
  w.write_long(static_cast<int64_t>(digest));
  seal(out);
  return out;
}

std::string zk_snapshot_name(int64_t zxid) {
  return fmt::format("snapshot.{:x}", static_cast<uint64_t>(zxid));
}

std::optional<int64_t> zxid_from_name(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || name.substr(0, prefix.size()) != prefix ||
      name[prefix.size()] != '.')
    return std::nullopt;
  auto hex = name.substr(prefix.size() + 1);
  hex = hex.substr(0, hex.find('.'));
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
  if (ec != std::errc{} || end != hex.data() + hex.size() || hex.empty()) return std::nullopt;
  return static_cast<int64_t>(v);
}

} // namespace paddock::store::zookeeper
