// accord_test_util.h: shared helpers of the accord tests: deterministic party keys, a signed
// accord of N parties, and nodes (a database per party on either backend, via
// store/store_test_util.h's TestDb) holding an Exchange.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "accord/accord.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace detente::accord {

// The Ed25519 key of test party `name`: seed = 32 bytes of the name's first character + i.
inline crypto::SigningKey TestKey(std::string_view name) {
  std::array<uint8_t, 32> seed{};
  for (size_t i = 0; i < seed.size(); ++i) {
    seed[i] = static_cast<uint8_t>(static_cast<uint8_t>(name.empty() ? 'x' : name[0]) + i);
  }
  return *crypto::SigningKey::FromSeed(seed);
}

// An accord between `parties`, signed by all of them (unless `sign` is false).
inline Accord TestAccord(const std::vector<std::string>& parties, bool sign = true) {
  Accord a;
  a.name = "test accord";
  a.created = "2026-01-01T00:00:00Z";
  for (const auto& p : parties) {
    a.parties.push_back({p, TestKey(p).public_key(), {"https://" + p + ".example:8443"}});
    a.witnesses.push_back(p);
  }
  a.commitments = {{"C1", "share indicators within 24 hours"}};
  a.deadlines = {{"critical", {3600, 86400}},
                 {"high", {14400, 259200}},
                 {"medium", {86400, 604800}},
                 {"low", {259200, 2592000}}};
  if (sign) {
    for (const auto& p : parties) EXPECT_OK(a.Sign(p, TestKey(p)));
  }
  return a;
}

inline base::Timestamp TestStart() { return base::Timestamp::FromUnixMillis(1'767'225'600'000); }

// One party's node: a database and an Exchange on it.
struct TestNode {
  std::string party;
  store::TestDb db;
  std::unique_ptr<Exchange> ex;
};

inline std::unique_ptr<store::Connection> OpenUrl(const std::string& url) {
  auto c = store::Connect({.url = url});
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(c).value() : nullptr;
}

inline std::unique_ptr<Exchange> OpenExchange(const std::string& url, const std::string& party,
                                              const base::Clock* clock) {
  ExchangeOptions o;
  o.clock = clock;
  auto ex = Exchange::Open(OpenUrl(url), party, TestKey(party), o);
  EXPECT_TRUE(ex.ok()) << ex.status();
  return ex.ok() ? std::move(ex).value() : nullptr;
}

// The size of `party`'s log as `holder` holds it (0 when it holds none); fails the test when
// Exchange::HeldSize does.
inline uint64_t HeldOf(Exchange& holder, const std::string& party) {
  auto size = holder.HeldSize(party);
  EXPECT_OK(size.status());
  return size.ok() ? *size : 0;
}

}  // namespace detente::accord
