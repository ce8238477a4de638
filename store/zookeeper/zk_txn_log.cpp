#include "store/zookeeper/zk_txn_log.hpp"

#include "protocol/bytes/byte_order.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "store/zookeeper/adler32.hpp"
#include "store/zookeeper/zk_records.hpp"

#include <fmt/format.h>

namespace paddock::store::zookeeper {

namespace {
constexpr int32_t log_magic = 0x5A4B4C47; // "ZKLG"
constexpr size_t file_header_size = 16;
constexpr size_t txn_header_size = 8 + 4 + 8 + 8 + 4;
} // namespace

zk_log_parse parse_zk_log(std::string_view bytes) {
  zk_log_parse out;
  jute::reader hr(bytes);
  auto magic = hr.read_int();
  auto version = hr.read_int();
  (void)hr.read_long();
  if (!hr.ok()) {
    out.error = "too short for a transaction log header";
    return out;
  }
  if (magic != log_magic) {
    out.error = fmt::format("bad magic {:#010x} (a ZooKeeper log starts with \"ZKLG\")",
                            static_cast<uint32_t>(magic));
    return out;
  }
  if (version != 2) {
    out.error = fmt::format("unsupported log version {}", version);
    return out;
  }
  size_t at = file_header_size;
  for (;;) {
    out.end_offset = at;
    size_t left = bytes.size() - at;
    if (left == 0) {
      out.end = zk_log_end::end_of_file;
      break;
    }
    if (left < 12) {
      out.end = zk_log_end::torn;
      break;
    }
    auto crc = static_cast<int64_t>(bytes::load_be64(bytes.data() + at));
    auto len = static_cast<int32_t>(bytes::load_be32(bytes.data() + at + 8));
    if (len == 0) {
      out.end = zk_log_end::zero_padding;
      break;
    }
    // The length, the txn and the 'B' must all be there; otherwise the write was torn.
    if (len < 0 || static_cast<size_t>(len) + 1 > left - 12 ||
        bytes[at + 12 + static_cast<size_t>(len)] != 'B') {
      out.end = zk_log_end::torn;
      break;
    }
    auto txn = bytes.substr(at + 12, static_cast<size_t>(len));
    if (static_cast<uint64_t>(crc) != adler32_of(txn)) {
      out.error = fmt::format("checksum mismatch in the record at offset {}", at);
      return out;
    }
    jute::reader r(txn);
    zk_log_record rec;
    read_txn_header(r, rec.header);
    if (!r.ok()) {
      out.error = fmt::format("undecodable txn header in the record at offset {}", at);
      return out;
    }
    rec.body = txn.substr(txn_header_size);
    out.records.push_back(rec);
    at += 12 + static_cast<size_t>(len) + 1;
  }
  out.ok = true;
  return out;
}

} // namespace paddock::store::zookeeper
