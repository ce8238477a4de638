// Where the SASL settings come from at start-up, and the errors that name the file or key.
#include "config/sasl_settings.hpp"
#include "scratch_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace paddock::config;

namespace {

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

} // namespace

TEST_CASE("no JAAS file: SASL is off", "[config][sasl]") {
  server_config cfg;
  CHECK(std::holds_alternative<sasl_disabled>(load_sasl_settings(cfg, nullptr)));
  CHECK(std::holds_alternative<sasl_disabled>(load_sasl_settings(cfg, "-Xmx1g")));
}

TEST_CASE("the JAAS file from jaasLoginConfig or SERVER_JVMFLAGS", "[config][sasl]") {
  paddock::testing::scratch_dir dir;
  const auto jaas = write_file(dir.path() + "/jaas.conf",
                               "Server { org.apache.zookeeper.server.auth.DigestLoginModule "
                               "required user_bob=\"pw\"; };\n");
  server_config cfg;
  auto from_flags = load_sasl_settings(cfg, ("-Djava.security.auth.login.config=" + jaas).c_str());
  REQUIRE(std::holds_alternative<sasl_settings>(from_flags));
  CHECK(std::get<sasl_settings>(from_flags).section.users.at("bob") == "pw");

  cfg.jaas_login_config = jaas;
  cfg.remove_realm_from_principal = true;
  auto from_key = load_sasl_settings(cfg, "-Djava.security.auth.login.config=/nonexistent");
  REQUIRE(std::holds_alternative<sasl_settings>(from_key)); // the zoo.cfg key wins
  CHECK(std::get<sasl_settings>(from_key).remove_realm_from_principal);
}

TEST_CASE("a bad JAAS file is an error naming it", "[config][sasl]") {
  paddock::testing::scratch_dir dir;
  server_config cfg;
  cfg.jaas_login_config = dir.path() + "/missing.conf";
  auto missing = load_sasl_settings(cfg, nullptr);
  REQUIRE(std::holds_alternative<std::string>(missing));
  CHECK_THAT(std::get<std::string>(missing),
             Catch::Contains("missing.conf") && Catch::Contains("jaasLoginConfig"));

  cfg.jaas_login_config =
      write_file(dir.path() + "/other.conf", "Client { x required username=\"bob\"; };\n");
  auto no_section = load_sasl_settings(cfg, nullptr);
  REQUIRE(std::holds_alternative<std::string>(no_section));
  CHECK_THAT(std::get<std::string>(no_section), Catch::Contains("no section named 'Server'"));

  cfg.jaas_login_config = write_file(
      dir.path() + "/krb.conf", "Server { com.sun.security.auth.module.Krb5LoginModule required\n"
                                "keyTab=\"" +
                                    dir.path() +
                                    "/absent.keytab\"\n"
                                    "principal=\"zookeeper/localhost@EXAMPLE.COM\"; };\n");
  auto no_keytab = load_sasl_settings(cfg, nullptr);
  REQUIRE(std::holds_alternative<std::string>(no_keytab));
  CHECK_THAT(std::get<std::string>(no_keytab),
             Catch::Contains("absent.keytab") && Catch::Contains("cannot be read"));
}
