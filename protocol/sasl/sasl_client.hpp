#pragma once
// The learner side of quorum SASL: a Cyrus DIGEST-MD5 client with a name and password (the
// JAAS QuorumLearner section's), for the service and realm ZooKeeper's quorum uses
// (zookeeper-quorum, zk-quorum-sasl-md5). Tokens in, tokens out; no I/O. Needs init_quorum_sasl
// (sasl_server.hpp) first, which starts Cyrus's client side too.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::sasl {

class quorum_sasl_client {
public:
  enum class status { more, done, failed };
  struct step_result {
    status outcome = status::failed;
    std::string token; // to send (when more)
    std::string error; // when failed: Cyrus's reason
  };

  // nullptr (and the reason in `error`) when Cyrus cannot make a client.
  static std::unique_ptr<quorum_sasl_client> start(std::string user, std::string password,
                                                   std::string& error);
  ~quorum_sasl_client();
  quorum_sasl_client(const quorum_sasl_client&) = delete;
  quorum_sasl_client& operator=(const quorum_sasl_client&) = delete;

  // The first token (DIGEST-MD5 has no initial response: empty), as ZooKeeper's learner
  // sends it before any challenge.
  step_result first();
  // The server's challenge in, the answer out; with the server's last token (rspauth),
  // done once it proves the server knew the password too.
  step_result step(std::string_view server_token);

private:
  struct impl;
  explicit quorum_sasl_client(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace paddock::sasl
