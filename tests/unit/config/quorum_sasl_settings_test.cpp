// What quorum SASL reads from the JAAS file: the QuorumServer users and the QuorumLearner
// identity, under the section names zoo.cfg gives; errors name the file and the section.
#include "config/quorum_sasl_settings.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace paddock::config;

namespace {

jaas_file file_of(const std::string& text) {
  auto parsed = parse_jaas(text);
  REQUIRE(std::holds_alternative<jaas_config>(parsed));
  return jaas_file{"/etc/zk/jaas.conf", "jaasLoginConfig", std::get<jaas_config>(parsed)};
}

server_config enabled() {
  server_config cfg;
  cfg.quorum_enable_sasl = true;
  return cfg;
}

const std::string both = R"(
QuorumServer {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_zk1="pw1" user_zk2="pw2";
};
QuorumLearner {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="zk1" password="pw1";
};
)";

} // namespace

TEST_CASE("quorum SASL settings from the QuorumServer and QuorumLearner sections",
          "[config][sasl][quorum]") {
  auto got = quorum_sasl_settings_of(enabled(), file_of(both));
  REQUIRE(std::holds_alternative<quorum_sasl_settings>(got));
  const auto& s = std::get<quorum_sasl_settings>(got);
  CHECK(s.users == std::map<std::string, std::string>{{"zk1", "pw1"}, {"zk2", "pw2"}});
  CHECK(s.learner_user == "zk1");
  CHECK(s.learner_password == "pw1");
}

TEST_CASE("quorum SASL settings under other section names", "[config][sasl][quorum]") {
  auto cfg = enabled();
  cfg.quorum_server_login_context = "QS";
  cfg.quorum_learner_login_context = "QL";
  auto text = both;
  text.replace(text.find("QuorumServer"), 12, "QS");
  text.replace(text.find("QuorumLearner"), 13, "QL");
  CHECK(std::holds_alternative<quorum_sasl_settings>(quorum_sasl_settings_of(cfg, file_of(text))));
  // The default names are then not enough.
  auto missing = quorum_sasl_settings_of(cfg, file_of(both));
  REQUIRE(std::holds_alternative<std::string>(missing));
  const auto& e = std::get<std::string>(missing);
  CHECK(e.find("'QS'") != std::string::npos);
  CHECK(e.find("/etc/zk/jaas.conf") != std::string::npos);
  CHECK(e.find("quorum.auth.server.saslLoginContext") != std::string::npos);
}

TEST_CASE("quorum SASL settings: missing sections and options are errors",
          "[config][sasl][quorum]") {
  auto error_of = [](const std::string& text) {
    auto got = quorum_sasl_settings_of(enabled(), file_of(text));
    REQUIRE(std::holds_alternative<std::string>(got));
    return std::get<std::string>(got);
  };
  auto no_learner = error_of(both.substr(0, both.find("QuorumLearner")));
  CHECK(no_learner.find("'QuorumLearner'") != std::string::npos);
  CHECK(no_learner.find("/etc/zk/jaas.conf") != std::string::npos);
  auto no_server = error_of(both.substr(both.find("QuorumLearner")));
  CHECK(no_server.find("'QuorumServer'") != std::string::npos);
  auto no_users =
      error_of("QuorumServer { m required x=\"y\"; };\n" + both.substr(both.find("QuorumLearner")));
  CHECK(no_users.find("user_<name>") != std::string::npos);
  auto no_name = error_of(both.substr(0, both.find("QuorumLearner")) +
                          "QuorumLearner { m required password=\"p\"; };\n");
  CHECK(no_name.find("username") != std::string::npos);
  auto krb = error_of(both.substr(0, both.find("QuorumLearner")) +
                      "QuorumLearner { com.sun.security.auth.module.Krb5LoginModule required "
                      "principal=\"zkquorum/host@R\"; };\n");
  CHECK(krb.find("Kerberos") != std::string::npos);
}

TEST_CASE("quorum SASL needs a JAAS file", "[config][sasl][quorum]") {
  auto got = load_quorum_sasl_settings(enabled(), nullptr);
  REQUIRE(std::holds_alternative<std::string>(got));
  CHECK(std::get<std::string>(got).find("needs a JAAS file") != std::string::npos);
}

TEST_CASE("a JAAS file for quorum SASL alone leaves client SASL off", "[config][sasl][quorum]") {
  paddock::testing::scratch_dir dir;
  const auto path = dir.path() + "/jaas.conf";
  std::ofstream(path) << both;
  auto cfg = enabled();
  cfg.jaas_login_config = path;
  CHECK(std::holds_alternative<sasl_disabled>(load_sasl_settings(cfg, nullptr)));
  CHECK(std::holds_alternative<quorum_sasl_settings>(load_quorum_sasl_settings(cfg, nullptr)));
  // Without quorum SASL the missing Server section is still an error.
  cfg.quorum_enable_sasl = false;
  CHECK(std::holds_alternative<std::string>(load_sasl_settings(cfg, nullptr)));
}
