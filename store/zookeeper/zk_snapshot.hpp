#pragma once
// ZooKeeper's snapshot file (FileSnap, version 2), read for import and written for export:
//   FileHeader       int magic "ZKSN", int version 2, long dbid
//   sessions         int count, then count x (long id, int timeout ms)
//   ACL cache        int count, then count x (long ref, vector<ACL>)
//   znodes           (ustring path, buffer data, long acl ref, StatPersisted)* from the
//                    root "" down, a parent before its children, ended by the path "/"
//   seal             long Adler-32 of every byte before it, ustring "/"
//   digest (3.6+)    ZxidDigest: long zxid, int digest version, long digest (a hex
//                    ustring below version 2), then a second seal over everything before it
//   3.9              long lastProcessedZxid, then a third seal
// All jute, big-endian. The snapshot's zxid is in its name (snapshot.<hex zxid>), not inside.
// These are the bytes inside snapshot.<zxid>.gz and .snappy too, compressed whole, seals
// included (zk_snap_stream.hpp opens them).
// ACL ref -1 is ZooKeeper's OPEN_ACL_UNSAFE without a cache entry.
#include "store/tree/data_tree.hpp"
#include "store/zookeeper/zk_tree.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace paddock::store::zookeeper {

struct zxid_digest {
  int64_t zxid = 0;
  int32_t version = 0;
  int64_t digest = 0;
};

struct zk_snapshot_info {
  int64_t dbid = 0;
  std::optional<zxid_digest> digest;          // absent in snapshots before 3.6
  std::optional<int64_t> last_processed_zxid; // 3.9's section after the digest
};

// Parses a whole snapshot into `out` (sessions and znodes; last_zxid is left to the caller,
// who knows the file name). False, with `error` saying what and where, for a bad magic, a
// truncated file, a znode without its parent, an unknown ACL ref or a checksum mismatch:
// ZooKeeper rejects such a snapshot and falls back to an older one.
bool parse_zk_snapshot(std::string_view bytes, zk_tree& out, zk_snapshot_info& info,
                       std::string& error);

// The tree as a snapshot ZooKeeper 3.8 loads: sessions (ids and timeouts), the distinct ACL
// lists, every znode with its StatPersisted, the seal, and the ZxidDigest of the tree at its
// last zxid (zk_digest.hpp), which ZooKeeper compares with the tree it loaded.
std::string write_zk_snapshot(const data_tree& tree);

// "snapshot.<hex zxid>", as ZooKeeper names it (Long.toHexString: no padding).
std::string zk_snapshot_name(int64_t zxid);

// The zxid in a ZooKeeper file name "<prefix>.<hex>[.<ext>]", or nothing.
std::optional<int64_t> zxid_from_name(std::string_view name, std::string_view prefix);

} // namespace paddock::store::zookeeper
