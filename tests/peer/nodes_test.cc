// Two and three nodes in one process over real HTTP on 127.0.0.1 (server::Server + Router +
// PeerMount, each node with its own Exchange on its own SQLite file, all on one FakeClock):
// delivery with receipts, a partner down and restarted, pull, witnessing, held-size recovery,
// a garbage-answering partner, and an equivocating party caught by gossip in one round.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "peer/peer_test_util.h"

namespace detente::peer {
namespace {

using testing::AlertsOf;
using testing::Cluster;
using ::testing::HasSubstr;
using testing::Incoming;
using testing::Node;
using testing::Send;
using testing::Undelivered;

Result<SyncSummary> Sync(Cluster& c, size_t i) { return c.AgentOf(i).SyncOnce(); }

std::string AllErrors(const SyncSummary& s) {
  std::string out;
  for (const PartnerSummary& p : s.partners) {
    for (const std::string& e : p.errors) out += p.party + ": " + e + "\n";
  }
  for (const std::string& e : s.gossip_errors) out += "gossip " + e + "\n";
  return out;
}

TEST(NodesTest, TwoNodesDeliverWithVerifiedReceipts) {
  Cluster c({"alpha", "beta"});
  c.Serve(0);
  c.Serve(1);
  for (int i = 0; i < 3; ++i) Send(c.node(0), {"beta"}, "{\"n\":" + std::to_string(i) + "}");
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  EXPECT_EQ(s.delivered, 3u) << AllErrors(s);
  EXPECT_EQ(s.pending, 0u);
  EXPECT_EQ(s.alerts, 0u);
  EXPECT_EQ(Undelivered(c.node(0)), 0u);
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 3u);
  // Every receipt the sender recorded verifies.
  auto report = c.node(0).With([](accord::Exchange& ex) { return ex.Verify(); });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->findings.empty()) << report->findings.front().what;
}

TEST(NodesTest, ManyMessagesAreDeliveredInPipelinedBatches) {
  Cluster c({"alpha", "beta"});
  c.Serve(1);
  std::vector<accord::Exchange::Draft> drafts(300);
  for (size_t i = 0; i < drafts.size(); ++i) {
    drafts[i].kind = "note";
    drafts[i].to = {"beta"};
    drafts[i].body = "{\"n\":" + std::to_string(i) + "}";
  }
  ASSERT_OK(
      c.node(0).With([&](accord::Exchange& ex) { return ex.OriginateBatch(drafts).status(); }));
  AgentOptions o;
  o.batch_size = 16;  // 300 messages: 5 pipelines of 4 batches
  ASSERT_OK_AND_ASSIGN(PartnerSummary s, c.AgentOf(0, o).DeliverNow("beta"));
  EXPECT_EQ(s.delivered, 300u) << (s.errors.empty() ? "" : s.errors.front());
  EXPECT_EQ(s.pending, 0u);
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 300u);
  auto report = c.node(0).With([](accord::Exchange& ex) { return ex.Verify(); });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->findings.empty()) << report->findings.front().what;
  EXPECT_THAT(
      c.AgentOf(0).DeliverNow("zed"),
      ::detente::testing::StatusIs(base::StatusCode::kNotFound, HasSubstr("not a partner")));
}

TEST(NodesTest, DownPartnerKeepsItsMessagesPendingAndOthersAreDelivered) {
  Cluster c({"alpha", "beta", "gamma"});
  c.Serve(0);
  c.Serve(1);
  c.Serve(2);
  c.StopServing(2);  // gamma is down (its URL now refuses connections)
  Send(c.node(0), {"beta", "gamma"}, "{\"n\":1}");
  Send(c.node(0), {"gamma"}, "{\"n\":2}");
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  EXPECT_EQ(s.delivered, 1u) << AllErrors(s);
  EXPECT_EQ(s.pending, 2u);
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 1u);
  const PartnerSummary* gamma = nullptr;
  for (const PartnerSummary& p : s.partners) {
    if (p.party == "gamma") gamma = &p;
  }
  ASSERT_NE(gamma, nullptr);
  ASSERT_FALSE(gamma->errors.empty());
  EXPECT_THAT(gamma->errors.front(), HasSubstr("connect"));
  auto undelivered = c.node(0).With([](accord::Exchange& ex) { return ex.Undelivered(); });
  ASSERT_TRUE(undelivered.ok());
  for (const accord::DeliveryState& d : *undelivered) {
    EXPECT_EQ(d.recipient, "gamma");
    EXPECT_GE(d.attempts, 1);
    EXPECT_FALSE(d.last_error.empty());
  }

  // gamma comes back (on a new port); once the backoff has passed, everything arrives once.
  c.Serve(2);
  c.clock().AdvanceSeconds(120);
  ASSERT_OK_AND_ASSIGN(SyncSummary s2, Sync(c, 0));
  EXPECT_EQ(s2.delivered, 2u) << AllErrors(s2);
  EXPECT_EQ(s2.pending, 0u);
  EXPECT_EQ(Incoming(c.node(2), "alpha"), 2u);
  c.clock().AdvanceSeconds(120);
  ASSERT_OK_AND_ASSIGN(SyncSummary s3, Sync(c, 0));
  EXPECT_EQ(s3.delivered, 0u);
  EXPECT_EQ(Incoming(c.node(2), "alpha"), 2u);
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 1u);
}

TEST(NodesTest, BackoffHoldsRetriesUntilTheirTime) {
  Cluster c({"alpha", "beta"});
  c.Serve(1);
  c.StopServing(1);
  Send(c.node(0), {"beta"});
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  EXPECT_EQ(s.pending, 1u);
  c.Serve(1);
  // The fake clock has not moved: the retry is not due yet, so nothing is sent.
  ASSERT_OK_AND_ASSIGN(SyncSummary s2, Sync(c, 0));
  EXPECT_EQ(s2.delivered, 0u);
  EXPECT_EQ(s2.pending, 1u);
  c.clock().AdvanceSeconds(60);
  ASSERT_OK_AND_ASSIGN(SyncSummary s3, Sync(c, 0));
  EXPECT_EQ(s3.delivered, 1u) << AllErrors(s3);
}

TEST(NodesTest, OfflineRecipientCatchesUpByPull) {
  Cluster c({"alpha", "beta"});
  c.Serve(1);  // alpha is "offline": it serves nothing, beta cannot push to it
  Send(c.node(1), {"alpha"}, "{\"n\":1}");
  Send(c.node(1), {"alpha"}, "{\"n\":2}");
  ASSERT_OK_AND_ASSIGN(SyncSummary pushed, Sync(c, 1));
  EXPECT_EQ(pushed.pending, 2u);
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  EXPECT_EQ(s.pulled, 2u) << AllErrors(s);
  EXPECT_EQ(Incoming(c.node(0), "beta"), 2u);
  // When alpha is back, beta's push is answered as duplicates with the existing receipts.
  c.Serve(0);
  c.clock().AdvanceSeconds(120);
  ASSERT_OK_AND_ASSIGN(SyncSummary s2, Sync(c, 1));
  EXPECT_EQ(s2.delivered, 2u) << AllErrors(s2);
  EXPECT_EQ(s2.pending, 0u);
  EXPECT_EQ(Incoming(c.node(0), "beta"), 2u);
}

TEST(NodesTest, WitnessingCosignsThePartnersCheckpoint) {
  Cluster c({"alpha", "beta"});
  c.Serve(0);
  c.Serve(1);
  Send(c.node(1), {"alpha"});
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  EXPECT_EQ(s.witnessed, 1u) << AllErrors(s);
  auto cosignatures = c.node(1).With([](accord::Exchange& ex) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto rows,
                     ex.connection().Query(
                         "SELECT COUNT(*) FROM accord_cosignatures WHERE witness = $1", {"alpha"}));
    if (!rows->Next()) return rows->status();
    return rows->Int64(0);
  });
  ASSERT_TRUE(cosignatures.ok()) << cosignatures.status();
  EXPECT_GE(*cosignatures, 1);
}

TEST(NodesTest, HeldSizeMismatchIsRepairedWithinTheRound) {
  Cluster c({"alpha", "beta"});
  c.Serve(1);
  Send(c.node(0), {"beta"});
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  ASSERT_EQ(s.delivered, 1u) << AllErrors(s);
  // alpha forgets what beta holds of its log (as after a lost answer).
  ASSERT_OK(c.node(0).With([](accord::Exchange& ex) { return ex.SetRecipientHeld("beta", 0); }));
  Send(c.node(0), {"beta"});
  ASSERT_OK_AND_ASSIGN(SyncSummary s2, Sync(c, 0));
  EXPECT_EQ(s2.delivered, 1u) << AllErrors(s2);
  EXPECT_EQ(s2.pending, 0u);
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 2u);
}

TEST(NodesTest, GarbageAnsweringPartnerDoesNotBlockOthers) {
  Cluster c({"alpha", "beta", "gamma"});
  c.Serve(1);
  // "gamma" is a server that answers every peer route with garbage.
  server::Router garbage;
  for (const char* m : {"GET", "POST"}) {
    for (const char* path : {"/peer/v1/inbox", "/peer/v1/messages", "/peer/v1/checkpoint",
                             "/peer/v1/checkpoints", "/peer/v1/cosignature"}) {
      garbage
          .Add(m, path, server::Access::kPublic,
               [](const server::Request&) {
                 return server::Response::Json(200, "{\"results\": \"no\"]");
               })
          .IgnoreError();
    }
  }
  server::Metrics metrics;
  ASSERT_OK_AND_ASSIGN(auto fake, server::Server::Start({}, garbage, nullptr, &metrics));
  c.PointAt(0, "gamma", fake->url());
  Send(c.node(0), {"beta", "gamma"});
  ASSERT_OK_AND_ASSIGN(SyncSummary s, Sync(c, 0));
  EXPECT_EQ(s.delivered, 1u) << AllErrors(s);
  EXPECT_EQ(s.pending, 1u);
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 1u);
  bool garbage_reported = false;
  for (const PartnerSummary& p : s.partners) {
    for (const std::string& e : p.errors) {
      garbage_reported |= p.party == "gamma" && e.find("garbage answer") != std::string::npos;
    }
  }
  EXPECT_TRUE(garbage_reported) << AllErrors(s);
  auto undelivered = c.node(0).With([](accord::Exchange& ex) { return ex.Undelivered(); });
  ASSERT_TRUE(undelivered.ok());
  ASSERT_EQ(undelivered->size(), 1u);
  EXPECT_THAT((*undelivered)[0].last_error, HasSubstr("garbage answer"));
  fake->Shutdown();
}

TEST(NodesTest, RunningAgentDeliversWhenNotified) {
  Cluster c({"alpha", "beta"});
  c.Serve(1);
  AgentOptions o;
  o.sync_interval = std::chrono::hours(1);  // only Notify() and the first round wake it
  Agent& agent = c.AgentOf(0, o);
  agent.Start();
  Send(c.node(0), {"beta"});
  agent.Notify();
  // Delivery is asynchronous: poll with a bounded loop (no assertion on how long it takes).
  for (int i = 0; i < 1000 && Incoming(c.node(1), "alpha") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Incoming(c.node(1), "alpha"), 1u);
  for (int i = 0; i < 1000 && Undelivered(c.node(0)) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Undelivered(c.node(0)), 0u);
  agent.Stop();
}

// gamma's database is copied after joining; the two copies then originate different
// messages, each served to a different partner. One sync on each honest node catches it.
TEST(NodesTest, EquivocatingPartyIsCaughtByGossipInOneSync) {
  Cluster c({"alpha", "beta", "gamma"});
  Node& gamma = c.node(2);
  ASSERT_OK(gamma.With([](accord::Exchange& ex) {
    return ex.connection().ExecScript("PRAGMA wal_checkpoint(TRUNCATE)");
  }));
  std::string fork_db = c.dir() + "/gamma-fork.db";
  std::filesystem::copy_file(gamma.db, fork_db);
  Node fork;
  fork.party = "gamma";
  fork.db = fork_db;
  c.Open(fork);

  c.Serve(0);
  c.Serve(1);
  c.Serve(2);  // alpha and beta point at gamma
  // The fork gets a server of its own, and beta is pointed at it.
  server::Router router;
  server::PeerMount mount(fork.endpoint.get());
  ASSERT_OK(mount.AddRoutes(router));
  server::Metrics metrics;
  ASSERT_OK_AND_ASSIGN(auto fork_srv, server::Server::Start({}, router, nullptr, &metrics));
  c.PointAt(1, "gamma", fork_srv->url());

  Send(gamma, {"alpha"}, "{\"says\":\"one thing\"}");
  Send(fork, {"beta"}, "{\"says\":\"another\"}");

  ASSERT_OK_AND_ASSIGN(SyncSummary a, Sync(c, 0));
  EXPECT_EQ(a.pulled, 1u) << AllErrors(a);
  ASSERT_OK_AND_ASSIGN(SyncSummary b, Sync(c, 1));
  EXPECT_EQ(b.pulled, 1u) << AllErrors(b);
  EXPECT_GE(a.alerts + b.alerts, 1u) << AllErrors(a) << AllErrors(b);
  size_t equivocations = AlertsOf(c.node(0), "equivocation") + AlertsOf(c.node(1), "equivocation");
  EXPECT_GE(equivocations, 1u);
  for (size_t i : {0, 1}) {
    auto alerts = c.node(i).With([](accord::Exchange& ex) { return ex.Alerts(); });
    ASSERT_TRUE(alerts.ok());
    for (const accord::Alert& al : *alerts) {
      if (al.kind != "equivocation") continue;
      EXPECT_EQ(al.party, "gamma");
      EXPECT_OK(ledger::VerifyEquivocationProof(al.evidence));
    }
  }
  fork_srv->Shutdown();
}

}  // namespace
}  // namespace detente::peer
