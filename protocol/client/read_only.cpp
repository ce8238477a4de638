#include "protocol/client/read_only.hpp"

#include "protocol/jute/opcodes.hpp"

#include <algorithm>

namespace paddock::client {

int32_t read_only_grace_ms(int32_t tick_time_ms) {
  return std::max(int32_t{2000}, tick_time_ms);
}

bool refused_when_read_only(int32_t opcode) {
  namespace op = jute::opcode;
  switch (opcode) {
  case op::sync:
  case op::create:
  case op::create2:
  case op::create_ttl:
  case op::create_container:
  case op::remove:
  case op::delete_container:
  case op::set_data:
  case op::reconfig:
  case op::set_acl:
  case op::multi:
  case op::check: return true;
  default: return false;
  }
}

bool accepts_connection(bool server_read_only, bool client_asked_read_only) {
  return !server_read_only || client_asked_read_only;
}

} // namespace paddock::client
