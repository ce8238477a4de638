// The server side of the DIGEST-MD5 exchange against Cyrus's own client side, in process:
// the users come from the JAAS section, a wrong password or an unknown user fails, and the
// authorized id is the user's name.
#include "protocol/sasl/sasl_server.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <sasl/sasl.h>
#include <string>

using namespace paddock::sasl;

namespace {

struct client_identity {
  std::string user;
  std::string password;
  std::string secret_storage; // sasl_secret_t with the password after it
};

int client_name(void* context, int id, const char** result, unsigned* len) {
  auto* who = static_cast<client_identity*>(context);
  if (id != SASL_CB_AUTHNAME && id != SASL_CB_USER) return SASL_BADPARAM;
  *result = who->user.c_str();
  if (len) *len = static_cast<unsigned>(who->user.size());
  return SASL_OK;
}

int client_password(sasl_conn_t*, void* context, int id, sasl_secret_t** secret) {
  auto* who = static_cast<client_identity*>(context);
  if (id != SASL_CB_PASS) return SASL_BADPARAM;
  who->secret_storage.assign(sizeof(sasl_secret_t) + who->password.size(), '\0');
  auto* s = reinterpret_cast<sasl_secret_t*>(who->secret_storage.data());
  s->len = who->password.size();
  std::memcpy(s->data, who->password.data(), who->password.size());
  *secret = s;
  return SASL_OK;
}

template <class Fn> int (*as_callback(Fn* fn))() {
  return reinterpret_cast<int (*)()>(reinterpret_cast<void (*)()>(fn));
}

struct outcome {
  sasl_exchange::status last = sasl_exchange::status::failed;
  std::string authorized_id;
  int round_trips = 0;
};

// What ZooKeeper's Java client and kazoo do: an empty first token, then the client's answer
// to each server token until the server is done or fails.
outcome run_exchange(const std::string& user, const std::string& password) {
  static const bool client_ready = sasl_client_init(nullptr) == SASL_OK;
  REQUIRE(client_ready);
  client_identity who{user, password, {}};
  sasl_callback_t callbacks[] = {
      {SASL_CB_AUTHNAME, as_callback(&client_name), &who},
      {SASL_CB_USER, as_callback(&client_name), &who},
      {SASL_CB_PASS, as_callback(&client_password), &who},
      {SASL_CB_LIST_END, nullptr, nullptr},
  };
  sasl_conn_t* client = nullptr;
  REQUIRE(sasl_client_new("zookeeper", "zk-sasl-md5", nullptr, nullptr, callbacks, 0, &client) ==
          SASL_OK);
  std::string error;
  auto server = sasl_exchange::start(error);
  REQUIRE(server);
  outcome out;
  const char* client_out = nullptr;
  unsigned client_out_len = 0;
  const char* mech = nullptr;
  REQUIRE(sasl_client_start(client, "DIGEST-MD5", nullptr, &client_out, &client_out_len, &mech) ==
          SASL_CONTINUE);
  std::string token(client_out ? client_out : "", client_out_len);
  for (int i = 0; i < 5; ++i) {
    auto step = server->step(token);
    ++out.round_trips;
    out.last = step.outcome;
    if (step.outcome == sasl_exchange::status::failed) break;
    REQUIRE(step.token);
    int r = sasl_client_step(client, step.token->data(), static_cast<unsigned>(step.token->size()),
                             nullptr, &client_out, &client_out_len);
    if (step.outcome == sasl_exchange::status::done) {
      // The client checks the server's rspauth: the server knew the password too.
      CHECK(r == SASL_OK);
      out.authorized_id = step.authorized_id;
      break;
    }
    REQUIRE(r == SASL_CONTINUE);
    token.assign(client_out ? client_out : "", client_out_len);
  }
  sasl_dispose(&client);
  return out;
}

} // namespace

TEST_CASE("DIGEST-MD5 against the JAAS users", "[sasl]") {
  paddock::config::sasl_settings settings;
  settings.section.users = {{"bob", "bobsecret"}, {"carol", "carolsecret"}};
  REQUIRE(init_sasl_server(settings) == std::nullopt);
  CHECK(sasl_mechanism() == "DIGEST-MD5");

  auto bob = run_exchange("bob", "bobsecret");
  CHECK(bob.last == sasl_exchange::status::done);
  CHECK(bob.authorized_id == "bob");
  CHECK(bob.round_trips == 2);

  auto wrong = run_exchange("bob", "carolsecret");
  CHECK(wrong.last == sasl_exchange::status::failed);
  CHECK(wrong.round_trips == 2);

  auto unknown = run_exchange("mallory", "bobsecret");
  CHECK(unknown.last == sasl_exchange::status::failed);
}

TEST_CASE("a token after the exchange is over fails", "[sasl]") {
  paddock::config::sasl_settings settings;
  settings.section.users = {{"bob", "bobsecret"}};
  REQUIRE(init_sasl_server(settings) == std::nullopt);
  std::string error;
  auto server = sasl_exchange::start(error);
  REQUIRE(server);
  auto garbage = server->step("");
  REQUIRE(garbage.outcome == sasl_exchange::status::more); // the challenge
  CHECK(server->step("not a digest response").outcome == sasl_exchange::status::failed);
  CHECK(server->step("").outcome == sasl_exchange::status::failed);
}

TEST_CASE("a Kerberos principal must name service and host", "[sasl]") {
  paddock::config::sasl_settings settings;
  settings.section.principal = "zookeeper@EXAMPLE.COM";
  auto err = init_sasl_server(settings);
  REQUIRE(err);
  CHECK(err->find("service/host@REALM") != std::string::npos);
}

TEST_CASE("a Kerberos principal with service and host selects GSSAPI and its keytab", "[sasl]") {
  paddock::config::sasl_settings settings;
  settings.section.principal = "zookeeper/localhost@EXAMPLE.COM";
  settings.section.keytab = "/nonexistent/zookeeper.keytab";
  const char* before = std::getenv("KRB5_KTNAME");
  const std::string saved = before ? before : "";
  unsetenv("KRB5_KTNAME");
  REQUIRE(init_sasl_server(settings) == std::nullopt);
  CHECK(sasl_mechanism() == "GSSAPI");
  const char* keytab = std::getenv("KRB5_KTNAME");
  REQUIRE(keytab);
  CHECK(std::string(keytab) == "/nonexistent/zookeeper.keytab");
  std::string error;
  CHECK(sasl_exchange::start(error) != nullptr);
  if (before)
    setenv("KRB5_KTNAME", saved.c_str(), 1);
  else
    unsetenv("KRB5_KTNAME");
}
