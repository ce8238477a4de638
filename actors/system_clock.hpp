#pragma once
// The server's clock: the operating system's, behind clock::source (protocol/clock/source.hpp).
// It lives in actors/ because reading the OS is I/O, which only actors/ (and tools/) do; the
// interface sits in protocol/ so that pure code may take one without reading a clock itself.
#include "protocol/clock/source.hpp"

namespace paddock::actors {

class system_clock final : public clock::source {
public:
  int64_t monotonic_us() const override; // std::chrono::steady_clock
  int64_t wall_ms() const override;      // std::chrono::system_clock
};

} // namespace paddock::actors
