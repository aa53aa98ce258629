// Tests ledger/checkpoint.h: the checkpoint body (a table of bodies and errors), signing and
// opening with witness cosignatures, equivocation detection and third-party verification.
#include "ledger/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/proof.h"
#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

// Leaf data "e0", "e1", ... (built with append: GCC 12's -Wrestrict misfires on "e" + string).
std::string Name(char prefix, int i) {
  std::string s(1, prefix);
  s.append(std::to_string(i));
  return s;
}

crypto::SigningKey Key(uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return *crypto::SigningKey::FromSeed(seed);
}

TEST(CheckpointTest, BodyRoundTrips) {
  Checkpoint cp{"example.com/log", 1234, HashLeaf(std::string_view("x")), {"ext one"}};
  std::string text = cp.ToText();
  EXPECT_EQ(text, "example.com/log\n1234\n" + base::Base64Encode(cp.root) + "\next one\n");
  EXPECT_THAT(Checkpoint::Parse(text), ::detente::testing::IsOkAndHolds(cp));
}

TEST(CheckpointTest, MalformedBodiesNameTheLine) {
  const std::string root = base::Base64Encode(EmptyRoot());
  // Concatenation through a helper: GCC 12's -Wrestrict misfires on literal + string chains.
  auto cat = [](std::initializer_list<std::string_view> parts) {
    std::string s;
    for (auto p : parts) s.append(p);
    return s;
  };
  struct Case {
    std::string text;
    std::string error;
  };
  std::vector<Case> cases = {
      {cat({"o\n1\n", root}), "end with a newline"},
      {"o\n1\n", "needs origin, size and root"},
      {cat({"\n1\n", root, "\n"}), "line 1: origin is empty"},
      {cat({"o\n01\n", root, "\n"}), "line 2: size has a leading zero"},
      {cat({"o\n-1\n", root, "\n"}), "line 2: size is not a decimal number"},
      {cat({"o\n18446744073709551616\n", root, "\n"}), "line 2: size is too large"},
      {cat({"o\n\n", root, "\n"}), "line 2: size is empty"},
      {"o\n1\nAAAA\n", "line 3: root: hash must be 32 bytes"},
      {"o\n1\n!!\n", "line 3: root is not base64"},
      {cat({"o\n1\n", root, "\n\n"}), "line 4: empty extension line"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Checkpoint::Parse(c.text),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.text;
  }
  std::string many = cat({"o\n1\n", root, "\n"});
  for (int i = 0; i < 17; ++i) many += "e\n";
  EXPECT_THAT(Checkpoint::Parse(many),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("extension lines")));
}

class SignedCheckpointTest : public ::testing::Test {
 protected:
  SignedCheckpointTest()
      : log_(*NoteSigner::Create("example.com/log", kNoteTypeEd25519, Key(1))),
        w1_(*NoteSigner::Create("w1", kNoteTypeCosignatureV1, Key(2))),
        w2_(*NoteSigner::Create("w2", kNoteTypeCosignatureV1, Key(3))) {
    for (int i = 0; i < 20; ++i) tree_.Append(HashLeaf(Name('e', i)));
  }
  Checkpoint At(uint64_t size) {
    return Checkpoint{"example.com/log", size, *tree_.RootAt(size), {}};
  }
  std::string Sign(const Checkpoint& cp) { return *SignCheckpoint(cp, log_); }

  NoteSigner log_, w1_, w2_;
  MemoryTree tree_;
};

TEST_F(SignedCheckpointTest, OpensWithTheLogKey) {
  ASSERT_OK_AND_ASSIGN(auto sc, OpenCheckpoint(Sign(At(7)), log_.verifier()));
  EXPECT_EQ(sc.checkpoint, At(7));
}

TEST_F(SignedCheckpointTest, OriginMustBeTheKeyName) {
  Checkpoint cp = At(7);
  cp.origin = "other";
  EXPECT_THAT(SignCheckpoint(cp, log_),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("is not the key name")));
  NoteSigner other = *NoteSigner::Create("other", kNoteTypeEd25519, Key(1));
  std::string note = *SignCheckpoint(cp, other);
  // Same key, other name: the key hash differs, so the log key does not even recognise it.
  EXPECT_THAT(OpenCheckpoint(note, log_.verifier()),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("no known key")));
}

TEST_F(SignedCheckpointTest, CosignaturesCountTowardsTheQuorum) {
  std::string note = Sign(At(9));
  ASSERT_OK_AND_ASSIGN(note, AddCosignature(note, w1_, 1700000000));
  ASSERT_OK_AND_ASSIGN(note, AddCosignature(note, w2_, 1700000005));
  std::vector<NoteVerifier> witnesses = {w1_.verifier(), w2_.verifier()};
  ASSERT_OK_AND_ASSIGN(auto sc, OpenCheckpoint(note, log_.verifier(), witnesses, 2));
  ASSERT_EQ(sc.cosignatures.size(), 2u);
  EXPECT_EQ(sc.cosignatures[0].name, "w1");
  EXPECT_EQ(sc.cosignatures[0].timestamp, 1700000000u);
  EXPECT_THAT(OpenCheckpoint(note, log_.verifier(), std::span(witnesses).subspan(0, 1), 2),
              StatusIs(base::StatusCode::kFailedPrecondition,
                       HasSubstr("1 valid witness cosignatures, 2 required")));
}

TEST_F(SignedCheckpointTest, CosignatureWithoutLogSignatureIsRejected) {
  std::string text = At(9).ToText();
  std::string note = text + "\n" + w1_.SignatureLine(text, 5);
  std::vector<NoteVerifier> witnesses = {w1_.verifier()};
  EXPECT_THAT(OpenCheckpoint(note, log_.verifier(), witnesses),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("not signed by the log key")));
}

TEST_F(SignedCheckpointTest, ConsistentCheckpointsAreNoEquivocation) {
  auto proof = *tree_.ConsistencyProof(5, 12);
  ASSERT_OK_AND_ASSIGN(auto r, DetectEquivocation(Sign(At(12)), Sign(At(5)), log_.verifier(), proof));
  EXPECT_FALSE(r.has_value());
}

TEST_F(SignedCheckpointTest, SameSizeDifferentRootIsProvableEquivocation) {
  Checkpoint forged = At(12);
  forged.root = *tree_.RootAt(13);
  ASSERT_OK_AND_ASSIGN(auto r, DetectEquivocation(Sign(At(12)), Sign(forged), log_.verifier(), {}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, EquivocationProof::Kind::kSameSizeDifferentRoot);
  EXPECT_OK(VerifyEquivocationProof(r->ToJson()));
}

TEST_F(SignedCheckpointTest, ForkedTreeIsProvableWithTheLogsOwnProof) {
  // The log signs size 5 of one tree and size 12 of a tree whose first 5 leaves differ.
  MemoryTree fork;
  for (int i = 0; i < 12; ++i) fork.Append(HashLeaf(Name(i == 2 ? 'X' : 'e', i)));
  Checkpoint c12{"example.com/log", 12, *fork.RootAt(12), {}};
  auto proof = *fork.ConsistencyProof(5, 12);  // honest for the forked tree
  ASSERT_OK_AND_ASSIGN(auto r, DetectEquivocation(Sign(At(5)), Sign(c12), log_.verifier(), proof));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, EquivocationProof::Kind::kInconsistent);
  std::string json = r->ToJson();
  EXPECT_OK(VerifyEquivocationProof(json));
  // The evidence round-trips through JSON.
  ASSERT_OK_AND_ASSIGN(auto back, EquivocationProof::FromJson(json));
  EXPECT_EQ(back.path, r->path);
}

TEST_F(SignedCheckpointTest, GarbageProofProvesNothing) {
  std::vector<Hash> garbage = {HashLeaf(std::string_view("a")), HashLeaf(std::string_view("b")),
                               HashLeaf(std::string_view("c"))};
  EXPECT_THAT(DetectEquivocation(Sign(At(5)), Sign(At(12)), log_.verifier(), garbage),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("proves nothing")));
}

TEST_F(SignedCheckpointTest, EquivocationProofForConsistentPairIsRejected) {
  EquivocationProof p;
  p.kind = EquivocationProof::Kind::kInconsistent;
  p.vkey = log_.verifier().ToText();
  p.note1 = Sign(At(5));
  p.note2 = Sign(At(12));
  p.path = *tree_.ConsistencyProof(5, 12);
  EXPECT_THAT(VerifyEquivocationProof(p.ToJson()),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("consistent")));
  p.kind = EquivocationProof::Kind::kSameSizeDifferentRoot;
  EXPECT_THAT(VerifyEquivocationProof(p.ToJson()),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("different sizes")));
}

TEST_F(SignedCheckpointTest, EquivocationProofWithForgedNoteIsRejected) {
  Checkpoint forged = At(12);
  forged.root = *tree_.RootAt(13);
  EquivocationProof p;
  p.vkey = log_.verifier().ToText();
  p.note1 = Sign(At(12));
  // Signed by someone else under the log's name.
  NoteSigner mallory = *NoteSigner::Create("example.com/log", kNoteTypeEd25519, Key(9));
  p.note2 = *SignCheckpoint(forged, mallory);
  EXPECT_THAT(VerifyEquivocationProof(p.ToJson()),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("checkpoint2")));
}

TEST_F(SignedCheckpointTest, EmptyTreeWithWrongRootIsEquivocation) {
  Checkpoint bad{"example.com/log", 0, *tree_.RootAt(1), {}};
  ASSERT_OK_AND_ASSIGN(auto r, DetectEquivocation(Sign(bad), Sign(At(3)), log_.verifier(), {}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, EquivocationProof::Kind::kEmptyTreeRoot);
  EXPECT_OK(VerifyEquivocationProof(r->ToJson()));
}

TEST(EquivocationJsonTest, MalformedJsonNamesTheMember) {
  EXPECT_THAT(VerifyEquivocationProof("[1]"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(VerifyEquivocationProof("{\"type\":\"equivocation\",\"kind\":\"inconsistent\"}"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("\"vkey\" must be a string")));
  EXPECT_THAT(VerifyEquivocationProof("{\"type\":\"x\"}"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("\"type\" must be")));
  EXPECT_THAT(VerifyEquivocationProof(std::string(100, '[')),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_THAT(
      VerifyEquivocationProof("{\"type\":\"equivocation\",\"kind\":\"inconsistent\",\"vkey\":\"a\","
                              "\"checkpoint1\":\"\",\"checkpoint2\":\"\",\"path\":[\"00\"]}"),
      StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("path[0]")));
}

}  // namespace
}  // namespace detente::ledger
