#pragma once
// The framing of the txn log (docs/on-disk-format.md): a segment file is a 16-byte header
// followed by records, then zeros up to the preallocated size.
//   segment header: "PDKLOG01" (8 bytes), first zxid (i64 little-endian)
//   record:         body length (u32 LE), CRC32C of the next 12 bytes + body (u32 LE),
//                   zxid (i64 LE), body (a paddock.proto.Txn)
// A length of 0 where a record would start is the end of the data (preallocated zeros).
// Pure functions over bytes: the file handling is in txn_log_writer / txn_log_reader.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace paddock::store::log_format {

inline constexpr std::string_view segment_magic = "PDKLOG01";
inline constexpr size_t segment_header_size = 16;
inline constexpr size_t record_header_size = 16;
// Larger than any txn a client can cause (jute.maxbuffer is at most 2 GiB in theory but a
// record above this is treated as corruption, not as a reason to read gigabytes).
inline constexpr uint32_t max_record_body = 64u << 20;

// "log.<16 hex digits of the first zxid>", as ZooKeeper names its log files.
std::string segment_name(int64_t first_zxid);
// The zxid in a segment's name; false when `name` is not a segment name.
bool parse_segment_name(std::string_view name, int64_t& first_zxid);

std::string segment_header(int64_t first_zxid);
bool parse_segment_header(std::string_view bytes, int64_t& first_zxid);

// Appends one framed record to `out`.
void append_record(std::string& out, int64_t zxid, std::string_view body);

enum class record_status {
  ok,        // a whole record with a valid CRC
  end,       // a zero length: nothing written from here on
  truncated, // the bytes end inside the record
  corrupt,   // bad CRC or impossible length
};

struct parsed_record {
  record_status status = record_status::end;
  int64_t zxid = 0;
  std::string_view body;
  size_t size = 0; // header + body, when ok
};

// Parses the record starting at bytes[0].
parsed_record parse_record(std::string_view bytes);

// Whether a zxid may follow another in the log: the next counter of the same epoch, or the
// first of a later epoch (zxid = epoch << 32 | counter; a new leader starts at counter 1).
bool zxid_follows(int64_t previous, int64_t next);

} // namespace paddock::store::log_format
