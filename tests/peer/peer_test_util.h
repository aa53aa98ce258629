// peer/peer_test_util.h: helpers of the peer tests: deterministic party keys, a signed accord,
// and in-process nodes (an Exchange on its own SQLite file, the Endpoint, and optionally the
// HTTP server on 127.0.0.1:0 with the peer mount, and an Agent), all on one FakeClock.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "peer/peer.h"
#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::peer::testing {

// The Ed25519 key of test party `name`: seed = SHA-256("peer-test/" name).
inline crypto::SigningKey TestKey(std::string_view name) {
  crypto::Digest seed = crypto::Sha256("peer-test/" + std::string(name));
  return *crypto::SigningKey::FromSeed(seed);
}

inline accord::Accord TestAccord(const std::vector<std::string>& parties) {
  accord::Accord a;
  a.name = "peer test accord";
  a.created = "2026-01-01T00:00:00Z";
  for (const auto& p : parties) {
    a.parties.push_back({p, TestKey(p).public_key(), {}});
    a.witnesses.push_back(p);
  }
  a.commitments = {{"C1", "share indicators within 24 hours"}};
  a.deadlines = {{"critical", {3600, 86400}},
                 {"high", {14400, 259200}},
                 {"medium", {86400, 604800}},
                 {"low", {259200, 2592000}}};
  for (const auto& p : parties) EXPECT_OK(a.Sign(p, TestKey(p)));
  return a;
}

inline base::Timestamp TestStart() { return base::Timestamp::FromUnixMillis(1'767'225'600'000); }

// A fresh directory under the test temp dir, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = ::testing::TempDir() + "/peer_test.XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
    EXPECT_FALSE(path_.empty());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::unique_ptr<store::Connection> Connect(const std::string& db) {
  store::Options o;
  o.url = "sqlite:" + db;
  auto c = store::Connect(o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(c).value() : nullptr;
}

// One node in-process.
struct Node {
  std::string party;
  std::string db;  // SQLite file
  std::unique_ptr<SharedExchange> ex;
  std::unique_ptr<Endpoint> endpoint;
  // HTTP (Serve()).
  std::unique_ptr<server::Metrics> metrics;
  std::unique_ptr<server::Router> router;
  std::unique_ptr<server::PeerMount> mount;
  std::unique_ptr<server::Server> srv;
  std::unique_ptr<Agent> agent;

  template <class F>
  auto With(F&& f) {
    return ex->With(std::forward<F>(f));
  }
};

// N nodes of one accord, each with its own database file, on one FakeClock.
class Cluster {
 public:
  explicit Cluster(std::vector<std::string> parties)
      : clock_(TestStart()), accord_(TestAccord(parties)) {
    for (const std::string& p : parties) {
      auto n = std::make_unique<Node>();
      n->party = p;
      n->db = dir_.path() + "/" + p + ".db";
      auto conn = Connect(n->db);
      EXPECT_OK(accord::Exchange::Join(*conn, accord_, p, TestKey(p)));
      Open(*n);
      nodes_.push_back(std::move(n));
    }
  }
  ~Cluster() {
    for (auto& n : nodes_) {
      if (n->agent) n->agent->Stop();
      if (n->srv) n->srv->Shutdown();
    }
  }

  // (Re)opens node's Exchange on its database (e.g. after copying the file).
  void Open(Node& n) {
    accord::ExchangeOptions o;
    o.clock = &clock_;
    auto ex = accord::Exchange::Open(Connect(n.db), n.party, TestKey(n.party), o);
    EXPECT_TRUE(ex.ok()) << ex.status();
    n.ex = std::make_unique<SharedExchange>(std::move(ex).value());
    n.endpoint = std::make_unique<Endpoint>(n.ex.get(), &clock_);
  }

  // Starts node i's HTTP server on 127.0.0.1:0 with the peer routes, and points every other
  // node's endpoint override for it at the new URL.
  void Serve(size_t i) {
    Node& n = *nodes_[i];
    n.metrics = std::make_unique<server::Metrics>();
    n.router = std::make_unique<server::Router>();
    n.mount = std::make_unique<server::PeerMount>(n.endpoint.get());
    ASSERT_OK(n.mount->AddRoutes(*n.router));
    server::ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.max_content_length = kMaxWireBytes;
    o.shutdown_timeout = std::chrono::milliseconds(2000);
    auto srv = server::Server::Start(o, *n.router, nullptr, n.metrics.get());
    ASSERT_TRUE(srv.ok()) << srv.status();
    n.srv = std::move(srv).value();
    for (size_t j = 0; j < nodes_.size(); ++j) {
      if (j != i) PointAt(j, n.party, n.srv->url());
    }
  }

  void StopServing(size_t i) {
    Node& n = *nodes_[i];
    if (n.srv) n.srv->Shutdown();
    n.srv.reset();
  }

  void PointAt(size_t node, const std::string& party, const std::string& url) {
    nodes_[node]->With([&](accord::Exchange& ex) {
      EXPECT_OK(SetEndpointOverride(ex.connection(), party, url));
      return 0;
    });
  }

  Agent& AgentOf(size_t i, AgentOptions o = {}) {
    Node& n = *nodes_[i];
    if (!n.agent) {
      o.clock = &clock_;
      o.http.connect_timeout = std::chrono::milliseconds(2000);
      o.http.request_timeout = std::chrono::milliseconds(10000);
      n.agent = std::make_unique<Agent>(n.ex.get(), TestKey(n.party), o);
    }
    return *n.agent;
  }

  Node& node(size_t i) { return *nodes_[i]; }
  base::FakeClock& clock() { return clock_; }
  const accord::Accord& accord() const { return accord_; }
  const std::string& dir() const { return dir_.path(); }

 private:
  ScratchDir dir_;
  base::FakeClock clock_;
  accord::Accord accord_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// Originates one note from node `n` to `to`.
inline accord::Envelope Send(Node& n, std::vector<std::string> to, std::string body = "{}") {
  auto env = n.With([&](accord::Exchange& ex) { return ex.Originate("note", to, body); });
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *env : accord::Envelope{};
}

inline size_t Undelivered(Node& n) {
  auto u = n.With([](accord::Exchange& ex) { return ex.Undelivered(); });
  EXPECT_TRUE(u.ok()) << u.status();
  return u.ok() ? u->size() : 0;
}

inline size_t Incoming(Node& n, std::string_view from) {
  auto m = n.With([](accord::Exchange& ex) { return ex.Messages(100000, 0); });
  EXPECT_TRUE(m.ok()) << m.status();
  size_t count = 0;
  if (m.ok()) {
    for (const accord::Message& msg : *m) {
      if (!msg.outgoing && msg.from == from && msg.kind != "receipt") ++count;
    }
  }
  return count;
}

inline size_t AlertsOf(Node& n, std::string_view kind) {
  auto a = n.With([](accord::Exchange& ex) { return ex.Alerts(); });
  EXPECT_TRUE(a.ok()) << a.status();
  size_t count = 0;
  if (a.ok()) {
    for (const accord::Alert& al : *a) count += al.kind == kind ? 1 : 0;
  }
  return count;
}

}  // namespace detente::peer::testing
