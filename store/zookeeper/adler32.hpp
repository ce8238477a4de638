#pragma once
// Adler-32, the checksum ZooKeeper's snapshots and transaction logs carry
// (java.util.zip.Adler32 over the bytes written before it).
#include <cstdint>
#include <string_view>

namespace paddock::store::zookeeper {

class adler32 {
public:
  void update(std::string_view bytes);
  uint32_t value() const { return (b_ << 16) | a_; }

private:
  uint32_t a_ = 1;
  uint32_t b_ = 0;
};

inline uint32_t adler32_of(std::string_view bytes) {
  adler32 sum;
  sum.update(bytes);
  return sum.value();
}

} // namespace paddock::store::zookeeper
