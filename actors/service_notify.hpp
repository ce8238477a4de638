#pragma once
// Tells the service manager how the server is doing (systemd's sd_notify protocol: a datagram
// to $NOTIFY_SOCKET). paddock.service is Type=notify, so `systemctl start paddock` returns
// once the server has said READY=1. Without libsystemd at build time, or without
// NOTIFY_SOCKET at run time (a server started by hand or by the tests), every call does
// nothing.
#include <string>

namespace paddock::actors {

// READY=1 with a one-line STATUS= shown by `systemctl status`: the server serves clients.
void notify_ready(const std::string& status);

// STOPPING=1: the server is shutting down (a termination signal, or a core actor failed).
void notify_stopping(const std::string& status);

// Whether this binary was built with libsystemd (for the startup log).
bool service_notify_available();

} // namespace paddock::actors
