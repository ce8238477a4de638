// ZooKeeper's SnapStream: the stream is the name's last suffix ("gz", "snappy", any case),
// anything else is plain; a compressed snapshot opens to the same bytes as the plain one,
// and a damaged one says which stream failed and leaves the bytes as they were.
#include "compressors.hpp"
#include "store/zookeeper/zk_snap_stream.hpp"
#include "store/zookeeper/zk_snapshot.hpp"
#include "zk_files.hpp"

#include <catch2/catch.hpp>

using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;

TEST_CASE("snap_stream_of: the name's last suffix, as SnapStream.getStreamMode") {
  CHECK(snap_stream_of("snapshot.1a2b") == snap_stream::plain);
  CHECK(snap_stream_of("snapshot.1a2b.gz") == snap_stream::gzip);
  CHECK(snap_stream_of("snapshot.1a2b.GZ") == snap_stream::gzip);
  CHECK(snap_stream_of("snapshot.1a2b.snappy") == snap_stream::snappy);
  CHECK(snap_stream_of("snapshot.1a2b.Snappy") == snap_stream::snappy);
  // An unknown suffix is read as a plain snapshot, as ZooKeeper reads it.
  CHECK(snap_stream_of("snapshot.1a2b.tmp") == snap_stream::plain);
  CHECK(snap_stream_of("snapshot.1a2b.gz.tmp") == snap_stream::plain);
  CHECK(snap_stream_of("snapshot") == snap_stream::plain);
  // The zxid is the part after the prefix whatever follows it.
  CHECK(zxid_from_name("snapshot.1a2b.snappy", "snapshot") == 0x1a2b);
}

TEST_CASE("open_snap_stream: gz and snappy open to the snapshot inside") {
  auto b = zkf::base_snapshot();
  for (int i = 0; i < 500; ++i)
    b.nodes.push_back({"/n" + std::to_string(i), std::string(100, 'x'), -1, {.czxid = i + 1}});
  const auto plain = b.bytes();
  for (auto [stream, compressed] :
       {std::pair{snap_stream::gzip, zkf::gzip_compress(plain)},
        std::pair{snap_stream::snappy, zkf::snappy_java_compress(plain)}}) {
    INFO(to_string(stream));
    auto bytes = compressed;
    std::string error;
    REQUIRE(open_snap_stream(stream, bytes, error));
    CHECK(bytes == plain);
    zk_tree tree;
    zk_snapshot_info info;
    REQUIRE(parse_zk_snapshot(bytes, tree, info, error));
    CHECK(tree.nodes.size() == 504);
  }
  auto bytes = plain;
  std::string error;
  REQUIRE(open_snap_stream(snap_stream::plain, bytes, error));
  CHECK(bytes == plain);
}

TEST_CASE("open_snap_stream: damage names the stream and leaves the bytes") {
  const auto plain = zkf::base_snapshot().bytes();
  for (auto [stream, name] :
       {std::pair{snap_stream::gzip, "gzip: "}, std::pair{snap_stream::snappy, "snappy: "}}) {
    // A plain snapshot under a compressed name: the stream's magic is missing.
    auto bytes = plain;
    std::string error;
    CHECK_FALSE(open_snap_stream(stream, bytes, error));
    CHECK(error.rfind(name, 0) == 0);
    CHECK(bytes == plain);
  }
}
