// exchange_test.cc: the Exchange between two and three nodes, each with its own database,
// passing Delivery / DeliveryAnswer values directly (no HTTP): delivery and receipts, duplicates,
// reordering, held-size mismatches, tampering, equivocation, witnessing, backoff and Verify.
// Parametrized over the backend (SQLite in accord_test, PostgreSQL in accord_pg_test).
#include <unistd.h>

#include <cstdlib>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accord/accord_test_util.h"

namespace detente::accord {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using Code = base::StatusCode;

class ExchangeTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override { clock_ = std::make_unique<base::FakeClock>(TestStart()); }

  bool is_postgres() const { return GetParam() == store::Backend::kPostgres; }

  // Creates one node per party, joined to one accord of all of them.
  void MakeNodes(const std::vector<std::string>& parties, ExchangeOptions options = {}) {
    accord_ = TestAccord(parties);
    options.clock = clock_.get();
    options_ = options;
    for (const auto& p : parties) {
      auto& n = nodes_[p];
      n = std::make_unique<TestNode>();
      n->party = p;
      ASSERT_OK(n->db.Create(GetParam()));
      auto conn = n->db.Open();
      ASSERT_OK(Exchange::Join(*conn, accord_, p, TestKey(p)));
      n->ex = Open(n->db.url(), p);
      ASSERT_NE(n->ex, nullptr);
    }
  }

  std::unique_ptr<Exchange> Open(const std::string& url, const std::string& party) {
    auto ex = Exchange::Open(OpenUrl(url), party, TestKey(party), options_);
    EXPECT_TRUE(ex.ok()) << ex.status();
    return ex.ok() ? std::move(ex).value() : nullptr;
  }

  Exchange& X(const std::string& p) { return *nodes_.at(p)->ex; }

  // One round from `from` to `to`: NextDelivery, Accept, RecordAnswer.
  Result<DeliveryAnswer> Deliver(const std::string& from, const std::string& to) {
    ASSIGN_OR_RETURN(Delivery d, X(from).NextDelivery(to, 100));
    ASSIGN_OR_RETURN(DeliveryAnswer a, X(to).Accept(from, d, HeldOf(X(from), to)));
    RETURN_IF_ERROR(X(from).RecordAnswer(to, d, a));
    return a;
  }

  Envelope Send(const std::string& from, std::vector<std::string> to,
                std::string body = R"({"text":"hello"})") {
    auto e = X(from).Originate("note", to, body);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : Envelope();
  }

  void ExpectVerifies(const std::string& p) {
    auto r = X(p).Verify();
    ASSERT_OK(r.status());
    for (const auto& f : r->findings) ADD_FAILURE() << p << ": " << f.what << " @ " << f.where;
  }

  std::unique_ptr<base::FakeClock> clock_;
  Accord accord_;
  ExchangeOptions options_;
  std::map<std::string, std::unique_ptr<TestNode>> nodes_;
};

TEST_P(ExchangeTest, OriginatedMessageIsDeliveredAndReceipted) {
  MakeNodes({"alpha", "beta"});
  Envelope e = Send("alpha", {"beta"});
  EXPECT_EQ(e.seq, 1u);  // entry 0 is the genesis
  EXPECT_EQ(X("alpha").log().size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  ASSERT_THAT(pending, SizeIs(1));
  EXPECT_EQ(pending[0].recipient, "beta");

  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, Deliver("alpha", "beta"));
  ASSERT_THAT(a.results, SizeIs(1));
  EXPECT_EQ(a.results[0].outcome, AcceptOutcome::kAccepted) << a.results[0].error;
  EXPECT_EQ(a.results[0].id, e.id);
  EXPECT_EQ(a.held_size, 2u);
  ASSERT_OK_AND_ASSIGN(pending, X("alpha").Undelivered());
  EXPECT_THAT(pending, SizeIs(0));

  ASSERT_OK_AND_ASSIGN(auto got, X("beta").FindMessage(e.id));
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->outgoing);
  EXPECT_EQ(got->body, R"({"text":"hello"})");
  EXPECT_EQ(got->envelope, e.ToJson());
  EXPECT_THAT(X("beta").LastAcceptedSeq("alpha"), ::detente::testing::IsOkAndHolds(1u));
  // The receipt is entry 1 of beta's log.
  EXPECT_EQ(X("beta").log().size(), 2u);
  ASSERT_OK_AND_ASSIGN(Envelope receipt, Envelope::Parse(a.results[0].receipt));
  EXPECT_EQ(receipt.kind, "receipt");
  ASSERT_OK_AND_ASSIGN(ReceiptBody body, ReceiptBody::Parse(receipt.body));
  EXPECT_EQ(body.envelope, e.id);
  EXPECT_EQ(body.digest, e.Digest());

  ExpectVerifies("alpha");
  ExpectVerifies("beta");
  ASSERT_OK_AND_ASSIGN(auto report, X("alpha").Verify());
  EXPECT_EQ(report.receipts, 1u);
  EXPECT_EQ(report.messages, 1u);
}

TEST_P(ExchangeTest, ThreePartiesEachGetTheirCopyOnce) {
  MakeNodes({"alpha", "beta", "gamma"});
  Envelope e = Send("alpha", {"gamma", "beta"});
  EXPECT_EQ(e.to, (std::vector<std::string>{"beta", "gamma"}));
  Send("gamma", {"alpha"});
  ASSERT_OK(Deliver("alpha", "beta").status());
  ASSERT_OK(Deliver("alpha", "gamma").status());
  ASSERT_OK(Deliver("gamma", "alpha").status());
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  EXPECT_THAT(pending, SizeIs(0));
  ASSERT_OK_AND_ASSIGN(auto beta_msgs, X("beta").Messages());
  // beta: the message and its own receipt.
  EXPECT_THAT(beta_msgs, SizeIs(2));
  for (const char* p : {"alpha", "beta", "gamma"}) ExpectVerifies(p);
}

TEST_P(ExchangeTest, LostAnswerThenRedeliveryIsADuplicateWithTheSameReceipt) {
  MakeNodes({"alpha", "beta"});
  Envelope e = Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer first, X("beta").Accept("alpha", d, 0));
  // The answer is lost: alpha retries the same delivery; beta now holds size 2.
  EXPECT_THAT(X("beta").Accept("alpha", d, 0).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("held size mismatch: I hold 2")));
  ASSERT_OK(X("alpha").SetRecipientHeld("beta", 2));
  ASSERT_OK_AND_ASSIGN(Delivery again, X("alpha").NextDelivery("beta", 10));
  EXPECT_EQ(again.held_size, 2u);
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer second, X("beta").Accept("alpha", again, 0));
  ASSERT_THAT(second.results, SizeIs(1));
  EXPECT_EQ(second.results[0].outcome, AcceptOutcome::kDuplicate);
  EXPECT_EQ(second.results[0].receipt, first.results[0].receipt);
  ASSERT_OK(X("alpha").RecordAnswer("beta", again, second));
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  EXPECT_THAT(pending, SizeIs(0));
  ASSERT_OK_AND_ASSIGN(auto msgs, X("beta").Messages());
  EXPECT_THAT(msgs, SizeIs(2));  // the message once, and one receipt
  EXPECT_EQ(X("beta").log().size(), 2u);
  ExpectVerifies("alpha");
  ExpectVerifies("beta");
}

TEST_P(ExchangeTest, ReorderedDeliveriesTakeEffectOnce) {
  MakeNodes({"alpha", "beta"});
  Envelope m1 = Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d1, X("alpha").NextDelivery("beta", 10));
  // d1 "times out": m1 is scheduled later, m2 goes first.
  ASSERT_OK(X("alpha").RecordFailure("beta", d1, "timeout"));
  Envelope m2 = Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d2, X("alpha").NextDelivery("beta", 10));
  ASSERT_THAT(d2.envelopes, SizeIs(1));
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a2, X("beta").Accept("alpha", d2, 0));
  EXPECT_EQ(a2.results[0].outcome, AcceptOutcome::kAccepted) << a2.results[0].error;
  ASSERT_OK(X("alpha").RecordAnswer("beta", d2, a2));
  // The late d1 arrives after: refused whole (beta holds size 3 now), nothing stored.
  EXPECT_THAT(X("beta").Accept("alpha", d1, 0).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("held size mismatch: I hold 3")));
  clock_->AdvanceSeconds(2);
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a1, Deliver("alpha", "beta"));
  ASSERT_THAT(a1.results, SizeIs(1));
  EXPECT_EQ(a1.results[0].id, m1.id);
  EXPECT_EQ(a1.results[0].outcome, AcceptOutcome::kAccepted);
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  EXPECT_THAT(pending, SizeIs(0));
  EXPECT_THAT(X("beta").LastAcceptedSeq("alpha"), ::detente::testing::IsOkAndHolds(2u));
  ExpectVerifies("alpha");
  ExpectVerifies("beta");
}

TEST_P(ExchangeTest, PullDeliversEverythingAfterASeq) {
  MakeNodes({"alpha", "beta"});
  Send("alpha", {"beta"});
  Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").DeliveryFor("beta", 1, 0, 10));
  ASSERT_THAT(d.envelopes, SizeIs(1));
  EXPECT_EQ(d.envelopes[0].index, 2u);
  ASSERT_OK_AND_ASSIGN(Delivery all, X("alpha").DeliveryFor("beta", 0, 0, 10));
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, X("beta").Accept("alpha", all, 0));
  ASSERT_THAT(a.results, SizeIs(2));
  EXPECT_EQ(a.results[1].outcome, AcceptOutcome::kAccepted);
  EXPECT_THAT(X("alpha").DeliveryFor("beta", 0, 99, 10).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("exceeds")));
}

TEST_P(ExchangeTest, TamperedEnvelopeIsRejectedAndTheOthersAccepted) {
  MakeNodes({"alpha", "beta"});
  Send("alpha", {"beta"});
  Send("alpha", {"beta"}, R"({"text":"second"})");
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  ASSERT_THAT(d.envelopes, SizeIs(2));
  std::string& bytes = d.envelopes[0].envelope;
  bytes.replace(bytes.find("hello"), 5, "hellp");
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, X("beta").Accept("alpha", d, 0));
  EXPECT_EQ(a.results[0].outcome, AcceptOutcome::kRejected);
  EXPECT_THAT(a.results[0].error, HasSubstr("invalid signature by alpha"));
  EXPECT_EQ(a.results[1].outcome, AcceptOutcome::kAccepted);
  ASSERT_OK(X("alpha").RecordAnswer("beta", d, a));
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  ASSERT_THAT(pending, SizeIs(1));
  EXPECT_THAT(pending[0].last_error, HasSubstr("invalid signature"));
  EXPECT_EQ(pending[0].attempts, 1);
}

TEST_P(ExchangeTest, TamperedInclusionProofIsRejected) {
  MakeNodes({"alpha", "beta"});
  Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  ASSERT_THAT(d.envelopes[0].proof, SizeIs(1));
  d.envelopes[0].proof[0][0] ^= 1;
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, X("beta").Accept("alpha", d, 0));
  EXPECT_EQ(a.results[0].outcome, AcceptOutcome::kRejected);
  EXPECT_THAT(a.results[0].error, HasSubstr("not included in alpha's checkpoint"));
  // beta verified and now holds alpha's checkpoint (size 2) even though the envelope failed.
  d.envelopes[0].proof.clear();
  d.held_size = 2;
  ASSERT_OK_AND_ASSIGN(a, X("beta").Accept("alpha", d, 0));
  EXPECT_THAT(a.results[0].error, HasSubstr("not included"));
}

TEST_P(ExchangeTest, TamperedCheckpointRefusesTheDelivery) {
  MakeNodes({"alpha", "beta"});
  Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  d.checkpoint.replace(d.checkpoint.find("\n2\n"), 3, "\n3\n");
  EXPECT_THAT(X("beta").Accept("alpha", d, 0).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("checkpoint of alpha")));
  ASSERT_OK_AND_ASSIGN(auto msgs, X("beta").Messages());
  EXPECT_THAT(msgs, SizeIs(0));
}

TEST_P(ExchangeTest, NonPartySenderIsPermissionDenied) {
  MakeNodes({"alpha", "beta"});
  Delivery d;
  EXPECT_THAT(X("beta").Accept("mallory", d, 0).status(),
              StatusIs(Code::kPermissionDenied, HasSubstr("mallory")));
}

TEST_P(ExchangeTest, TamperedReceiptProofIsNotRecordedAndRaisesNoAlert) {
  MakeNodes({"alpha", "beta"});
  Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, X("beta").Accept("alpha", d, 0));
  a.receipt_proofs[0].clear();
  a.receipt_proofs[0].push_back(ledger::Hash{});
  EXPECT_THAT(X("alpha").RecordAnswer("beta", d, a),
              StatusIs(Code::kFailedPrecondition, HasSubstr("not included")));
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  EXPECT_THAT(pending, SizeIs(1));
  // A proof is not signed: a damaged one may be the network's fault, not beta's.
  ASSERT_OK_AND_ASSIGN(auto alerts, X("alpha").Alerts());
  EXPECT_THAT(alerts, SizeIs(0));
}

TEST_P(ExchangeTest, ReceiptWithBrokenSignatureIsNotRecordedAndRaisesNoAlert) {
  MakeNodes({"alpha", "beta"});
  Send("alpha", {"beta"});
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, X("beta").Accept("alpha", d, 0));
  size_t at = a.results[0].receipt.find("\"sig\":\"") + 7;
  a.results[0].receipt[at] = a.results[0].receipt[at] == 'A' ? 'B' : 'A';
  EXPECT_THAT(X("alpha").RecordAnswer("beta", d, a),
              StatusIs(Code::kFailedPrecondition, HasSubstr("receipt from beta")));
  ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
  EXPECT_THAT(pending, SizeIs(1));
  ASSERT_OK_AND_ASSIGN(auto alerts, X("alpha").Alerts());
  EXPECT_THAT(alerts, SizeIs(0));
}

TEST_P(ExchangeTest, OriginateRejectsBadDrafts) {
  MakeNodes({"alpha", "beta"});
  std::vector<std::string> to = {"beta"};
  std::vector<std::string> nobody = {"mallory"};
  std::vector<std::string> self = {"alpha"};
  EXPECT_THAT(X("alpha").Originate("note", nobody, "{}").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("unknown recipient \"mallory\"")));
  EXPECT_THAT(X("alpha").Originate("note", self, "{}").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("itself")));
  EXPECT_THAT(X("alpha").Originate("Note", to, "{}").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("kind")));
  EXPECT_THAT(X("alpha").Originate("receipt", to, "{}").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("reserved")));
  EXPECT_THAT(X("alpha").Originate("note", to, "[1]").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(X("alpha").Originate("note", to, "{", "amber").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("body")));
  EXPECT_THAT(X("alpha").Originate("note", to, "{}", "purple").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("tlp")));
  EXPECT_EQ(X("alpha").log().size(), 1u);  // nothing written
}

TEST_P(ExchangeTest, OriginateBatchAppendsOneLogBatch) {
  MakeNodes({"alpha", "beta", "gamma"});
  std::vector<Exchange::Draft> drafts(50);
  for (size_t i = 0; i < drafts.size(); ++i) {
    drafts[i].kind = "note";
    drafts[i].to = {i % 2 ? "beta" : "gamma"};
    drafts[i].body = R"({"n":)" + std::to_string(i) + "}";
  }
  ASSERT_OK_AND_ASSIGN(auto envs, X("alpha").OriginateBatch(drafts));
  ASSERT_THAT(envs, SizeIs(50));
  EXPECT_EQ(envs[49].seq, 50u);
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, Deliver("alpha", "beta"));
  EXPECT_THAT(a.results, SizeIs(25));
  ExpectVerifies("alpha");
  ExpectVerifies("beta");
}

TEST_P(ExchangeTest, JoinIsIdempotentAndRefusesAnotherAccord) {
  MakeNodes({"alpha", "beta"});
  auto conn = nodes_["alpha"]->db.Open();
  EXPECT_OK(Exchange::Join(*conn, accord_, "alpha", TestKey("alpha")));
  Accord other = TestAccord({"alpha", "beta", "gamma"});
  EXPECT_THAT(Exchange::Join(*conn, other, "alpha", TestKey("alpha")),
              StatusIs(Code::kAlreadyExists, HasSubstr("already joined")));
}

TEST_P(ExchangeTest, JoinRefusesUnsignedAccordsAndWrongKeys) {
  store::TestDb db;
  ASSERT_OK(db.Create(GetParam()));
  auto conn = db.Open();
  Accord unsigned_accord = TestAccord({"alpha", "beta"}, false);
  ASSERT_OK(unsigned_accord.Sign("alpha", TestKey("alpha")));
  EXPECT_THAT(Exchange::Join(*conn, unsigned_accord, "alpha", TestKey("alpha")),
              StatusIs(Code::kFailedPrecondition, HasSubstr("beta has not signed")));
  Accord a = TestAccord({"alpha", "beta"});
  EXPECT_THAT(Exchange::Join(*conn, a, "alpha", TestKey("beta")),
              StatusIs(Code::kFailedPrecondition, HasSubstr("not alpha's key")));
  EXPECT_THAT(Exchange::Join(*conn, a, "gamma", TestKey("gamma")),
              StatusIs(Code::kNotFound, HasSubstr("gamma")));
  EXPECT_THAT(Exchange::Open(db.Open(), "alpha", TestKey("alpha")).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("has not joined an accord")));
}

TEST_P(ExchangeTest, WitnessCosignsConsistentCheckpoints) {
  MakeNodes({"alpha", "beta", "gamma"});
  std::string cp1 = X("alpha").log().checkpoint();
  ASSERT_OK_AND_ASSIGN(std::string cosigned, X("beta").Witness("alpha", cp1, {}));
  EXPECT_THAT(cosigned, HasSubstr(cp1));
  ASSERT_OK(X("alpha").AddCosignature("beta", cosigned));
  EXPECT_THAT(X("alpha").AddCosignature("gamma", cosigned),
              StatusIs(Code::kFailedPrecondition, HasSubstr("cosignature by gamma")));
  Send("alpha", {"beta"});
  Send("alpha", {"gamma"});
  std::string cp3 = X("alpha").log().checkpoint();
  ASSERT_OK_AND_ASSIGN(auto proof, X("alpha").log().ProveConsistency(1, 3));
  std::vector<ledger::Hash> bad = proof.proof;
  bad.push_back(ledger::Hash{});
  EXPECT_THAT(X("beta").Witness("alpha", cp3, bad).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("not proven consistent")));
  ASSERT_OK_AND_ASSIGN(cosigned, X("beta").Witness("alpha", cp3, proof.proof));
  ASSERT_OK(X("alpha").AddCosignature("beta", cosigned));
  EXPECT_EQ(HeldOf(X("beta"), "alpha"), 3u);
  ASSERT_OK_AND_ASSIGN(auto report, X("alpha").Verify());
  EXPECT_EQ(report.cosignatures, 2u);
  ExpectVerifies("alpha");
  ExpectVerifies("beta");
}

TEST_P(ExchangeTest, BackoffScheduleDoublesWithJitterThenFails) {
  ExchangeOptions o;
  o.backoff_initial_ms = 1000;
  o.backoff_max_ms = 4000;
  o.max_attempts = 4;
  MakeNodes({"alpha", "beta"}, o);
  Send("alpha", {"beta"});
  const double expected_ms[] = {1000, 2000, 4000};
  for (double want : expected_ms) {
    ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
    ASSERT_THAT(d.envelopes, SizeIs(1));
    ASSERT_OK(X("alpha").RecordFailure("beta", d, "connection refused"));
    ASSERT_OK_AND_ASSIGN(auto pending, X("alpha").Undelivered());
    ASSERT_THAT(pending, SizeIs(1));
    EXPECT_EQ(pending[0].last_error, "connection refused");
    ASSERT_OK_AND_ASSIGN(auto next, base::Timestamp::Parse(pending[0].next_attempt));
    double delay_ms = static_cast<double>(next.NanosSince(clock_->Now())) / 1e6;
    EXPECT_GE(delay_ms, want * 0.8 - 1);
    EXPECT_LE(delay_ms, want * 1.2 + 1);
    // Not due before the delay, due after it.
    ASSERT_OK_AND_ASSIGN(Delivery early, X("alpha").NextDelivery("beta", 10));
    EXPECT_THAT(early.envelopes, SizeIs(0));
    clock_->AdvanceNanos(static_cast<int64_t>(want * 1.2e6) + 1'000'000);
  }
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 10));
  ASSERT_OK(X("alpha").RecordFailure("beta", d, "connection refused"));
  ASSERT_OK_AND_ASSIGN(auto failed, X("alpha").Undelivered());
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_EQ(failed[0].state, DeliveryState::State::kFailed);
  EXPECT_EQ(failed[0].attempts, 4);
  clock_->AdvanceSeconds(3600);
  ASSERT_OK_AND_ASSIGN(Delivery none, X("alpha").NextDelivery("beta", 10));
  EXPECT_THAT(none.envelopes, SizeIs(0));
  ASSERT_OK(X("alpha").RetryFailed());
  ASSERT_OK_AND_ASSIGN(Delivery retried, X("alpha").NextDelivery("beta", 10));
  EXPECT_THAT(retried.envelopes, SizeIs(1));
  ASSERT_OK(Deliver("alpha", "beta").status());
}

TEST_P(ExchangeTest, VerifyFindsTamperedRows) {
  MakeNodes({"alpha", "beta"});
  Envelope e = Send("alpha", {"beta"});
  ASSERT_OK(Deliver("alpha", "beta").status());
  ASSERT_OK(X("beta").Witness("alpha", X("alpha").log().checkpoint(), {}).status());
  ExpectVerifies("alpha");
  ExpectVerifies("beta");
  auto findings_of = [&](const std::string& p) {
    auto r = X(p).Verify();
    EXPECT_OK(r.status());
    return r.ok() ? r->findings : std::vector<Finding>{};
  };
  store::Connection& beta = X("beta").connection();
  store::Connection& alpha = X("alpha").connection();
  // A stored message body.
  ASSERT_OK(beta.Exec("UPDATE accord_messages SET body = '{\"text\":\"bye\"}' WHERE id = $1",
                      {store::Value(e.id)}).status());
  auto f = findings_of("beta");
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].what, HasSubstr("differ from the signed envelope"));
  EXPECT_EQ(f[0].where, "accord_messages row id=" + e.id);
  ASSERT_OK(beta.Exec("UPDATE accord_messages SET body = '{\"text\":\"hello\"}' WHERE id = $1",
                      {store::Value(e.id)}).status());
  // A stored envelope (re-signed content would need alpha's key).
  std::string forged = e.ToJson();
  forged.replace(forged.find("hello"), 5, "hellp");
  ASSERT_OK(beta.Exec("UPDATE accord_messages SET envelope = $1 WHERE id = $2",
                      {store::Value(forged), store::Value(e.id)}).status());
  f = findings_of("beta");
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].what, HasSubstr("invalid signature by alpha"));
  EXPECT_EQ(f[0].where, "accord_messages row id=" + e.id);
  // A held checkpoint.
  ASSERT_OK(beta.Exec("UPDATE accord_peer_checkpoints SET note = replace(note, 'alpha\n2', "
                      "'alpha\n3')").status());
  f = findings_of("beta");
  ASSERT_THAT(f, SizeIs(2));
  EXPECT_THAT(f[1].where, HasSubstr("accord_peer_checkpoints row party=alpha"));
  // A receipt held by the sender.
  ASSERT_OK(alpha.Exec("UPDATE accord_receipts SET proof = '[]'").status());
  f = findings_of("alpha");
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_EQ(f[0].where, "accord_receipts row envelope=" + e.id + " recipient=beta");
  EXPECT_THAT(f[0].what, HasSubstr("inclusion in beta's checkpoint"));
  // A log entry of the sender.
  ledger::Bytes bundle;
  ledger::AppendBundleEntry(&bundle, base::AsBytes(GenesisEntry(accord_.Hash(), "alpha")));
  ledger::AppendBundleEntry(&bundle, base::AsBytes("forged"));
  ASSERT_OK(alpha.Exec("UPDATE ledger_bundles SET data = $1", {store::Value(bundle)}).status());
  f = findings_of("alpha");
  ASSERT_GE(f.size(), 2u);
  EXPECT_EQ(f[0].where, "ledger");
}

TEST_P(ExchangeTest, EquivocatingSenderIsCaughtByAcceptAndByWitness) {
  if (is_postgres()) GTEST_SKIP() << "copies a SQLite node database file";
  MakeNodes({"alpha", "beta", "gamma"});
  // A second alpha from a copy of alpha's database: same key, same history, then they diverge.
  std::string url = nodes_["alpha"]->db.url();
  std::string path = url.substr(std::string("sqlite:").size());
  nodes_["alpha"]->ex.reset();  // checkpoints the WAL into the file
  ASSERT_EQ(std::system(("cp '" + path + "' '" + path + ".copy'").c_str()), 0);
  nodes_["alpha"]->ex = Open(url, "alpha");
  auto alpha2 = Open("sqlite:" + path + ".copy", "alpha");
  ASSERT_NE(alpha2, nullptr);

  Envelope m1 = Send("alpha", {"beta"});
  ASSERT_OK(Deliver("alpha", "beta").status());
  std::vector<std::string> to = {"beta"};
  ASSERT_OK_AND_ASSIGN(Envelope m2, alpha2->Originate("note", to, R"({"text":"other"})"));
  EXPECT_EQ(m2.seq, m1.seq);
  ASSERT_OK_AND_ASSIGN(Delivery d, alpha2->NextDelivery("beta", 10));
  EXPECT_THAT(X("beta").Accept("alpha", d, 0).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("I hold 2")));
  ASSERT_OK(alpha2->SetRecipientHeld("beta", 2));
  ASSERT_OK_AND_ASSIGN(d, alpha2->NextDelivery("beta", 10));
  EXPECT_THAT(X("beta").Accept("alpha", d, 0).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("equivocation by alpha")));
  ASSERT_OK_AND_ASSIGN(auto alerts, X("beta").Alerts());
  ASSERT_THAT(alerts, SizeIs(1));
  EXPECT_EQ(alerts[0].kind, "equivocation");
  EXPECT_EQ(alerts[0].party, "alpha");
  EXPECT_OK(ledger::VerifyEquivocationProof(alerts[0].evidence));
  ASSERT_OK_AND_ASSIGN(auto msgs, X("beta").Messages());
  EXPECT_THAT(msgs, SizeIs(2));  // m1 and its receipt only

  // gamma witnesses both heads.
  ASSERT_OK(X("gamma").Witness("alpha", X("alpha").log().checkpoint(), {}).status());
  EXPECT_THAT(X("gamma").Witness("alpha", alpha2->log().checkpoint(), {}).status(),
              StatusIs(Code::kFailedPrecondition, HasSubstr("equivocation by alpha")));
  ASSERT_OK_AND_ASSIGN(auto galerts, X("gamma").Alerts());
  ASSERT_THAT(galerts, SizeIs(1));
  EXPECT_OK(ledger::VerifyEquivocationProof(galerts[0].evidence));
  // And a pair reported by someone else.
  ASSERT_OK_AND_ASSIGN(bool consistent,
                       X("beta").CheckCheckpoints("alpha", X("alpha").log().checkpoint(),
                                                  alpha2->log().checkpoint(), {}));
  EXPECT_FALSE(consistent);
}

INSTANTIATE_TEST_SUITE_P(Backends, ExchangeTest, ::testing::ValuesIn(store::TestBackends()),
                         store::BackendName);

}  // namespace
}  // namespace detente::accord
