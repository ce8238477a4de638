#pragma once
// ZooKeeper's DigestAuthenticationProvider: addAuth("digest", "user:password") makes the
// session known as digest id "user:" + base64(sha1("user:password")).
#include <string>
#include <string_view>

namespace paddock::store {

std::string digest_identity(std::string_view user_colon_password);

} // namespace paddock::store
