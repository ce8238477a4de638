#pragma once
// ZooKeeper's ACL rules as the server applies them (PrepRequestProcessor.fixupACL and
// ZooKeeperServer.checkACL), with the two authentication providers a 3.8 server registers by
// default: "ip" (an IPv4 or IPv6 address, optional /bits; IPv6 as later ZooKeeper releases
// accept it, 3.8.0 knows IPv4 only) and "digest" ("user:base64(sha1)").
// `auth` is a session's authenticated ids (ZooKeeper's authInfo): the server adds
// ip:<client address> for every connection, digest ids after addauth, and {"super", ""} for a
// super user, and ("sasl", authorized id) after a SASL exchange (the sasl scheme: the
// provider SASLAuthenticationProvider, whose ids are authenticated).
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/error_code.hpp"

#include <cstdint>
#include <span>
#include <string>
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

// True when `acl` lets anyone READ (empty, or world:anyone with READ): watch events about
// such a node need no per-watcher check.
bool world_readable(const jute::acl_list& acl);

// CVE-2024-23944 (ZooKeeper's ServerCnxn.process(event, acl)): a watch event reaches a
// watcher only when its connection may READ the node the event is about. `node_acl` null
// means world-readable (the store leaves it null then, so the common case is one compare).
bool may_see_event(const jute::acl_list* node_acl, std::span<const jute::id> auth);

// The providers' id checks, exposed for tests and for setAuth-time validation.
// "addr" or "addr/bits": IPv4 dotted quad (bits 0..32) or an IPv6 literal (bits 0..128);
// an IPv4-mapped IPv6 address counts as IPv4.
bool valid_ip_acl_id(std::string_view id);
bool valid_digest_acl_id(std::string_view id); // Java: id.split(":").length == 2
// SASLAuthenticationProvider.isValid: a Kerberos name as Java's KerberosName reads it —
// no '@', or name[/host]@REALM with no further '/' or '@'.
bool valid_sasl_acl_id(std::string_view id);
// Families must agree; an IPv4-mapped client or prefix compares as IPv4.
bool ip_matches(std::string_view client_ip, std::string_view acl_expr);

// The ip identity of a connection from `address` (the socket's peer, without port), spelt
// as Java's InetAddress.getHostAddress spells it for ZooKeeper: an IPv4-mapped IPv6 address
// becomes dotted IPv4 (whoAmI and ip ACLs see 127.0.0.1, not ::ffff:127.0.0.1), another
// IPv6 address eight hex groups ("0:0:0:0:0:0:0:1"). IPv4 and unparsable text are kept.
std::string client_ip_identity(std::string_view address);

} // namespace paddock::store
