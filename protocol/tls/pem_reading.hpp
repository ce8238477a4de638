#pragma once
// What reading PEM key and trust stores needs on both sides of Paddock's TLS (the client
// port's context and the quorum's credentials): the password callback OpenSSL calls for an
// encrypted key, and one form for the errors that name the zoo.cfg key and the file.
#include <string>
#include <string_view>

namespace paddock::tls {

// "<key> <file>: <what> (<OpenSSL's queued errors>)".
std::string store_problem(std::string_view key, const std::string& file, std::string_view what);

// pem_password_cb: `userdata` is the std::string holding the password.
int pem_password_callback(char* buf, int size, int rwflag, void* userdata);

} // namespace paddock::tls
