// whoAmI's view of a session's ids: each named as its provider does.
#include "store/tree/digest_auth.hpp"
#include "store/tree/who_am_i.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace paddock;
using namespace paddock::store;

TEST_CASE("whoAmI names each id as its provider does", "[acl][who_am_i]") {
  std::vector<jute::id> ids{
      {"super", ""}, {"ip", "127.0.0.1"}, {"digest", digest_identity("alice:pw")}};
  CHECK(who_am_i(ids) ==
        std::vector<client_info>{{"super", ""}, {"ip", "127.0.0.1"}, {"digest", "alice"}});
  CHECK(who_am_i({}).empty());
}
