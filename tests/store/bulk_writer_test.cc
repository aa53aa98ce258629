// Tests for BulkInsert/BulkWriter: large loads, transaction ownership, visibility and errors.
// Run on both backends (TEST_P); SQLite inserts row by row, PostgreSQL sends COPY batches, so
// a failing row is reported by Add on SQLite and by the Add that flushes (or Finish) on
// PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace detente::store {
namespace {

using base::StatusCode;
using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class BulkWriterTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
    ASSERT_OK(conn_->ExecScript(is_postgres()
                                    ? "CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT, b BYTEA)"
                                    : "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT, b BLOB)"));
  }
  int64_t Count(Connection& c) { return QueryInt(c, "SELECT count(*) FROM t"); }

  std::unique_ptr<Connection> conn_;
};

TEST_P(BulkWriterTest, HundredThousandRowsInOwnTransaction) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k", "v", "b"}));
  EXPECT_TRUE(conn_->in_transaction());
  constexpr int64_t kRows = 100'000;
  for (int64_t i = 0; i < kRows; ++i) {
    uint8_t raw[2] = {static_cast<uint8_t>(i), 0};
    ASSERT_OK(w->Add({i, "row" + std::to_string(i), ByteView(raw, 2)}));
  }
  EXPECT_THAT(w->Finish(), IsOkAndHolds(kRows));
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), kRows);
  EXPECT_EQ(QueryText(*conn_, "SELECT v FROM t WHERE k = $1", {int64_t{77777}}), "row77777");
  EXPECT_EQ(QueryInt(*conn_, "SELECT sum(length(b)) FROM t"), 2 * kRows);
}

TEST_P(BulkWriterTest, ColumnsMayBeGivenInAnyOrder) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"v", "k"}));
  ASSERT_OK(w->Add({"seven", 7}));
  ASSERT_OK(w->Finish().status());
  EXPECT_EQ(QueryText(*conn_, "SELECT v FROM t WHERE k = 7"), "seven");
}

TEST_P(BulkWriterTest, InsideCallerTransactionRowsAppearOnlyAtCommit) {
  auto reader = Open();
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
  for (int i = 0; i < 10; ++i) ASSERT_OK(w->Add({i}));
  EXPECT_THAT(w->Finish(), IsOkAndHolds(10));
  EXPECT_TRUE(conn_->in_transaction());  // Finish does not commit the caller's transaction
  EXPECT_EQ(Count(*reader), 0);
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(Count(*reader), 10);
}

TEST_P(BulkWriterTest, CallerRollbackDiscardsRows) {
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
    ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
    ASSERT_OK(w->Add({1}));
    ASSERT_OK(w->Finish().status());
  }
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_P(BulkWriterTest, DestroyedWithoutFinishRollsBackItsOwnTransaction) {
  {
    ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
    ASSERT_OK(w->Add({1}));
  }
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), 0);
}

// SQLite reports a duplicate at the Add that inserts it; PostgreSQL when the COPY carrying it is
// flushed (here Finish). Either way the writer's own transaction is rolled back, nothing is
// written, and the writer stays unusable, naming the row.
TEST_P(BulkWriterTest, DuplicateKeyIsAlreadyExistsAndRollsBackOwnTransaction) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
  ASSERT_OK(w->Add({1}));
  if (is_postgres()) {
    ASSERT_OK(w->Add({2}));
    ASSERT_OK(w->Add({1}));
    EXPECT_THAT(w->Finish(), StatusIs(StatusCode::kAlreadyExists,
                                      AllOf(HasSubstr("BulkWriter row 2"), HasSubstr("23505"))));
    EXPECT_FALSE(conn_->in_transaction());
    EXPECT_THAT(w->Add({3}), StatusIs(StatusCode::kAlreadyExists, HasSubstr("row 2")));
  } else {
    EXPECT_THAT(w->Add({1}), StatusIs(StatusCode::kAlreadyExists, HasSubstr("BulkWriter row 1")));
    EXPECT_FALSE(conn_->in_transaction());
    EXPECT_THAT(w->Add({2}), StatusIs(StatusCode::kAlreadyExists, HasSubstr("BulkWriter row 1")));
    EXPECT_THAT(w->Finish(), StatusIs(StatusCode::kAlreadyExists, HasSubstr("UNIQUE")));
  }
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_P(BulkWriterTest, WrongRowWidthIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k", "v"}));
  EXPECT_THAT(w->Add({1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("1 values, expected 2")));
}

TEST_P(BulkWriterTest, AddAfterFinishIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
  ASSERT_OK(w->Finish().status());
  EXPECT_THAT(w->Add({1}), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("after Finish")));
  EXPECT_THAT(w->Finish(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("twice")));
}

TEST_P(BulkWriterTest, NonIdentifierNamesAreInvalidArgument) {
  EXPECT_THAT(conn_->BulkInsert("t; DROP TABLE t", {"k"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("table name")));
  EXPECT_THAT(conn_->BulkInsert("t", {"k\"x"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column name")));
  EXPECT_THAT(conn_->BulkInsert("t", {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("0 columns")));
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_P(BulkWriterTest, UnknownTableIsInvalidArgument) {
  EXPECT_THAT(conn_->BulkInsert("nosuch", {"k"}),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr(is_postgres() ? "relation \"nosuch\" does not exist"
                                               : "no such table: nosuch")));
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_P(BulkWriterTest, UnknownColumnIsInvalidArgument) {
  EXPECT_THAT(conn_->BulkInsert("t", {"k", "nosuch"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nosuch")));
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_P(BulkWriterTest, NullsAndEmptyValuesRoundTrip) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k", "v", "b"}));
  ASSERT_OK(w->Add({1, nullptr, nullptr}));
  ASSERT_OK(w->Add({2, "", Bytes{}}));
  ASSERT_OK(w->Finish().status());
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT v, b FROM t ORDER BY k"));
  ASSERT_TRUE(rows->Next());
  EXPECT_TRUE(rows->IsNull(0));
  EXPECT_TRUE(rows->IsNull(1));
  ASSERT_TRUE(rows->Next());
  EXPECT_FALSE(rows->IsNull(0));
  EXPECT_FALSE(rows->IsNull(1));
  EXPECT_EQ(rows->Text(0), "");
  EXPECT_TRUE(rows->Blob(1).empty());
}

// ---- ExecBatch (pipelined on PostgreSQL) ------------------------------------------------------

constexpr std::string_view kInsertKV = "INSERT INTO t (k, v) VALUES ($1, $2)";

std::vector<std::vector<Value>> KvRows(int64_t n, int64_t duplicate_at = -1) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<Value> row;
    row.emplace_back(i == duplicate_at ? int64_t{0} : i);
    if (i % 100 == 7) {
      row.emplace_back();  // a NULL: another value-type signature mid-batch
    } else {
      std::string v = std::to_string(i);
      v.insert(v.begin(), 'v');  // (not "v" + ...: g++ 12 -Wrestrict false positive)
      row.emplace_back(std::move(v));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST_P(BulkWriterTest, ExecBatchAppliesEveryRowAcrossChunks) {
  auto rows = KvRows(2000);
  EXPECT_THAT(conn_->ExecBatch(kInsertKV, rows), IsOkAndHolds(2000));
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), 2000);
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM t WHERE v IS NULL"), 20);
  EXPECT_EQ(QueryText(*conn_, "SELECT v FROM t WHERE k = 1999"), "v1999");
  std::vector<std::vector<Value>> updates = {{Value(10)}, {Value(20)}};
  EXPECT_THAT(conn_->ExecBatch("UPDATE t SET v = 'x' WHERE k < $1", updates), IsOkAndHolds(30));
}

TEST_P(BulkWriterTest, ExecBatchFailureAppliesNothing) {
  auto rows = KvRows(1500, /*duplicate_at=*/1200);
  EXPECT_THAT(conn_->ExecBatch(kInsertKV, rows),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("ExecBatch row 1200")));
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_P(BulkWriterTest, ExecBatchFailureInsideTransactionUndoesOnlyTheBatch) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK(conn_->Exec("INSERT INTO t (k) VALUES (-1)").status());
  auto rows = KvRows(600, /*duplicate_at=*/550);
  EXPECT_THAT(conn_->ExecBatch(kInsertKV, rows),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("ExecBatch row 550")));
  EXPECT_TRUE(conn_->in_transaction());
  auto three = KvRows(3);
  EXPECT_THAT(conn_->ExecBatch(kInsertKV, three), IsOkAndHolds(3));
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(Count(*conn_), 4);
}

TEST_P(BulkWriterTest, ExecBatchWrongValueCountIsInvalidArgument) {
  std::vector<std::vector<Value>> rows = {{Value(1), Value("a")}, {Value(2)}};
  EXPECT_THAT(conn_->ExecBatch(kInsertKV, rows),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("ExecBatch row 1"), HasSubstr("2 placeholders but 1"))));
  EXPECT_EQ(Count(*conn_), 0);
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_P(BulkWriterTest, ExecBatchOfNothingIsZero) {
  std::vector<std::vector<Value>> none;
  EXPECT_THAT(conn_->ExecBatch(kInsertKV, none), IsOkAndHolds(0));
}

INSTANTIATE_TEST_SUITE_P(Backends, BulkWriterTest, ::testing::ValuesIn(TestBackends()),
                         BackendName);

}  // namespace
}  // namespace detente::store
