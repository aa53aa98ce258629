// fuzz_node.h: the node world shared by the api_request and share_input fuzzers. Three
// parties (alpha, beta, gamma) in one signed accord; beta is a real node directory made by
// server::InitNode in a temp dir (node.db with every NodeMigrations() applied), alpha and
// gamma are plain SQLite files beside it (under $DETENTE_FUZZ_TMP, else /dev/shm, else /tmp;
// removed at exit); every exchange stamps time with one FakeClock.
// Set up once per process with a few cases already in beta's database (a request alpha filed
// to beta, one beta filed to alpha, a violation report alpha made against beta, a share alpha
// made to beta of a GREEN and an AMBER indicator), then snapshotted: Restore() puts every
// database back to that snapshot, so the state a fuzzer builds up stays bounded.
#pragma once

#include <stdlib.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accord/accord.h"
#include "server/server.h"

namespace detente::fuzzing {

inline void Check(const base::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "fuzz world setup: %s: %s\n", what, s.ToString().c_str());
    std::abort();
  }
}

inline crypto::SigningKey KeyOf(uint8_t b) {
  std::array<uint8_t, 32> seed{};
  seed.fill(b);
  return *crypto::SigningKey::FromSeed(seed);
}

inline constexpr char kGreenMarking[] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
inline constexpr char kAmberMarking[] = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
// The indicators alpha shared with beta (GREEN, AMBER).
inline constexpr char kGreenIndicator[] = "indicator--00000000-0000-4000-8000-000000000001";
inline constexpr char kAmberIndicator[] = "indicator--00000000-0000-4000-8000-000000000002";

inline std::string IndicatorJson(const std::string& id, const std::string& marking) {
  return R"({"type":"indicator","spec_version":"2.1","id":")" + id +
         R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
         R"("pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix",)"
         R"("valid_from":"2026-01-01T00:00:00Z","object_marking_refs":[")" +
         marking + R"("]})";
}

class NodeWorld {
 public:
  static constexpr const char* kParties[] = {"alpha", "beta", "gamma"};

  NodeWorld() {
    // tmpfs when there is one: the node database syncs every commit (synchronous FULL).
    const char* base = std::getenv("DETENTE_FUZZ_TMP");
    if (base == nullptr) base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/detente-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    root_ = tmpl;
    static std::string* cleanup = new std::string(root_);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*cleanup, ec);
    });
    snapshot_ = root_ + "/snapshot";
    std::filesystem::create_directories(snapshot_);
    node_dir_ = root_ + "/beta";
    server::InitOptions init;
    init.party = "beta";
    init.dir = node_dir_;
    Check(server::InitNode(init), "InitNode");
    auto beta_key = server::LoadNodeKey(node_dir_);
    Check(beta_key.status(), "LoadNodeKey");
    keys_.emplace("alpha", KeyOf(1));
    keys_.emplace("beta", *beta_key);
    keys_.emplace("gamma", KeyOf(3));

    accord_.name = "fuzz accord";
    accord_.created = "2026-01-01T00:00:00Z";
    for (const char* p : kParties) {
      accord_.parties.push_back({p, keys_.at(p).public_key(), {}});
      accord_.witnesses.push_back(p);
    }
    accord_.commitments = {{"C1", "share indicators within 24 hours"}, {"C2", "answer"}};
    accord_.deadlines = {{"critical", {3600, 86400}},
                         {"high", {14400, 259200}},
                         {"medium", {86400, 604800}},
                         {"low", {259200, 2592000}}};
    for (const char* p : kParties) Check(accord_.Sign(p, keys_.at(p)), "Sign");
    for (const char* p : kParties) {
      auto conn = Connect(p);
      Check(accord::Exchange::Join(*conn, accord_, p, keys_.at(p)), "Join");
    }
    OpenAll();

    // The cases every input starts from.
    accord::Workflows alpha(X("alpha")), beta(X("beta"));
    const std::string preservation =
        R"({"category":"preservation","priority":"high","title":"Keep logs",)"
        R"("description":"C2 seen","legal_basis":"Accord art. 4",)"
        R"("identifiers":["203.0.113.7"],"retention_days":90})";
    auto in = alpha.FileRequest("beta", preservation);
    Check(in.status(), "FileRequest alpha->beta");
    request_in_ = in->id;
    auto out = beta.FileRequest("alpha", preservation);
    Check(out.status(), "FileRequest beta->alpha");
    request_out_ = out->id;
    std::vector<std::string> accused = {"beta"};
    auto v =
        alpha.ReportViolation(accused, R"({"commitment":"C1","summary":"late","evidence":["x"]})");
    Check(v.status(), "ReportViolation");
    violation_ = v->id;
    std::vector<std::string> to = {"beta"};
    auto share = alpha.Share(to, "[" + IndicatorJson(kGreenIndicator, kGreenMarking) + "," +
                                     IndicatorJson(kAmberIndicator, kAmberMarking) + "]");
    Check(share.status(), "Share");
    share_ = share->id;
    DeliverAll();
    for (const char* p : kParties) {
      Check(accord::Workflows(X(p)).ApplyInbound().status(), "ApplyInbound");
    }
    CloseAll();
    for (const char* p : kParties) {
      std::filesystem::copy_file(DbPath(p), snapshot_ + "/" + p + ".db",
                                 std::filesystem::copy_options::overwrite_existing);
    }
    OpenAll();
  }

  // Closes every exchange, puts the snapshot back and reopens them.
  void Restore() {
    CloseAll();
    for (const char* p : kParties) {
      std::error_code ec;
      std::filesystem::remove(DbPath(p) + "-wal", ec);
      std::filesystem::remove(DbPath(p) + "-shm", ec);
      std::filesystem::copy_file(snapshot_ + "/" + p + ".db", DbPath(p),
                                 std::filesystem::copy_options::overwrite_existing);
    }
    OpenAll();
  }

  // Moves every pending delivery between every pair (what the peer agents would do).
  void DeliverAll() {
    for (const char* from : kParties) {
      for (const char* to : kParties) {
        if (std::string(from) == to) continue;
        auto d = X(from).NextDelivery(to, 100);
        Check(d.status(), "NextDelivery");
        if (d->envelopes.empty()) continue;
        auto held = X(from).PeerLogs();
        Check(held.status(), "PeerLogs");
        uint64_t held_size = 0;
        for (const auto& l : *held) {
          if (l.party == to) held_size = l.size;
        }
        auto ans = X(to).Accept(from, *d, held_size);
        Check(ans.status(), "Accept");
        Check(X(from).RecordAnswer(to, *d, *ans), "RecordAnswer");
      }
    }
  }

  accord::Exchange& X(const std::string& party) { return *exchanges_.at(party); }
  // beta's exchange is handed to a SharedExchange for the API: Take() moves it out (Give()
  // returns it before Restore/DeliverAll).
  std::unique_ptr<accord::Exchange> Take() { return std::move(exchanges_.at("beta")); }
  void Give(std::unique_ptr<accord::Exchange> beta) { exchanges_.at("beta") = std::move(beta); }

  base::FakeClock& clock() { return clock_; }
  const accord::Accord& accord() const { return accord_; }
  const std::string& request_in() const { return request_in_; }
  const std::string& request_out() const { return request_out_; }
  const std::string& violation() const { return violation_; }
  const std::string& share() const { return share_; }

 private:
  std::string DbPath(const std::string& p) const {
    return p == "beta" ? node_dir_ + "/node.db" : root_ + "/" + p + ".db";
  }

  std::unique_ptr<store::Connection> Connect(const std::string& p) {
    if (p == "beta") {
      auto config = server::LoadConfig(node_dir_);
      Check(config.status(), "LoadConfig");
      auto conn = server::OpenNodeDatabase(node_dir_, *config);
      Check(conn.status(), "OpenNodeDatabase");
      return std::move(conn).value();
    }
    store::Options o;
    o.url = "sqlite:" + DbPath(p);
    auto conn = store::Connect(o);
    Check(conn.status(), "Connect");
    return std::move(conn).value();
  }

  void OpenAll() {
    for (const char* p : kParties) {
      accord::ExchangeOptions eo;
      eo.clock = &clock_;
      auto ex = accord::Exchange::Open(Connect(p), p, keys_.at(p), eo);
      Check(ex.status(), "Exchange::Open");
      exchanges_[p] = std::move(ex).value();
    }
  }
  void CloseAll() {
    for (auto& [p, ex] : exchanges_) ex.reset();
  }

  base::FakeClock clock_{base::Timestamp::FromUnixSeconds(1'767'225'600)};  // 2026-01-01
  std::string root_, snapshot_, node_dir_;
  std::map<std::string, crypto::SigningKey> keys_;
  accord::Accord accord_;
  std::map<std::string, std::unique_ptr<accord::Exchange>> exchanges_;
  std::string request_in_, request_out_, violation_, share_;
};

// Replaces every occurrence of `from` in `s` with `to`.
inline void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace detente::fuzzing
