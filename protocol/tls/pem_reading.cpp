#include "protocol/tls/pem_reading.hpp"

#include "protocol/tls/server_context.hpp"

#include <algorithm>
#include <cstring>

namespace paddock::tls {

std::string store_problem(std::string_view key, const std::string& file, std::string_view what) {
  auto msg = std::string(key) + " " + file + ": " + std::string(what);
  if (auto errs = openssl_errors(); !errs.empty()) msg += " (" + errs + ")";
  return msg;
}

int pem_password_callback(char* buf, int size, int, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  const int n = std::min<int>(size, static_cast<int>(password->size()));
  std::memcpy(buf, password->data(), static_cast<size_t>(n));
  return n;
}

} // namespace paddock::tls
