#pragma once
// `config -c`: the client connect string in a dynamic configuration, as ZooKeeper's
// ConfigUtils.getClientConfigStr writes it: "VERSION host:port,host:port" (each server's
// client address; a bare client port listens on 0.0.0.0), the servers in the order of the
// Java hash table it reads them into (exact up to 11 keys; beyond that the table's resizing
// may order a bin's entries otherwise). Pure.
#include <string>
#include <string_view>

namespace paddock::cli {

std::string client_config_string(std::string_view config_text);

} // namespace paddock::cli
