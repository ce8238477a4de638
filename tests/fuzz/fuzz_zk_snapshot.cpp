// libFuzzer target for what a ZooKeeper snapshot file reaches in `paddock import-zookeeper`:
// the first byte picks the stream its name would (plain, gzip, snappy-java), the rest is the
// file. Opened (decompressed, bounded to 64 MiB), then parsed as a snapshot. Never a crash or
// an out-of-bounds read; what decompresses, compressed again by zlib or libsnappy in the
// same framing, decompresses to the same bytes.
#include "compressors.hpp"
#include "store/zookeeper/zk_snap_stream.hpp"
#include "store/zookeeper/zk_snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace paddock::store::zookeeper;
namespace zkf = paddock::testing::zk;

namespace {
constexpr size_t max_output = 64 << 20;

void check(bool cond) {
  if (!cond) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto stream = static_cast<snap_stream>(data[0] % 3);
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  if (!open_snap_stream(stream, bytes, error, max_output)) {
    check(!error.empty());
    return 0;
  }
  if (stream != snap_stream::plain) {
    auto again =
        stream == snap_stream::gzip ? zkf::gzip_compress(bytes) : zkf::snappy_java_compress(bytes);
    check(open_snap_stream(stream, again, error, max_output));
    check(again == bytes);
  }
  zk_tree tree;
  zk_snapshot_info info;
  if (!parse_zk_snapshot(bytes, tree, info, error)) check(!error.empty());
  return 0;
}
