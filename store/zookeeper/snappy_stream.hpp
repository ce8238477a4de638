#pragma once
// snappy-java's stream format (org.xerial.snappy.SnappyOutputStream / SnappyInputStream),
// which ZooKeeper writes for `snapshot.<zxid>.snappy`
// (zookeeper.snapshot.compression.method=snappy). Not the "framing format" of Google's
// snappy (.sz); snappy-java's own, all big-endian:
//   header   8 bytes magic 82 'S' 'N' 'A' 'P' 'P' 'Y' 00, int version (1),
//            int compatible version (1)
//   block*   int length L, then L bytes of one raw snappy block (its own varint of the
//            uncompressed length first); the writer compresses 32 KiB of input per block
//   header   a block whose length field is the magic's first 4 bytes (82 53 4e 41) is the
//            header of a second stream appended to the first (snappy-java reads it and goes on)
// The output is every block's raw snappy decompression, in order; libsnappy does that part.
#include <cstddef>
#include <string>
#include <string_view>

namespace paddock::store::zookeeper {

// Decompresses `in` into `out`. False, with `error` saying what and where, for input without
// the header (snappy-java would then read the whole input as one raw block; ZooKeeper
// refuses such a snapshot before reading it), a version below 1, a block length that is
// negative or runs past the end, a few stray bytes that cannot hold a length, a block
// libsnappy refuses, or output beyond `max_output` bytes.
bool unsnappy_java(std::string_view in, std::string& out, std::string& error,
                   size_t max_output = static_cast<size_t>(-1));

} // namespace paddock::store::zookeeper
