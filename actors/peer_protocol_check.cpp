#include "actors/peer_protocol_check.hpp"

#include "actors/messages/peer_protocol_version.hpp"

#include <charconv>
#include <cstdlib>
#include <fmt/format.h>
#include <string_view>

namespace paddock::actors {

namespace {

constexpr std::string_view signature_prefix = "paddock-peer-protocol-";

std::optional<int> positive_integer(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value <= 0) return std::nullopt;
  return value;
}

} // namespace

std::set<std::string> peer_protocol_signatures(int version) {
  return {std::string(signature_prefix) + std::to_string(version)};
}

std::optional<int> advertised_peer_protocol(const std::set<std::string>& signatures) {
  for (const auto& s : signatures)
    if (std::string_view(s).starts_with(signature_prefix))
      if (auto v = positive_integer(std::string_view(s).substr(signature_prefix.size()))) return v;
  return std::nullopt;
}

std::string peer_protocol_mismatch_message(int64_t peer_id, const std::string& host, int port,
                                           std::optional<int> theirs, int ours) {
  const std::string what = theirs ? fmt::format("speaks peer protocol {}", *theirs)
                                  : std::string("advertises no peer protocol version (a build "
                                                "from before the version check)");
  return fmt::format("server {} ({}:{}) {}, this server {}: they cannot form an ensemble; "
                     "upgrade every server with a full stop and start (docs/operator-guide.md, "
                     "\"Upgrades and the on-disk format\"); retrying",
                     peer_id, host, port, what, ours);
}

int advertised_peer_protocol_version(int compiled, const char* test_override) {
  if (test_override == nullptr) return compiled;
  return positive_integer(test_override).value_or(compiled);
}

int this_server_peer_protocol_version() {
  static const int version = advertised_peer_protocol_version(
      peer_protocol_version, std::getenv(test_peer_protocol_variable));
  return version;
}

} // namespace paddock::actors
