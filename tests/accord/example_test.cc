// example_test.cc: the worked example of docs/formats/accord.md, byte for byte. Keys come from
// fixed seeds (alpha: 32 bytes 0x01, beta: 32 bytes 0x02) so that everything, signatures
// included (Ed25519 is deterministic), can be recomputed by hand. The expected texts live in
// tests/testdata/accord/ (the documentation quotes them). Run with DETENTE_PRINT_EXAMPLE=1 to
// print the current values.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accord/accord.h"
#include "testing/status_matchers.h"

namespace detente::accord {
namespace {

crypto::SigningKey SeededKey(uint8_t byte) {
  std::array<uint8_t, 32> seed{};
  seed.fill(byte);
  return *crypto::SigningKey::FromSeed(seed);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Example {
  Accord accord;
  Envelope envelope;
  ReceiptBody receipt;
};

Example Build() {
  Example x;
  Accord& a = x.accord;
  a.name = "example accord";
  a.created = "2026-01-01T00:00:00Z";
  a.parties = {{"alpha", SeededKey(1).public_key(), {"https://alpha.example:8443"}},
               {"beta", SeededKey(2).public_key(), {"https://beta.example:8443"}}};
  a.commitments = {{"C1", "acknowledge critical reports within one hour"}};
  a.deadlines = {{"critical", {3600, 86400}},
                 {"high", {14400, 259200}},
                 {"medium", {86400, 604800}},
                 {"low", {259200, 2592000}}};
  a.witnesses = {"alpha", "beta"};
  EXPECT_OK(a.Sign("alpha", SeededKey(1)));
  EXPECT_OK(a.Sign("beta", SeededKey(2)));
  Envelope& e = x.envelope;
  e.accord = a.Hash();
  e.from = "alpha";
  e.to = {"beta"};
  e.seq = 1;
  e.id = "0f8b6a3e-4c1d-4e2a-9b5f-7d6c5b4a3928";
  e.kind = "note";
  e.created = "2026-01-02T03:04:05.678Z";
  e.tlp = "amber";
  e.body = R"({"text":"hello beta"})";
  EXPECT_OK(SignEnvelope(e, SeededKey(1)));
  return x;
}

TEST(WorkedExampleTest, MatchesTheDocumentedBytes) {
  Example x = Build();
  std::string dir = std::string(DETENTE_TESTDATA) + "/accord/";
  if (std::getenv("DETENTE_PRINT_EXAMPLE") != nullptr) {
    std::cout << "ACCORD " << x.accord.ToJson() << "\nBODY " << x.accord.BodyJson()
              << "\nHASH " << x.accord.Hash() << "\nSIGNING " << x.envelope.SigningBytes()
              << "\nENVELOPE " << x.envelope.ToJson() << "\nDIGEST " << x.envelope.Digest()
              << "\nHEADER " << EntryHeader(x.envelope) << "\nLEAF "
              << base::HexEncode(ledger::HashLeaf(EntryHeader(x.envelope))) << "\nGENESIS "
              << GenesisEntry(x.accord.Hash(), "alpha") << "\nORIGIN "
              << LogOrigin(x.accord.Hash(), "alpha") << "\nALPHA_PUB "
              << x.accord.parties[0].key.ToBase64() << "\n";
  }
  EXPECT_EQ(x.accord.ToJson() + "\n", Slurp(dir + "example_accord.json"));
  EXPECT_EQ(x.envelope.ToJson() + "\n", Slurp(dir + "example_envelope.json"));
  EXPECT_OK(x.accord.Verify());
  ASSERT_OK_AND_ASSIGN(Envelope parsed, Envelope::Parse(x.envelope.ToJson()));
  EXPECT_OK(VerifyEnvelope(parsed, x.accord));
}

}  // namespace
}  // namespace detente::accord
