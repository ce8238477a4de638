#pragma once
// Encoding and decoding of whole client frames. No I/O: bytes in, records out, and back.
// `frame` below means the bytes of one frame without its 4-byte length prefix.
#include "protocol/jute/data_records.hpp"
#include "protocol/jute/error_code.hpp"
#include "protocol/jute/jute_reader.hpp"
#include "protocol/jute/jute_writer.hpp"
#include "protocol/jute/records.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::jute {

enum class decode_status {
  ok,
  truncated,      // the frame ended inside a record
  unknown_opcode, // the header parsed but the opcode is not one we know
  malformed,      // a negative length, a count larger than the frame, ...
  short_header,   // the frame is shorter than a RequestHeader (xid, type)
};

std::string_view decode_status_name(decode_status s);

// What ZooKeeper 3.8 does with a request frame, by how it decoded (measured against 3.8):
// a body that does not deserialize fails inside the request processors, which answer
// MarshallingError and keep the connection; a header that does not, or an auth / sasl
// packet that does not (ZooKeeperServer.processPacket reads those itself and throws),
// closes the connection unanswered; an opcode Request.isValid does not know is answered
// Unimplemented by UnimplementedRequestProcessor, which then closes the connection.
enum class request_action {
  serve,
  marshalling_error,   // answer MarshallingError (-5) in its turn; the connection stays
  unimplemented_close, // answer Unimplemented (-6, zxid -1), then close the connection
  close,               // close the connection without an answer
};
request_action action_for(decode_status status, int32_t opcode);

// The error ZooKeeper 3.8 answers for a decoded request that the store does not serve:
// reconfig (ReconfigDisabled: reconfigEnabled is off), deleteContainer from a client
// (BadArguments: PrepRequestProcessor reads the path from the whole packet buffer, header
// included, so no path sent over the wire is valid), createSession from a client and
// opcode::undecodable (MarshallingError), createTTL without extendedTypesEnabled and
// anything else (Unimplemented).
error_code unserved_answer(int32_t opcode);

// The first frame of a connection. Accepts the pre-3.4 form without the readOnly byte.
decode_status decode_connect_request(std::span<const char> frame, connect_request& out);

// Any later frame: the header, then the body the opcode calls for. On any status but
// short_header, out.header is filled in so the caller can answer that xid (action_for). Bytes after
// the record are ignored, as ZooKeeper's deserialization ignores them.
decode_status decode_request(std::span<const char> frame, request& out);

// Record-level helpers, each appending the record's encoding to `out` (no frame prefix).
void encode(std::string& out, const stat& s);
void encode(std::string& out, const acl_list& acls);
// An ACL list inside a larger record (ZooKeeper's snapshots and txn logs hold them too).
acl_list read_acl_list(reader& r);
void write_acl_list(writer& w, const acl_list& acls);
void encode(std::string& out, const reply_header& h);
void encode(std::string& out, const connect_request& r); // for clients (bench, cli, tests)
void encode(std::string& out, const request_header& h);
void encode(std::string& out, const create_request& r, int32_t opcode);
void encode(std::string& out, const delete_request& r);
void encode(std::string& out, const path_watch_request& r);
void encode(std::string& out, const set_data_request& r);
void encode(std::string& out, const path_request& r);
void encode(std::string& out, const set_acl_request& r);
void encode(std::string& out, const check_version_request& r);
void encode(std::string& out, const multi_request& r);
void encode(std::string& out, const set_watches_request& r, int32_t opcode);

// Whole frames (with the 4-byte length prefix) appended to `out`.
void encode_connect_response(std::string& out, const connect_response& r);
void encode_request_frame(std::string& out, const request& r); // for clients
// A reply with only a header (delete, setWatches, ping, errors, closeSession, ...).
void encode_reply(std::string& out, const reply_header& h);
// ZooKeeper's answer to a sasl packet (102) when no SASL server is set up for the
// connection: ok, zxid 0, and a SetSASLResponse with a null token.
void encode_sasl_reply(std::string& out, int32_t xid);
// A step of a SASL exchange (processSasl): header {xid, zxid 0, err} and a SetSASLResponse
// with the server's token (nullopt: a null token, as on failure).
void encode_sasl_reply(std::string& out, int32_t xid, int32_t err,
                       const std::optional<std::string>& token);
void encode_event(std::string& out, int64_t zxid, const watcher_event& e);

// One entry of a MultiResponse: `type` is the op's opcode, or opcode::error with `err`.
struct multi_result_entry {
  int32_t type = 0;
  int32_t err = 0;
  std::string path; // create*
  jute::stat stat;  // create2 / createTTL / createContainer, setData
};

// The body of a MultiResponse: a MultiHeader and a result per op, then the end marker.
void encode_multi_response(std::string& out, const std::vector<multi_result_entry>& results);
decode_status decode_multi_response(std::span<const char> body,
                                    std::vector<multi_result_entry>& out);

// Responses clients decode (bench, cli, tests).
decode_status decode_connect_response(std::span<const char> frame, connect_response& out);
decode_status decode_reply_header(std::span<const char> frame, reply_header& out,
                                  size_t& body_offset);
decode_status decode_stat(std::span<const char> body, stat& out);
// Reads a Stat from `r` (failures latch in the reader): for decoders of records holding one.
void read_stat(reader& r, stat& out);
decode_status decode_event(std::span<const char> body, watcher_event& out);

} // namespace paddock::jute
