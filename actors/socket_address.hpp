#pragma once
// A socket address (IPv4 or IPv6) as the host text and port the logs and the ACLs use; for
// the threads that accept sockets themselves (the TLS client port, the unified peer ports).
#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <utility>

namespace paddock::actors {

// ("", 0) for a family other than AF_INET / AF_INET6.
std::pair<std::string, uint16_t> host_and_port(const sockaddr_storage& sa);

} // namespace paddock::actors
