#pragma once
// One request on a fresh session, as every paddock-cli command but 4lw runs: connect, addAuth
// each --auth, send, close. Failures are printed as "paddock-cli: WHAT PATH: reason", with the
// ZooKeeper error's name (NoNode, BadVersion, ...) when the server answered one.
#include "protocol/jute/records.hpp"
#include "tools/cli/commands.hpp"
#include "tools/common/sync_client.hpp"

#include <optional>
#include <string_view>

namespace paddock::cli {

void report(std::string_view what, std::string_view path, std::string_view message);

// The reply of a request the server accepted; otherwise nullopt, with the failure printed
// and `status` set to exit_zk_error or exit_connection. `unanswered`, when given, tells the
// one failure after which the request may still have taken effect: it was sent and no
// answer came back.
std::optional<tools::reply> run_one(const context& ctx, std::string_view what,
                                    std::string_view path, int32_t opcode,
                                    const jute::request_body& body, int& status,
                                    bool* unanswered = nullptr);

// For a reply body that does not decode: prints so and returns exit_connection.
int malformed(std::string_view what, std::string_view path);

} // namespace paddock::cli
