#pragma once
// The jute records of ZooKeeper's files that the client protocol does not have:
// StatPersisted, TxnHeader and the create txns (zookeeper.jute, module
// org.apache.zookeeper.txn). Big-endian jute, as everywhere in ZooKeeper.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "store/zookeeper/zk_tree.hpp"

#include <cstdint>
#include <string>

namespace paddock::store::zookeeper {

// ACL lists: jute::read_acl_list / jute::write_acl_list (protocol/jute/codec.hpp).
using jute::read_acl_list;
using jute::write_acl_list;

void read_stat_persisted(jute::reader& r, stat_persisted& s);
void write_stat_persisted(jute::writer& w, const stat_persisted& s);

void read_txn_header(jute::reader& r, txn_header& h);

// CreateTxn (create, create2; the older CreateTxnV0 has no parentCVersion, which then reads
// as -1, ZooKeeper's "compute it"), CreateTTLTxn, CreateContainerTxn.
struct create_txn {
  std::string path;
  std::string data;
  bool data_is_null = false;
  jute::acl_list acl;
  bool ephemeral = false;
  int32_t parent_cversion = -1;
  int64_t ttl = 0;
};
bool read_create_txn(jute::reader& r, int32_t type, create_txn& out);

} // namespace paddock::store::zookeeper
