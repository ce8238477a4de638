// JAAS login configuration files as ZooKeeper users write them.
#include "config/jaas_config.hpp"

#include <catch2/catch.hpp>
#include <variant>

using namespace paddock::config;

namespace {
jaas_config ok(std::string_view text) {
  auto r = parse_jaas(text);
  if (auto* e = std::get_if<jaas_error>(&r)) FAIL("line " << e->line << ": " << e->message);
  return std::get<jaas_config>(r);
}
jaas_error bad(std::string_view text) {
  auto r = parse_jaas(text);
  REQUIRE(std::holds_alternative<jaas_error>(r));
  return std::get<jaas_error>(r);
}
} // namespace

TEST_CASE("a Server section with DigestLoginModule users", "[jaas]") {
  auto c = ok("/* ZooKeeper's server side */\n"
              "Server {\n"
              "  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
              "  user_super=\"adminsecret\"   // the super user\n"
              "  user_bob=\"bob's \\\"pw\\\"\";\n"
              "};\n"
              "# the client side, in the same file\n"
              "Client { org.apache.zookeeper.server.auth.DigestLoginModule required "
              "username=bob password='bobsecret'; };\n");
  REQUIRE(c.sections.size() == 2);
  const auto* server = c.find("Server");
  REQUIRE(server);
  REQUIRE(server->entries.size() == 1);
  CHECK(server->entries[0].login_module == "org.apache.zookeeper.server.auth.DigestLoginModule");
  CHECK(server->entries[0].flag == "required");
  auto s = server_section_of(*server);
  CHECK(s.users ==
        std::map<std::string, std::string>{{"super", "adminsecret"}, {"bob", "bob's \"pw\""}});
  CHECK_FALSE(s.uses_kerberos());
  const auto* client = c.find("Client");
  REQUIRE(client);
  CHECK(client->entries[0].options.at("username") == "bob");
  CHECK(client->entries[0].options.at("password") == "bobsecret");
  CHECK(c.find("QuorumServer") == nullptr);
}

TEST_CASE("a Kerberos Server section names the keytab and the principal", "[jaas]") {
  auto c = ok("Server {\n"
              "  com.sun.security.auth.module.Krb5LoginModule required\n"
              "  useKeyTab=true\n"
              "  keyTab=\"/etc/zookeeper/zk.keytab\"\n"
              "  storeKey=true\n"
              "  useTicketCache=false\n"
              "  principal=\"zookeeper/zk1.example.com@EXAMPLE.COM\";\n"
              "};\n");
  auto s = server_section_of(c.sections.at(0));
  CHECK(s.uses_kerberos());
  CHECK(s.keytab == "/etc/zookeeper/zk.keytab");
  CHECK(s.principal == "zookeeper/zk1.example.com@EXAMPLE.COM");
  CHECK(s.users.empty());
}

TEST_CASE("users come from every entry of the section", "[jaas]") {
  auto c = ok("Server {\n"
              "  a.DigestLoginModule sufficient user_a=\"1\";\n"
              "  b.DigestLoginModule optional user_b=\"2\" user_=\"ignored: no name\";\n"
              "};");
  auto s = server_section_of(c.sections.at(0));
  CHECK(s.users == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
}

TEST_CASE("mistakes name their line", "[jaas]") {
  CHECK(bad("Server {\n  x.Module required\n  user_bob=\"pw\"\n}; ").line == 4);
  auto no_flag = bad("Server {\n  x.Module user_bob=\"pw\";\n};");
  CHECK(no_flag.line == 2);
  CHECK(no_flag.message.find("flag") != std::string::npos);
  auto unclosed = bad("Server {\n x.M required\n user_bob=\"pw;\n};\n");
  CHECK(unclosed.line == 3);
  CHECK(unclosed.message.find("quoted") != std::string::npos);
  CHECK(bad("Server {\n x.M required user_bob=;\n};").line == 2);
  CHECK(bad("Server {\n x.M required;\n}").message.find("';'") != std::string::npos);
  CHECK(bad("Server { x.M required; };\nServer { x.M required; };").line == 2);
  CHECK(bad("/* never closed\nServer {").line == 1);
  CHECK(bad("Server { x.M required a=\"1\" a=\"2\"; };").message.find("twice") !=
        std::string::npos);
}

TEST_CASE("an empty file has no sections", "[jaas]") {
  CHECK(ok("").sections.empty());
  CHECK(ok("// nothing\n# here\n").sections.empty());
}

TEST_CASE("the JAAS path in SERVER_JVMFLAGS", "[jaas]") {
  CHECK(jaas_path_from_jvm_flags("") == std::nullopt);
  CHECK(jaas_path_from_jvm_flags("-Xmx1g -Dzookeeper.foo=1") == std::nullopt);
  CHECK(jaas_path_from_jvm_flags("-Xmx1g -Djava.security.auth.login.config=/etc/zk/jaas.conf") ==
        "/etc/zk/jaas.conf");
  // The last one wins, as with java; quotes as a shell would leave them in the variable.
  CHECK(jaas_path_from_jvm_flags("-Djava.security.auth.login.config=/a "
                                 "\"-Djava.security.auth.login.config=/b c/jaas.conf\"") ==
        "/b c/jaas.conf");
}
