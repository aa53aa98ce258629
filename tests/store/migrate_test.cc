// Tests for Migrate(): applied once, idempotent, incremental, per-module, refusing a newer
// database and non-contiguous versions, and rolling back a failing migration. Run on both
// backends (TEST_P); kLedger1 has a PostgreSQL variant (BYTEA for BLOB).
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace detente::store {
namespace {

using base::StatusCode;
using ::detente::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

const Migration kLedger1{"ledger", 1, "entries table",
                         "CREATE TABLE ledger_entries (seq INTEGER PRIMARY KEY, body BLOB)",
                         "CREATE TABLE ledger_entries (seq BIGINT PRIMARY KEY, body BYTEA)"};
const Migration kLedger2{"ledger", 2, "entries index",
                         "CREATE INDEX ledger_entries_body ON ledger_entries (body)", ""};
const Migration kTaxii1{"taxii", 1, "objects table",
                        "CREATE TABLE taxii_objects (id TEXT PRIMARY KEY);"
                        "INSERT INTO taxii_objects VALUES ('seed')",
                        ""};

class MigrateTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
  }
  int64_t Version(std::string_view module) {
    return QueryInt(*conn_,
                    "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE module = $1",
                    {Value(module)});
  }
  bool TableExists(std::string_view name) { return RelationExists(*conn_, name); }

  std::unique_ptr<Connection> conn_;
};

TEST_P(MigrateTest, AppliesAllMigrationsAndRecordsThem) {
  std::vector<Migration> all = {kLedger1, kLedger2, kTaxii1};
  ASSERT_OK(Migrate(*conn_, all));
  EXPECT_TRUE(TableExists("ledger_entries"));
  EXPECT_TRUE(TableExists("ledger_entries_body"));
  EXPECT_TRUE(TableExists("taxii_objects"));
  EXPECT_EQ(Version("ledger"), 2);
  EXPECT_EQ(Version("taxii"), 1);
  EXPECT_EQ(QueryText(*conn_,
                      "SELECT description FROM schema_migrations WHERE module = 'ledger' "
                      "AND version = 2"),
            "entries index");
  EXPECT_THAT(QueryText(*conn_, "SELECT applied_at FROM schema_migrations LIMIT 1"),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"));
}

TEST_P(MigrateTest, SecondRunIsANoOp) {
  std::vector<Migration> all = {kLedger1, kLedger2, kTaxii1};
  ASSERT_OK(Migrate(*conn_, all));
  ASSERT_OK(Migrate(*conn_, all));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM schema_migrations"), 3);
  // kTaxii1's INSERT ran once only.
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM taxii_objects"), 1);
}

TEST_P(MigrateTest, GivenInAnyOrderTheyApplyInVersionOrder) {
  std::vector<Migration> shuffled = {kLedger2, kTaxii1, kLedger1};
  ASSERT_OK(Migrate(*conn_, shuffled));
  EXPECT_EQ(Version("ledger"), 2);
}

TEST_P(MigrateTest, NewMigrationsApplyIncrementally) {
  std::vector<Migration> v1 = {kLedger1};
  ASSERT_OK(Migrate(*conn_, v1));
  EXPECT_EQ(Version("ledger"), 1);
  EXPECT_FALSE(TableExists("ledger_entries_body"));
  std::vector<Migration> v2 = {kLedger1, kLedger2};
  ASSERT_OK(Migrate(*conn_, v2));
  EXPECT_EQ(Version("ledger"), 2);
  EXPECT_TRUE(TableExists("ledger_entries_body"));
}

TEST_P(MigrateTest, DatabaseNewerThanBinaryIsFailedPrecondition) {
  std::vector<Migration> v2 = {kLedger1, kLedger2};
  ASSERT_OK(Migrate(*conn_, v2));
  std::vector<Migration> v1 = {kLedger1};
  EXPECT_THAT(Migrate(*conn_, v1),
              StatusIs(StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("module 'ledger' at schema version 2"),
                             HasSubstr("newer than the latest this binary knows (1)"))));
}

TEST_P(MigrateTest, ModulesAreIndependent) {
  std::vector<Migration> ledger = {kLedger1, kLedger2};
  ASSERT_OK(Migrate(*conn_, ledger));
  std::vector<Migration> taxii = {kTaxii1};
  ASSERT_OK(Migrate(*conn_, taxii));  // ledger being at v2 does not matter to taxii
  EXPECT_EQ(Version("ledger"), 2);
  EXPECT_EQ(Version("taxii"), 1);
  std::vector<Migration> ledger_only_v1_and_taxii = {kTaxii1};
  EXPECT_OK(Migrate(*conn_, ledger_only_v1_and_taxii));
}

TEST_P(MigrateTest, GapInGivenVersionsIsFailedPrecondition) {
  std::vector<Migration> gap = {kLedger1, Migration{"ledger", 3, "three", "SELECT 1", ""}};
  EXPECT_THAT(Migrate(*conn_, gap),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("'ledger' are not contiguous from 1: expected version 2, got 3")));
  EXPECT_FALSE(TableExists("ledger_entries"));  // validated before anything is applied
}

TEST_P(MigrateTest, DuplicateGivenVersionIsFailedPrecondition) {
  std::vector<Migration> dup = {kLedger1, kLedger1};
  EXPECT_THAT(Migrate(*conn_, dup),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("expected version 2, got 1")));
}

TEST_P(MigrateTest, GapInRecordedVersionsIsFailedPrecondition) {
  std::vector<Migration> v1 = {kLedger1};
  ASSERT_OK(Migrate(*conn_, v1));
  ASSERT_OK(conn_->Exec("INSERT INTO schema_migrations VALUES ('ledger', 3, 'x', 'now')").status());
  std::vector<Migration> v2 = {kLedger1, kLedger2};
  EXPECT_THAT(Migrate(*conn_, v2),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("schema_migrations for module 'ledger' is not contiguous")));
}

TEST_P(MigrateTest, FailingMigrationIsRolledBackAndReported) {
  Migration bad{"ledger", 2, "half-broken",
                "CREATE TABLE ledger_extra (x INTEGER); CREATE TABEL oops (x)", ""};
  std::vector<Migration> list = {kLedger1, bad};
  EXPECT_THAT(Migrate(*conn_, list), StatusIs(StatusCode::kInvalidArgument,
                                              AllOf(HasSubstr("migration ledger v2 (half-broken)"),
                                                    HasSubstr("syntax error"))));
  EXPECT_EQ(Version("ledger"), 1);            // v1 committed on its own
  EXPECT_FALSE(TableExists("ledger_extra"));  // v2's first statement was rolled back
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_P(MigrateTest, InsideTransactionIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  std::vector<Migration> v1 = {kLedger1};
  EXPECT_THAT(Migrate(*conn_, v1),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("a transaction is open")));
}

TEST_P(MigrateTest, TwoConnectionsMigratingTheSameFileApplyOnce) {
  auto other = Open();
  std::vector<Migration> all = {kLedger1, kLedger2, kTaxii1};
  ASSERT_OK(Migrate(*conn_, all));
  ASSERT_OK(Migrate(*other, all));
  EXPECT_EQ(QueryInt(*other, "SELECT count(*) FROM taxii_objects"), 1);
  EXPECT_EQ(QueryInt(*other, "SELECT count(*) FROM schema_migrations"), 3);
}

TEST_P(MigrateTest, PostgresSqlIsUsedOnPostgres) {
  std::vector<Migration> v1 = {kLedger1};
  ASSERT_OK(Migrate(*conn_, v1));
  std::string type = is_postgres() ? QueryText(*conn_,
                                               "SELECT data_type FROM information_schema.columns "
                                               "WHERE table_schema = current_schema() AND "
                                               "table_name = 'ledger_entries' AND column_name = "
                                               "'body'")
                                   : QueryText(*conn_,
                                               "SELECT type FROM pragma_table_info("
                                               "'ledger_entries') WHERE name = 'body'");
  EXPECT_EQ(type, is_postgres() ? "bytea" : "BLOB");
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrateTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace detente::store
