// Tests ledger/note.h: the golang.org/x/mod/sumdb/note example (tests/testdata/ledger/
// go_note_vector.txt), key texts, a table of malformed notes, and cosignature/v1 signatures.
#include "ledger/note.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

struct GoVector {
  std::string vkey, skey, text, sig_line;
};

GoVector LoadGoVector() {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/ledger/go_note_vector.txt");
  GoVector v;
  std::string line;
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "vkey") v.vkey = value;
    if (key == "skey") v.skey = value;
    if (key == "text") v.text += value + "\n";
    if (key == "sig") v.sig_line = value + "\n";
  }
  return v;
}

crypto::SigningKey Key(uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return *crypto::SigningKey::FromSeed(seed);
}

TEST(GoNoteTest, SignerKeyTextRoundTrips) {
  GoVector v = LoadGoVector();
  ASSERT_OK_AND_ASSIGN(NoteSigner s, NoteSigner::Parse(v.skey));
  EXPECT_EQ(s.name(), "PeterNeumann");
  EXPECT_EQ(s.key_hash(), 0xc74f20a3u);
  EXPECT_EQ(s.ToText(), v.skey);
  EXPECT_EQ(s.verifier().ToText(), v.vkey);
}

TEST(GoNoteTest, SigningReproducesGoSignatureExactly) {
  GoVector v = LoadGoVector();
  ASSERT_OK_AND_ASSIGN(NoteSigner s, NoteSigner::Parse(v.skey));
  ASSERT_OK_AND_ASSIGN(std::string note, SignNote(v.text, std::span<const NoteSigner>(&s, 1)));
  EXPECT_EQ(note, v.text + "\n" + v.sig_line);
}

TEST(GoNoteTest, GoNoteOpensWithGoVerifierKey) {
  GoVector v = LoadGoVector();
  ASSERT_OK_AND_ASSIGN(NoteVerifier key, NoteVerifier::Parse(v.vkey));
  ASSERT_OK_AND_ASSIGN(Note n, OpenNote(v.text + "\n" + v.sig_line,
                                        std::span<const NoteVerifier>(&key, 1)));
  EXPECT_EQ(n.text, v.text);
  ASSERT_EQ(n.verified.size(), 1u);
  EXPECT_EQ(n.verified[0].name, "PeterNeumann");
  EXPECT_EQ(n.verified[0].key_hash, 0xc74f20a3u);
}

TEST(NoteKeyTest, VerifierKeyTextErrorsNameThePart) {
  GoVector v = LoadGoVector();
  EXPECT_THAT(NoteVerifier::Parse("Peter Neumann+c74f20a3+ARpc"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("invalid name")));
  EXPECT_THAT(NoteVerifier::Parse("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("8 hex digits")));
  EXPECT_THAT(NoteVerifier::Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("key hash does not match")));
  EXPECT_THAT(NoteVerifier::Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("base64")));
  EXPECT_THAT(NoteVerifier::Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiB"),
              ::detente::testing::StatusIsCode(base::StatusCode::kInvalidArgument));
}

TEST(NoteKeyTest, NamesRejectSpacesAndPlus) {
  EXPECT_TRUE(IsValidKeyName("example.com/log"));
  EXPECT_TRUE(IsValidKeyName("d\xC3\xA9tente"));
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a\tb"));
  EXPECT_FALSE(IsValidKeyName("a\xC2\xA0" "b"));  // U+00A0 no-break space
  EXPECT_FALSE(IsValidKeyName("a\xE3\x80\x80" "b"));  // U+3000 ideographic space
  EXPECT_FALSE(IsValidKeyName("\xFF"));
}

class NoteTest : public ::testing::Test {
 protected:
  NoteTest()
      : alice_(*NoteSigner::Create("alice", kNoteTypeEd25519, Key(1))),
        bob_(*NoteSigner::Create("bob", kNoteTypeEd25519, Key(2))),
        witness_(*NoteSigner::Create("witness", kNoteTypeCosignatureV1, Key(3))) {}
  std::string Signed(std::string_view text) {
    return *SignNote(text, std::span<const NoteSigner>(&alice_, 1));
  }
  std::vector<NoteVerifier> Known() { return {alice_.verifier()}; }
  NoteSigner alice_, bob_, witness_;
};

TEST_F(NoteTest, UnknownKeysAreReportedNotTrusted) {
  std::string note = Signed("hello\n") + bob_.SignatureLine("hello\n");
  ASSERT_OK_AND_ASSIGN(Note n, OpenNote(note, Known()));
  ASSERT_EQ(n.verified.size(), 1u);
  ASSERT_EQ(n.unverified.size(), 1u);
  EXPECT_EQ(n.unverified[0].name, "bob");
}

TEST_F(NoteTest, NoKnownKeyFailsTheNote) {
  std::vector<NoteVerifier> known = {bob_.verifier()};
  EXPECT_THAT(OpenNote(Signed("hello\n"), known),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("no known key")));
}

TEST_F(NoteTest, BadSignatureByKnownKeyFailsTheNote) {
  std::string note = "hullo\n\n" + alice_.SignatureLine("hello\n");
  EXPECT_THAT(OpenNote(note, Known()),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("invalid signature by alice")));
}

TEST_F(NoteTest, DuplicateSignaturesAreDropped) {
  std::string note = Signed("hello\n") + alice_.SignatureLine("hello\n");
  ASSERT_OK_AND_ASSIGN(Note n, OpenNote(note, Known()));
  EXPECT_EQ(n.verified.size(), 1u);
}

TEST_F(NoteTest, MoreThanOneHundredSignaturesIsMalformed) {
  std::string note = Signed("hello\n");
  for (int i = 0; i < 100; ++i) note += bob_.SignatureLine("hello\n");
  EXPECT_THAT(OpenNote(note, Known()),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("more than 100 signatures")));
}

TEST_F(NoteTest, MalformedNotesAreRejectedWithTheReason) {
  std::string sig = alice_.SignatureLine("hello\n");
  std::string sig_body = sig.substr(kNoteSignaturePrefix.size());
  struct Case {
    std::string note;
    std::string error;
  };
  std::vector<Case> cases = {
      {"hello\n" + sig, "no blank line"},
      {"hello\n\n", "no signature lines"},
      {"hello\n\n" + sig.substr(0, sig.size() - 1), "does not end with a newline"},
      {"hello\n\n- " + sig_body, "must start with"},
      {"hello\n\n\xE2\x80\x94 alice\n", "missing signature"},
      {"hello\n\n\xE2\x80\x94 alice !!!!\n", "not base64"},
      {"hello\n\n\xE2\x80\x94 alice AAAA\n", "too short"},
      {"hello\n\n\xE2\x80\x94 al+ice AAAAAAAA\n", "invalid key name"},
      {"hel\rlo\n\n" + sig, "control character at byte 3"},
      {"hel\xFFlo\n\n" + sig, "invalid UTF-8 at byte 3"},
      {std::string(kMaxNoteBytes + 1, 'a'), "larger than"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(OpenNote(c.note, Known()),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.note;
  }
}

TEST_F(NoteTest, SigningRejectsTextWithoutFinalNewline) {
  EXPECT_THAT(SignNote("hello", std::span<const NoteSigner>(&alice_, 1)),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("end with a newline")));
  EXPECT_THAT(SignNote("", std::span<const NoteSigner>(&alice_, 1)),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST_F(NoteTest, CosignatureCarriesItsTimestamp) {
  std::string note = Signed("hello\n") + witness_.SignatureLine("hello\n", 1700000000);
  std::vector<NoteVerifier> known = {alice_.verifier(), witness_.verifier()};
  ASSERT_OK_AND_ASSIGN(Note n, OpenNote(note, known));
  ASSERT_EQ(n.verified.size(), 2u);
  EXPECT_EQ(n.verified[1].type, kNoteTypeCosignatureV1);
  EXPECT_EQ(n.verified[1].timestamp, std::optional<uint64_t>(1700000000));
}

TEST_F(NoteTest, CosignatureKeyHashUsesTypeByte4) {
  EXPECT_EQ(witness_.key_hash(),
            NoteKeyHash("witness", kNoteTypeCosignatureV1, witness_.verifier().public_key().raw()));
  EXPECT_NE(witness_.key_hash(),
            NoteKeyHash("witness", kNoteTypeEd25519, witness_.verifier().public_key().raw()));
  ASSERT_OK_AND_ASSIGN(NoteVerifier parsed, NoteVerifier::Parse(witness_.verifier().ToText()));
  EXPECT_EQ(parsed.type(), kNoteTypeCosignatureV1);
  ASSERT_OK_AND_ASSIGN(NoteSigner reparsed, NoteSigner::Parse(witness_.ToText()));
  EXPECT_EQ(reparsed.type(), kNoteTypeCosignatureV1);
}

TEST_F(NoteTest, CosignatureWithAlteredTimestampFails) {
  std::string line = witness_.SignatureLine("hello\n", 1700000000);
  std::string b64 = line.substr(line.rfind(' ') + 1);
  b64.pop_back();
  Bytes sig = *base::Base64Decode(b64);
  sig[4 + 7] ^= 1;  // last byte of the timestamp
  std::string note = Signed("hello\n") + std::string(kNoteSignaturePrefix) + "witness " +
                     base::Base64Encode(sig) + "\n";
  std::vector<NoteVerifier> known = {alice_.verifier(), witness_.verifier()};
  EXPECT_THAT(OpenNote(note, known),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("invalid signature by witness")));
}

}  // namespace
}  // namespace detente::ledger
