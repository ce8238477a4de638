#include "actors/system_clock.hpp"

#include <chrono>

namespace paddock::actors {

int64_t system_clock::monotonic_us() const {
  using std::chrono::duration_cast, std::chrono::microseconds;
  return duration_cast<microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t system_clock::wall_ms() const {
  using std::chrono::duration_cast, std::chrono::milliseconds;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace paddock::actors
