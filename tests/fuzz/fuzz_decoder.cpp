// libFuzzer target for everything a client's bytes reach before the server trusts them:
// the frame decoder (fed in chunks the input itself decides), the ConnectRequest decoder
// for the first frame and the request decoder for the rest; whatever decodes is encoded
// again and must decode to the same bytes.
#include "protocol/jute/codec.hpp"
#include "protocol/jute/frame_decoder.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace paddock::jute;

namespace {
void check(bool cond) {
  if (!cond) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses how the rest is split into reads.
  const size_t chunk = 1 + data[0] % 64;
  const auto* bytes = reinterpret_cast<const char*>(data + 1);
  const size_t n = size - 1;
  frame_decoder decoder{4096};
  bool first = true;
  std::span<const char> frame;
  for (size_t pos = 0; pos < n; pos += chunk) {
    decoder.feed(std::span<const char>(bytes + pos, std::min(chunk, n - pos)));
    while (decoder.next(frame)) {
      if (first) {
        first = false;
        connect_request c;
        if (decode_connect_request(frame, c) == decode_status::ok) {
          std::string again;
          encode(again, c);
          connect_request c2;
          check(decode_connect_request({again.data(), again.size()}, c2) == decode_status::ok);
          check(c2.session_id == c.session_id && c2.passwd == c.passwd);
        }
        continue;
      }
      request r;
      if (decode_request(frame, r) != decode_status::ok) continue;
      std::string once;
      encode_request_frame(once, r);
      request r2;
      check(decode_request({once.data() + 4, once.size() - 4}, r2) == decode_status::ok);
      std::string twice;
      encode_request_frame(twice, r2);
      check(once == twice);
    }
    if (decoder.failed()) break;
  }
  return 0;
}
