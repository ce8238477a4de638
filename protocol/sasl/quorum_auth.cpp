#include "protocol/sasl/quorum_auth.hpp"

namespace paddock::sasl::quorum_auth {

learner::learner(policy p, std::string user, std::string password)
    : policy_(p), user_(std::move(user)), password_(std::move(password)) {}

// Only a learner that requires SASL runs the handshake (begin), so a failed one is refused.
decision learner::fail(std::string reason) const {
  decision d;
  d.outcome = verdict::refused;
  d.reason = std::move(reason);
  return d;
}

decision learner::begin() {
  // As ZooKeeper's SaslQuorumAuthLearner: without learnerRequireSasl the learner skips the
  // handshake ("Skipping SASL authentication"); enableSasl alone only makes it a server that
  // answers one.
  if (!policy_.enable_sasl || !policy_.learner_require)
    return decision{std::nullopt, verdict::unauthenticated, {}, {}};
  std::string error;
  client_ = quorum_sasl_client::start(user_, password_, error);
  if (!client_) {
    over_ = true;
    return fail(error);
  }
  auto first = client_->first();
  if (first.outcome == quorum_sasl_client::status::failed) {
    over_ = true;
    return fail(first.error);
  }
  return decision{frame{status::in_progress, first.token}, verdict::pending, {}, {}};
}

decision learner::on_frame(const frame& f) {
  if (over_ || !client_) return fail("a quorum SASL frame outside a handshake");
  switch (f.state) {
  case status::not_offered:
    over_ = true;
    return fail("the server does not run quorum SASL (its quorum.auth.enableSasl is false)");
  case status::error:
    over_ = true;
    return fail("the server rejected this server's credentials (the " + user_ +
                " name or its password in the QuorumLearner section)");
  case status::in_progress: {
    auto next = client_->step(f.token);
    if (next.outcome == quorum_sasl_client::status::failed) {
      over_ = true;
      return fail("DIGEST-MD5: " + next.error);
    }
    return decision{frame{status::in_progress, next.token}, verdict::pending, {}, {}};
  }
  case status::success: {
    over_ = true;
    // The last token is DIGEST-MD5's rspauth: the server proves it knew the password too.
    auto last = client_->step(f.token);
    if (last.outcome != quorum_sasl_client::status::done)
      return fail("the server's final DIGEST-MD5 token did not check out" +
                  (last.error.empty() ? std::string() : ": " + last.error));
    return decision{std::nullopt, verdict::authenticated, {}, user_};
  }
  }
  over_ = true;
  return fail("an unknown quorum SASL status");
}

decision learner::on_silence() {
  over_ = true;
  return fail("the server did not answer the quorum SASL handshake in time");
}

decision server::fail(std::string reason) {
  over_ = true;
  decision d;
  d.send = frame{status::error, {}};
  d.outcome = policy_.server_require ? verdict::refused : verdict::unauthenticated;
  d.reason = std::move(reason);
  return d;
}

decision server::on_frame(const frame& f) {
  if (!policy_.enable_sasl)
    return decision{frame{status::not_offered, {}}, verdict::unauthenticated, {}, {}};
  if (over_) return fail("a quorum SASL frame after the handshake ended");
  if (f.state != status::in_progress) return fail("a learner frame with a server's status");
  if (!exchange_) {
    std::string error;
    exchange_ = sasl_exchange::start_quorum(error);
    if (!exchange_) return fail(error);
  }
  auto step = exchange_->step(f.token);
  switch (step.outcome) {
  case sasl_exchange::status::failed: return fail("DIGEST-MD5: " + step.error);
  case sasl_exchange::status::more:
    return decision{frame{status::in_progress, step.token.value_or("")}, verdict::pending, {}, {}};
  case sasl_exchange::status::done:
    over_ = true;
    return decision{frame{status::success, step.token.value_or("")},
                    verdict::authenticated,
                    {},
                    step.authorized_id};
  }
  return fail("an unknown DIGEST-MD5 outcome");
}

} // namespace paddock::sasl::quorum_auth
