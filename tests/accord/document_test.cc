// document_test.cc: accord documents, envelopes, entry headers and receipt bodies: every parse
// error (table-driven), signing and verification, hashes and origins.
#include <functional>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accord/accord_test_util.h"

namespace detente::accord {
namespace {

namespace json = boost::json;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;
using Code = base::StatusCode;

std::string Canon(const json::value& v) { return *base::CanonicalizeJson(json::serialize(v)); }

// ---------------------------------------------------------------------------------------------
// Accord documents

TEST(AccordTest, RoundTripsThroughItsCanonicalJson) {
  Accord a = TestAccord({"alpha", "beta"});
  ASSERT_OK_AND_ASSIGN(Accord b, Accord::Parse(a.ToJson()));
  EXPECT_EQ(b.ToJson(), a.ToJson());
  EXPECT_EQ(b.Hash(), a.Hash());
  EXPECT_EQ(a.Hash(), base::HexEncode(crypto::Sha256(a.BodyJson())));
  EXPECT_THAT(a.BodyJson(), ::testing::Not(HasSubstr("signatures")));
  EXPECT_OK(b.Verify());
}

TEST(AccordTest, SignaturesDoNotChangeTheHash) {
  Accord a = TestAccord({"alpha", "beta"}, false);
  std::string h = a.Hash();
  ASSERT_OK(a.Sign("alpha", TestKey("alpha")));
  EXPECT_EQ(a.Hash(), h);
}

TEST(AccordTest, VerifyNamesThePartyThatHasNotSigned) {
  Accord a = TestAccord({"alpha", "beta"}, false);
  ASSERT_OK(a.Sign("alpha", TestKey("alpha")));
  EXPECT_OK(a.Verify(/*require_all=*/false));
  EXPECT_THAT(a.Verify(), StatusIs(Code::kFailedPrecondition, HasSubstr("beta has not signed")));
}

TEST(AccordTest, VerifyNamesThePartyWhoseSignatureIsInvalid) {
  Accord a = TestAccord({"alpha", "beta"});
  a.signatures["beta"] = a.signatures["alpha"];
  EXPECT_THAT(a.Verify(), StatusIs(Code::kFailedPrecondition,
                                   HasSubstr("the signature of beta is invalid")));
  Accord b = TestAccord({"alpha", "beta"});
  b.name = "changed after signing";
  EXPECT_THAT(b.Verify(), StatusIs(Code::kFailedPrecondition, HasSubstr("alpha")));
}

TEST(AccordTest, SignRefusesNonPartiesAndForeignKeys) {
  Accord a = TestAccord({"alpha", "beta"}, false);
  EXPECT_THAT(a.Sign("gamma", TestKey("gamma")), StatusIs(Code::kNotFound, HasSubstr("gamma")));
  EXPECT_THAT(a.Sign("alpha", TestKey("beta")),
              StatusIs(Code::kInvalidArgument, HasSubstr("not alpha's key")));
}

TEST(AccordTest, LogOriginAndVerifiers) {
  Accord a = TestAccord({"alpha", "beta"});
  std::string h = a.Hash();
  EXPECT_EQ(LogOrigin(h, "alpha"), "detente/" + h.substr(0, 16) + "/alpha");
  ASSERT_OK_AND_ASSIGN(auto lv, LogVerifier(a, "alpha"));
  EXPECT_EQ(lv.name(), LogOrigin(h, "alpha"));
  EXPECT_EQ(lv.type(), ledger::kNoteTypeEd25519);
  ASSERT_OK_AND_ASSIGN(auto wv, WitnessVerifier(a, "beta"));
  EXPECT_EQ(wv.type(), ledger::kNoteTypeCosignatureV1);
  EXPECT_THAT(LogVerifier(a, "gamma").status(), StatusIs(Code::kNotFound, HasSubstr("gamma")));
}

struct AccordCase {
  std::string name;
  std::function<void(json::object&)> mutate;
  std::string error;
};

class AccordParseErrorTest : public ::testing::TestWithParam<AccordCase> {};

TEST_P(AccordParseErrorTest, NamesWhatIsWrong) {
  json::value v = json::parse(TestAccord({"alpha", "beta"}).ToJson());
  GetParam().mutate(v.as_object());
  EXPECT_THAT(Accord::Parse(json::serialize(v)).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(GetParam().error)));
}

const AccordCase kAccordCases[] = {
    {"UnknownMember", [](json::object& o) { o["extra"] = 1; }, "/extra: unknown member"},
    {"MissingName", [](json::object& o) { o.erase("name"); }, "/name: missing"},
    {"WrongType", [](json::object& o) { o["type"] = "x"; }, "/type: must be"},
    {"WrongVersion", [](json::object& o) { o["v"] = 2; }, "/v: unsupported version 2"},
    {"BadCreated", [](json::object& o) { o["created"] = "yesterday"; }, "/created:"},
    {"NoParties", [](json::object& o) { o["parties"] = json::array(); }, "/parties: empty"},
    {"BadPartyKey",
     [](json::object& o) { o["parties"].as_array()[1].as_object()["key"] = "AAAA"; },
     "/parties/1/key: not a base64 Ed25519 public key"},
    {"BadPartyName",
     [](json::object& o) { o["parties"].as_array()[0].as_object()["name"] = "-bad"; },
     "/parties/0/name: not a valid party name"},
    {"DuplicateParty",
     [](json::object& o) { o["parties"].as_array()[1].as_object()["name"] = "alpha"; },
     "/parties/1/name: duplicate party"},
    {"PartyUnknownMember",
     [](json::object& o) { o["parties"].as_array()[0].as_object()["x"] = 1; },
     "/parties/0/x: unknown member"},
    {"BadEndpoint",
     [](json::object& o) {
       o["parties"].as_array()[0].as_object()["endpoints"] = json::array{"ftp://x"};
     },
     "/parties/0/endpoints/0: not an http:// or https:// URL"},
    {"DuplicateCommitment",
     [](json::object& o) {
       o["commitments"] = json::array{json::object{{"id", "C"}, {"text", "a"}},
                                      json::object{{"id", "C"}, {"text", "b"}}};
     },
     "/commitments/1/id: duplicate commitment"},
    {"MissingPriority", [](json::object& o) { o["deadlines"].as_object().erase("low"); },
     "/deadlines/low: missing"},
    {"UnknownPriority", [](json::object& o) { o["deadlines"].as_object()["urgent"] = 1; },
     "/deadlines/urgent: unknown member"},
    {"ZeroAcknowledge",
     [](json::object& o) {
       o["deadlines"].as_object()["high"].as_object()["acknowledge_s"] = 0;
     },
     "/deadlines/high/acknowledge_s: must be > 0"},
    {"RespondBeforeAcknowledge",
     [](json::object& o) { o["deadlines"].as_object()["high"].as_object()["respond_s"] = 1; },
     "/deadlines/high/respond_s: must be >= acknowledge_s"},
    // Found by fuzz/workflow_cases: a deadline past ~292 years overflowed the case arithmetic.
    {"RespondLongerThanTenYears",
     [](json::object& o) {
       o["deadlines"].as_object()["high"].as_object()["respond_s"] = int64_t{9'300'000'000};
     },
     "/deadlines/high/respond_s: must be <= 316224000 (10 years)"},
    {"BadTlp", [](json::object& o) { o["tlp_default"] = "white"; }, "/tlp_default: not one of"},
    {"WitnessNotAParty", [](json::object& o) { o["witnesses"] = json::array{"zed"}; },
     "/witnesses/0: \"zed\" is not a party"},
    {"SignatureOfNonParty",
     [](json::object& o) { o["signatures"].as_object()["zed"] = "AAAA"; },
     "/signatures/zed: not a party"},
    {"BadSignature", [](json::object& o) { o["signatures"].as_object()["alpha"] = "AAAA"; },
     "/signatures/alpha: not a base64 Ed25519 signature"},
};

INSTANTIATE_TEST_SUITE_P(Cases, AccordParseErrorTest, ::testing::ValuesIn(kAccordCases),
                         [](const auto& tp) { return tp.param.name; });

TEST(AccordTest, ParseRejectsNonJsonDuplicatesAndHugeInput) {
  EXPECT_THAT(Accord::Parse("{").status(), StatusIs(Code::kInvalidArgument, HasSubstr("accord")));
  EXPECT_THAT(Accord::Parse("[]").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(Accord::Parse(R"({"name":"a","name":"b"})").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("duplicate object key")));
  EXPECT_THAT(Accord::Parse(std::string(kMaxAccordBytes + 1, ' ')).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("larger than")));
}

// ---------------------------------------------------------------------------------------------
// Envelopes

Envelope TestEnvelope() {
  Accord a = TestAccord({"alpha", "beta", "gamma"});
  Envelope e;
  e.accord = a.Hash();
  e.from = "alpha";
  e.to = {"beta", "gamma"};
  e.seq = 7;
  e.id = "6f1c2d1e-8a55-4b4c-9b7e-2a0d3c4b5a69";
  e.kind = "note";
  e.created = "2026-01-01T00:00:00.000Z";
  e.refs = {"0b9a5c1e-1111-4222-8333-944455556666"};
  e.body = R"({"text": "hello", "n": 1})";
  EXPECT_OK(SignEnvelope(e, TestKey("alpha")));
  return e;
}

TEST(EnvelopeTest, SignedEnvelopeParsesAndVerifies) {
  Envelope e = TestEnvelope();
  EXPECT_EQ(e.body, R"({"n":1,"text":"hello"})");  // canonicalised by SignEnvelope
  ASSERT_OK_AND_ASSIGN(Envelope p, Envelope::Parse(e.ToJson()));
  EXPECT_EQ(p.ToJson(), e.ToJson());
  EXPECT_EQ(p.Digest(), base::HexEncode(crypto::Sha256(e.ToJson())));
  EXPECT_OK(VerifyEnvelope(p, TestAccord({"alpha", "beta", "gamma"})));
  EXPECT_THAT(e.SigningBytes(), ::testing::Not(HasSubstr("\"sig\"")));
}

// Differential: the envelope bytes built by concatenation (the fast path of SignEnvelope,
// ToJson, SigningBytes, Digest and Parse) against RFC 8785 applied by the base module to the
// same object built with Boost.JSON, over bodies with escapes, non-ASCII, numbers and nesting.
TEST(EnvelopeTest, FastSerialisationEqualsCanonicalJsonOfTheSameObject) {
  const std::vector<std::string> bodies = {
      R"({})",
      R"({"z":1,"a":[1,2.5,-0.0,1e21,1e-7],"m":{"y":null,"x":true}})",
      R"({"text":"line\nbreak \"quoted\" tab\t \u0001 \\ slash/"})",
      R"({"é":"übung","€":"\ud83d\ude00","a\u0000b":"nul"})",
      R"({"deep":{"a":{"b":{"c":[{"d":[[],{}]}]}}},"n":123456789012345})",
      R"({"big":9007199254740993,"small":0.1,"neg":-12.75e3})",
  };
  const std::vector<std::vector<std::string>> refs = {{}, {"0b9a5c1e-1111-4222-8333-944455556666"}};
  int n = 0;
  for (const std::string& body : bodies) {
    for (const auto& r : refs) {
      SCOPED_TRACE(body);
      Envelope e = TestEnvelope();
      e.body = body;
      e.refs = r;
      e.seq = static_cast<uint64_t>(++n) * 1'000'003;
      e.tlp = n % 2 == 0 ? "amber+strict" : "clear";
      ASSERT_OK(SignEnvelope(e, TestKey("alpha")));
      const std::string bytes = e.ToJson();
      ASSERT_OK_AND_ASSIGN(std::string canonical, base::CanonicalizeJson(bytes));
      EXPECT_EQ(bytes, canonical);
      boost::json::object o = boost::json::parse(bytes).as_object();
      o.erase("sig");
      ASSERT_OK_AND_ASSIGN(std::string unsigned_canonical,
                           base::CanonicalizeJson(boost::json::serialize(o)));
      EXPECT_EQ(e.SigningBytes(), unsigned_canonical);
      EXPECT_EQ(e.Digest(), base::HexEncode(crypto::Sha256(bytes)));
      ASSERT_OK_AND_ASSIGN(Envelope p, Envelope::Parse(bytes));
      EXPECT_EQ(p.ToJson(), bytes);
      EXPECT_EQ(p.SigningBytes(), e.SigningBytes());
      EXPECT_EQ(p.body, e.body);
      EXPECT_EQ(p.refs, e.refs);
      EXPECT_EQ(p.seq, e.seq);
      EXPECT_EQ(EntryHeader(p), EntryHeader(e));
      ASSERT_OK_AND_ASSIGN(std::string header_canonical, base::CanonicalizeJson(EntryHeader(p)));
      EXPECT_EQ(EntryHeader(p), header_canonical);
      EXPECT_OK(VerifyEnvelope(p, TestAccord({"alpha", "beta", "gamma"})));
    }
  }
}

TEST(EnvelopeTest, VerifyNamesTheSignerAndUnknownParties) {
  Accord a = TestAccord({"alpha", "beta", "gamma"});
  Envelope e = TestEnvelope();
  e.body = R"({"text":"changed"})";
  EXPECT_THAT(VerifyEnvelope(e, a),
              StatusIs(Code::kFailedPrecondition, HasSubstr("invalid signature by alpha")));
  Accord two = TestAccord({"alpha", "beta"});
  Envelope f = TestEnvelope();
  f.accord = two.Hash();
  ASSERT_OK(SignEnvelope(f, TestKey("alpha")));
  EXPECT_THAT(VerifyEnvelope(f, two), StatusIs(Code::kNotFound, HasSubstr("gamma")));
  EXPECT_THAT(VerifyEnvelope(TestEnvelope(), two),
              StatusIs(Code::kFailedPrecondition, HasSubstr("another accord")));
}

TEST(EnvelopeTest, EntryHeaderAndGenesisAreCanonical) {
  Envelope e = TestEnvelope();
  EXPECT_EQ(EntryHeader(e), R"({"created":"2026-01-01T00:00:00.000Z","digest":")" + e.Digest() +
                                R"(","id":"6f1c2d1e-8a55-4b4c-9b7e-2a0d3c4b5a69","kind":"note",)"
                                R"("seq":7,"to":["beta","gamma"]})");
  EXPECT_EQ(GenesisEntry("ab", "alpha"),
            R"({"accord":"ab","kind":"genesis","party":"alpha","seq":0})");
}

struct EnvelopeCase {
  std::string name;
  std::function<void(json::object&)> mutate;
  std::string error;
};

class EnvelopeParseErrorTest : public ::testing::TestWithParam<EnvelopeCase> {};

TEST_P(EnvelopeParseErrorTest, NamesTheMember) {
  json::value v = json::parse(TestEnvelope().ToJson());
  GetParam().mutate(v.as_object());
  EXPECT_THAT(Envelope::Parse(Canon(v)).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(GetParam().error)));
}

const EnvelopeCase kEnvelopeCases[] = {
    {"UnknownMember", [](json::object& o) { o["x"] = 1; }, "envelope /x: unknown member"},
    {"MissingSig", [](json::object& o) { o.erase("sig"); }, "envelope /sig: missing"},
    {"WrongVersion", [](json::object& o) { o["v"] = 2; }, "envelope /v: unsupported version"},
    {"BadAccord", [](json::object& o) { o["accord"] = "ABC"; }, "envelope /accord:"},
    {"BadFrom", [](json::object& o) { o["from"] = ".x"; }, "envelope /from:"},
    {"EmptyTo", [](json::object& o) { o["to"] = json::array(); }, "envelope /to: empty"},
    {"UnsortedTo", [](json::object& o) { o["to"] = json::array{"gamma", "beta"}; },
     "envelope /to: not sorted and unique"},
    {"DuplicateTo", [](json::object& o) { o["to"] = json::array{"beta", "beta"}; },
     "envelope /to: not sorted and unique"},
    {"ToSender", [](json::object& o) { o["to"] = json::array{"alpha"}; },
     "envelope /to/0: the sender itself"},
    {"ToNotStrings", [](json::object& o) { o["to"] = json::array{1}; },
     "envelope /to: not an array of strings"},
    {"SeqZero", [](json::object& o) { o["seq"] = 0; }, "envelope /seq: must be >= 1"},
    {"SeqNegative", [](json::object& o) { o["seq"] = -1; }, "envelope /seq:"},
    {"SeqFraction", [](json::object& o) { o["seq"] = 1.5; }, "envelope /seq:"},
    {"BadId", [](json::object& o) { o["id"] = "not-a-uuid"; }, "envelope /id:"},
    {"UpperCaseId",
     [](json::object& o) { o["id"] = "6F1C2D1E-8A55-4B4C-9B7E-2A0D3C4B5A69"; },
     "envelope /id:"},
    {"BadKind", [](json::object& o) { o["kind"] = "Note"; }, "envelope /kind:"},
    {"LongKind", [](json::object& o) { o["kind"] = std::string(33, 'a'); }, "envelope /kind:"},
    {"CreatedWithoutMillis", [](json::object& o) { o["created"] = "2026-01-01T00:00:00Z"; },
     "envelope /created:"},
    {"CreatedWithOffset", [](json::object& o) { o["created"] = "2026-01-01T00:00:00.000+01:00"; },
     "envelope /created:"},
    {"BadRef", [](json::object& o) { o["refs"] = json::array{"x"}; }, "envelope /refs/0:"},
    {"BadTlp", [](json::object& o) { o["tlp"] = "white"; }, "envelope /tlp:"},
    {"BodyNotObject", [](json::object& o) { o["body"] = json::array(); },
     "envelope /body: not a JSON object"},
    {"BadSig", [](json::object& o) { o["sig"] = "AAAA"; }, "envelope /sig:"},
};

INSTANTIATE_TEST_SUITE_P(Cases, EnvelopeParseErrorTest, ::testing::ValuesIn(kEnvelopeCases),
                         [](const auto& tp) { return tp.param.name; });

TEST(EnvelopeTest, ParseRejectsNonCanonicalInput) {
  std::string good = TestEnvelope().ToJson();
  std::string spaced = good;
  spaced.insert(1, " ");
  EXPECT_THAT(Envelope::Parse(spaced).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("not in canonical form")));
  EXPECT_THAT(Envelope::Parse("{").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("envelope")));
  EXPECT_THAT(Envelope::Parse("[]").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("not a JSON object")));
}

TEST(EnvelopeTest, ParseRejectsOversizedInput) {
  EXPECT_THAT(Envelope::Parse(std::string(kMaxEnvelopeBytes + 1, ' ')).status(),
              StatusIs(Code::kResourceExhausted, HasSubstr("envelope")));
}

TEST(EnvelopeTest, SignRejectsInvalidFields) {
  Envelope e = TestEnvelope();
  e.body = "[1]";
  EXPECT_THAT(SignEnvelope(e, TestKey("alpha")),
              StatusIs(Code::kInvalidArgument, HasSubstr("envelope /body")));
  e = TestEnvelope();
  e.to = {};
  EXPECT_THAT(SignEnvelope(e, TestKey("alpha")),
              StatusIs(Code::kInvalidArgument, HasSubstr("envelope /to: empty")));
}

// ---------------------------------------------------------------------------------------------
// Receipt bodies

ReceiptBody TestReceipt() {
  ReceiptBody r;
  r.envelope = "6f1c2d1e-8a55-4b4c-9b7e-2a0d3c4b5a69";
  r.from = "alpha";
  r.seq = 7;
  r.digest = std::string(64, 'a');
  r.checkpoint = "detente/0000000000000000/alpha\n8\nAAAA\n\n— x AAAA\n";
  return r;
}

TEST(ReceiptBodyTest, RoundTrips) {
  ReceiptBody r = TestReceipt();
  ASSERT_OK_AND_ASSIGN(ReceiptBody p, ReceiptBody::Parse(r.ToJson()));
  EXPECT_EQ(p.ToJson(), r.ToJson());
  EXPECT_EQ(p.seq, 7u);
}

struct ReceiptCase {
  std::string name;
  std::function<void(json::object&)> mutate;
  std::string error;
};

class ReceiptParseErrorTest : public ::testing::TestWithParam<ReceiptCase> {};

TEST_P(ReceiptParseErrorTest, NamesTheMember) {
  json::value v = json::parse(TestReceipt().ToJson());
  GetParam().mutate(v.as_object());
  EXPECT_THAT(ReceiptBody::Parse(json::serialize(v)).status(),
              StatusIs(Code::kInvalidArgument, HasSubstr(GetParam().error)));
}

const ReceiptCase kReceiptCases[] = {
    {"UnknownMember", [](json::object& o) { o["x"] = 1; }, "receipt /x: unknown member"},
    {"MissingDigest", [](json::object& o) { o.erase("digest"); }, "receipt /digest: missing"},
    {"BadDigest", [](json::object& o) { o["digest"] = "xyz"; }, "receipt /digest:"},
    {"BadEnvelope", [](json::object& o) { o["envelope"] = "x"; }, "receipt /envelope:"},
    {"BadFrom", [](json::object& o) { o["from"] = ""; }, "receipt /from:"},
    {"SeqZero", [](json::object& o) { o["seq"] = 0; }, "receipt /seq:"},
    {"SeqString", [](json::object& o) { o["seq"] = "7"; }, "receipt /seq:"},
    {"EmptyCheckpoint", [](json::object& o) { o["checkpoint"] = ""; }, "receipt /checkpoint:"},
    {"CheckpointNotString", [](json::object& o) { o["checkpoint"] = 1; },
     "receipt /checkpoint: not a string"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ReceiptParseErrorTest, ::testing::ValuesIn(kReceiptCases),
                         [](const auto& tp) { return tp.param.name; });

TEST(ReceiptBodyTest, RejectsNonObjectsAndHugeInput) {
  EXPECT_THAT(ReceiptBody::Parse("1").status(),
              StatusIs(Code::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(ReceiptBody::Parse(std::string(1 << 20, ' ')).status(),
              StatusIs(Code::kResourceExhausted, HasSubstr("receipt")));
}

}  // namespace
}  // namespace detente::accord
