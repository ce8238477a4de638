#pragma once
// whoAmI (opcode 107): what a session is known as. ZooKeeper 3.8 answers with one
// ClientInfo{authScheme, user} per id in the connection's authInfo, in the order they were
// added; the user is what the scheme's provider calls the id: a digest id "user:hash" gives
// "user", any other id (ip address, super's "") is given as it is.
#include "protocol/jute/data_records.hpp"

#include <span>
#include <string>
#include <vector>

namespace paddock::store {

struct client_info {
  std::string auth_scheme;
  std::string user;
  friend bool operator==(const client_info&, const client_info&) = default;
};

std::vector<client_info> who_am_i(std::span<const jute::id> auth);

} // namespace paddock::store
