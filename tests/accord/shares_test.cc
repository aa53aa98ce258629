// shares_test.cc: shares, retractions and sightings between in-process nodes (one database
// per party, a FakeClock, deliveries moved by hand with NextDelivery / Accept /
// RecordAnswer): what lands in which TAXII collection, TLP 2.0 rules on onward sharing,
// retractions, idempotent application, sightings back to the producer. Parametrized over the
// backend (SQLite in accord_shares_test, PostgreSQL in accord_pg_test).
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accord/accord_test_util.h"
#include "taxii/taxii.h"

namespace detente::accord {
namespace {

using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using Code = base::StatusCode;

constexpr const char* kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr const char* kAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

std::string IndicatorId(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

std::string Indicator(int n, const std::string& marking = "") {
  std::string s = R"({"type":"indicator","spec_version":"2.1","id":")" + IndicatorId(n) +
                  R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
                  R"("pattern":"[ipv4-addr:value = '198.51.100.)" +
                  std::to_string(n % 250) +
                  R"(']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z")";
  if (!marking.empty()) s += R"(,"object_marking_refs":[")" + marking + R"("])";
  return s + "}";
}

std::string Bundle(const std::vector<std::string>& objects) {
  std::string s =
      R"({"type":"bundle","id":"bundle--11111111-1111-4111-8111-111111111111","objects":[)";
  for (size_t i = 0; i < objects.size(); ++i) s += (i ? "," : "") + objects[i];
  return s + "]}";
}

std::string Sighting(int n, int indicator, int count, const std::string& first,
                     const std::string& last) {
  char id[64];
  std::snprintf(id, sizeof id, "sighting--00000000-0000-4000-9000-%012d", n);
  return std::string(R"({"type":"sighting","spec_version":"2.1","id":")") + id +
         R"(","created":"2026-01-02T00:00:00.000Z","modified":"2026-01-02T00:00:00.000Z",)"
         R"("sighting_of_ref":")" +
         IndicatorId(indicator) + R"(","count":)" + std::to_string(count) +
         R"(,"first_seen":")" + first + R"(","last_seen":")" + last + R"("})";
}

class SharesTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<base::FakeClock>(TestStart());
    accord_ = TestAccord({"alpha", "beta", "gamma"});
    for (const std::string p : {"alpha", "beta", "gamma"}) {
      auto& n = nodes_[p];
      n = std::make_unique<TestNode>();
      n->party = p;
      ASSERT_OK(n->db.Create(GetParam()));
      auto conn = n->db.Open();
      ASSERT_OK(Exchange::Join(*conn, accord_, p, TestKey(p)));
      n->ex = OpenExchange(n->db.url(), p, clock_.get());
      ASSERT_NE(n->ex, nullptr);
    }
  }

  Exchange& X(const std::string& p) { return *nodes_.at(p)->ex; }
  Workflows W(const std::string& p) { return Workflows(X(p)); }

  // Moves what `from` has pending for `to` (one round), without applying it.
  void DeliverOne(const std::string& from, const std::string& to) {
    auto d = X(from).NextDelivery(to, 100);
    ASSERT_OK(d.status());
    if (d->envelopes.empty()) return;
    auto ans = X(to).Accept(from, *d, HeldOf(X(from), to));
    ASSERT_OK(ans.status());
    for (const auto& r : ans->results) {
      EXPECT_NE(r.outcome, AcceptOutcome::kRejected) << r.error;
    }
    ASSERT_OK(X(from).RecordAnswer(to, *d, *ans));
  }

  // Moves every pending delivery between every pair, then applies inbound messages everywhere.
  void DeliverAll() {
    for (int round = 0; round < 3; ++round) {
      for (const auto& [from, a] : nodes_) {
        for (const auto& [to, b] : nodes_) {
          if (from == to) continue;
          ASSERT_NO_FATAL_FAILURE(DeliverOne(from, to));
        }
      }
    }
    for (const auto& [p, n] : nodes_) ASSERT_OK(W(p).ApplyInbound().status());
  }

  // The ids of the objects in collection `alias` of `p`'s API root api1 (NotFound if none).
  Result<std::vector<std::string>> Collection(const std::string& p, const std::string& alias) {
    taxii::Repository repo(X(p).connection());
    ASSIGN_OR_RETURN(taxii::CollectionInfo c, repo.GetCollection("api1", alias));
    taxii::Filter f;
    ASSIGN_OR_RETURN(taxii::Page page, repo.QueryObjects(c, f, INT64_MIN, 1000));
    std::vector<std::string> ids;
    for (const auto& o : page.objects) ids.push_back(o.id);
    return ids;
  }

  std::unique_ptr<base::FakeClock> clock_;
  Accord accord_;
  std::map<std::string, std::unique_ptr<TestNode>> nodes_;
};

TEST_P(SharesTest, ShareLandsInTheSendersInboundCollectionOfTheRecipientOnly) {
  std::vector<std::string> to = {"beta"};
  ASSERT_OK_AND_ASSIGN(Envelope e, W("alpha").Share(to, Bundle({Indicator(1, kGreen)})));
  EXPECT_EQ(e.kind, "share");
  EXPECT_EQ(e.tlp, "green");
  DeliverAll();
  EXPECT_THAT(Collection("beta", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(1))));
  EXPECT_THAT(Collection("gamma", "from-alpha"), StatusIs(Code::kNotFound, ::testing::_));
  ASSERT_OK_AND_ASSIGN(auto shares, W("beta").Shares());
  ASSERT_THAT(shares, SizeIs(1));
  EXPECT_EQ(shares[0].from, "alpha");
  EXPECT_EQ(shares[0].objects, 1);
  EXPECT_FALSE(shares[0].outgoing);
  ASSERT_OK_AND_ASSIGN(auto mine, W("alpha").Shares());
  ASSERT_THAT(mine, SizeIs(1));
  EXPECT_TRUE(mine[0].outgoing);
  EXPECT_THAT(mine[0].to, ElementsAre("beta"));
}

TEST_P(SharesTest, EnvelopeTlpIsTheStrictestMarkingOrTheAccordDefault) {
  std::vector<std::string> to = {"beta", "gamma"};
  ASSERT_OK_AND_ASSIGN(Envelope e1,
                       W("alpha").Share(to, Bundle({Indicator(1, kGreen), Indicator(2, kAmber)})));
  EXPECT_EQ(e1.tlp, "amber");
  ASSERT_OK_AND_ASSIGN(Envelope e2, W("alpha").Share(to, Indicator(3)));
  EXPECT_EQ(e2.tlp, accord_.tlp_default);
  ASSERT_OK_AND_ASSIGN(Envelope e3, W("alpha").Share(to, Indicator(4, kGreen), "red"));
  EXPECT_EQ(e3.tlp, "red");
}

TEST_P(SharesTest, InvalidObjectOrRecipientIsRefusedNamingIt) {
  std::vector<std::string> to = {"beta"};
  std::string bad = R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000009","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"})";
  EXPECT_THAT(W("alpha").Share(to, Bundle({Indicator(1), bad})),
              StatusIs(Code::kInvalidArgument, HasSubstr("indicator--00000000-0000-4000-8000-000000000009")));
  std::vector<std::string> nobody = {"delta"};
  EXPECT_THAT(W("alpha").Share(nobody, Indicator(1)),
              StatusIs(Code::kInvalidArgument, HasSubstr("delta")));
  std::vector<std::string> self = {"alpha"};
  EXPECT_THAT(W("alpha").Share(self, Indicator(1)), StatusIs(Code::kInvalidArgument, ::testing::_));
  ASSERT_OK_AND_ASSIGN(auto msgs, X("alpha").Messages());
  EXPECT_THAT(msgs, IsEmpty());
}

TEST_P(SharesTest, RedShareToBetaNeverReachesGamma) {
  std::vector<std::string> to = {"beta"};
  ASSERT_OK_AND_ASSIGN(Envelope e, W("alpha").Share(to, Bundle({Indicator(7, kRed)})));
  EXPECT_EQ(e.tlp, "red");
  EXPECT_EQ(e.to, (std::vector<std::string>{"beta"}));
  DeliverAll();
  ASSERT_OK(W("gamma").EnsureCollections());
  EXPECT_THAT(Collection("beta", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(7))));
  EXPECT_THAT(Collection("gamma", "from-alpha"), ::detente::testing::IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(Collection("gamma", "from-beta"), ::detente::testing::IsOkAndHolds(IsEmpty()));
  ASSERT_OK_AND_ASSIGN(auto gmsgs, X("gamma").Messages());
  for (const auto& m : gmsgs) EXPECT_NE(m.kind, "share") << m.id;
  // Whatever gamma pulls from alpha or beta, the share is not in it.
  for (const std::string from : {"alpha", "beta"}) {
    ASSERT_OK_AND_ASSIGN(Delivery d, X(from).DeliveryFor("gamma", 0, 0, 1000));
    for (const auto& pe : d.envelopes) {
      EXPECT_THAT(pe.envelope, ::testing::Not(HasSubstr(IndicatorId(7))));
    }
  }
  // beta may not share it onward.
  std::vector<std::string> gamma = {"gamma"};
  EXPECT_THAT(W("beta").Share(gamma, Indicator(7, kRed)),
              StatusIs(Code::kPermissionDenied, HasSubstr("TLP:RED")));
  // Not even stripped of its marking, nor relabelled.
  EXPECT_THAT(W("beta").Share(gamma, Indicator(7), "clear"),
              StatusIs(Code::kPermissionDenied, HasSubstr(IndicatorId(7))));
  ASSERT_OK_AND_ASSIGN(auto bmsgs, X("beta").Messages());
  for (const auto& m : bmsgs) {
    EXPECT_FALSE(m.outgoing && m.kind == "share") << "beta sent a share";
  }
}

TEST_P(SharesTest, AmberAndAmberStrictAreNotSharedOnwardButGreenIs) {
  std::vector<std::string> to = {"beta"};
  ASSERT_OK(W("alpha").Share(to, Indicator(1, kAmberStrict)).status());
  ASSERT_OK(W("alpha").Share(to, Indicator(2, kAmber)).status());
  ASSERT_OK(W("alpha").Share(to, Indicator(3, kGreen)).status());
  DeliverAll();
  std::vector<std::string> gamma = {"gamma"};
  EXPECT_THAT(W("beta").Share(gamma, Indicator(1, kAmberStrict)),
              StatusIs(Code::kPermissionDenied, HasSubstr("TLP:AMBER+STRICT")));
  EXPECT_THAT(W("beta").Share(gamma, Indicator(2, kAmber)),
              StatusIs(Code::kPermissionDenied, HasSubstr("TLP:AMBER")));
  EXPECT_OK(W("beta").Share(gamma, Indicator(3, kGreen)).status());
  DeliverAll();
  EXPECT_THAT(Collection("gamma", "from-beta"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(3))));
}

TEST_P(SharesTest, AnObjectThisNodeSharedFirstStaysItsOwnWhenItComesBackRestricted) {
  std::vector<std::string> b = {"beta"};
  ASSERT_OK(W("alpha").Share(b, Indicator(8, kGreen)).status());
  DeliverAll();
  clock_->AdvanceSeconds(1);
  std::vector<std::string> a = {"alpha"};
  ASSERT_OK(W("beta").Share(a, Indicator(8, kGreen), "amber").status());
  DeliverAll();
  std::vector<std::string> g = {"gamma"};
  EXPECT_OK(W("alpha").Share(g, Indicator(8, kGreen)).status());
  // beta received it under GREEN, so it may pass it on; gamma received it from alpha under
  // GREEN too.
  EXPECT_OK(W("beta").Share(g, Indicator(8, kGreen)).status());
}

TEST_P(SharesTest, RetractDeletesAtEveryRecipientAndIsNotResurrected) {
  std::vector<std::string> bg = {"beta", "gamma"};
  std::vector<std::string> b = {"beta"};
  ASSERT_OK_AND_ASSIGN(Envelope s1, W("alpha").Share(bg, Bundle({Indicator(1), Indicator(2)})));
  ASSERT_OK_AND_ASSIGN(Envelope s2, W("alpha").Share(b, Indicator(1)));
  DeliverAll();
  EXPECT_THAT(Collection("gamma", "from-alpha"), ::detente::testing::IsOkAndHolds(SizeIs(2)));

  std::vector<std::string> ids = {IndicatorId(1)};
  ASSERT_OK_AND_ASSIGN(Envelope r, W("alpha").Retract(ids, "false positive"));
  EXPECT_EQ(r.kind, "retract");
  EXPECT_EQ(r.to, (std::vector<std::string>{"beta", "gamma"}));
  EXPECT_THAT(r.refs, ::testing::UnorderedElementsAre(s1.id, s2.id));
  DeliverAll();
  EXPECT_THAT(Collection("beta", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(2))));
  EXPECT_THAT(Collection("gamma", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(2))));
  ASSERT_OK_AND_ASSIGN(auto shares, W("gamma").Shares());
  ASSERT_THAT(shares, SizeIs(1));
  EXPECT_THAT(shares[0].retracted, ElementsAre(IndicatorId(1)));

  // Re-applying the older share (its bookkeeping lost) does not bring the object back.
  ASSERT_OK(X("gamma")
                .connection()
                .Exec("DELETE FROM accord_inbound_applied WHERE message_id = $1", {s1.id})
                .status());
  ASSERT_OK_AND_ASSIGN(int64_t n, W("gamma").ApplyInbound());
  EXPECT_EQ(n, 1);
  EXPECT_THAT(Collection("gamma", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(2))));

  std::vector<std::string> unknown = {IndicatorId(99)};
  EXPECT_THAT(W("alpha").Retract(unknown, "x"), StatusIs(Code::kNotFound, HasSubstr(IndicatorId(99))));
  // beta cannot retract what alpha shared.
  EXPECT_THAT(W("beta").Retract(ids, "x"), StatusIs(Code::kNotFound, ::testing::_));
}

TEST_P(SharesTest, RetractAppliedBeforeTheOlderShareStillWins) {
  std::vector<std::string> b = {"beta"};
  ASSERT_OK(W("alpha").Share(b, Indicator(5)).status());
  std::vector<std::string> ids = {IndicatorId(5)};
  ASSERT_OK(W("alpha").Retract(ids, "mistake").status());
  // Both delivered, then applied together: the share is skipped for the retracted object.
  DeliverAll();
  EXPECT_THAT(Collection("beta", "from-alpha"), ::detente::testing::IsOkAndHolds(IsEmpty()));
}

TEST_P(SharesTest, ApplyInboundTwiceAppliesOnce) {
  std::vector<std::string> b = {"beta"};
  ASSERT_OK(W("alpha").Share(b, Bundle({Indicator(1), Indicator(2)})).status());
  ASSERT_OK_AND_ASSIGN(Delivery d, X("alpha").NextDelivery("beta", 100));
  ASSERT_OK_AND_ASSIGN(DeliveryAnswer a, X("beta").Accept("alpha", d, HeldOf(X("alpha"), "beta")));
  ASSERT_OK(X("alpha").RecordAnswer("beta", d, a));
  EXPECT_THAT(W("beta").ApplyInbound(), ::detente::testing::IsOkAndHolds(1));
  EXPECT_THAT(W("beta").ApplyInbound(), ::detente::testing::IsOkAndHolds(0));
  EXPECT_THAT(Collection("beta", "from-alpha"), ::detente::testing::IsOkAndHolds(SizeIs(2)));
  // Lost bookkeeping (a crash before the mark): applied again, nothing doubled.
  ASSERT_OK(X("beta").connection().Exec("DELETE FROM accord_inbound_applied").status());
  EXPECT_THAT(W("beta").ApplyInbound(), ::detente::testing::IsOkAndHolds(1));
  taxii::Repository repo(X("beta").connection());
  ASSERT_OK_AND_ASSIGN(auto c, repo.GetCollection("api1", "from-alpha"));
  taxii::Filter all;
  all.version_all = true;
  ASSERT_OK_AND_ASSIGN(taxii::Page page, repo.QueryObjects(c, all, INT64_MIN, 1000));
  EXPECT_THAT(page.objects, SizeIs(2));
}

TEST_P(SharesTest, SightingsGoToEachProducerAndAreSummarisedPerIndicator) {
  std::vector<std::string> b = {"beta"};
  ASSERT_OK(W("alpha").Share(b, Bundle({Indicator(1), Indicator(2)})).status());
  ASSERT_OK(W("gamma").Share(b, Indicator(3)).status());
  DeliverAll();
  std::vector<std::string> sightings = {
      Sighting(1, 1, 2, "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
      Sighting(2, 1, 3, "2026-01-01T09:00:00Z", "2026-01-01T12:00:00Z"),
      Sighting(3, 3, 1, "2026-01-01T08:00:00Z", "2026-01-01T08:00:00Z"),
      Sighting(4, 42, 1, "2026-01-01T08:00:00Z", "2026-01-01T08:00:00Z"),  // nobody's
  };
  ASSERT_OK_AND_ASSIGN(auto sent, W("beta").SendSightings(sightings));
  EXPECT_THAT(sent.messages, SizeIs(2));  // one to alpha, one to gamma
  EXPECT_EQ(sent.sent, 3);
  EXPECT_EQ(sent.skipped, 1);
  DeliverAll();
  ASSERT_OK_AND_ASSIGN(auto at_alpha, W("alpha").Sightings());
  ASSERT_THAT(at_alpha, SizeIs(1));
  EXPECT_EQ(at_alpha[0].indicator, IndicatorId(1));
  EXPECT_EQ(at_alpha[0].party, "beta");
  EXPECT_EQ(at_alpha[0].count, 5);
  EXPECT_EQ(at_alpha[0].first_seen, "2026-01-01T09:00:00.000Z");
  EXPECT_EQ(at_alpha[0].last_seen, "2026-01-01T12:00:00.000Z");
  EXPECT_EQ(at_alpha[0].messages, 1);
  ASSERT_OK_AND_ASSIGN(auto at_gamma, W("gamma").Sightings());
  ASSERT_THAT(at_gamma, SizeIs(1));
  EXPECT_EQ(at_gamma[0].indicator, IndicatorId(3));
  // The sighting objects are stored in the producer's "from-beta" collection.
  EXPECT_THAT(Collection("alpha", "from-beta"), ::detente::testing::IsOkAndHolds(SizeIs(2)));
  // Applying again changes nothing.
  EXPECT_THAT(W("alpha").ApplyInbound(), ::detente::testing::IsOkAndHolds(0));
  ASSERT_OK_AND_ASSIGN(at_alpha, W("alpha").Sightings());
  EXPECT_EQ(at_alpha[0].count, 5);
}

TEST_P(SharesTest, SightingGoesToWhoeverDeliveredTheIndicatorFirst) {
  std::vector<std::string> b = {"beta"};
  // Indicator 1: gamma's share reaches beta a second before alpha's.
  ASSERT_OK(W("alpha").Share(b, Indicator(1)).status());
  ASSERT_OK(W("gamma").Share(b, Indicator(1)).status());
  DeliverOne("gamma", "beta");
  clock_->AdvanceSeconds(1);
  DeliverOne("alpha", "beta");
  // Indicator 2: both shares arrive at the same instant (with the same seq in their logs): the
  // tie goes to the sender first by name, on every backend.
  clock_->AdvanceSeconds(1);
  ASSERT_OK(W("gamma").Share(b, Indicator(2)).status());
  ASSERT_OK(W("alpha").Share(b, Indicator(2)).status());
  DeliverOne("gamma", "beta");
  DeliverOne("alpha", "beta");
  std::vector<std::string> sightings = {
      Sighting(1, 1, 1, "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
      Sighting(2, 2, 1, "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
  };
  ASSERT_OK_AND_ASSIGN(auto sent, W("beta").SendSightings(sightings));
  ASSERT_THAT(sent.messages, SizeIs(2));
  std::map<std::string, std::string> producer_of;  // sighting message id -> recipient
  for (const std::string& id : sent.messages) {
    ASSERT_OK_AND_ASSIGN(auto m, X("beta").FindMessage(id));
    ASSERT_TRUE(m.has_value());
    ASSERT_THAT(m->to, SizeIs(1));
    producer_of[m->to[0]] = m->body;
  }
  ASSERT_TRUE(producer_of.contains("gamma"));
  EXPECT_THAT(producer_of["gamma"], HasSubstr(IndicatorId(1)));
  EXPECT_THAT(producer_of["gamma"], ::testing::Not(HasSubstr(IndicatorId(2))));
  ASSERT_TRUE(producer_of.contains("alpha"));
  EXPECT_THAT(producer_of["alpha"], HasSubstr(IndicatorId(2)));
  EXPECT_THAT(producer_of["alpha"], ::testing::Not(HasSubstr(IndicatorId(1))));
}

TEST_P(SharesTest, SightingsAreListedByIndicatorThenParty) {
  std::vector<std::string> bg = {"beta", "gamma"};
  ASSERT_OK(W("alpha").Share(bg, Bundle({Indicator(1), Indicator(2)})).status());
  DeliverAll();
  // gamma reports first, and the later indicator first.
  std::vector<std::string> from_gamma = {
      Sighting(1, 2, 1, "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
      Sighting(2, 1, 4, "2026-01-01T07:00:00Z", "2026-01-01T09:00:00Z")};
  ASSERT_OK(W("gamma").SendSightings(from_gamma).status());
  clock_->AdvanceSeconds(1);
  std::vector<std::string> from_beta = {
      Sighting(3, 1, 2, "2026-01-01T08:00:00Z", "2026-01-01T08:30:00Z")};
  ASSERT_OK(W("beta").SendSightings(from_beta).status());
  DeliverAll();
  ASSERT_OK_AND_ASSIGN(auto at_alpha, W("alpha").Sightings());
  ASSERT_THAT(at_alpha, SizeIs(3));
  EXPECT_EQ(at_alpha[0].indicator, IndicatorId(1));
  EXPECT_EQ(at_alpha[0].party, "beta");
  EXPECT_EQ(at_alpha[0].count, 2);
  EXPECT_EQ(at_alpha[1].indicator, IndicatorId(1));
  EXPECT_EQ(at_alpha[1].party, "gamma");
  EXPECT_EQ(at_alpha[1].count, 4);
  EXPECT_EQ(at_alpha[1].first_seen, "2026-01-01T07:00:00.000Z");
  EXPECT_EQ(at_alpha[1].last_seen, "2026-01-01T09:00:00.000Z");
  EXPECT_EQ(at_alpha[2].indicator, IndicatorId(2));
  EXPECT_EQ(at_alpha[2].party, "gamma");
  // The listing of shares: oldest first, each with its objects.
  ASSERT_OK_AND_ASSIGN(auto shares, W("alpha").Shares());
  ASSERT_THAT(shares, SizeIs(1));
  EXPECT_THAT(shares[0].object_ids, ElementsAre(IndicatorId(1), IndicatorId(2)));
  EXPECT_THAT(shares[0].to, ElementsAre("beta", "gamma"));
}

// Party names may mix case ([A-Za-z0-9._-]): the listing is byte-ordered on every backend, not
// by a PostgreSQL server's collation (run with DETENTE_TEST_PG_URL against a server whose
// default collation is not "C", e.g. ICU en-US, to see the difference).
TEST_P(SharesTest, SightingsListingIsByteOrderedWhateverTheDatabaseCollation) {
  store::Connection& conn = X("alpha").connection();
  ASSERT_OK(conn.Exec("INSERT INTO accord_share_objects (message_id, object_id, sender, seq, tlp, "
                      "outgoing) VALUES ('m1', $1, 'alpha', 1, 'green', 1)",
                      {IndicatorId(1)})
                .status());
  for (const char* party : {"beta", "Zulu", "_x", "Alpha"}) {
    ASSERT_OK(conn.Exec("INSERT INTO accord_sightings (message_id, sighting_id, indicator, party, "
                        "count, first_seen, last_seen) VALUES ($1, 's', $2, $1, 1, "
                        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                        {std::string(party), IndicatorId(1)})
                  .status());
  }
  ASSERT_OK_AND_ASSIGN(auto listed, W("alpha").Sightings());
  std::vector<std::string> parties;
  for (const auto& s : listed) parties.push_back(s.party);
  EXPECT_THAT(parties, ElementsAre("Alpha", "Zulu", "_x", "beta"));
}

// Two processes of one node (serve's ticker, a `detente shares` run) applying the same received
// messages at once: every object lands once, every message is marked applied once.
TEST_P(SharesTest, ApplyInboundFromTwoConnectionsAtOnceStoresEachObjectOnce) {
  std::vector<std::string> b = {"beta"};
  std::vector<std::string> objects;
  for (int i = 1; i <= 20; ++i) objects.push_back(Indicator(i));
  ASSERT_OK(W("alpha").Share(b, Bundle(objects)).status());
  ASSERT_OK(W("gamma").Share(b, Indicator(21)).status());
  std::vector<std::string> gone = {IndicatorId(3)};
  ASSERT_OK(W("alpha").Retract(gone, "false positive").status());
  DeliverOne("alpha", "beta");
  DeliverOne("gamma", "beta");
  std::vector<std::unique_ptr<Exchange>> procs;
  for (int i = 0; i < 2; ++i) {
    procs.push_back(OpenExchange(nodes_.at("beta")->db.url(), "beta", clock_.get()));
    ASSERT_NE(procs.back(), nullptr);
  }
  std::vector<Result<int64_t>> results(procs.size(), base::InternalError("not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < procs.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = Workflows(*procs[i]).ApplyInbound(); });
  }
  for (auto& t : threads) t.join();
  int64_t applied = 0;
  for (const auto& r : results) {
    ASSERT_OK(r.status());
    applied += *r;
  }
  EXPECT_GE(applied, 3);  // each of the three messages by one of them, or by both
  EXPECT_THAT(W("beta").ApplyInbound(), ::detente::testing::IsOkAndHolds(0));
  EXPECT_EQ(store::QueryInt(X("beta").connection(), "SELECT count(*) FROM accord_inbound_applied"),
            3);
  taxii::Repository repo(X("beta").connection());
  ASSERT_OK_AND_ASSIGN(auto from_alpha, repo.GetCollection("api1", "from-alpha"));
  taxii::Filter all;
  all.version_all = true;
  ASSERT_OK_AND_ASSIGN(taxii::Page page, repo.QueryObjects(from_alpha, all, INT64_MIN, 1000));
  EXPECT_THAT(page.objects, SizeIs(19));
  for (const auto& o : page.objects) EXPECT_NE(o.id, IndicatorId(3));
  EXPECT_THAT(Collection("beta", "from-gamma"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(21))));
  ASSERT_OK_AND_ASSIGN(auto colls, repo.ListCollections("api1"));
  EXPECT_THAT(colls, SizeIs(2));  // from-alpha and from-gamma, each made once
}

// A partner's messages are signed, not trusted: ids and times that no database column could
// hold (a NUL character: PostgreSQL's TEXT refuses it) or that are not ids at all are skipped,
// the rest applied, and nothing wedges the node's later shares.
TEST_P(SharesTest, UnstorableIdsAndTimesFromAPartnerAreSkipped) {
  std::vector<std::string> b = {"beta"};
  const std::string nul_id = R"("indicator--00000000-0000-4000-8000-00000000\u00001")";
  std::string share_body =
      R"({"objects":[)" + Indicator(1) + R"(,{"type":"indicator","id":)" + nul_id + "}]}";
  ASSERT_OK(X("alpha").Originate("share", b, share_body, "green").status());
  std::string retract_body = R"({"objects":[)" + nul_id + R"(],"reason":"x"})";
  ASSERT_OK(X("alpha").Originate("retract", b, retract_body, "green").status());
  // gamma's sightings of alpha's indicator 2, one with an unstorable id, one with an unstorable
  // time: the second is kept with the message's time instead.
  std::vector<std::string> a = {"alpha"};
  ASSERT_OK(W("alpha").Share(std::vector<std::string>{"gamma"}, Indicator(2)).status());
  std::string sightings_body =
      R"({"sightings":[{"type":"sighting","id":"sighting--\u0000","sighting_of_ref":")" +
      IndicatorId(2) +
      R"("},{"type":"sighting","id":"sighting--00000000-0000-4000-9000-000000000001",)"
      R"("sighting_of_ref":")" +
      IndicatorId(2) + R"(","count":2,"first_seen":"2026-01-01T\u0000"}]})";
  ASSERT_OK(X("gamma").Originate("sighting", a, sightings_body, "green").status());
  DeliverAll();
  EXPECT_THAT(Collection("beta", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(1))));
  ASSERT_OK_AND_ASSIGN(auto shares, W("beta").Shares());
  ASSERT_THAT(shares, SizeIs(1));
  EXPECT_THAT(shares[0].object_ids, ElementsAre(IndicatorId(1)));
  ASSERT_OK_AND_ASSIGN(auto at_alpha, W("alpha").Sightings());
  ASSERT_THAT(at_alpha, SizeIs(1));
  EXPECT_EQ(at_alpha[0].count, 2);
  EXPECT_EQ(at_alpha[0].first_seen, TestStart().FormatMillis());
  // Nor does this node take such an id to retract.
  std::vector<std::string> bad_ids = {IndicatorId(1), std::string("indicator--\0", 12)};
  EXPECT_THAT(W("alpha").Retract(bad_ids, "x"),
              StatusIs(Code::kInvalidArgument, HasSubstr("object id 1: ")));
  // Later shares still flow.
  ASSERT_OK(W("alpha").Share(b, Indicator(3)).status());
  DeliverAll();
  EXPECT_THAT(Collection("beta", "from-alpha"),
              ::detente::testing::IsOkAndHolds(ElementsAre(IndicatorId(1), IndicatorId(3))));
}

TEST_P(SharesTest, EnsureCollectionsMakesInboundAndOutboundOnes) {
  ASSERT_OK(W("alpha").EnsureCollections());
  ASSERT_OK(W("alpha").EnsureCollections());  // idempotent
  taxii::Repository repo(X("alpha").connection());
  ASSERT_OK_AND_ASSIGN(auto colls, repo.ListCollections("api1"));
  std::vector<std::string> aliases;
  for (const auto& c : colls) aliases.push_back(c.alias);
  EXPECT_THAT(aliases, ::testing::UnorderedElementsAre("from-beta", "to-beta", "from-gamma",
                                                        "to-gamma", "to-all"));
  ASSERT_OK_AND_ASSIGN(auto c, repo.GetCollection("api1", "from-beta"));
  EXPECT_EQ(c.title, "Shared by beta");
}

// (R3) The envelope's TLP marks the objects at the recipient: unmarked objects shared under
// TLP:RED are kept as RED in "from-<sender>", so the collection's TLP policy (deny by default)
// hides them from readers it does not name, as if the objects carried the RED marking.
TEST_P(SharesTest, UnmarkedObjectsOfARedShareStayRedInTheInboundCollection) {
  std::vector<std::string> to = {"beta"};
  ASSERT_OK_AND_ASSIGN(Envelope e, W("alpha").Share(to, Indicator(11), "red"));
  EXPECT_EQ(e.tlp, "red");
  ASSERT_OK_AND_ASSIGN(Envelope g, W("alpha").Share(to, Indicator(12), "green"));
  DeliverAll();
  taxii::Repository repo(X("beta").connection());
  ASSERT_OK_AND_ASSIGN(taxii::CollectionInfo c, repo.GetCollection("api1", "from-alpha"));
  taxii::Filter amber;
  amber.max_tlp = stix::TlpLevel::kAmber;  // an ordinary reader: no policy names them
  ASSERT_OK_AND_ASSIGN(taxii::Page page, repo.QueryObjects(c, amber, INT64_MIN, 1000));
  std::vector<std::string> ids;
  for (const auto& o : page.objects) ids.push_back(o.id);
  EXPECT_THAT(ids, ElementsAre(IndicatorId(12)));
  EXPECT_THAT(Collection("beta", "from-alpha"),
              ::detente::testing::IsOkAndHolds(
                  ::testing::UnorderedElementsAre(IndicatorId(11), IndicatorId(12))));
}

INSTANTIATE_TEST_SUITE_P(Backends, SharesTest, ::testing::ValuesIn(store::TestBackends()),
                         store::BackendName);

}  // namespace
}  // namespace detente::accord
