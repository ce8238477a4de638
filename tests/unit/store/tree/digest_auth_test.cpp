#include "store/tree/digest_auth.hpp"

#include <catch2/catch.hpp>

using paddock::store::digest_identity;

TEST_CASE("digest identities are user:base64(sha1(user:password)) as ZooKeeper's") {
  // Expected value computed independently (Python hashlib + base64).
  CHECK(digest_identity("user:password") == "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=");
  // Only the first colon separates the user; the whole string is hashed.
  auto id = digest_identity("a:b:c");
  CHECK(id.rfind("a:", 0) == 0);
  CHECK(id.size() == 2 + 28);
  CHECK(digest_identity("nocolon").rfind("nocolon:", 0) == 0);
}
