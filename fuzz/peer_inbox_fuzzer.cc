// peer_inbox_fuzzer: feeds one HTTP request to peer::Endpoint::Handle over an in-memory
// SQLite Exchange of party "beta" in an accord with "alpha". Input layout:
//   byte 0: flags (bit 0: sign the request correctly as alpha, so the body reaches the
//           decoders and the Exchange; bit 1: also try the decoders directly on the body)
//   then "METHOD\nTARGET\n" header lines "Name: value\n" up to an empty line, then the body.
// Nothing may crash, and no answer may be a 5xx (every client mistake is a 4xx).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "accord/accord.h"
#include "peer/peer.h"

namespace {

using namespace detente;

crypto::SigningKey Key(uint8_t b) {
  std::array<uint8_t, 32> seed{};
  seed.fill(b);
  return *crypto::SigningKey::FromSeed(seed);
}

struct World {
  base::FakeClock clock{base::Timestamp::FromUnixSeconds(1'767'225'600)};
  crypto::SigningKey alpha = Key(1);
  crypto::SigningKey beta = Key(2);
  std::unique_ptr<peer::SharedExchange> ex;
  std::unique_ptr<peer::Endpoint> endpoint;

  World() {
    accord::Accord a;
    a.name = "fuzz";
    a.created = "2026-01-01T00:00:00Z";
    a.parties = {{"alpha", alpha.public_key(), {}}, {"beta", beta.public_key(), {}}};
    a.witnesses = {"alpha", "beta"};
    a.commitments = {{"C1", "x"}};
    a.deadlines = {{"critical", {1, 2}}, {"high", {1, 2}}, {"medium", {1, 2}}, {"low", {1, 2}}};
    if (!a.Sign("alpha", alpha).ok() || !a.Sign("beta", beta).ok()) std::abort();
    store::Options o;
    o.url = ":memory:";
    auto conn = store::Connect(o);
    if (!conn.ok()) std::abort();
    if (!accord::Exchange::Join(**conn, a, "beta", beta).ok()) std::abort();
    accord::ExchangeOptions eo;
    eo.clock = &clock;
    auto opened = accord::Exchange::Open(std::move(conn).value(), "beta", beta, eo);
    if (!opened.ok()) std::abort();
    ex = std::make_unique<peer::SharedExchange>(std::move(opened).value());
    endpoint = std::make_unique<peer::Endpoint>(ex.get(), &clock);
  }
};

World& TheWorld() {
  static World* w = new World();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  World& w = TheWorld();
  const uint8_t flags = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  peer::PeerRequest r;
  auto line = [&in]() {
    size_t nl = in.find('\n');
    std::string_view l = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return std::string(l);
  };
  r.method = line();
  r.target = line();
  while (!in.empty()) {
    std::string h = line();
    if (h.empty()) break;
    size_t colon = h.find(':');
    std::string name = h.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  r.body = std::string(in);
  if (flags & 1) {
    peer::SignedHeaders h =
        peer::SignRequest("alpha", w.alpha, r.method, r.target, r.body, w.clock);
    for (auto& kv : h.ToHeaders()) r.headers.push_back(std::move(kv));
  }
  peer::PeerResponse resp = w.endpoint->Handle(r);
  if (resp.status < 200 || resp.status >= 500) std::abort();
  if (flags & 2) {
    (void)peer::DecodeDelivery(r.body);
    (void)peer::DecodeAnswer(r.body);
    (void)peer::DecodeGossip(r.body);
    (void)peer::DecodeCheckpointReply(r.body);
    (void)peer::DecodeCosignature(r.body);
    (void)peer::DecodeProof(r.body);
    (void)peer::HeldSizeFromError(r.body);
    (void)peer::ParseUrl(r.target);
  }
  return 0;
}
