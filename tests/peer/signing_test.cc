// Tests of the Detente-* request signatures (peer/signing.cc): what verifies, and each way a
// request is refused (wrong key, unknown party, clock skew, tampered method/target/body).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "peer/peer_test_util.h"

namespace detente::peer {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;
using testing::TestAccord;
using testing::TestKey;
using testing::TestStart;

class SigningTest : public ::testing::Test {
 protected:
  SigningTest() : clock_(TestStart()), accord_(TestAccord({"alpha", "beta"})) {}

  Result<std::string> Verify(const SignedHeaders& h, std::string_view method,
                             std::string_view target, std::string_view body) {
    return VerifyRequest(accord_, h.party, h.date, h.signature, method, target, body, clock_);
  }

  base::FakeClock clock_;
  accord::Accord accord_;
};

TEST_F(SigningTest, SigningStringHasTheDocumentedShape) {
  EXPECT_EQ(SigningString("GET", "/peer/v1/checkpoint?from=3", "1767225600", ""),
            "detente-peer/v1\nGET\n/peer/v1/checkpoint?from=3\n1767225600\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(SigningTest, SignedRequestVerifiesAsItsParty) {
  SignedHeaders h = SignRequest("alpha", TestKey("alpha"), "POST", "/peer/v1/inbox", "{}", clock_);
  EXPECT_EQ(h.date, std::to_string(TestStart().unix_seconds()));
  EXPECT_THAT(Verify(h, "POST", "/peer/v1/inbox", "{}"),
              ::detente::testing::IsOkAndHolds(std::string("alpha")));
  EXPECT_EQ(h.ToHeaders().size(), 3u);
}

TEST_F(SigningTest, SignatureByAnotherKeyIsRefused) {
  SignedHeaders h = SignRequest("alpha", TestKey("beta"), "POST", "/peer/v1/inbox", "{}", clock_);
  EXPECT_THAT(
      Verify(h, "POST", "/peer/v1/inbox", "{}"),
      StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("not a valid signature by alpha")));
}

TEST_F(SigningTest, UnknownPartyIsRefused) {
  SignedHeaders h =
      SignRequest("mallory", TestKey("mallory"), "GET", "/peer/v1/checkpoints", "", clock_);
  EXPECT_THAT(Verify(h, "GET", "/peer/v1/checkpoints", ""),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("not a party")));
}

TEST_F(SigningTest, DateOutsideTheSkewIsRefused) {
  SignedHeaders h =
      SignRequest("alpha", TestKey("alpha"), "GET", "/peer/v1/checkpoints", "", clock_);
  clock_.AdvanceSeconds(kMaxClockSkewSeconds);
  EXPECT_OK(Verify(h, "GET", "/peer/v1/checkpoints", "").status());
  clock_.AdvanceSeconds(1);
  EXPECT_THAT(Verify(h, "GET", "/peer/v1/checkpoints", ""),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("301 s away")));
  clock_.AdvanceSeconds(-2 * (kMaxClockSkewSeconds + 1));
  EXPECT_THAT(Verify(h, "GET", "/peer/v1/checkpoints", ""),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("away from this node")));
}

TEST_F(SigningTest, TamperedBodyTargetOrMethodIsRefused) {
  SignedHeaders h =
      SignRequest("alpha", TestKey("alpha"), "POST", "/peer/v1/inbox", "{\"a\":1}", clock_);
  EXPECT_THAT(Verify(h, "POST", "/peer/v1/inbox", "{\"a\":2}"),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("not a valid signature")));
  EXPECT_THAT(Verify(h, "POST", "/peer/v1/inbox?x", "{\"a\":1}"),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("not a valid signature")));
  EXPECT_THAT(Verify(h, "PUT", "/peer/v1/inbox", "{\"a\":1}"),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("not a valid signature")));
}

TEST_F(SigningTest, MalformedHeadersAreRefused) {
  SignedHeaders good = SignRequest("alpha", TestKey("alpha"), "GET", "/x", "", clock_);
  struct Case {
    const char* name;
    SignedHeaders h;
    const char* message;
  };
  SignedHeaders no_party = good, no_date = good, no_sig = good, bad_date = good, bad_sig = good,
                short_sig = good;
  no_party.party = "";
  no_date.date = "";
  no_sig.signature = "";
  bad_date.date = "12a";
  bad_sig.signature = "!!!!";
  short_sig.signature = "AAAA";
  const Case cases[] = {
      {"no party", no_party, "missing Detente-Party"},
      {"no date", no_date, "missing Detente-Date"},
      {"no signature", no_sig, "missing Detente-Signature"},
      {"date not digits", bad_date, "not unix seconds"},
      {"signature not base64", bad_sig, "not base64 of 64 bytes"},
      {"signature too short", short_sig, "not base64 of 64 bytes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(Verify(c.h, "GET", "/x", ""),
                StatusIs(base::StatusCode::kUnauthenticated, HasSubstr(c.message)));
  }
}

}  // namespace
}  // namespace detente::peer
