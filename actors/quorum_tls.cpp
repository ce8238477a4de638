#include "actors/quorum_tls.hpp"

#include "actors/file_stamp.hpp"
#include "actors/peer_port_unification.hpp"
#include "protocol/tls/quorum_credentials.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace paddock::actors {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr auto reload_check_interval = 1s;

using reload_check_atom = caf::atom_constant<caf::atom("qtlscheck")>;

// In the actor system's settings: peer connections made by this server use TLS (sslQuorum).
// With portUnification the OpenSSL module is loaded whether or not they do.
constexpr const char* outgoing_tls_key = "paddock.quorum-tls-outgoing";

bool outgoing_tls(const caf::actor_system& sys) {
  return sys.has_openssl_manager() && caf::get_or(sys.config(), outgoing_tls_key, false);
}

std::string private_dir(const config::server_config& cfg) {
  return cfg.data_dir + "/paddock-quorum-tls";
}
std::string key_store_copy(const config::server_config& cfg) {
  return private_dir(cfg) + "/keystore.pem";
}
std::string trust_store_copy(const config::server_config& cfg) {
  return private_dir(cfg) + "/truststore.pem";
}

// Copies `from` to `to`, readable by the owner only.
std::string copy_private(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return "cannot read " + from;
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!out) return "cannot write " + to;
  ::chmod(to.c_str(), 0600);
  out << in.rdbuf();
  if (!out.flush()) return "cannot write " + to;
  return {};
}

// Renews the private copies from the operator's stores: copied to temporary files first,
// the copies checked (so a file changed meanwhile is never used unchecked), then renamed
// over the ones CAF reads, so a connection reads an old file or a new one, never half.
std::string install_copies(const config::server_config& cfg) {
  const auto& q = cfg.quorum_tls;
  std::error_code ec;
  fs::create_directories(private_dir(cfg), ec);
  if (ec) return "cannot create " + private_dir(cfg) + ": " + ec.message();
  fs::permissions(private_dir(cfg), fs::perms::owner_all, fs::perm_options::replace, ec);
  const std::string key_tmp = key_store_copy(cfg) + ".tmp";
  const std::string trust_tmp = trust_store_copy(cfg) + ".tmp";
  if (auto e = copy_private(q.key_store_location, key_tmp); !e.empty()) return e;
  if (auto e = copy_private(q.trust_store_location, trust_tmp); !e.empty()) return e;
  if (auto why = tls::check_quorum_credentials(key_tmp, q.key_store_password, trust_tmp)) {
    fs::remove(key_tmp, ec);
    fs::remove(trust_tmp, ec);
    // Name the operator's files, not the copies.
    auto text = *why;
    for (const auto& [copy, original] :
         {std::pair{key_tmp, q.key_store_location}, std::pair{trust_tmp, q.trust_store_location}})
      if (auto at = text.find(copy); at != std::string::npos)
        text.replace(at, copy.size(), original);
    return text;
  }
  for (const auto& [tmp, final_name] :
       {std::pair{key_tmp, key_store_copy(cfg)}, std::pair{trust_tmp, trust_store_copy(cfg)}}) {
    fs::rename(tmp, final_name, ec);
    if (ec) return "cannot rename " + tmp + " to " + final_name + ": " + ec.message();
  }
  return {};
}

struct reloader_state {
  config::server_config cfg;
  file_stamp key_store;
  file_stamp trust_store;
  std::string last_error; // logged once while it repeats
  static inline const char* name = "paddock.quorum_tls_reloader";
};

caf::behavior reloader(caf::stateful_actor<reloader_state>* self, config::server_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.key_store = stamp_of(st.cfg.quorum_tls.key_store_location);
  st.trust_store = stamp_of(st.cfg.quorum_tls.trust_store_location);
  self->delayed_send(self, reload_check_interval, reload_check_atom::value);
  return {
      [=](reload_check_atom) {
        auto& s = self->state;
        self->delayed_send(self, reload_check_interval, reload_check_atom::value);
        const auto ks = stamp_of(s.cfg.quorum_tls.key_store_location);
        const auto ts = stamp_of(s.cfg.quorum_tls.trust_store_location);
        if (ks == s.key_store && ts == s.trust_store) return;
        if (auto error = install_copies(s.cfg); !error.empty()) {
          if (error != s.last_error)
            spdlog::error("TLS between servers: the changed certificate files are not used: {} "
                          "(new peer connections keep the previous ones)",
                          error);
          s.last_error = error;
          return; // looked at again next time, until they are usable
        }
        s.key_store = ks;
        s.trust_store = ts;
        s.last_error.clear();
        spdlog::info("TLS between servers: certificates reloaded from {} and {} (new peer "
                     "connections use them)",
                     s.cfg.quorum_tls.key_store_location, s.cfg.quorum_tls.trust_store_location);
      },
  };
}

} // namespace

std::string configure_quorum_tls(const config::server_config& cfg,
                                 caf::actor_system_config& caf_cfg) {
  if (!cfg.quorum_tls.uses_stores()) return {};
  if (auto error = install_copies(cfg); !error.empty()) return error;
  // The key store holds the key and the chain in one file: OpenSSL's PEM readers skip the
  // blocks of other kinds, so the same copy serves as both.
  caf_cfg.openssl_certificate = key_store_copy(cfg);
  caf_cfg.openssl_key = key_store_copy(cfg);
  caf_cfg.openssl_passphrase = cfg.quorum_tls.key_store_password;
  caf_cfg.openssl_cafile = trust_store_copy(cfg);
  caf_cfg.load<caf::openssl::manager>();
  caf::put(caf_cfg.content, outgoing_tls_key, cfg.quorum_tls.ssl_quorum);
  return {};
}

bool peer_links_use_tls(const caf::actor_system& sys) {
  return outgoing_tls(sys);
}

caf::io::middleman_actor peer_transport(caf::actor_system& sys) {
  return outgoing_tls(sys) ? sys.openssl_manager().actor_handle() : sys.middleman().actor_handle();
}

caf::actor peer_listener(caf::actor_system& sys) {
  if (auto unified = sys.registry().get(peer_port_unification_name()))
    return caf::actor_cast<caf::actor>(unified);
  return caf::actor_cast<caf::actor>(sys.has_openssl_manager()
                                         ? sys.openssl_manager().actor_handle()
                                         : sys.middleman().actor_handle());
}

caf::expected<uint16_t> publish_for_peers(caf::actor_system& sys, const caf::actor& whom,
                                          uint16_t port, const std::string& host,
                                          const std::set<std::string>& signatures) {
  // What caf::io::publish and caf::openssl::publish do, asked of peer_listener, with our own
  // interface signatures (theirs publish an untyped actor with none): the peer protocol
  // version (peer_protocol_check.hpp) travels in them.
  caf::scoped_actor self{sys};
  caf::expected<uint16_t> result{caf::sec::cannot_open_port};
  self->request(peer_listener(sys), caf::infinite, caf::publish_atom::value, port,
                caf::actor_cast<caf::strong_actor_ptr>(whom), signatures, host, true)
      .receive([&](uint16_t bound) { result = bound; },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

caf::actor spawn_quorum_tls_reloader(caf::actor_system& sys, const config::server_config& cfg) {
  if (!cfg.quorum_tls.uses_stores() || !cfg.quorum_tls.reload_cert_files) return nullptr;
  return sys.spawn(reloader, cfg);
}

} // namespace paddock::actors
