// Tests of the Endpoint (peer/endpoint.cc) over two Exchanges on SQLite files, without
// sockets: every route, its answers, and the 4xx for each kind of client mistake.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "peer/peer_test_util.h"

namespace detente::peer {
namespace {

using testing::Cluster;
using ::testing::HasSubstr;
using testing::Node;
using testing::Send;
using testing::TestKey;

class EndpointTest : public ::testing::Test {
 protected:
  EndpointTest() : cluster_({"alpha", "beta"}) {}

  Node& alpha() { return cluster_.node(0); }
  Node& beta() { return cluster_.node(1); }

  // A request from `party` signed with its key, handled by `to`'s endpoint.
  PeerResponse Call(Node& to, std::string_view party, std::string method, std::string target,
                    std::string body = "") {
    PeerRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    SignedHeaders h =
        SignRequest(party, TestKey(party), r.method, r.target, r.body, cluster_.clock());
    r.headers = h.ToHeaders();
    return to.endpoint->Handle(r);
  }

  // alpha's next delivery to beta, as the wire body.
  WireDelivery NextFromAlpha() {
    auto d = alpha().With([](accord::Exchange& ex) { return ex.NextDelivery("beta", 256); });
    EXPECT_TRUE(d.ok()) << d.status();
    WireDelivery w;
    w.from = "alpha";
    if (d.ok()) w.delivery = *d;
    return w;
  }

  Cluster cluster_;
};

TEST_F(EndpointTest, InboxAcceptsADeliveryAndAnswersWithVerifiableReceipts) {
  Send(alpha(), {"beta"}, "{\"n\":1}");
  Send(alpha(), {"beta"}, "{\"n\":2}");
  WireDelivery w = NextFromAlpha();
  ASSERT_EQ(w.delivery.envelopes.size(), 2u);
  PeerResponse r = Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  ASSERT_OK_AND_ASSIGN(accord::DeliveryAnswer a, DecodeAnswer(r.body));
  ASSERT_EQ(a.results.size(), 2u);
  EXPECT_EQ(a.results[0].outcome, accord::AcceptOutcome::kAccepted);
  EXPECT_OK(
      alpha().With([&](accord::Exchange& ex) { return ex.RecordAnswer("beta", w.delivery, a); }));
  EXPECT_EQ(testing::Undelivered(alpha()), 0u);
  EXPECT_EQ(testing::Incoming(beta(), "alpha"), 2u);
}

TEST_F(EndpointTest, RedeliveryIsAnsweredAsDuplicate) {
  Send(alpha(), {"beta"});
  WireDelivery w = NextFromAlpha();
  ASSERT_EQ(Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w)).status, 200);
  // The answer was lost: alpha sends again, learns the size beta holds (409), and resends.
  PeerResponse conflict = Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w));
  ASSERT_EQ(conflict.status, 409) << conflict.body;
  std::optional<uint64_t> held = HeldSizeFromError(conflict.body);
  ASSERT_TRUE(held.has_value());
  ASSERT_OK(alpha().With([&](accord::Exchange& ex) { return ex.SetRecipientHeld("beta", *held); }));
  WireDelivery resend = NextFromAlpha();
  ASSERT_EQ(resend.delivery.envelopes.size(), 1u);
  PeerResponse again = Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(resend));
  ASSERT_EQ(again.status, 200) << again.body;
  ASSERT_OK_AND_ASSIGN(accord::DeliveryAnswer a, DecodeAnswer(again.body));
  ASSERT_EQ(a.results.size(), 1u);
  EXPECT_EQ(a.results[0].outcome, accord::AcceptOutcome::kDuplicate);
  EXPECT_EQ(testing::Incoming(beta(), "alpha"), 1u);
}

TEST_F(EndpointTest, HeldSizeMismatchIs409WithTheHeldSize) {
  Send(alpha(), {"beta"});
  WireDelivery w = NextFromAlpha();
  ASSERT_EQ(Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w)).status, 200);
  // alpha never recorded the answer, so it still believes beta holds nothing of its log.
  Send(alpha(), {"beta"});
  WireDelivery stale = NextFromAlpha();
  ASSERT_EQ(stale.delivery.held_size, w.delivery.held_size);
  PeerResponse r = Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(stale));
  ASSERT_EQ(r.status, 409) << r.body;
  std::optional<uint64_t> held = HeldSizeFromError(r.body);
  ASSERT_TRUE(held.has_value()) << r.body;
  EXPECT_GT(*held, 0u);
  EXPECT_THAT(r.body, HasSubstr("\"http_status\":\"409\""));
}

TEST_F(EndpointTest, UnsignedRequestIs401) {
  PeerRequest r;
  r.method = "GET";
  r.target = "/peer/v1/checkpoints";
  PeerResponse resp = beta().endpoint->Handle(r);
  EXPECT_EQ(resp.status, 401);
  EXPECT_THAT(resp.body, HasSubstr("missing Detente-Party"));
  EXPECT_THAT(resp.body, HasSubstr("\"title\":\"Unauthorized\""));
}

TEST_F(EndpointTest, RequestSignedByTheNodesOwnPartyIs403) {
  EXPECT_EQ(Call(beta(), "beta", "GET", "/peer/v1/checkpoints").status, 403);
}

TEST_F(EndpointTest, UnknownRouteIs404AndWrongMethodIs405) {
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/nothing").status, 404);
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/other").status, 404);
  PeerResponse r = Call(beta(), "alpha", "GET", "/peer/v1/inbox");
  EXPECT_EQ(r.status, 405);
  EXPECT_THAT(r.body, HasSubstr("POST only"));
}

TEST_F(EndpointTest, MalformedInboxBodyIs400NamingTheMember) {
  PeerResponse r = Call(beta(), "alpha", "POST", "/peer/v1/inbox", "{\"from\":\"alpha\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("/checkpoint: missing"));
  EXPECT_EQ(Call(beta(), "alpha", "POST", "/peer/v1/inbox", "not json").status, 400);
}

TEST_F(EndpointTest, DeliveryClaimingAnotherSenderIs403) {
  Send(alpha(), {"beta"});
  WireDelivery w = NextFromAlpha();
  w.from = "beta";
  EXPECT_EQ(Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w)).status, 403);
}

TEST_F(EndpointTest, OversizedBodyIs413) {
  PeerResponse r =
      Call(beta(), "alpha", "POST", "/peer/v1/inbox", std::string(kMaxWireBytes + 1, ' '));
  EXPECT_EQ(r.status, 413);
}

TEST_F(EndpointTest, TamperedCheckpointIsRefusedWith4xx) {
  Send(alpha(), {"beta"});
  WireDelivery w = NextFromAlpha();
  ASSERT_FALSE(w.delivery.checkpoint.empty());
  w.delivery.checkpoint[w.delivery.checkpoint.size() / 3] ^= 1;
  PeerResponse r = Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w));
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500) << r.body;
}

TEST_F(EndpointTest, BadQueryParametersAre400) {
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/messages?after=x").status, 400);
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/messages?bogus=1").status, 400);
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/messages?after=1&after=2").status, 400);
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/consistency?from=1").status, 400);
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/consistency?from=5&to=99").status, 400);
  EXPECT_EQ(Call(beta(), "alpha", "GET", "/peer/v1/checkpoint?from=99").status, 400);
}

TEST_F(EndpointTest, MessagesServesEnvelopesForTheRequesterToPull) {
  Send(beta(), {"alpha"}, "{\"n\":1}");
  Send(beta(), {"alpha"}, "{\"n\":2}");
  PeerResponse r = Call(beta(), "alpha", "GET", "/peer/v1/messages?after=0&held=0&limit=10");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_OK_AND_ASSIGN(WireDelivery w, DecodeDelivery(r.body));
  EXPECT_EQ(w.from, "beta");
  ASSERT_EQ(w.delivery.envelopes.size(), 2u);
  auto a = alpha().With(
      [&](accord::Exchange& ex) { return ex.Accept("beta", w.delivery, w.recipient_held_size); });
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(testing::Incoming(alpha(), "beta"), 2u);
  PeerResponse limited = Call(beta(), "alpha", "GET", "/peer/v1/messages?after=0&held=0&limit=1");
  ASSERT_OK_AND_ASSIGN(WireDelivery one, DecodeDelivery(limited.body));
  EXPECT_EQ(one.delivery.envelopes.size(), 1u);
}

TEST_F(EndpointTest, CheckpointIsWitnessedAndTheCosignatureStored) {
  Send(beta(), {"alpha"});
  PeerResponse r = Call(beta(), "alpha", "GET", "/peer/v1/checkpoint?from=0");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_OK_AND_ASSIGN(CheckpointReply c, DecodeCheckpointReply(r.body));
  EXPECT_EQ(c.size, 2u);  // genesis + one message
  EXPECT_TRUE(c.consistency.empty());
  auto cosigned = alpha().With(
      [&](accord::Exchange& ex) { return ex.Witness("beta", c.checkpoint, c.consistency); });
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  ASSERT_FALSE(cosigned->empty());
  PeerResponse posted = Call(beta(), "alpha", "POST", "/peer/v1/cosignature",
                             EncodeCosignature({"alpha", *cosigned}));
  EXPECT_EQ(posted.status, 204) << posted.body;
  EXPECT_TRUE(posted.body.empty());
  // The served checkpoint now carries alpha's cosignature line.
  PeerResponse again = Call(beta(), "alpha", "GET", "/peer/v1/checkpoint?from=1");
  ASSERT_OK_AND_ASSIGN(CheckpointReply c2, DecodeCheckpointReply(again.body));
  EXPECT_GT(c2.checkpoint.size(), c.checkpoint.size());
  EXPECT_EQ(c2.consistency.size(), 1u);
}

TEST_F(EndpointTest, CosignatureForAnotherWitnessIs403) {
  PeerResponse r =
      Call(beta(), "alpha", "POST", "/peer/v1/cosignature", EncodeCosignature({"gamma", "x\n"}));
  EXPECT_EQ(r.status, 403);
}

TEST_F(EndpointTest, GarbageCosignatureIs4xx) {
  PeerResponse r = Call(beta(), "alpha", "POST", "/peer/v1/cosignature",
                        EncodeCosignature({"alpha", "not a note"}));
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500) << r.body;
}

TEST_F(EndpointTest, ConsistencyProofVerifies) {
  Send(beta(), {"alpha"});
  Send(beta(), {"alpha"});
  PeerResponse r = Call(beta(), "alpha", "GET", "/peer/v1/consistency?from=1&to=3");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_OK_AND_ASSIGN(auto proof, DecodeProof(r.body));
  auto roots = beta().With([](accord::Exchange& ex) {
    return std::make_pair(*ex.log().RootAt(1), *ex.log().RootAt(3));
  });
  EXPECT_OK(ledger::VerifyConsistency(1, 3, proof, roots.first, roots.second));
}

TEST_F(EndpointTest, CheckpointsListsOwnAndHeldCheckpoints) {
  Send(alpha(), {"beta"});
  WireDelivery w = NextFromAlpha();
  ASSERT_EQ(Call(beta(), "alpha", "POST", "/peer/v1/inbox", EncodeDelivery(w)).status, 200);
  PeerResponse r = Call(beta(), "alpha", "GET", "/peer/v1/checkpoints");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_OK_AND_ASSIGN(auto entries, DecodeGossip(r.body));
  std::set<std::string> parties;
  for (const GossipEntry& e : entries) parties.insert(e.party);
  EXPECT_TRUE(parties.count("beta"));
  EXPECT_TRUE(parties.count("alpha"));
}

}  // namespace
}  // namespace detente::peer
