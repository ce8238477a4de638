#include "store/tree/who_am_i.hpp"

namespace paddock::store {

std::vector<client_info> who_am_i(std::span<const jute::id> auth) {
  std::vector<client_info> out;
  out.reserve(auth.size());
  for (const auto& id : auth) {
    std::string user = id.ident;
    // DigestAuthenticationProvider.getUserName: the id up to its first ':'.
    if (id.scheme == "digest") user = user.substr(0, user.find(':'));
    out.push_back({id.scheme, std::move(user)});
  }
  return out;
}

} // namespace paddock::store
