#pragma once
// ZooKeeper's SnapStream: which stream a snapshot file is, by its name, and the bytes of the
// snapshot inside it. ZooKeeper 3.6+ writes `snapshot.<zxid>`, `snapshot.<zxid>.gz` or
// `snapshot.<zxid>.snappy` as zookeeper.snapshot.compression.method says, and reads any of
// them whatever that setting is. The Adler-32 seals inside (zk_snapshot.hpp) are over the
// decompressed bytes: ZooKeeper's CheckedInputStream wraps the decompressing stream.
#include <cstddef>
#include <string>
#include <string_view>

namespace paddock::store::zookeeper {

enum class snap_stream { plain, gzip, snappy };

// SnapStream.getStreamMode: the part of the name after its last dot, ignoring case: "gz" or
// "snappy"; anything else (the zxid itself, an unknown suffix) is a plain snapshot.
snap_stream snap_stream_of(std::string_view file_name);

const char* to_string(snap_stream s);

// Replaces a snapshot file's bytes by the snapshot they hold: decompressed for gzip and
// snappy, untouched for plain. False, with `error` saying which stream and what is wrong,
// for damaged or cut-short compressed input (ZooKeeper then falls back to an older
// snapshot); `bytes` is then unchanged. `max_output` bounds the decompressed size.
bool open_snap_stream(snap_stream stream, std::string& bytes, std::string& error,
                      size_t max_output = static_cast<size_t>(-1));

} // namespace paddock::store::zookeeper
