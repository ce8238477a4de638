// Quorum SASL's handshake, learner against server in process (real Cyrus DIGEST-MD5, no
// network): the verdicts each side's quorum.auth switches give for good and bad credentials
// and for a server that does not run the handshake.
#include "protocol/sasl/quorum_auth.hpp"

#include <catch2/catch.hpp>

using namespace paddock::sasl;
using namespace paddock::sasl::quorum_auth;

namespace {

struct result {
  decision learner_side;
  decision server_side;
  int frames = 0; // frames the learner sent
};

// Passes frames between the two until both have a verdict.
result run(policy learner_policy, policy server_policy, const std::string& user,
           const std::string& password) {
  learner l(learner_policy, user, password);
  server s(server_policy);
  result out;
  out.learner_side = l.begin();
  while (out.learner_side.outcome == verdict::pending && out.frames < 10) {
    REQUIRE(out.learner_side.send);
    ++out.frames;
    out.server_side = s.on_frame(*out.learner_side.send);
    REQUIRE(out.server_side.send); // the server always answers
    out.learner_side = l.on_frame(*out.server_side.send);
  }
  return out;
}

constexpr policy all_on{true, true, true};
constexpr policy enabled_only{true, false, false};
constexpr policy off{false, false, false};

void set_up_users() {
  paddock::config::quorum_sasl_settings settings;
  settings.users = {{"learner", "learnerpw"}, {"other", "otherpw"}};
  settings.learner_user = "learner";
  settings.learner_password = "learnerpw";
  REQUIRE(init_quorum_sasl(settings) == std::nullopt);
  REQUIRE(quorum_sasl());
  CHECK(quorum_sasl()->learner_user == "learner");
}

} // namespace

TEST_CASE("quorum SASL: the right password authenticates both ways", "[sasl][quorum]") {
  set_up_users();
  auto r = run(all_on, all_on, "learner", "learnerpw");
  CHECK(r.learner_side.outcome == verdict::authenticated);
  CHECK(r.server_side.outcome == verdict::authenticated);
  CHECK(r.server_side.authenticated_id == "learner");
  CHECK(r.frames == 2); // the empty first token, then the digest response
  auto other = run(all_on, all_on, "other", "otherpw");
  CHECK(other.server_side.authenticated_id == "other");
}

TEST_CASE("quorum SASL: a wrong password or unknown name is refused where required",
          "[sasl][quorum]") {
  set_up_users();
  for (auto [user, password] : {std::pair{"learner", "wrong"}, std::pair{"mallory", "learnerpw"}}) {
    auto r = run(all_on, all_on, user, password);
    CHECK(r.server_side.outcome == verdict::refused);
    CHECK(r.server_side.send->state == status::error);
    CHECK(r.server_side.reason.find("DIGEST-MD5") != std::string::npos);
    CHECK(r.learner_side.outcome == verdict::refused);
    CHECK(r.learner_side.reason.find("rejected") != std::string::npos);
  }
}

TEST_CASE("quorum SASL without require: a failed learner is still heard", "[sasl][quorum]") {
  set_up_users();
  // ZooKeeper's rolling upgrade: a server that does not require SASL answers ERROR but keeps
  // the learner; the learner (which requires it, or it would not have tried) gives up.
  auto r = run(policy{true, true, false}, enabled_only, "learner", "wrong");
  CHECK(r.server_side.outcome == verdict::unauthenticated);
  CHECK(r.server_side.send->state == status::error);
  CHECK_FALSE(r.server_side.reason.empty());
  CHECK(r.learner_side.outcome == verdict::refused);
  // A learner that does not require SASL does not even try, whatever its password.
  auto skipped = run(enabled_only, all_on, "learner", "wrong");
  CHECK(skipped.frames == 0);
  CHECK(skipped.learner_side.outcome == verdict::unauthenticated);
  CHECK(server::admits_unauthenticated(enabled_only));
  CHECK_FALSE(server::admits_unauthenticated(all_on));
}

TEST_CASE("quorum SASL against a server without it", "[sasl][quorum]") {
  set_up_users();
  // Required by the learner: it refuses the server.
  auto required = run(policy{true, true, false}, off, "learner", "learnerpw");
  CHECK(required.server_side.send->state == status::not_offered);
  CHECK(required.learner_side.outcome == verdict::refused);
  CHECK(required.learner_side.reason.find("does not run quorum SASL") != std::string::npos);
  // Only enabled: no handshake, the link is used.
  auto enabled = run(enabled_only, off, "learner", "learnerpw");
  CHECK(enabled.frames == 0);
  CHECK(enabled.learner_side.outcome == verdict::unauthenticated);
}

TEST_CASE("quorum SASL off at the learner: no handshake at all", "[sasl][quorum]") {
  learner l(off, "learner", "learnerpw");
  auto d = l.begin();
  CHECK(d.outcome == verdict::unauthenticated);
  CHECK_FALSE(d.send);
}

TEST_CASE("quorum SASL: a server that never answers", "[sasl][quorum]") {
  set_up_users();
  learner required(all_on, "learner", "learnerpw");
  REQUIRE(required.begin().send);
  auto d = required.on_silence();
  CHECK(d.outcome == verdict::refused);
  CHECK(d.reason.find("in time") != std::string::npos);
}

TEST_CASE("quorum SASL: frames out of place fail the handshake", "[sasl][quorum]") {
  set_up_users();
  server s(all_on);
  auto d = s.on_frame(frame{status::success, {}});
  CHECK(d.outcome == verdict::refused);
  // A finished exchange takes no more frames.
  server done(all_on);
  learner l(all_on, "learner", "learnerpw");
  auto f = l.begin();
  auto challenge = done.on_frame(*f.send);
  auto answer = l.on_frame(*challenge.send);
  REQUIRE(done.on_frame(*answer.send).outcome == verdict::authenticated);
  CHECK(done.on_frame(*answer.send).outcome == verdict::refused);
  // The learner refuses a SUCCESS whose token is not the server's proof.
  learner l2(all_on, "learner", "learnerpw");
  server s2(all_on);
  auto c2 = s2.on_frame(*l2.begin().send);
  l2.on_frame(*c2.send);
  CHECK(l2.on_frame(frame{status::success, "rspauth=00000000000000000000000000000000"}).outcome ==
        verdict::refused);
}
