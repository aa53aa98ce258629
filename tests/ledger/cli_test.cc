// Tests the `detente log`, `proof verify` and `note verify` commands (src/cli/log_cmd.cc) by
// running DETENTE_BINARY: outputs, errors on stderr, exit codes (src/cli/cli.h).
#include <stdlib.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/ledger.h"
#include "testing/cli_runner.h"
#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using ::detente::testing::CmdResult;
using ::detente::testing::Slurp;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ledger_cli_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    tmp_ = tmpl;
    dir_ = tmp_ + "/log";
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }

  // Runs `detente <args>` with `input` on stdin.
  CmdResult Detente(const std::string& args, const std::string& input = "") {
    return ::detente::testing::RunDetente(tmp_, args, input);
  }
  void Init() {
    CmdResult r = Detente("log init " + dir_ + " --origin example.com/log");
    ASSERT_EQ(r.rc, 0) << r.err;
  }

  std::string tmp_, dir_;
};

TEST_F(CliTest, AppendPrintsOneIndexPerLineIncludingEmptyAndUnterminatedLines) {
  Init();
  CmdResult r = Detente("log append " + dir_, "a\n\nc");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "{\"index\":0}\n{\"index\":1}\n{\"index\":2}\n");
  ASSERT_OK_AND_ASSIGN(auto log, Log::Open(dir_));
  EXPECT_THAT(log->ReadEntry(1), ::detente::testing::IsOkAndHolds(""));
  EXPECT_THAT(log->ReadEntry(2), ::detente::testing::IsOkAndHolds("c"));
}

TEST_F(CliTest, AppendKeepsTheCarriageReturnOfCrlfLines) {
  // An entry is the line's bytes without the "\n": a CR before it is part of the entry.
  Init();
  CmdResult r = Detente("log append " + dir_, "a\r\nb\r\n\r\nc");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_OK_AND_ASSIGN(auto log, Log::Open(dir_));
  EXPECT_EQ(log->size(), 4u);
  EXPECT_THAT(log->ReadEntry(0), ::detente::testing::IsOkAndHolds("a\r"));
  EXPECT_THAT(log->ReadEntry(2), ::detente::testing::IsOkAndHolds("\r"));
  EXPECT_THAT(log->ReadEntry(3), ::detente::testing::IsOkAndHolds("c"));
}

// A key made by `openssl genpkey -algorithm ed25519` and the verifier key its public key gives
// (computed independently, with Python's cryptography package).
constexpr char kOpensslPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIG9s7Vu4Nipi09z1Ddk0BO+QAclvwVz2ryXJfDEom3F/\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kOpensslVkey[] =
    "example.com/log1+e349b792+AUDsR8yVzAcynT2nubPjn8NbCQQx08M4fjfxMKKts/v7\n";
// A Go golang.org/x/mod/sumdb/note signer key (seed 00 01 .. 1f) and its verifier key.
constexpr char kGoSignerKey[] =
    "PRIVATE+KEY+example.com/log2+99df00a0+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n";
constexpr char kGoVkey[] =
    "example.com/log2+99df00a0+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4\n";

TEST_F(CliTest, InitAcceptsAnOpensslPemKey) {
  std::ofstream(tmp_ + "/k.pem") << kOpensslPem;
  CmdResult r = Detente("log init " + dir_ + " --origin example.com/log1 --key " + tmp_ + "/k.pem");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Detente("log vkey " + dir_).out, kOpensslVkey);
}

TEST_F(CliTest, InitAcceptsAGoNoteSignerKeyNamedAfterTheOrigin) {
  std::ofstream(tmp_ + "/go.key") << kGoSignerKey;
  CmdResult other = Detente("log init " + dir_ + " --origin other --key " + tmp_ + "/go.key");
  EXPECT_EQ(other.rc, 1);
  EXPECT_THAT(other.err, HasSubstr("differs from the origin \"other\""));
  CmdResult r =
      Detente("log init " + dir_ + " --origin example.com/log2 --key " + tmp_ + "/go.key");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Detente("log vkey " + dir_).out, kGoVkey);
}

TEST_F(CliTest, ProveOutputVerifiesWithProofVerify) {
  Init();
  ASSERT_EQ(Detente("log append " + dir_, "a\nb\nc\nd\ne\n").rc, 0);
  CmdResult prove = Detente("log prove " + dir_ + " --index 3");
  ASSERT_EQ(prove.rc, 0) << prove.err;
  EXPECT_THAT(prove.out,
              StartsWith("{\"type\":\"inclusion\",\"index\":3,\"size\":5,\"leaf_hash\":\"" +
                         HashToHex(HashLeaf(std::string_view("d"))) + "\""));
  CmdResult cons = Detente("log consistency " + dir_ + " --from 2");
  ASSERT_EQ(cons.rc, 0) << cons.err;
  EXPECT_THAT(cons.out, StartsWith("{\"type\":\"consistency\",\"size1\":2,\"size2\":5,"));
  // The printed lines are fed back unchanged.
  CmdResult v = Detente("proof verify", prove.out + cons.out);
  EXPECT_EQ(v.rc, 0) << v.out;
  EXPECT_EQ(v.out, "{\"valid\":true}\n{\"valid\":true}\n");
}

TEST_F(CliTest, ProofVerifyReportsEachBadLineAndExitsOne) {
  Hash h = HashLeaf(std::string_view("x"));
  std::string good = "{\"type\":\"inclusion\",\"leaf_hash\":\"" + HashToHex(h) +
                     "\",\"index\":0,\"size\":1,\"proof\":[],\"root\":\"" + HashToHex(h) + "\"}\n";
  std::string wrong_root = "{\"type\":\"inclusion\",\"leaf_hash\":\"" + HashToHex(h) +
                           "\",\"index\":0,\"size\":1,\"proof\":[],\"root\":\"" +
                           HashToHex(EmptyRoot()) + "\"}\n";
  std::string short_hash =
      "{\"type\":\"consistency\",\"size1\":1,\"size2\":2,\"root1\":\"00\","
      "\"root2\":\"00\",\"proof\":[]}\n";
  CmdResult v = Detente("proof verify -", good + wrong_root + "not json\n" + short_hash);
  EXPECT_EQ(v.rc, 1);
  std::istringstream out(v.out);
  std::string l1, l2, l3, l4;
  std::getline(out, l1);
  std::getline(out, l2);
  std::getline(out, l3);
  std::getline(out, l4);
  EXPECT_EQ(l1, "{\"valid\":true}");
  EXPECT_THAT(l2, HasSubstr("\"error\":\"line 2: inclusion proof does not match the root\""));
  EXPECT_THAT(l3, HasSubstr("\"error\":\"line 3: invalid JSON"));
  EXPECT_THAT(l4, HasSubstr("line 4: \\\"root1\\\": hash must be 64 hex characters"));
}

TEST_F(CliTest, EveryPrintedProofVerifiesWhenFedBack) {
  Init();
  std::string entries;
  for (int i = 0; i < 13; ++i) entries += "entry " + std::to_string(i) + "\n";
  ASSERT_EQ(Detente("log append " + dir_, entries).rc, 0);
  std::string proofs;
  for (int n = 1; n <= 13; ++n) {
    for (int i = 0; i < n; ++i) {
      CmdResult p = Detente("log prove " + dir_ + " --index " + std::to_string(i) + " --size " +
                            std::to_string(n));
      ASSERT_EQ(p.rc, 0) << p.err;
      proofs += p.out;
    }
    CmdResult c = Detente("log consistency " + dir_ + " --from " + std::to_string(n) + " --to 13");
    ASSERT_EQ(c.rc, 0) << c.err;
    proofs += c.out;
  }
  CmdResult v = Detente("proof verify", proofs);
  EXPECT_EQ(v.rc, 0) << v.out;
  EXPECT_EQ(v.out.find("false"), std::string::npos) << v.out;
}

TEST_F(CliTest, ProofVerifyRejectsUnknownFieldsAndEdgeCases) {
  Hash h = HashLeaf(std::string_view("x"));
  std::string hex = HashToHex(h);
  std::string lines =
      // 1: an unknown (misspelt) field
      "{\"type\":\"inclusion\",\"leaf_hash\":\"" + hex +
      "\",\"index\":0,\"size\":1,\"proof\":[],\"root\":\"" + hex + "\",\"sise\":1}\n" +
      // 2: size 0
      "{\"type\":\"inclusion\",\"leaf_hash\":\"" + hex +
      "\",\"index\":0,\"size\":0,\"proof\":[],\"root\":\"" + hex + "\"}\n" +
      // 3: index >= size
      "{\"type\":\"inclusion\",\"leaf_hash\":\"" + hex +
      "\",\"index\":1,\"size\":1,\"proof\":[],\"root\":\"" + hex + "\"}\n" +
      // 4: non-hex
      "{\"type\":\"inclusion\",\"leaf_hash\":\"" + std::string(64, 'z') +
      "\",\"index\":0,\"size\":1,\"proof\":[],\"root\":\"" + hex + "\"}\n" +
      // 5: missing field
      "{\"type\":\"consistency\",\"size1\":1,\"root1\":\"" + hex + "\",\"root2\":\"" + hex +
      "\",\"proof\":[]}\n";
  CmdResult v = Detente("proof verify", lines);
  EXPECT_EQ(v.rc, 1);
  std::istringstream out(v.out);
  std::vector<std::string> l(5);
  for (auto& s : l) std::getline(out, s);
  EXPECT_THAT(l[0], HasSubstr("line 1: unknown field \\\"sise\\\" in an inclusion proof"));
  for (auto& s : l) EXPECT_THAT(s, StartsWith("{\"valid\":false,\"error\":\"line "));
  EXPECT_THAT(l[4], HasSubstr("missing \\\"size2\\\""));
}

TEST_F(CliTest, NoteVerifyAcceptsKeyTextOrFileAndRejectsUnknownKeys) {
  Init();
  CmdResult cp = Detente("log checkpoint " + dir_);
  ASSERT_EQ(cp.rc, 0);
  std::string vkey = Detente("log vkey " + dir_).out;
  vkey.pop_back();
  CmdResult ok = Detente("note verify --vkey '" + vkey + "'", cp.out);
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_EQ(ok.out, "example.com/log\n0\n" + base::Base64Encode(EmptyRoot()) + "\n");
  CmdResult from_file = Detente("note verify --vkey " + dir_ + "/log.vkey -", cp.out);
  EXPECT_EQ(from_file.rc, 0) << from_file.err;
  CmdResult unknown = Detente(
      "note verify --vkey PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      cp.out);
  EXPECT_EQ(unknown.rc, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no known key verified the note"));
}

TEST_F(CliTest, NoteVerifyWithAnUnusableVkeyIsAUsageError) {
  Init();
  CmdResult cp = Detente("log checkpoint " + dir_);
  ASSERT_EQ(cp.rc, 0);
  CmdResult r = Detente("note verify --vkey nonsense", cp.out);
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("--vkey nonsense: neither a verifier key nor a readable file"));
}

TEST_F(CliTest, AppendStopsAtAnOverlongLineNamingIt) {
  Init();
  CmdResult r = Detente("log append " + dir_, "ok\n" + std::string(70000, 'a') + "\n");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "{\"index\":0}\n");
  EXPECT_THAT(r.err, HasSubstr("line 2: entry is 70000 bytes"));
}

TEST_F(CliTest, VerifyNamesTheCorruptEntry) {
  Init();
  ASSERT_EQ(Detente("log append " + dir_, "a\nb\n").rc, 0);
  EXPECT_EQ(Detente("log verify " + dir_).rc, 0);
  {
    store::Options so;
    so.url = "sqlite:" + dir_ + "/log.db";
    auto db = store::Connect(so);
    ASSERT_OK(db.status());
    ASSERT_OK((*db)
                  ->Exec("UPDATE ledger_bundles SET data = $1 WHERE id = 0",
                         {store::Value(Bytes{0, 1, 'a', 0, 1, 'B'})})
                  .status());
  }
  CmdResult r = Detente("log verify " + dir_);
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 1: stored leaf hash does not match entry bytes"));
}

TEST_F(CliTest, DirectoryAsInputFileIsAUsageError) {
  Init();
  for (const std::string& args :
       {"proof verify " + tmp_, "note verify --vkey " + dir_ + "/log.vkey " + tmp_,
        "log append " + dir_ + " " + tmp_,
        "log init " + tmp_ + "/other --origin x --key " + tmp_}) {
    CmdResult r = Detente(args);
    EXPECT_EQ(r.rc, 2) << args;
    EXPECT_THAT(r.err, HasSubstr(tmp_ + ": is a directory")) << args;
  }
}

TEST_F(CliTest, NegativeOrOverflowingIndexIsAUsageError) {
  Init();
  for (const std::string& args :
       {"log prove " + dir_ + " --index -1", "log prove " + dir_ + " --index 18446744073709551616",
        "log prove " + dir_ + " --index 0 --size -3", "log consistency " + dir_ + " --from -1",
        "log consistency " + dir_ + " --from 0 --to 1x"}) {
    CmdResult r = Detente(args);
    EXPECT_EQ(r.rc, 2) << args;
    EXPECT_THAT(r.err, HasSubstr("must be a non-negative integer below 2^64")) << args;
  }
}

TEST_F(CliTest, MissingLogIsAUsageError) {
  CmdResult r = Detente("log prove " + dir_ + " --index 0");
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("no log here"));
}

TEST_F(CliTest, ProveBeyondTheLogIsInvalid) {
  Init();
  CmdResult r = Detente("log prove " + dir_ + " --index 0");
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.err, HasSubstr("index 0 is not below size 0"));
}

}  // namespace
}  // namespace detente::ledger
