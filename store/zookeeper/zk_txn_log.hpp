#pragma once
// ZooKeeper's transaction log file (FileTxnLog, log.<hex zxid of its first txn>):
//   FileHeader   int magic "ZKLG", int version 2, long dbid
//   record*      long Adler-32 of the txn bytes, int length L, L txn bytes
//                (TxnHeader, the txn record, in 3.6+ a TxnDigest), byte 'B'
//   zeros        preallocated space
// Where the data ends, as ZooKeeper's FileTxnIterator decides: a length of 0 (the
// preallocated zeros), the end of the file, or a record cut short (its bytes or its 'B'
// missing: a write the crash tore) all end the file quietly; a complete record whose
// checksum does not match stops ZooKeeper, and is an error here too.
#include "store/zookeeper/zk_tree.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace paddock::store::zookeeper {

struct zk_log_record {
  txn_header header;
  std::string_view body; // the txn record after the header, into the parsed bytes
};

enum class zk_log_end {
  end_of_file,  // the last record ends exactly at the end of the file
  zero_padding, // a zero length: preallocated space
  torn,         // a record cut short
};

struct zk_log_parse {
  bool ok = false;
  std::string error; // when !ok: bad magic, checksum mismatch, undecodable header
  std::vector<zk_log_record> records;
  zk_log_end end = zk_log_end::end_of_file;
  size_t end_offset = 0; // where the data ends
};

// `bytes` must outlive the result (records point into it).
zk_log_parse parse_zk_log(std::string_view bytes);

} // namespace paddock::store::zookeeper
