#include "store/tree/digest_auth.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace paddock::store {

std::string digest_identity(std::string_view user_colon_password) {
  unsigned char sha[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(user_colon_password.data()),
       user_colon_password.size(), sha);
  // Base64 of 20 bytes: 28 characters plus EVP's terminating NUL.
  unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, sha, SHA_DIGEST_LENGTH);
  // Java's split(":", 2)[0]: everything before the first colon (all of it when none).
  auto user = user_colon_password.substr(0, user_colon_password.find(':'));
  std::string out(user);
  out += ':';
  out.append(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
  return out;
}

} // namespace paddock::store
