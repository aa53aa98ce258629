// Tests for the key files (crypto/pem.cc and the PEM parts of crypto/ed25519.cc): exact PEM
// text, strict parsing, file modes, atomic creation, and interoperability with the `openssl`
// command line in both directions.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "crypto/pem.h"
#include "testing/status_matchers.h"

namespace detente::crypto {
namespace {

using base::StatusCode;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

// RFC 8032 TEST 1, and its PEM forms as `openssl pkey` prints them.
constexpr std::string_view kTest1Seed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kTest1PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kTest1PublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";

SigningKey Test1Key() { return *SigningKey::FromSeed(*base::HexDecode(kTest1Seed)); }

std::string PemOf(std::string_view label, std::string_view der_hex) {
  return internal::PemEncode(label, *base::HexDecode(der_hex));
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/keys_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0); }

  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }

  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void WriteAll(const std::string& path, std::string_view data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  static unsigned ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  std::vector<std::string> ListDir() const {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir_.c_str());
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }
  // Runs a shell command with stdout/stderr captured to a log in the temp dir; returns the
  // exit code and puts the output into *output.
  int Run(const std::string& cmd, std::string* output = nullptr) const {
    std::string log = Path("cmd.log");
    int status = std::system((cmd + " >'" + log + "' 2>&1").c_str());
    std::string out = ReadAll(log);
    ::unlink(log.c_str());
    if (output != nullptr) *output = out;
    EXPECT_TRUE(WIFEXITED(status)) << cmd;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code != 0) ADD_FAILURE() << "command failed (" << code << "): " << cmd << "\n" << out;
    return code;
  }

  std::string dir_;
};

// ---- PEM text ----------------------------------------------------------------------------------

TEST(PemTest, PrivateKeyPemIsExactlyWhatOpensslWrites) {
  EXPECT_EQ(Test1Key().ToPem(), kTest1PrivatePem);
}

TEST(PemTest, PublicKeyPemIsExactlyWhatOpensslWrites) {
  EXPECT_EQ(Test1Key().public_key().ToPem(), kTest1PublicPem);
}

TEST(PemTest, PrivateKeyRoundTrips) {
  SigningKey k = SigningKey::Generate();
  ASSERT_OK_AND_ASSIGN(SigningKey back, SigningKey::FromPem(k.ToPem()));
  EXPECT_EQ(back.seed(), k.seed());
  EXPECT_EQ(back.public_key(), k.public_key());
}

TEST(PemTest, PublicKeyRoundTrips) {
  SigningKey k = SigningKey::Generate();
  ASSERT_OK_AND_ASSIGN(PublicKey back, PublicKey::FromPem(k.public_key().ToPem()));
  EXPECT_EQ(back, k.public_key());
}

TEST(PemTest, CrlfLineEndsAndSurroundingWhitespaceAreAccepted) {
  std::string crlf =
      "\r\n  -----BEGIN PRIVATE KEY-----\r\n"
      "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\r\n"
      "-----END PRIVATE KEY-----\r\n\r\n";
  ASSERT_OK_AND_ASSIGN(SigningKey k, SigningKey::FromPem(crlf));
  EXPECT_EQ(k.public_key(), Test1Key().public_key());
}

TEST(PemTest, OneAsymmetricKeyV2WithMatchingPublicKeyIsAccepted) {
  std::string der =
      "305102010130050603"
      "2b657004220420" +
      std::string(kTest1Seed) + "812100" +
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  ASSERT_OK_AND_ASSIGN(SigningKey k, SigningKey::FromPem(PemOf("PRIVATE KEY", der)));
  EXPECT_EQ(k.public_key(), Test1Key().public_key());
}

TEST(PemTest, OneAsymmetricKeyV2WithMismatchedPublicKeyIsRejected) {
  std::string der =
      "305102010130050603"
      "2b657004220420" +
      std::string(kTest1Seed) + "812100" +
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
  EXPECT_THAT(SigningKey::FromPem(PemOf("PRIVATE KEY", der)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not match")));
}

struct BadPem {
  std::string name;
  std::string pem;
  std::string error;
};

std::vector<BadPem> BadPrivatePems() {
  const std::string body = "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n";
  const std::string begin = "-----BEGIN PRIVATE KEY-----\n";
  const std::string end = "-----END PRIVATE KEY-----\n";
  return {
      {"Empty", "", "not PEM"},
      {"NotPem", "hello world", "not PEM: line 1 is 'hello world'"},
      {"PublicLabel", std::string(kTest1PublicPem), "expected '-----BEGIN PRIVATE KEY-----'"},
      {"Encrypted",
       "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + body + "-----END ENCRYPTED PRIVATE KEY-----\n",
       "encrypted keys are not supported"},
      {"MissingEnd", begin + body, "missing '-----END PRIVATE KEY-----'"},
      {"WrongEnd", begin + body + "-----END PUBLIC KEY-----\n", "PEM line 3"},
      {"TextAfterEnd", begin + body + end + "junk\n", "text after"},
      {"Header", begin + "Proc-Type: 4,ENCRYPTED\n" + body + end, "headers are not supported"},
      {"EmptyLine", begin + "\n" + body + end, "empty line"},
      {"BadBase64",
       begin + "MC4CAQAw*QYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n" + end,
       "PEM body"},
      {"LongLine", begin + std::string(80, 'A') + "\n" + end, "longer than 76"},
      {"X25519Oid",
       PemOf("PRIVATE KEY", "302e020100300506032b656e04220420" + std::string(kTest1Seed)),
       "not an unencrypted Ed25519 PKCS#8 key"},
      {"TrailingDerByte",
       PemOf("PRIVATE KEY", "302e020100300506032b657004220420" + std::string(kTest1Seed) + "00"),
       "got 49 bytes"},
      {"ShortSeed",
       PemOf("PRIVATE KEY", "302d020100300506032b657004210420" + std::string(kTest1Seed.substr(2))),
       "got 47 bytes"},
      {"TooLarge", begin + std::string(20000, 'A') + end, "too large"},
  };
}

class BadPrivatePemTest : public ::testing::TestWithParam<BadPem> {};

TEST_P(BadPrivatePemTest, IsInvalidArgumentNamingTheProblem) {
  EXPECT_THAT(SigningKey::FromPem(GetParam().pem),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(GetParam().error)));
}

INSTANTIATE_TEST_SUITE_P(Pem, BadPrivatePemTest, ::testing::ValuesIn(BadPrivatePems()),
                         [](const auto& p) { return p.param.name; });

TEST(PemTest, PublicKeyWithWrongAlgorithmIsRejected) {
  // An X25519 SPKI: same shape, OID 1.3.101.110.
  std::string pem = PemOf("PUBLIC KEY", "302a300506032b656e032100" + std::string(64, 'a'));
  EXPECT_THAT(PublicKey::FromPem(pem), StatusIs(StatusCode::kInvalidArgument,
                                                HasSubstr("not an Ed25519 SubjectPublicKeyInfo")));
}

TEST(PemTest, PrivateKeyGivenAsPublicKeyIsRejected) {
  EXPECT_THAT(
      PublicKey::FromPem(kTest1PrivatePem),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected '-----BEGIN PUBLIC KEY-----'")));
}

// ---- Files -------------------------------------------------------------------------------------

TEST_F(KeyFileTest, PrivateKeyFileHasMode0600EvenWithPermissiveUmask) {
  mode_t old = ::umask(0);
  base::Status s = Test1Key().SaveFile(Path("k.pem"));
  ::umask(old);
  ASSERT_OK(s);
  EXPECT_EQ(ModeOf(Path("k.pem")), 0600u);
  EXPECT_EQ(ReadAll(Path("k.pem")), kTest1PrivatePem);
}

TEST_F(KeyFileTest, PrivateKeyFileHasMode0600WithRestrictiveUmask) {
  mode_t old = ::umask(0277);
  base::Status s = Test1Key().SaveFile(Path("k.pem"));
  ::umask(old);
  ASSERT_OK(s);
  EXPECT_EQ(ModeOf(Path("k.pem")), 0600u);
}

TEST_F(KeyFileTest, PublicKeyFileHasMode0644) {
  mode_t old = ::umask(0);
  base::Status s = Test1Key().public_key().SaveFile(Path("k.pub"));
  ::umask(old);
  ASSERT_OK(s);
  EXPECT_EQ(ModeOf(Path("k.pub")), 0644u);
  EXPECT_EQ(ReadAll(Path("k.pub")), kTest1PublicPem);
}

TEST_F(KeyFileTest, SaveWithoutOverwriteRefusesExistingFileAndKeepsIt) {
  WriteAll(Path("k.pem"), "precious");
  EXPECT_THAT(Test1Key().SaveFile(Path("k.pem")),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("k.pem already exists")));
  EXPECT_EQ(ReadAll(Path("k.pem")), "precious");
  EXPECT_THAT(ListDir(), ::testing::ElementsAre("k.pem"));  // no temporary file left behind
}

TEST_F(KeyFileTest, SaveWithOverwriteReplacesFileAndLeavesNoTemporary) {
  WriteAll(Path("k.pem"), "old");
  ::chmod(Path("k.pem").c_str(), 0644);
  ASSERT_OK(Test1Key().SaveFile(Path("k.pem"), /*overwrite=*/true));
  EXPECT_EQ(ReadAll(Path("k.pem")), kTest1PrivatePem);
  EXPECT_EQ(ModeOf(Path("k.pem")), 0600u);
  EXPECT_THAT(ListDir(), ::testing::ElementsAre("k.pem"));
}

TEST_F(KeyFileTest, SaveIntoMissingDirectoryIsNotFound) {
  EXPECT_THAT(Test1Key().SaveFile(Path("nodir/k.pem")),
              StatusIs(StatusCode::kNotFound, HasSubstr("nodir")));
}

TEST_F(KeyFileTest, SavedKeyLoadsBack) {
  SigningKey k = SigningKey::Generate();
  ASSERT_OK(k.SaveFile(Path("k.pem")));
  ASSERT_OK(k.public_key().SaveFile(Path("k.pub")));
  ASSERT_OK_AND_ASSIGN(SigningKey back, SigningKey::LoadFile(Path("k.pem")));
  EXPECT_EQ(back.seed(), k.seed());
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::LoadFile(Path("k.pub")));
  EXPECT_EQ(pub, k.public_key());
}

TEST_F(KeyFileTest, LoadMissingFileIsNotFound) {
  EXPECT_THAT(SigningKey::LoadFile(Path("absent.pem")),
              StatusIs(StatusCode::kNotFound, HasSubstr("absent.pem")));
  EXPECT_THAT(PublicKey::LoadFile(Path("absent.pub")),
              StatusIs(StatusCode::kNotFound, HasSubstr("absent.pub")));
}

TEST_F(KeyFileTest, LoadUnreadableFileIsPermissionDenied) {
  ASSERT_OK(Test1Key().SaveFile(Path("k.pem")));
  ASSERT_EQ(::chmod(Path("k.pem").c_str(), 0), 0);
  if (::geteuid() != 0) {
    EXPECT_THAT(SigningKey::LoadFile(Path("k.pem")),
                StatusIs(StatusCode::kPermissionDenied, HasSubstr("k.pem")));
    return;
  }
  // root reads mode-0 files, so load from a child that has dropped to nobody (65534); the
  // child reports the status code as its exit code.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(100);
    auto r = SigningKey::LoadFile(Path("k.pem"));
    ::_exit(static_cast<int>(r.status().code()));
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), static_cast<int>(StatusCode::kPermissionDenied));
}

TEST_F(KeyFileTest, LoadDirectoryIsInvalidArgument) {
  EXPECT_THAT(SigningKey::LoadFile(dir_),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
}

TEST_F(KeyFileTest, LoadOversizedFileIsInvalidArgument) {
  WriteAll(Path("big.pem"), std::string(100000, 'A'));
  EXPECT_THAT(SigningKey::LoadFile(Path("big.pem")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("file too large")));
}

TEST_F(KeyFileTest, LoadErrorNamesTheFile) {
  WriteAll(Path("bad.pem"), "garbage");
  EXPECT_THAT(SigningKey::LoadFile(Path("bad.pem")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("bad.pem: not PEM")));
}

// ---- Interoperability with the openssl command line ------------------------------------------

TEST_F(KeyFileTest, LoadsKeyGeneratedByOpenssl) {
  ASSERT_EQ(Run("openssl genpkey -algorithm ed25519 -out '" + Path("o.pem") + "'"), 0);
  ASSERT_EQ(Run("openssl pkey -in '" + Path("o.pem") + "' -pubout -out '" + Path("o.pub") + "'"),
            0);
  ASSERT_OK_AND_ASSIGN(SigningKey key, SigningKey::LoadFile(Path("o.pem")));
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::LoadFile(Path("o.pub")));
  EXPECT_EQ(key.public_key(), pub);
  // Byte-identical re-encoding: we write what openssl writes.
  EXPECT_EQ(key.ToPem(), ReadAll(Path("o.pem")));
  EXPECT_EQ(pub.ToPem(), ReadAll(Path("o.pub")));
}

TEST_F(KeyFileTest, OpensslReadsOurPrivateKeyFile) {
  SigningKey key = SigningKey::Generate();
  ASSERT_OK(key.SaveFile(Path("k.pem")));
  std::string out;
  ASSERT_EQ(Run("openssl pkey -in '" + Path("k.pem") + "' -pubout", &out), 0);
  EXPECT_EQ(out, key.public_key().ToPem());
  ASSERT_EQ(Run("openssl pkey -in '" + Path("k.pem") + "' -noout -text", &out), 0);
  EXPECT_THAT(out, HasSubstr("ED25519 Private-Key"));
}

TEST_F(KeyFileTest, OpensslReadsOurPublicKeyFile) {
  SigningKey key = SigningKey::Generate();
  ASSERT_OK(key.public_key().SaveFile(Path("k.pub")));
  std::string out;
  ASSERT_EQ(Run("openssl pkey -pubin -in '" + Path("k.pub") + "'", &out), 0);
  EXPECT_EQ(out, key.public_key().ToPem());
}

TEST_F(KeyFileTest, OpensslVerifiesOurSignature) {
  SigningKey key = SigningKey::Generate();
  ASSERT_OK(key.public_key().SaveFile(Path("k.pub")));
  std::string msg = "signed by detente";
  WriteAll(Path("msg"), msg);
  Signature sig = key.Sign(msg);
  WriteAll(Path("sig"), base::AsChars(sig));
  std::string out;
  ASSERT_EQ(Run("openssl pkeyutl -verify -pubin -inkey '" + Path("k.pub") + "' -rawin -in '" +
                    Path("msg") + "' -sigfile '" + Path("sig") + "'",
                &out),
            0);
  EXPECT_THAT(out, HasSubstr("Signature Verified Successfully"));
}

TEST_F(KeyFileTest, WeVerifyOpensslSignatureWithOurKeyFile) {
  SigningKey key = SigningKey::Generate();
  ASSERT_OK(key.SaveFile(Path("k.pem")));
  WriteAll(Path("msg"), "signed by openssl");
  ASSERT_EQ(Run("openssl pkeyutl -sign -inkey '" + Path("k.pem") + "' -rawin -in '" + Path("msg") +
                "' -out '" + Path("sig") + "'"),
            0);
  std::string sig = ReadAll(Path("sig"));
  ASSERT_EQ(sig.size(), kEd25519SignatureSize);
  EXPECT_TRUE(key.public_key().Verify("signed by openssl", base::AsBytes(sig)));
  // Deterministic signatures: openssl and libsodium produce the same bytes.
  EXPECT_EQ(base::AsChars(key.Sign("signed by openssl")), sig);
}

}  // namespace
}  // namespace detente::crypto
