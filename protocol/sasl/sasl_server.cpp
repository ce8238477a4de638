#include "protocol/sasl/sasl_server.hpp"

#include "protocol/sasl/kerberos_name.hpp"

#include <cstdlib>
#include <cstring>
#include <krb5.h>
#include <mutex>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <spdlog/spdlog.h>

namespace paddock::sasl {

namespace {

// ZooKeeper's names for the DIGEST-MD5 exchange (SecurityUtils, ZooKeeperSaslServer).
constexpr const char* digest_service = "zookeeper";
constexpr const char* digest_server_name = "zk-sasl-md5";
constexpr const char* auxprop_name = "paddock-jaas";
// ZooKeeper's names for quorum SASL (QuorumAuth): the learner's digest-uri is
// zookeeper-quorum/zk-quorum-sasl-md5.
constexpr const char* quorum_service = "zookeeper-quorum";
constexpr const char* quorum_server_name = "zk-quorum-sasl-md5";

// What the Cyrus callbacks read: set by init_sasl_server, read from any session's thread.
struct process_settings {
  config::sasl_settings settings;
  std::string mechanism;     // DIGEST-MD5 or GSSAPI
  std::string service;       // sasl_server_new's service
  std::string server_name;   // sasl_server_new's serverFQDN
  std::string default_realm; // the Kerberos default realm, "" when none is configured
};
std::mutex settings_mutex;
std::shared_ptr<const process_settings> current_settings;

std::shared_ptr<const process_settings> settings() {
  std::lock_guard lock(settings_mutex);
  return current_settings;
}

// Quorum SASL's side of the process: the QuorumServer users and this server's QuorumLearner
// identity (set by init_quorum_sasl).
std::shared_ptr<const config::quorum_sasl_settings> current_quorum;

std::shared_ptr<const config::quorum_sasl_settings> quorum_settings() {
  std::lock_guard lock(settings_mutex);
  return current_quorum;
}

// Cyrus's options, which it would otherwise read from a <app>.conf file in its plugin
// directory: passwords come from our auxprop plugin, and only the one mechanism is offered.
int get_option(void*, const char*, const char* option, const char** result, unsigned* len) {
  static thread_local std::string value;
  auto s = settings();
  auto q = quorum_settings();
  if (!s && !q) return SASL_FAIL;
  if (std::strcmp(option, "auxprop_plugin") == 0)
    value = auxprop_name;
  else if (std::strcmp(option, "mech_list") == 0) {
    // Clients' mechanism, and DIGEST-MD5 for the quorum when it is on.
    value = s ? s->mechanism : std::string();
    if (q && value != "DIGEST-MD5") value += value.empty() ? "DIGEST-MD5" : " DIGEST-MD5";
  } else
    return SASL_FAIL;
  *result = value.c_str();
  if (len) *len = static_cast<unsigned>(value.size());
  return SASL_OK;
}

int log_message(void*, int level, const char* message) {
  if (level <= SASL_LOG_ERR)
    spdlog::warn("sasl: {}", message);
  else if (level <= SASL_LOG_NOTE)
    spdlog::info("sasl: {}", message);
  else
    spdlog::debug("sasl: {}", message);
  return SASL_OK;
}

// ZooKeeper authorizes every client that authenticated (SaslServerCallbackHandler sets
// authorized for any authorization id) and then stores the authentication id, so the
// authorization id a client asks for does not matter.
int allow_any_authorization(sasl_conn_t*, void*, const char*, unsigned, const char*, unsigned,
                            const char*, unsigned, struct propctx*) {
  return SASL_OK;
}

// The password of `user` for Cyrus's DIGEST-MD5: the JAAS user_<name> option. Cyrus may ask
// for "name@realm" (the realm the client chose, zk-sasl-md5): the realm is not part of the
// JAAS name.
const std::string* password_of(const std::map<std::string, std::string>& users,
                               std::string_view user) {
  if (auto it = users.find(std::string(user)); it != users.end()) return &it->second;
  if (auto at = user.rfind('@'); at != std::string_view::npos)
    if (auto it = users.find(std::string(user.substr(0, at))); it != users.end())
      return &it->second;
  return nullptr;
}

int auxprop_lookup(void*, sasl_server_params_t* sparams, unsigned flags, const char* user,
                   unsigned ulen) {
  if (!sparams || !user) return SASL_BADPARAM;
  // The quorum's exchanges (service zookeeper-quorum) check the QuorumServer users, the clients'
  // the Server section's.
  const bool quorum = sparams->service && std::strcmp(sparams->service, quorum_service) == 0;
  auto s = settings();
  auto q = quorum_settings();
  if (quorum ? !q : !s) return SASL_NOUSER;
  const std::string* password =
      password_of(quorum ? q->users : s->settings.section.users, std::string_view(user, ulen));
  if (!password) return SASL_NOUSER;
  const struct propval* wanted = sparams->utils->prop_get(sparams->propctx);
  if (!wanted) return SASL_NOUSER;
  for (const struct propval* p = wanted; p->name; ++p) {
    // Authentication-id properties start with '*'; we only know the authentication id.
    if ((flags & SASL_AUXPROP_AUTHZID) || p->name[0] != '*') continue;
    if (std::strcmp(p->name + 1, "userPassword") != 0) continue;
    if (p->values) {
      if (!(flags & SASL_AUXPROP_OVERRIDE)) continue;
      sparams->utils->prop_erase(sparams->propctx, p->name);
    }
    sparams->utils->prop_set(sparams->propctx, p->name, password->data(),
                             static_cast<int>(password->size()));
  }
  return SASL_OK;
}

sasl_auxprop_plug_t auxprop_plugin = {
    0,              // features
    0,              // spare
    nullptr,        // glob_context
    nullptr,        // auxprop_free
    auxprop_lookup, // auxprop_lookup
    const_cast<char*>(auxprop_name),
    nullptr, // auxprop_store
};

int auxprop_init(const sasl_utils_t*, int max_version, int* out_version, sasl_auxprop_plug_t** plug,
                 const char*) {
  if (max_version < SASL_AUXPROP_PLUG_VERSION) return SASL_BADVERS;
  *out_version = SASL_AUXPROP_PLUG_VERSION;
  *plug = &auxprop_plugin;
  return SASL_OK;
}

using cb_fn = int (*)();
// Cyrus keeps every callback as int (*)(void); the library calls it with its real type.
// Through void (*)() because GCC accepts that cast from any function type without warning.
template <class Fn> cb_fn as_callback(Fn* fn) {
  return reinterpret_cast<cb_fn>(reinterpret_cast<void (*)()>(fn));
}
sasl_callback_t global_callbacks[] = {
    {SASL_CB_GETOPT, as_callback(&get_option), nullptr},
    {SASL_CB_LOG, as_callback(&log_message), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr},
};
sasl_callback_t connection_callbacks[] = {
    {SASL_CB_PROXY_POLICY, as_callback(&allow_any_authorization), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr},
};

bool mechanism_available(const std::string& mech) {
  const char** mechs = sasl_global_listmech();
  for (; mechs && *mechs; ++mechs)
    if (mech == *mechs) return true;
  return false;
}

// The default realm of the Kerberos configuration (krb5.conf, or KRB5_CONFIG's file); "" when
// there is none. Read once at start, as ZooKeeper's JVM reads its Kerberos configuration.
std::string default_kerberos_realm() {
  krb5_context context = nullptr;
  if (krb5_init_context(&context) != 0) return {};
  std::string out;
  char* realm = nullptr;
  if (krb5_get_default_realm(context, &realm) == 0 && realm) {
    out = realm;
    krb5_free_default_realm(context, realm);
  }
  krb5_free_context(context);
  return out;
}

// Cyrus's process-wide start (server and client sides), once; its result every time.
int start_cyrus() {
  static const int result = [] {
    int r = sasl_auxprop_add_plugin(auxprop_name, auxprop_init);
    if (r != SASL_OK) return r;
    r = sasl_server_init(global_callbacks, "paddock");
    if (r != SASL_OK) return r;
    return sasl_client_init(nullptr);
  }();
  return result;
}

} // namespace

std::optional<std::string> init_quorum_sasl(const config::quorum_sasl_settings& given) {
  {
    std::lock_guard lock(settings_mutex);
    current_quorum = std::make_shared<const config::quorum_sasl_settings>(given);
  }
  if (int r = start_cyrus(); r != SASL_OK)
    return std::string("Cyrus SASL did not start: ") + sasl_errstring(r, nullptr, nullptr);
  if (!mechanism_available("DIGEST-MD5"))
    return "Cyrus SASL has no DIGEST-MD5 plugin (install libsasl2-modules)";
  return std::nullopt;
}

std::optional<config::quorum_sasl_settings> quorum_sasl() {
  auto q = quorum_settings();
  if (!q) return std::nullopt;
  return *q;
}

std::optional<std::string> init_sasl_server(const config::sasl_settings& given) {
  auto s = std::make_shared<process_settings>();
  s->settings = given;
  s->default_realm = default_kerberos_realm();
  const auto& section = given.section;
  if (section.uses_kerberos()) {
    // ZooKeeper: "service/host@REALM" names the service and the host of the acceptor.
    auto name = parse_kerberos_name(section.principal);
    if (!name || !name->host || name->service.empty() || name->host->empty())
      return "the Kerberos principal '" + section.principal +
             "' of the JAAS Server section must be service/host@REALM (e.g. "
             "zookeeper/zk1.example.com@EXAMPLE.COM)";
    s->mechanism = "GSSAPI";
    s->service = name->service;
    s->server_name = *name->host;
    // MIT Kerberos reads the acceptor's keytab from KRB5_KTNAME; one set by the operator wins.
    if (!section.keytab.empty()) setenv("KRB5_KTNAME", section.keytab.c_str(), 0);
  } else {
    s->mechanism = "DIGEST-MD5";
    s->service = digest_service;
    s->server_name = digest_server_name;
  }
  {
    std::lock_guard lock(settings_mutex);
    current_settings = s;
  }
  const int init_result = start_cyrus();
  if (init_result != SASL_OK)
    return std::string("Cyrus SASL did not start: ") +
           sasl_errstring(init_result, nullptr, nullptr);
  if (!mechanism_available(s->mechanism))
    return "Cyrus SASL has no " + s->mechanism + " plugin (install " +
           (s->mechanism == "GSSAPI" ? "libsasl2-modules-gssapi-mit" : "libsasl2-modules") + ")";
  return std::nullopt;
}

std::string sasl_mechanism() {
  auto s = settings();
  return s ? s->mechanism : std::string();
}

struct sasl_exchange::impl {
  sasl_conn_t* conn = nullptr;
  std::shared_ptr<const process_settings> settings; // nullptr for a quorum exchange
  std::string mechanism;
  bool started = false;
  bool complete = false;
  ~impl() {
    if (conn) sasl_dispose(&conn);
  }
};

sasl_exchange::sasl_exchange(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
sasl_exchange::~sasl_exchange() = default;

std::unique_ptr<sasl_exchange> sasl_exchange::start(std::string& error) {
  auto p = std::make_unique<impl>();
  p->settings = settings();
  if (!p->settings) {
    error = "SASL is not set up";
    return nullptr;
  }
  p->mechanism = p->settings->mechanism;
  return open(std::move(p), p->settings->service, p->settings->server_name, error);
}

std::unique_ptr<sasl_exchange> sasl_exchange::start_quorum(std::string& error) {
  if (!quorum_settings()) {
    error = "quorum SASL is not set up";
    return nullptr;
  }
  auto p = std::make_unique<impl>();
  p->mechanism = "DIGEST-MD5";
  return open(std::move(p), quorum_service, quorum_server_name, error);
}

std::unique_ptr<sasl_exchange> sasl_exchange::open(std::unique_ptr<impl> p,
                                                   const std::string& service,
                                                   const std::string& server_name,
                                                   std::string& error) {
  // SASL_SUCCESS_DATA: ZooKeeper's protocol carries the server's last token (DIGEST-MD5's
  // rspauth) in the answer that completes the exchange.
  int r = sasl_server_new(service.c_str(), server_name.c_str(), nullptr, nullptr, nullptr,
                          connection_callbacks, SASL_SUCCESS_DATA, &p->conn);
  if (r != SASL_OK) {
    error = std::string("sasl_server_new: ") + sasl_errstring(r, nullptr, nullptr);
    return nullptr;
  }
  // No security layer (ZooKeeper wraps nothing): DIGEST-MD5 offers qop "auth" only.
  sasl_security_properties_t props{};
  props.min_ssf = 0;
  props.max_ssf = 0;
  props.maxbufsize = 0;
  props.security_flags = SASL_SEC_NOANONYMOUS;
  sasl_setprop(p->conn, SASL_SEC_PROPS, &props);
  return std::unique_ptr<sasl_exchange>(new sasl_exchange(std::move(p)));
}

sasl_exchange::step_result sasl_exchange::step(std::string_view client_token) {
  step_result out;
  auto& p = *impl_;
  if (p.complete) {
    out.error = p.mechanism + " authentication already complete";
    return out;
  }
  const char* server_out = nullptr;
  unsigned server_out_len = 0;
  int r;
  const auto len = static_cast<unsigned>(client_token.size());
  if (!p.started) {
    p.started = true;
    // DIGEST-MD5 starts with an empty client token: no initial response (NULL, not "").
    r = sasl_server_start(p.conn, p.mechanism.c_str(),
                          client_token.empty() ? nullptr : client_token.data(), len, &server_out,
                          &server_out_len);
  } else {
    r = sasl_server_step(p.conn, client_token.data(), len, &server_out, &server_out_len);
  }
  if (r != SASL_OK && r != SASL_CONTINUE) {
    out.error = sasl_errdetail(p.conn);
    p.complete = true; // a failed exchange is over
    return out;
  }
  if (server_out) out.token = std::string(server_out, server_out_len);
  if (r == SASL_CONTINUE) {
    out.outcome = status::more;
    if (!out.token) out.token = std::string();
    return out;
  }
  p.complete = true;
  const void* authid = nullptr;
  if (sasl_getprop(p.conn, SASL_AUTHUSER, &authid) != SASL_OK || !authid) {
    out.error = "no authentication id after a successful exchange";
    return out;
  }
  std::string authentication_id = static_cast<const char*>(authid);
  if (!p.settings) { // a quorum learner: its name as given
    out.outcome = status::done;
    out.authorized_id = authentication_id;
    return out;
  }
  const auto& s = *p.settings;
  // Cyrus's GSSAPI drops the realm of a principal in the default realm ("bob" for
  // bob@EXAMPLE.COM); ZooKeeper keeps it (kerberos.removeRealmFromPrincipal decides), so it
  // is put back.
  if (s.mechanism == "GSSAPI" && authentication_id.find('@') == std::string::npos &&
      !s.default_realm.empty())
    authentication_id += "@" + s.default_realm;
  out.outcome = status::done;
  out.authorized_id = sasl_authorized_id(authentication_id, s.settings.remove_host_from_principal,
                                         s.settings.remove_realm_from_principal, s.default_realm);
  return out;
}

} // namespace paddock::sasl
