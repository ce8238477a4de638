#pragma once
// Hand-built ZooKeeper files for the tests: a snapshot and a transaction log written byte by
// byte as ZooKeeper 3.8 writes them (jute, big-endian, Adler-32 seals and record checksums).
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "protocol/jute/opcodes.hpp"
#include "store/zookeeper/adler32.hpp"
#include "store/zookeeper/zk_records.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace paddock::testing::zk {

using store::zookeeper::stat_persisted;

inline void seal(std::string& out) {
  jute::writer w(out);
  w.write_long(store::zookeeper::adler32_of(out));
  w.write_string("/");
}

struct snap_node {
  std::string path;
  std::string data;
  int64_t acl_ref = -1;
  stat_persisted stat;
  bool null_data = false;
};

struct snapshot_builder {
  std::map<int64_t, int32_t> sessions;
  std::map<int64_t, jute::acl_list> acls;
  std::vector<snap_node> nodes;
  bool with_digest = true;
  // The ZxidDigest: zxid 0 is "none yet", which ZooKeeper compares with nothing.
  int64_t digest_zxid = 0;
  int64_t digest = 0;
  bool with_last_zxid = false; // 3.9

  std::string bytes() const {
    std::string out;
    jute::writer w(out);
    w.write_int(0x5A4B534E);
    w.write_int(2);
    w.write_long(-1);
    w.write_int(static_cast<int32_t>(sessions.size()));
    for (auto [id, to] : sessions) {
      w.write_long(id);
      w.write_int(to);
    }
    w.write_int(static_cast<int32_t>(acls.size()));
    for (const auto& [ref, list] : acls) {
      w.write_long(ref);
      store::zookeeper::write_acl_list(w, list);
    }
    for (const auto& n : nodes) {
      w.write_string(n.path);
      w.write_buffer(n.data, n.null_data);
      w.write_long(n.acl_ref);
      store::zookeeper::write_stat_persisted(w, n.stat);
    }
    w.write_string("/");
    seal(out);
    if (with_digest) {
      w.write_long(digest_zxid);
      w.write_int(2);
      w.write_long(digest);
      seal(out);
    }
    if (with_last_zxid) {
      w.write_long(0x500000009);
      seal(out);
    }
    return out;
  }
};

// A tree ZooKeeper starts with: "", /zookeeper, /zookeeper/quota, /zookeeper/config.
inline snapshot_builder base_snapshot() {
  snapshot_builder b;
  b.acls[1] = jute::read_acl_unsafe();
  b.nodes = {{"", "", -1, {.cversion = 1, .pzxid = 0}},
             {"/zookeeper", "", -1, {.cversion = 2}},
             {"/zookeeper/quota", "", -1, {}},
             {"/zookeeper/config", "", 1, {.version = -1}}};
  return b;
}

// Txn records (zookeeper.jute, module org.apache.zookeeper.txn).
inline std::string create_txn(const std::string& path, const std::string& data, bool ephemeral,
                              int32_t parent_cversion,
                              const jute::acl_list& acl = jute::open_acl_unsafe()) {
  std::string out;
  jute::writer w(out);
  w.write_string(path);
  w.write_buffer(data);
  store::zookeeper::write_acl_list(w, acl);
  w.write_bool(ephemeral);
  w.write_int(parent_cversion);
  return out;
}
inline std::string create_ttl_txn(const std::string& path, int32_t parent_cversion, int64_t ttl) {
  std::string out;
  jute::writer w(out);
  w.write_string(path);
  w.write_buffer("");
  store::zookeeper::write_acl_list(w, jute::open_acl_unsafe());
  w.write_int(parent_cversion);
  w.write_long(ttl);
  return out;
}
inline std::string create_container_txn(const std::string& path, int32_t parent_cversion) {
  std::string out;
  jute::writer w(out);
  w.write_string(path);
  w.write_buffer("");
  store::zookeeper::write_acl_list(w, jute::open_acl_unsafe());
  w.write_int(parent_cversion);
  return out;
}
inline std::string path_txn(const std::string& path) {
  std::string out;
  jute::writer(out).write_string(path);
  return out;
}
inline std::string set_data_txn(const std::string& path, const std::string& data, int32_t version) {
  std::string out;
  jute::writer w(out);
  w.write_string(path);
  w.write_buffer(data);
  w.write_int(version);
  return out;
}
inline std::string set_acl_txn(const std::string& path, const jute::acl_list& acl,
                               int32_t version) {
  std::string out;
  jute::writer w(out);
  w.write_string(path);
  store::zookeeper::write_acl_list(w, acl);
  w.write_int(version);
  return out;
}
inline std::string int_txn(int32_t v) {
  std::string out;
  jute::writer(out).write_int(v);
  return out;
}
inline std::string close_session_txn(const std::vector<std::string>& paths) {
  std::string out;
  jute::writer w(out);
  w.write_int(static_cast<int32_t>(paths.size()));
  for (const auto& p : paths)
    w.write_string(p);
  return out;
}
inline std::string multi_txn(const std::vector<std::pair<int32_t, std::string>>& ops) {
  std::string out;
  jute::writer w(out);
  w.write_int(static_cast<int32_t>(ops.size()));
  for (const auto& [type, body] : ops) {
    w.write_int(type);
    w.write_buffer(body);
  }
  return out;
}

struct log_txn {
  int64_t client = 0;
  int64_t zxid = 0;
  int64_t time = 0;
  int32_t type = 0;
  std::string body;
  // The TxnDigest: version 1 is one ZooKeeper 3.8 does not compare.
  int32_t digest_version = 1;
  int64_t digest = 0;
};

// One log record: checksum, length, TxnHeader + txn (+ a TxnDigest, as 3.6+ writes), 'B'.
inline std::string log_record(const log_txn& t, bool with_digest = true) {
  std::string txn;
  jute::writer w(txn);
  w.write_long(t.client);
  w.write_int(1);
  w.write_long(t.zxid);
  w.write_long(t.time);
  w.write_int(t.type);
  txn += t.body;
  if (with_digest) {
    w.write_int(t.digest_version);
    w.write_long(t.digest);
  }
  std::string out;
  jute::writer o(out);
  o.write_long(store::zookeeper::adler32_of(txn));
  o.write_buffer(txn);
  out.push_back('B');
  return out;
}

inline std::string log_header() {
  std::string out;
  jute::writer w(out);
  w.write_int(0x5A4B4C47);
  w.write_int(2);
  w.write_long(0);
  return out;
}

inline std::string log_file(const std::vector<log_txn>& txns, size_t zero_padding = 0) {
  auto out = log_header();
  for (const auto& t : txns)
    out += log_record(t);
  out.append(zero_padding, '\0');
  return out;
}

} // namespace paddock::testing::zk
