// sd_notify's datagrams reach the socket NOTIFY_SOCKET names.
#include "actors/service_notify.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace paddock::actors;

namespace {

// A datagram socket bound at `path`, as systemd's notify socket; closed on destruction.
struct notify_socket {
  int fd = -1;
  explicit notify_socket(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  }
  ~notify_socket() { ::close(fd); }
  std::string next() {
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
};

} // namespace

TEST_CASE("service notify: READY=1 and STOPPING=1 with their status reach NOTIFY_SOCKET") {
  if (!service_notify_available()) {
    WARN("built without libsystemd: nothing is sent");
    return;
  }
  paddock::testing::scratch_dir dir;
  const auto path = dir.path() + "/notify";
  notify_socket sock(path);
  REQUIRE(::setenv("NOTIFY_SOCKET", path.c_str(), 1) == 0);
  notify_ready("serving clients on 127.0.0.1:2181 (standalone)");
  CHECK(sock.next() == "READY=1\nSTATUS=serving clients on 127.0.0.1:2181 (standalone)");
  // The variable stays for the STOPPING=1 sent later.
  CHECK(std::getenv("NOTIFY_SOCKET") != nullptr);
  notify_stopping("stopping on a signal");
  CHECK(sock.next() == "STOPPING=1\nSTATUS=stopping on a signal");
  ::unsetenv("NOTIFY_SOCKET");
}
