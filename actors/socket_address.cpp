#include "actors/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace paddock::actors {

std::pair<std::string, uint16_t> host_and_port(const sockaddr_storage& sa) {
  char host[INET6_ADDRSTRLEN] = "";
  uint16_t port = 0;
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return {host, port};
}

} // namespace paddock::actors
