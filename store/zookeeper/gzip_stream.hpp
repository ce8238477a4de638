#pragma once
// The gzip format (RFC 1952) as java.util.zip.GZIPInputStream reads it, for ZooKeeper's
// `snapshot.<zxid>.gz` (zookeeper.snapshot.compression.method=gz):
//   member+        a 10-byte header (1f 8b 08, flags, mtime, xfl, os) and its optional
//                  fields, deflate data, CRC-32 and length (mod 2^32) of what it inflates to
//   anything else  after a complete member, bytes that do not start another member are
//                  ignored, as GZIPInputStream ignores them
// The members' output is concatenated. zlib does the inflating and checks every member's
// CRC-32 and length; a member cut short or damaged is an error.
#include <cstddef>
#include <string>
#include <string_view>

namespace paddock::store::zookeeper {

// Inflates `in` into `out`. False, with `error` saying what and where, for input that is not
// gzip, ends inside a member, fails a check, or would inflate to more than `max_output`
// bytes (a bound for callers that must not trust the input's claims, like a fuzzer).
bool gunzip(std::string_view in, std::string& out, std::string& error,
            size_t max_output = static_cast<size_t>(-1));

} // namespace paddock::store::zookeeper
