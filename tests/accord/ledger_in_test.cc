// ledger_in_test.cc: ledger::Log stored in a caller's connection (CreateIn, OpenIn,
// AppendInTransaction, Reload, VerifyIn), on SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accord/accord_test_util.h"
#include "ledger/ledger.h"

namespace detente::ledger {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

class LogInTest : public store::BackendTest {
 protected:
  crypto::SigningKey key_ = accord::TestKey("log");
};

TEST_P(LogInTest, CreateInThenOpenInRecoversTheState) {
  auto conn = Open();
  ASSERT_OK_AND_ASSIGN(auto log, Log::CreateIn(*conn, "example/log", key_));
  EXPECT_EQ(log->size(), 0u);
  ASSERT_OK_AND_ASSIGN(auto tx, store::Transaction::Begin(*conn));
  std::string_view entries[] = {"a", "b", "c"};
  ASSERT_OK_AND_ASSIGN(uint64_t first, log->AppendInTransaction(entries));
  EXPECT_EQ(first, 0u);
  ASSERT_OK(tx.Commit());
  log.reset();
  ASSERT_OK_AND_ASSIGN(auto reopened, Log::OpenIn(*conn, key_));
  EXPECT_EQ(reopened->size(), 3u);
  EXPECT_THAT(reopened->ReadEntry(1), ::detente::testing::IsOkAndHolds(std::string("b")));
  ASSERT_OK_AND_ASSIGN(auto report, reopened->Verify());
  EXPECT_EQ(report.entries, 3u);
  EXPECT_EQ(report.checkpoints, 2u);
}

TEST_P(LogInTest, CreateInTwiceIsAlreadyExists) {
  auto conn = Open();
  ASSERT_OK(Log::CreateIn(*conn, "example/log", key_).status());
  EXPECT_THAT(Log::CreateIn(*conn, "example/log", key_).status(),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("already holds a log")));
}

TEST_P(LogInTest, OpenInWithoutALogIsNotFound) {
  auto conn = Open();
  EXPECT_THAT(Log::OpenIn(*conn, key_).status(),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("no log")));
}

TEST_P(LogInTest, OpenInWithAnotherKeyIsDataLoss) {
  auto conn = Open();
  ASSERT_OK(Log::CreateIn(*conn, "example/log", key_).status());
  EXPECT_THAT(Log::OpenIn(*conn, accord::TestKey("other")).status(),
              StatusIs(base::StatusCode::kDataLoss, HasSubstr("does not match")));
}

TEST_P(LogInTest, AppendInTransactionWithoutATransactionFails) {
  auto conn = Open();
  ASSERT_OK_AND_ASSIGN(auto log, Log::CreateIn(*conn, "example/log", key_));
  std::string_view entries[] = {"a"};
  EXPECT_THAT(log->AppendInTransaction(entries).status(),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("no transaction")));
}

TEST_P(LogInTest, OpenInWithoutAKeyCannotAppend) {
  auto conn = Open();
  ASSERT_OK(Log::CreateIn(*conn, "example/log", key_).status());
  ASSERT_OK_AND_ASSIGN(auto log, Log::OpenIn(*conn, std::nullopt));
  ASSERT_OK(conn->Begin());
  std::string_view entries[] = {"a"};
  EXPECT_THAT(log->AppendInTransaction(entries).status(),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("without its key")));
  ASSERT_OK(conn->Rollback());
}

TEST_P(LogInTest, RollbackThenReloadForgetsTheAppend) {
  auto conn = Open();
  ASSERT_OK_AND_ASSIGN(auto log, Log::CreateIn(*conn, "example/log", key_));
  std::string_view one[] = {"kept"};
  ASSERT_OK(conn->Begin());
  ASSERT_OK(log->AppendInTransaction(one).status());
  ASSERT_OK(conn->Commit());
  Hash root1 = log->root();
  ASSERT_OK(conn->Begin());
  std::string_view two[] = {"lost", "lost too"};
  ASSERT_OK(log->AppendInTransaction(two).status());
  EXPECT_EQ(log->size(), 3u);
  ASSERT_OK(conn->Rollback());
  ASSERT_OK(log->Reload());
  EXPECT_EQ(log->size(), 1u);
  EXPECT_EQ(log->root(), root1);
  // And the log goes on from there.
  ASSERT_OK(conn->Begin());
  std::string_view three[] = {"next"};
  ASSERT_OK_AND_ASSIGN(uint64_t at, log->AppendInTransaction(three));
  ASSERT_OK(conn->Commit());
  EXPECT_EQ(at, 1u);
  ASSERT_OK_AND_ASSIGN(auto report, Log::VerifyIn(*conn));
  EXPECT_EQ(report.entries, 2u);
}

TEST_P(LogInTest, TwoLogsOnOneDatabaseAppendAlternately) {
  auto c1 = Open();
  auto c2 = Open();
  ASSERT_OK_AND_ASSIGN(auto l1, Log::CreateIn(*c1, "example/log", key_));
  ASSERT_OK_AND_ASSIGN(auto l2, Log::OpenIn(*c2, key_));
  MemoryTree expected;
  for (int i = 0; i < 300; ++i) {  // crosses a tile boundary
    Log* log = i % 3 == 0 ? l2.get() : l1.get();
    store::Connection* c = i % 3 == 0 ? c2.get() : c1.get();
    std::string e = "entry " + std::to_string(i);
    std::string_view entries[] = {e};
    ASSERT_OK(c->Begin());
    ASSERT_OK_AND_ASSIGN(uint64_t at, log->AppendInTransaction(entries));
    ASSERT_OK(c->Commit());
    EXPECT_EQ(at, static_cast<uint64_t>(i));
    expected.Append(HashLeaf(e));
  }
  ASSERT_OK(l2->Reload());
  EXPECT_EQ(l1->size(), 300u);
  EXPECT_EQ(l2->size(), 300u);
  ASSERT_OK_AND_ASSIGN(Hash want, expected.RootAt(300));
  EXPECT_EQ(l1->root(), want);
  EXPECT_EQ(l2->root(), want);
  ASSERT_OK_AND_ASSIGN(auto report, l1->Verify());
  EXPECT_EQ(report.entries, 300u);
}

TEST_P(LogInTest, VerifyInFindsATamperedEntry) {
  auto conn = Open();
  ASSERT_OK_AND_ASSIGN(auto log, Log::CreateIn(*conn, "example/log", key_));
  ASSERT_OK(conn->Begin());
  std::string_view entries[] = {"a", "b"};
  ASSERT_OK(log->AppendInTransaction(entries).status());
  ASSERT_OK(conn->Commit());
  Bytes forged;
  AppendBundleEntry(&forged, base::AsBytes("a"));
  AppendBundleEntry(&forged, base::AsBytes("X"));
  ASSERT_OK(conn->Exec("UPDATE ledger_bundles SET data = $1 WHERE id = 0",
                       {store::Value(forged)}).status());
  EXPECT_THAT(Log::VerifyIn(*conn).status(),
              StatusIs(base::StatusCode::kDataLoss, HasSubstr("entry 1")));
}

INSTANTIATE_TEST_SUITE_P(Backends, LogInTest, ::testing::ValuesIn(store::TestBackends()),
                         store::BackendName);

}  // namespace
}  // namespace detente::ledger
