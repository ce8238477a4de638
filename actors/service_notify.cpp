#include "actors/service_notify.hpp"

#ifdef PADDOCK_WITH_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace paddock::actors {

namespace {

// sd_notify returns 0 without NOTIFY_SOCKET and a negative errno when the datagram cannot be
// sent; neither stops the server: the service manager then only sees the process, as it
// would for Type=simple. unset_environment=0 keeps NOTIFY_SOCKET for the later STOPPING=1.
void send_state([[maybe_unused]] const std::string& state) {
#ifdef PADDOCK_WITH_SYSTEMD
  (void)sd_notify(0, state.c_str());
#endif
}

} // namespace

void notify_ready(const std::string& status) {
  send_state("READY=1\nSTATUS=" + status);
}

void notify_stopping(const std::string& status) {
  send_state("STOPPING=1\nSTATUS=" + status);
}

bool service_notify_available() {
#ifdef PADDOCK_WITH_SYSTEMD
  return true;
#else
  return false;
#endif
}

} // namespace paddock::actors
