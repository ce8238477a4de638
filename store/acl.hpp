#pragma once
// ZooKeeper's ACL rules as the server applies them (PrepRequestProcessor.fixupACL and
// ZooKeeperServer.checkACL), with the two authentication providers a 3.8 server registers by
// default: "ip" (IPv4 only in 3.8.0, optional /bits) and "digest" ("user:base64(sha1)").
// `auth` is a session's authenticated ids (ZooKeeper's authInfo): the server adds
// ip:<client address> for every connection, digest ids after addauth, and {"super", ""} for a
// super user.
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/error_code.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace paddock::store {

// What a create or setACL may store: duplicates removed (first kept), world:anyone kept,
// "auth" expanded to the session's authenticated (digest) ids, ip and digest ids kept when
// well formed. invalid_acl for an empty list, an unknown scheme, a world id other than
// "anyone", a malformed ip/digest id, or "auth" with no authenticated id.
jute::error_code fixup_acl(const jute::acl_list& requested, std::span<const jute::id> auth,
                           jute::acl_list& out);

// True when `acl` grants `perm` to a session with ids `auth`. An empty ACL grants all, as in
// ZooKeeper; a "super" id grants all.
bool acl_permits(const jute::acl_list& acl, int32_t perm, std::span<const jute::id> auth);

// The providers' id checks, exposed for tests and for setAuth-time validation.
bool valid_ip_acl_id(std::string_view id);     // "a.b.c.d" or "a.b.c.d/bits", bits 0..32
bool valid_digest_acl_id(std::string_view id); // Java: id.split(":").length == 2
bool ip_matches(std::string_view client_ip, std::string_view acl_expr);

} // namespace paddock::store
