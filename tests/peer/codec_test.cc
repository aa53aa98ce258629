// Tests of the peer wire codec (peer/codec.cc) and URL parsing: round trips and a table of
// decode errors, each naming the member that is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "peer/peer.h"
#include "testing/status_matchers.h"

namespace detente::peer {
namespace {

using ::detente::testing::IsOk;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

ledger::Hash H(uint8_t b) {
  ledger::Hash h;
  h.fill(b);
  return h;
}

const std::string kHexA(64, 'a');

WireDelivery SampleDelivery() {
  WireDelivery d;
  d.from = "alpha";
  d.recipient_held_size = 3;
  d.delivery.checkpoint = "detente/0123456789abcdef/alpha\n2\nAAAA\n\n\xE2\x80\x94 x y\n";
  d.delivery.held_size = 1;
  d.delivery.consistency = {H(1), H(2)};
  d.delivery.envelopes.push_back({"{\"a\":\"quote \\\" and \\u00e9\"}", 1, {H(3)}});
  d.delivery.envelopes.push_back({"{}", 2, {}});
  return d;
}

TEST(CodecTest, DeliveryRoundTrips) {
  WireDelivery d = SampleDelivery();
  ASSERT_OK_AND_ASSIGN(WireDelivery back, DecodeDelivery(EncodeDelivery(d)));
  EXPECT_EQ(back.from, d.from);
  EXPECT_EQ(back.recipient_held_size, 3u);
  EXPECT_EQ(back.delivery.checkpoint, d.delivery.checkpoint);
  EXPECT_EQ(back.delivery.held_size, 1u);
  EXPECT_EQ(back.delivery.consistency, d.delivery.consistency);
  ASSERT_EQ(back.delivery.envelopes.size(), 2u);
  EXPECT_EQ(back.delivery.envelopes[0].envelope, d.delivery.envelopes[0].envelope);
  EXPECT_EQ(back.delivery.envelopes[0].index, 1u);
  EXPECT_EQ(back.delivery.envelopes[0].proof, d.delivery.envelopes[0].proof);
  EXPECT_TRUE(back.delivery.envelopes[1].proof.empty());
}

TEST(CodecTest, AnswerRoundTrips) {
  accord::DeliveryAnswer a;
  a.results.push_back({"id-1", accord::AcceptOutcome::kAccepted, "", "{\"r\":1}", 7});
  a.results.push_back({"id-2", accord::AcceptOutcome::kDuplicate, "", "{\"r\":2}", 5});
  a.results.push_back({"id-3", accord::AcceptOutcome::kRejected, "bad signature", "", 0});
  a.receipt_proofs = {{H(9)}, {}, {}};
  a.checkpoint = "note\n";
  a.consistency = {H(4)};
  a.held_size = 12;
  ASSERT_OK_AND_ASSIGN(accord::DeliveryAnswer back, DecodeAnswer(EncodeAnswer(a)));
  ASSERT_EQ(back.results.size(), 3u);
  EXPECT_EQ(back.results[0].outcome, accord::AcceptOutcome::kAccepted);
  EXPECT_EQ(back.results[0].receipt, "{\"r\":1}");
  EXPECT_EQ(back.results[0].receipt_index, 7u);
  EXPECT_EQ(back.results[1].outcome, accord::AcceptOutcome::kDuplicate);
  EXPECT_EQ(back.results[2].outcome, accord::AcceptOutcome::kRejected);
  EXPECT_EQ(back.results[2].error, "bad signature");
  ASSERT_EQ(back.receipt_proofs.size(), 3u);
  EXPECT_EQ(back.receipt_proofs[0], std::vector<ledger::Hash>{H(9)});
  EXPECT_EQ(back.checkpoint, "note\n");
  EXPECT_EQ(back.consistency, std::vector<ledger::Hash>{H(4)});
  EXPECT_EQ(back.held_size, 12u);
}

TEST(CodecTest, AnswerWithoutReceiptProofsEncodesEmptyProofs) {
  accord::DeliveryAnswer a;
  a.results.push_back({"id-3", accord::AcceptOutcome::kRejected, "no", "", 0});
  ASSERT_OK_AND_ASSIGN(accord::DeliveryAnswer back, DecodeAnswer(EncodeAnswer(a)));
  ASSERT_EQ(back.receipt_proofs.size(), 1u);
  EXPECT_TRUE(back.receipt_proofs[0].empty());
}

TEST(CodecTest, SmallBodiesRoundTrip) {
  ASSERT_OK_AND_ASSIGN(CheckpointReply c,
                       DecodeCheckpointReply(EncodeCheckpointReply({"cp\n", 9, {H(1)}})));
  EXPECT_EQ(c.checkpoint, "cp\n");
  EXPECT_EQ(c.size, 9u);
  EXPECT_EQ(c.consistency.size(), 1u);
  std::vector<ledger::Hash> proof = {H(1), H(2)};
  EXPECT_THAT(DecodeProof(EncodeProof(proof)), ::detente::testing::IsOkAndHolds(proof));
  ASSERT_OK_AND_ASSIGN(CosignatureMessage m, DecodeCosignature(EncodeCosignature({"beta", "n"})));
  EXPECT_EQ(m.witness, "beta");
  EXPECT_EQ(m.note, "n");
  std::vector<GossipEntry> g = {{"alpha", "a\n"}, {"gamma", "g\n"}};
  ASSERT_OK_AND_ASSIGN(auto gb, DecodeGossip(EncodeGossip(g)));
  ASSERT_EQ(gb.size(), 2u);
  EXPECT_EQ(gb[1].party, "gamma");
  EXPECT_EQ(gb[1].note, "g\n");
}

TEST(CodecTest, ErrorBodyCarriesHeldSize) {
  std::string e = EncodeError(409, "Conflict", "held size mismatch: I hold 4", 4);
  EXPECT_THAT(e, HasSubstr("\"http_status\":\"409\""));
  EXPECT_EQ(HeldSizeFromError(e), std::optional<uint64_t>(4));
  EXPECT_EQ(HeldSizeFromError(EncodeError(400, "Bad Request", "x")), std::nullopt);
  EXPECT_EQ(HeldSizeFromError("garbage"), std::nullopt);
}

struct DecodeErrorCase {
  const char* name;
  std::string body;
  base::StatusCode code;
  std::string message;
};

std::string Envelopes(const std::string& items) {
  return "{\"from\":\"alpha\",\"checkpoint\":\"c\",\"held_size\":0,\"consistency\":[],"
         "\"recipient_held_size\":0,\"envelopes\":" +
         items + "}";
}

TEST(CodecTest, DeliveryDecodeErrorsNameTheMember) {
  const DecodeErrorCase cases[] = {
      {"not json", "{", base::StatusCode::kInvalidArgument, "not JSON"},
      {"not object", "[]", base::StatusCode::kInvalidArgument, "not an object"},
      {"missing from",
       "{\"checkpoint\":\"c\",\"held_size\":0,\"consistency\":[],\"recipient_held_size\":0,"
       "\"envelopes\":[]}",
       base::StatusCode::kInvalidArgument, "/from: missing"},
      {"unknown member", "{\"from\":\"a\",\"x\":1}", base::StatusCode::kInvalidArgument,
       "/x: unknown member"},
      {"from not string",
       "{\"from\":1,\"checkpoint\":\"c\",\"held_size\":0,\"consistency\":[],"
       "\"recipient_held_size\":0,\"envelopes\":[]}",
       base::StatusCode::kInvalidArgument, "/from: not a string"},
      {"negative held",
       "{\"from\":\"a\",\"checkpoint\":\"c\",\"held_size\":-1,\"consistency\":[],"
       "\"recipient_held_size\":0,\"envelopes\":[]}",
       base::StatusCode::kInvalidArgument, "/held_size: negative"},
      {"fractional held",
       "{\"from\":\"a\",\"checkpoint\":\"c\",\"held_size\":1.5,\"consistency\":[],"
       "\"recipient_held_size\":0,\"envelopes\":[]}",
       base::StatusCode::kInvalidArgument, "/held_size: not a non-negative integer"},
      {"short hash",
       "{\"from\":\"a\",\"checkpoint\":\"c\",\"held_size\":0,\"consistency\":[\"abcd\"],"
       "\"recipient_held_size\":0,\"envelopes\":[]}",
       base::StatusCode::kInvalidArgument, "/consistency/0: not 64 hex digits"},
      {"bad hex",
       "{\"from\":\"a\",\"checkpoint\":\"c\",\"held_size\":0,\"consistency\":[\"" +
           std::string(63, 'a') + "g\"],\"recipient_held_size\":0,\"envelopes\":[]}",
       base::StatusCode::kInvalidArgument, "/consistency/0: not 64 hex digits"},
      {"envelopes not array", Envelopes("{}"), base::StatusCode::kInvalidArgument,
       "/envelopes: not an array"},
      {"envelope not object", Envelopes("[1]"), base::StatusCode::kInvalidArgument,
       "/envelopes/0: not an object"},
      {"envelope missing index", Envelopes("[{\"envelope\":\"{}\",\"proof\":[]}]"),
       base::StatusCode::kInvalidArgument, "/envelopes/0/index: missing"},
      {"envelope proof hash",
       Envelopes("[{\"envelope\":\"{}\",\"index\":1,\"proof\":[\"" + kHexA + "\",\"zz\"]}]"),
       base::StatusCode::kInvalidArgument, "/envelopes/0/proof/1: not 64 hex digits"},
      {"envelope unknown member",
       Envelopes("[{\"envelope\":\"{}\",\"index\":1,\"proof\":[],\"extra\":true}]"),
       base::StatusCode::kInvalidArgument, "/envelopes/0/extra: unknown member"},
      {"too deep", "{\"from\":[[[[[[[[[[[[1]]]]]]]]]]]]}", base::StatusCode::kInvalidArgument,
       "not JSON"},
  };
  for (const DecodeErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(DecodeDelivery(c.body), StatusIs(c.code, HasSubstr(c.message)));
  }
}

TEST(CodecTest, DeliveryWithTooManyEnvelopesIsResourceExhausted) {
  std::string items = "[";
  for (size_t i = 0; i <= kMaxBatchEnvelopes; ++i) {
    if (i > 0) items += ',';
    items += "{\"envelope\":\"{}\",\"index\":1,\"proof\":[]}";
  }
  items += "]";
  EXPECT_THAT(DecodeDelivery(Envelopes(items)),
              StatusIs(base::StatusCode::kResourceExhausted, HasSubstr("/envelopes")));
}

TEST(CodecTest, OversizedBodyIsRejectedBeforeParsing) {
  std::string big(kMaxWireBytes + 1, ' ');
  EXPECT_THAT(DecodeDelivery(big),
              StatusIs(base::StatusCode::kResourceExhausted, HasSubstr("larger than")));
}

TEST(CodecTest, AnswerDecodeErrorsNameTheMember) {
  const DecodeErrorCase cases[] = {
      {"bad outcome",
       "{\"results\":[{\"id\":\"x\",\"outcome\":\"maybe\"}],\"checkpoint\":\"c\","
       "\"consistency\":[],\"held_size\":0}",
       base::StatusCode::kInvalidArgument, "/results/0/outcome: not one of"},
      {"accepted without receipt",
       "{\"results\":[{\"id\":\"x\",\"outcome\":\"accepted\"}],\"checkpoint\":\"c\","
       "\"consistency\":[],\"held_size\":0}",
       base::StatusCode::kInvalidArgument, "/results/0/receipt: missing"},
      {"missing held size", "{\"results\":[],\"checkpoint\":\"c\",\"consistency\":[]}",
       base::StatusCode::kInvalidArgument, "/held_size: missing"},
      {"results not array",
       "{\"results\":{},\"checkpoint\":\"c\",\"consistency\":[],\"held_size\":0}",
       base::StatusCode::kInvalidArgument, "/results: not an array"},
  };
  for (const DecodeErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(DecodeAnswer(c.body), StatusIs(c.code, HasSubstr(c.message)));
  }
}

TEST(CodecTest, GossipAndCosignatureDecodeErrors) {
  EXPECT_THAT(DecodeGossip("{\"checkpoints\":[{\"party\":\"a\"}]}"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("/checkpoints/0/note")));
  EXPECT_THAT(DecodeCosignature("{\"witness\":\"\",\"note\":\"n\"}"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("/witness: empty")));
  EXPECT_THAT(DecodeProof("{\"proof\":[1]}"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("/proof/0: not a string")));
  EXPECT_THAT(DecodeCheckpointReply("{\"checkpoint\":\"c\",\"size\":\"1\",\"consistency\":[]}"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("/size")));
}

TEST(UrlTest, ParsesEndpointUrls) {
  struct Case {
    const char* url;
    const char* scheme;
    const char* host;
    const char* port;
    const char* target;
  };
  const Case cases[] = {
      {"http://127.0.0.1:8080", "http", "127.0.0.1", "8080", "/"},
      {"https://alpha.example", "https", "alpha.example", "443", "/"},
      {"http://[::1]:9/x?y=1", "http", "::1", "9", "/x?y=1"},
      {"HTTP://h/prefix/", "http", "h", "80", "/prefix/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    ASSERT_OK_AND_ASSIGN(Url u, ParseUrl(c.url));
    EXPECT_EQ(u.scheme, c.scheme);
    EXPECT_EQ(u.host, c.host);
    EXPECT_EQ(u.port, c.port);
    EXPECT_EQ(u.target, c.target);
  }
}

TEST(UrlTest, RejectsBadUrls) {
  const std::pair<const char*, const char*> cases[] = {
      {"ftp://x", "scheme"},          {"127.0.0.1:80", "no scheme"},
      {"http://", "no host"},         {"http://u@h", "user information"},
      {"http://h:0", "port"},         {"http://h:99999", "port"},
      {"http://h/#frag", "fragment"}, {"http://h/a b", "space"},
      {"http://[::1", "unclosed"},
  };
  for (const auto& [url, what] : cases) {
    SCOPED_TRACE(url);
    EXPECT_THAT(ParseUrl(url), StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(what)));
  }
}

TEST(UrlTest, JoinUrlHandlesTrailingSlashesAndPrefixes) {
  EXPECT_EQ(JoinUrl("http://h:1", "/peer/v1/inbox"), "http://h:1/peer/v1/inbox");
  EXPECT_EQ(JoinUrl("http://h:1/", "/peer/v1/inbox"), "http://h:1/peer/v1/inbox");
  EXPECT_EQ(JoinUrl("https://h/node/", "/peer/v1/x"), "https://h/node/peer/v1/x");
}

}  // namespace
}  // namespace detente::peer
