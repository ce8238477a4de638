#include "protocol/sasl/sasl_client.hpp"

#include <cstring>
#include <sasl/sasl.h>

namespace paddock::sasl {

namespace {

constexpr const char* quorum_service = "zookeeper-quorum";
constexpr const char* quorum_server_name = "zk-quorum-sasl-md5";

using cb_fn = int (*)();
// Cyrus keeps every callback as int (*)(void); see sasl_server.cpp.
template <class Fn> cb_fn as_callback(Fn* fn) {
  return reinterpret_cast<cb_fn>(reinterpret_cast<void (*)()>(fn));
}

} // namespace

struct quorum_sasl_client::impl {
  std::string user;
  std::string password;
  std::string secret; // a sasl_secret_t with the password after it, alive as long as `conn`
  sasl_callback_t callbacks[4]{};
  sasl_conn_t* conn = nullptr;
  bool started = false;
  ~impl() {
    if (conn) sasl_dispose(&conn);
  }

  static int name(void* context, int id, const char** result, unsigned* len) {
    auto* self = static_cast<impl*>(context);
    if (id != SASL_CB_AUTHNAME && id != SASL_CB_USER) return SASL_BADPARAM;
    *result = self->user.c_str();
    if (len) *len = static_cast<unsigned>(self->user.size());
    return SASL_OK;
  }
  static int pass(sasl_conn_t*, void* context, int id, sasl_secret_t** out) {
    auto* self = static_cast<impl*>(context);
    if (id != SASL_CB_PASS) return SASL_BADPARAM;
    self->secret.assign(sizeof(sasl_secret_t) + self->password.size(), '\0');
    auto* s = reinterpret_cast<sasl_secret_t*>(self->secret.data());
    s->len = self->password.size();
    std::memcpy(s->data, self->password.data(), self->password.size());
    *out = s;
    return SASL_OK;
  }
};

quorum_sasl_client::quorum_sasl_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
quorum_sasl_client::~quorum_sasl_client() = default;

std::unique_ptr<quorum_sasl_client>
quorum_sasl_client::start(std::string user, std::string password, std::string& error) {
  auto p = std::make_unique<impl>();
  p->user = std::move(user);
  p->password = std::move(password);
  p->callbacks[0] = {SASL_CB_AUTHNAME, as_callback(&impl::name), p.get()};
  p->callbacks[1] = {SASL_CB_USER, as_callback(&impl::name), p.get()};
  p->callbacks[2] = {SASL_CB_PASS, as_callback(&impl::pass), p.get()};
  p->callbacks[3] = {SASL_CB_LIST_END, nullptr, nullptr};
  int r = sasl_client_new(quorum_service, quorum_server_name, nullptr, nullptr, p->callbacks, 0,
                          &p->conn);
  if (r != SASL_OK) {
    error = std::string("sasl_client_new: ") + sasl_errstring(r, nullptr, nullptr);
    return nullptr;
  }
  // No security layer, as ZooKeeper's quorum wraps nothing: qop "auth".
  sasl_security_properties_t props{};
  props.security_flags = SASL_SEC_NOANONYMOUS;
  sasl_setprop(p->conn, SASL_SEC_PROPS, &props);
  return std::unique_ptr<quorum_sasl_client>(new quorum_sasl_client(std::move(p)));
}

quorum_sasl_client::step_result quorum_sasl_client::first() {
  step_result out;
  auto& p = *impl_;
  if (p.started) {
    out.error = "the exchange has started already";
    return out;
  }
  p.started = true;
  const char* token = nullptr;
  unsigned len = 0;
  const char* mech = nullptr;
  int r = sasl_client_start(p.conn, "DIGEST-MD5", nullptr, &token, &len, &mech);
  if (r != SASL_OK && r != SASL_CONTINUE) {
    out.error = sasl_errdetail(p.conn);
    return out;
  }
  out.outcome = r == SASL_OK ? status::done : status::more;
  out.token.assign(token ? token : "", len);
  return out;
}

quorum_sasl_client::step_result quorum_sasl_client::step(std::string_view server_token) {
  step_result out;
  auto& p = *impl_;
  if (!p.started) {
    out.error = "a server token before the exchange started";
    return out;
  }
  const char* token = nullptr;
  unsigned len = 0;
  int r = sasl_client_step(p.conn, server_token.data(), static_cast<unsigned>(server_token.size()),
                           nullptr, &token, &len);
  if (r != SASL_OK && r != SASL_CONTINUE) {
    out.error = sasl_errdetail(p.conn);
    return out;
  }
  out.outcome = r == SASL_OK ? status::done : status::more;
  out.token.assign(token ? token : "", len);
  return out;
}

} // namespace paddock::sasl
