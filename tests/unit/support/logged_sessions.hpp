#pragma once
// Txn log records whose recovery a test can check exactly. The record of zxid Z is a
// createSession of session Z whose password names the attempt that wrote it ("<tag>-Z" and
// some padding, so records differ in size): after a failed write the server stamps the same
// zxids again for other requests, and the passwords tell which attempt recovery served.
#include "store/disk/log_format.hpp"
#include "store/disk/txn_codec.hpp"
#include "store/tree/data_tree.hpp"
#include "store/tree/txn.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace paddock::testing {

inline std::string session_password(int64_t zxid, const std::string& tag) {
  return tag + "-" + std::to_string(zxid) + std::string(static_cast<size_t>(zxid * 37 % 90), '.');
}

// The Protobuf body of zxid's record for the attempt `tag`.
inline std::string session_txn_body(int64_t zxid, const std::string& tag) {
  store::txn t;
  t.zxid = zxid;
  t.time_ms = 1000 + zxid;
  t.session_id = zxid;
  t.type = jute::opcode::create_session;
  t.session_timeout_ms = 30000;
  t.session_passwd = session_password(zxid, tag);
  std::string body;
  store::encode_txn(t, body);
  return body;
}

// Framed records first..last of the attempt `tag`, as the log writer batches them.
inline std::string session_records(int64_t first, int64_t last, const std::string& tag) {
  std::string out;
  for (int64_t z = first; z <= last; ++z)
    store::log_format::append_record(out, z, session_txn_body(z, tag));
  return out;
}

// What a tree holds of them: session id -> password.
inline std::map<int64_t, std::string> sessions_of(const store::data_tree& tree) {
  std::map<int64_t, std::string> out;
  for (const auto& s : tree.sessions())
    out[s.id] = s.passwd;
  return out;
}

// What a tree must hold after zxids 1..last were written by the attempts in `tags`
// (zxid -> tag; zxids not in it were written by `default_tag`).
inline std::map<int64_t, std::string> expected_sessions(int64_t last,
                                                        const std::map<int64_t, std::string>& tags,
                                                        const std::string& default_tag) {
  std::map<int64_t, std::string> out;
  for (int64_t z = 1; z <= last; ++z) {
    auto it = tags.find(z);
    out[z] = session_password(z, it == tags.end() ? default_tag : it->second);
  }
  return out;
}

} // namespace paddock::testing
