#include "store/zookeeper/zk_records.hpp"

#include "protocol/jute/opcodes.hpp"

namespace paddock::store::zookeeper {

void read_stat_persisted(jute::reader& r, stat_persisted& s) {
  s.czxid = r.read_long();
  s.mzxid = r.read_long();
  s.ctime = r.read_long();
  s.mtime = r.read_long();
  s.version = r.read_int();
  s.cversion = r.read_int();
  s.aversion = r.read_int();
  s.ephemeral_owner = r.read_long();
  s.pzxid = r.read_long();
}

void write_stat_persisted(jute::writer& w, const stat_persisted& s) {
  w.write_long(s.czxid);
  w.write_long(s.mzxid);
  w.write_long(s.ctime);
  w.write_long(s.mtime);
  w.write_int(s.version);
  w.write_int(s.cversion);
  w.write_int(s.aversion);
  w.write_long(s.ephemeral_owner);
  w.write_long(s.pzxid);
}

void read_txn_header(jute::reader& r, txn_header& h) {
  h.client_id = r.read_long();
  h.cxid = r.read_int();
  h.zxid = r.read_long();
  h.time = r.read_long();
  h.type = r.read_int();
}

bool read_create_txn(jute::reader& r, int32_t type, create_txn& out) {
  out.path = r.read_string();
  out.data = r.read_buffer(&out.data_is_null);
  out.acl = read_acl_list(r);
  switch (type) {
  case jute::opcode::create_ttl:
    out.parent_cversion = r.read_int();
    out.ttl = r.read_long();
    break;
  case jute::opcode::create_container: out.parent_cversion = r.read_int(); break;
  default:
    out.ephemeral = r.read_bool();
    // CreateTxnV0 ends here (ZooKeeper falls back to it on EOF).
    out.parent_cversion = r.remaining() >= 4 ? r.read_int() : -1;
  }
  return r.ok();
}

} // namespace paddock::store::zookeeper
