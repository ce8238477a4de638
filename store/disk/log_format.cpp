#include "store/disk/log_format.hpp"

#include "protocol/bytes/byte_order.hpp"
#include "store/disk/crc32c.hpp"

#include <cstdio>
#include <cstring>

namespace paddock::store::log_format {
namespace {

// Paddock's log is little-endian throughout.
void put_u32(std::string& out, uint32_t v) {
  char b[4];
  bytes::store_le32(b, v);
  out.append(b, 4);
}

void put_i64(std::string& out, int64_t v) {
  char b[8];
  bytes::store_le64(b, static_cast<uint64_t>(v));
  out.append(b, 8);
}

} // namespace

std::string segment_name(int64_t first_zxid) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "log.%016llx", static_cast<unsigned long long>(first_zxid));
  return buf;
}

bool parse_segment_name(std::string_view name, int64_t& first_zxid) {
  if (name.size() != 4 + 16 || name.substr(0, 4) != "log.") return false;
  uint64_t v = 0;
  for (char c : name.substr(4)) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  first_zxid = static_cast<int64_t>(v);
  return true;
}

std::string segment_header(int64_t first_zxid) {
  std::string out(segment_magic);
  put_i64(out, first_zxid);
  return out;
}

bool parse_segment_header(std::string_view bytes, int64_t& first_zxid) {
  if (bytes.size() < segment_header_size || bytes.substr(0, 8) != segment_magic) return false;
  first_zxid = static_cast<int64_t>(bytes::load_le64(bytes.data() + 8));
  return true;
}

void append_record(std::string& out, int64_t zxid, std::string_view body) {
  auto start = out.size();
  put_u32(out, static_cast<uint32_t>(body.size()));
  put_u32(out, 0); // the CRC, filled in below
  put_i64(out, zxid);
  out.append(body);
  auto covered = std::string_view(out).substr(start + 8);
  uint32_t crc = crc32c(covered);
  bytes::store_le32(out.data() + start + 4, crc);
}

parsed_record parse_record(std::string_view bytes) {
  parsed_record r;
  if (bytes.size() < 4) {
    // Fewer bytes than a length: the end of the data if they are zeros.
    r.status = bytes.find_first_not_of('\0') == std::string_view::npos ? record_status::end
                                                                       : record_status::truncated;
    return r;
  }
  uint32_t length = bytes::load_le32(bytes.data());
  if (length == 0) {
    r.status = record_status::end;
    return r;
  }
  if (length > max_record_body) {
    r.status = record_status::corrupt;
    return r;
  }
  if (bytes.size() < record_header_size + length) {
    r.status = record_status::truncated;
    return r;
  }
  uint32_t stored_crc = bytes::load_le32(bytes.data() + 4);
  auto covered = bytes.substr(8, 8 + length);
  if (crc32c(covered) != stored_crc) {
    r.status = record_status::corrupt;
    return r;
  }
  r.status = record_status::ok;
  r.zxid = static_cast<int64_t>(bytes::load_le64(bytes.data() + 8));
  r.body = bytes.substr(record_header_size, length);
  r.size = record_header_size + length;
  return r;
}

bool zxid_follows(int64_t previous, int64_t next) {
  if (next == previous + 1) return true;
  auto epoch = [](int64_t z) { return static_cast<uint64_t>(z) >> 32; };
  auto counter = [](int64_t z) { return static_cast<uint64_t>(z) & 0xffffffffu; };
  return epoch(next) > epoch(previous) && counter(next) == 1;
}

} // namespace paddock::store::log_format
