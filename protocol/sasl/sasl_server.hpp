#pragma once
// The server side of ZooKeeper's client SASL exchange, on Cyrus SASL (libsasl2).
//
// ZooKeeper picks the mechanism from its JAAS `Server` section: DIGEST-MD5 with the
// section's user_<name>="<password>" options (service "zookeeper", server name and realm
// "zk-sasl-md5", which its clients and kazoo put in their digest-uri), or GSSAPI when the
// section has a Kerberos principal "service/host@REALM" (service and host from it; the
// keytab from the section's keyTab).
//
// Cyrus is set up once per process (sasl_server_init is process-wide): init_sasl_server
// registers an auxiliary-property plugin that answers Cyrus's password lookups from the JAAS
// users, so no sasldb file is involved. Then one sasl_exchange per connection.
#include "config/quorum_sasl_settings.hpp"
#include "config/sasl_settings.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::sasl {

// Sets up Cyrus for this process. An error message (naming what is missing: the DIGEST-MD5
// or GSSAPI plugin, a principal without service/host) or nullopt. Call once, before any
// exchange; later calls replace the users.
std::optional<std::string> init_sasl_server(const config::sasl_settings& settings);

// The mechanism the exchanges of this process use: "DIGEST-MD5" or "GSSAPI"; "" before
// init_sasl_server (SASL not configured).
std::string sasl_mechanism();

// Quorum SASL for this process: the QuorumServer users the quorum's exchanges
// (start_quorum: service "zookeeper-quorum", realm "zk-quorum-sasl-md5", DIGEST-MD5) check, and
// this server's own QuorumLearner identity (quorum_sasl()). Independent of init_sasl_server:
// either, both or neither may be called. An error message (the DIGEST-MD5 plugin missing) or
// nullopt.
std::optional<std::string> init_quorum_sasl(const config::quorum_sasl_settings& settings);

// What init_quorum_sasl was given; nullopt when quorum SASL is off.
std::optional<config::quorum_sasl_settings> quorum_sasl();

class sasl_exchange {
public:
  enum class status { more, done, failed };
  struct step_result {
    status outcome = status::failed;
    std::optional<std::string> token; // to send back (nullopt: a null SetSASLResponse token)
    std::string authorized_id;        // when done: the id of ("sasl", id)
    std::string error;                // when failed: Cyrus's reason, for the log
  };

  // A fresh exchange for one connection; nullptr (and the reason in `error`) when Cyrus
  // cannot make one.
  static std::unique_ptr<sasl_exchange> start(std::string& error);
  // The same for a learner of the quorum (after init_quorum_sasl): DIGEST-MD5 against the
  // QuorumServer users; the authorized id is the learner's user name.
  static std::unique_ptr<sasl_exchange> start_quorum(std::string& error);
  ~sasl_exchange();
  sasl_exchange(const sasl_exchange&) = delete;
  sasl_exchange& operator=(const sasl_exchange&) = delete;

  // One client token in, the server's answer out. A token after the exchange completed
  // fails, as Java's SaslServer does.
  step_result step(std::string_view client_token);

private:
  struct impl;
  explicit sasl_exchange(std::unique_ptr<impl> p);
  static std::unique_ptr<sasl_exchange> open(std::unique_ptr<impl> p, const std::string& service,
                                             const std::string& server_name, std::string& error);
  std::unique_ptr<impl> impl_;
};

} // namespace paddock::sasl
