#include "store/zookeeper/adler32.hpp"

#include <algorithm>

namespace paddock::store::zookeeper {

void adler32::update(std::string_view bytes) {
  constexpr uint32_t mod = 65521;
  // 5552 bytes is the longest run whose sums cannot overflow 32 bits before the modulo
  // (zlib's NMAX).
  constexpr size_t block = 5552;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t left = bytes.size();
  while (left > 0) {
    size_t n = std::min(left, block);
    left -= n;
    while (n--) {
      a_ += *p++;
      b_ += a_;
    }
    a_ %= mod;
    b_ %= mod;
  }
}

} // namespace paddock::store::zookeeper
