#pragma once
// Quorum SASL's handshake between two ensemble members, as pure state machines: frames in,
// frames to send and a verdict out. The connecting side is the learner (it presents the
// QuorumLearner name and password), the accepting side the server (it checks them against its
// QuorumServer users). What the verdicts mean follows ZooKeeper's SaslQuorumAuthLearner /
// SaslQuorumAuthServer:
//   - a server that requires SASL (quorum.auth.serverRequireSasl) refuses a learner that fails;
//     one that does not (the rolling-upgrade path) answers the failure but still hears it;
//   - only a learner that requires SASL (quorum.auth.learnerRequireSasl) runs the handshake
//     (without it ZooKeeper's learner skips it), and it refuses a server that rejects it or
//     does not run the handshake at all.
// actors/peer_links carries the frames and acts on the verdicts (docs/architecture.md).
#include "protocol/sasl/sasl_client.hpp"
#include "protocol/sasl/sasl_server.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace paddock::sasl::quorum_auth {

// ZooKeeper's QuorumAuth.Status, plus not_offered: a server without quorum SASL says so at
// once (ZooKeeper's learner would wait for its socket to time out).
enum class status : int32_t { in_progress = 0, success = 1, error = -1, not_offered = 2 };

struct frame {
  status state = status::in_progress;
  std::string token;
};

// zoo.cfg's quorum.auth switches.
struct policy {
  bool enable_sasl = false;
  bool learner_require = false;
  bool server_require = false;
};

enum class verdict {
  pending,         // more frames to come
  authenticated,   // the learner proved its name
  unauthenticated, // no (or a failed) handshake, and the side's policy lets the link be used
  refused,         // the link must not be used; `reason` says why
};

struct decision {
  std::optional<frame> send;
  verdict outcome = verdict::pending;
  std::string reason;           // refused or unauthenticated after a failure: why
  std::string authenticated_id; // authenticated (server side): the learner's name
};

class learner {
public:
  learner(policy p, std::string user, std::string password);
  // The first frame, or the verdict at once when quorum SASL is off here.
  decision begin();
  // The server's answer.
  decision on_frame(const frame& f);
  // No answer came in time (the server is gone or does not answer).
  decision on_silence();

private:
  decision fail(std::string reason) const;
  policy policy_;
  std::string user_;
  std::string password_;
  std::unique_ptr<quorum_sasl_client> client_;
  bool over_ = false;
};

class server {
public:
  explicit server(policy p) : policy_(p) {}
  // One frame of the learner's.
  decision on_frame(const frame& f);
  // Whether this server hears a peer that has not authenticated (or failed to).
  static bool admits_unauthenticated(const policy& p) { return !p.server_require; }

private:
  decision fail(std::string reason);
  policy policy_;
  std::unique_ptr<sasl_exchange> exchange_;
  bool over_ = false;
};

} // namespace paddock::sasl::quorum_auth
