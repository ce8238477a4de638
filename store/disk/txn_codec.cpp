#include "store/disk/txn_codec.hpp"

#include "protocol/proto/txn.pb.h"

namespace paddock::store {
namespace {

namespace op = jute::opcode;

void to_proto(const jute::acl_list& acls, google::protobuf::RepeatedPtrField<proto::Acl>& out) {
  out.Reserve(static_cast<int>(acls.size()));
  for (const auto& a : acls) {
    auto* p = out.Add();
    p->set_perms(a.perms);
    p->mutable_id()->set_scheme(a.id.scheme);
    p->mutable_id()->set_ident(a.id.ident);
  }
}

jute::acl_list from_proto(const google::protobuf::RepeatedPtrField<proto::Acl>& acls) {
  jute::acl_list out;
  out.reserve(static_cast<size_t>(acls.size()));
  for (const auto& a : acls)
    out.push_back({a.perms(), {a.id().scheme(), a.id().ident()}});
  return out;
}

void op_to_proto(const txn_op& o, proto::TxnOp& p) {
  p.set_type(o.type);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, jute::create_request>) {
          auto* c = p.mutable_create();
          c->set_path(body.path);
          c->set_data(body.data);
          to_proto(body.acls, *c->mutable_acl());
          c->set_flags(body.flags);
          c->set_ttl(body.ttl);
          c->set_data_is_null(body.data_is_null);
        } else if constexpr (std::is_same_v<T, jute::delete_request>) {
          auto* d = p.mutable_delete_();
          d->set_path(body.path);
          d->set_version(body.version);
        } else if constexpr (std::is_same_v<T, jute::set_data_request>) {
          auto* s = p.mutable_set_data();
          s->set_path(body.path);
          s->set_data(body.data);
          s->set_version(body.version);
          s->set_data_is_null(body.data_is_null);
        } else if constexpr (std::is_same_v<T, jute::set_acl_request>) {
          auto* s = p.mutable_set_acl();
          s->set_path(body.path);
          to_proto(body.acls, *s->mutable_acl());
          s->set_version(body.version);
        } else {
          auto* c = p.mutable_check();
          c->set_path(body.path);
          c->set_version(body.version);
        }
      },
      o.body);
}

bool op_from_proto(const proto::TxnOp& p, txn_op& o) {
  o.type = p.type();
  switch (p.body_case()) {
  case proto::TxnOp::kCreate: {
    const auto& c = p.create();
    o.body = jute::create_request{c.path(),  c.data(), from_proto(c.acl()),
                                  c.flags(), c.ttl(),  c.data_is_null()};
    return true;
  }
  case proto::TxnOp::kDelete:
    o.body = jute::delete_request{p.delete_().path(), p.delete_().version()};
    return true;
  case proto::TxnOp::kSetData: {
    const auto& s = p.set_data();
    o.body = jute::set_data_request{s.path(), s.data(), s.version(), s.data_is_null()};
    return true;
  }
  case proto::TxnOp::kSetAcl: {
    const auto& s = p.set_acl();
    o.body = jute::set_acl_request{s.path(), from_proto(s.acl()), s.version()};
    return true;
  }
  case proto::TxnOp::kCheck:
    o.body = jute::check_version_request{p.check().path(), p.check().version()};
    return true;
  case proto::TxnOp::BODY_NOT_SET: return false;
  }
  return false;
}

} // namespace

std::string stamp_txn(std::string bytes, int64_t time_ms) {
  // Field 1 (zxid) and field 2 (time_ms), both varints: tag = field << 3 | wire type 0.
  bytes.push_back(static_cast<char>(1 << 3));
  bytes.push_back(0);
  bytes.push_back(static_cast<char>(2 << 3));
  auto v = static_cast<uint64_t>(time_ms); // a negative int64 is ten bytes, as Protobuf's
  while (v >= 0x80) {
    bytes.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  bytes.push_back(static_cast<char>(v));
  return bytes;
}

void encode_txn(const txn& t, std::string& out) {
  proto::Txn p;
  p.set_zxid(t.zxid);
  p.set_time_ms(t.time_ms);
  p.set_session_id(t.session_id);
  p.set_cxid(t.cxid);
  p.set_type(t.type);
  p.mutable_ops()->Reserve(static_cast<int>(t.ops.size()));
  for (const auto& o : t.ops)
    op_to_proto(o, *p.add_ops());
  p.set_session_timeout_ms(t.session_timeout_ms);
  p.set_session_passwd(t.session_passwd);
  for (const auto& id : t.auth_ids()) {
    auto* a = p.add_auth();
    a->set_scheme(id.scheme);
    a->set_ident(id.ident);
  }
  if (t.reconfig) {
    auto* r = p.mutable_reconfig();
    if (t.reconfig->joining_servers) r->set_joining_servers(*t.reconfig->joining_servers);
    if (t.reconfig->leaving_servers) r->set_leaving_servers(*t.reconfig->leaving_servers);
    if (t.reconfig->new_members) r->set_new_members(*t.reconfig->new_members);
    r->set_cur_config_id(t.reconfig->cur_config_id);
  }
  p.set_refused(static_cast<int32_t>(t.refused));
  out.clear();
  p.SerializeToString(&out);
}

bool decode_txn(std::string_view bytes, txn& out) {
  proto::Txn p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  out = txn{};
  out.zxid = p.zxid();
  out.time_ms = p.time_ms();
  out.session_id = p.session_id();
  out.cxid = p.cxid();
  out.type = p.type();
  out.ops.resize(static_cast<size_t>(p.ops_size()));
  for (int i = 0; i < p.ops_size(); ++i)
    if (!op_from_proto(p.ops(i), out.ops[static_cast<size_t>(i)])) return false;
  out.session_timeout_ms = p.session_timeout_ms();
  out.session_passwd = p.session_passwd();
  if (p.auth_size() > 0) {
    std::vector<jute::id> auth;
    auth.reserve(static_cast<size_t>(p.auth_size()));
    for (const auto& a : p.auth())
      auth.push_back({a.scheme(), a.ident()});
    out.auth = std::make_shared<const std::vector<jute::id>>(std::move(auth));
  }
  if (p.has_reconfig()) {
    const auto& r = p.reconfig();
    jute::reconfig_request req;
    if (r.has_joining_servers()) req.joining_servers = r.joining_servers();
    if (r.has_leaving_servers()) req.leaving_servers = r.leaving_servers();
    if (r.has_new_members()) req.new_members = r.new_members();
    req.cur_config_id = r.cur_config_id();
    out.reconfig = std::move(req);
  }
  out.refused = static_cast<jute::error_code>(p.refused());
  return true;
}

} // namespace paddock::store
