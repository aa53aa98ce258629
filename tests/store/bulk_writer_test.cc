// Tests for BulkInsert/BulkWriter: large loads, transaction ownership, visibility and errors.
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
using ::testing::HasSubstr;

class BulkWriterTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
    ASSERT_OK(conn_->ExecScript("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT, b BLOB)"));
  }
  int64_t Count(Connection& c) { return QueryInt(c, "SELECT count(*) FROM t"); }

  std::unique_ptr<Connection> conn_;
};

TEST_F(BulkWriterTest, HundredThousandRowsInOwnTransaction) {
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

TEST_F(BulkWriterTest, ColumnsMayBeGivenInAnyOrder) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"v", "k"}));
  ASSERT_OK(w->Add({"seven", 7}));
  ASSERT_OK(w->Finish().status());
  EXPECT_EQ(QueryText(*conn_, "SELECT v FROM t WHERE k = 7"), "seven");
}

TEST_F(BulkWriterTest, InsideCallerTransactionRowsAppearOnlyAtCommit) {
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

TEST_F(BulkWriterTest, CallerRollbackDiscardsRows) {
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
    ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
    ASSERT_OK(w->Add({1}));
    ASSERT_OK(w->Finish().status());
  }
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_F(BulkWriterTest, DestroyedWithoutFinishRollsBackItsOwnTransaction) {
  {
    ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
    ASSERT_OK(w->Add({1}));
  }
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_F(BulkWriterTest, DuplicateKeyIsAlreadyExistsAndRollsBackOwnTransaction) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
  ASSERT_OK(w->Add({1}));
  EXPECT_THAT(w->Add({1}), StatusIs(StatusCode::kAlreadyExists, HasSubstr("BulkWriter row 1")));
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_THAT(w->Add({2}),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("BulkWriter row 1")));  // unusable now
  EXPECT_THAT(w->Finish(), StatusIs(StatusCode::kAlreadyExists, HasSubstr("UNIQUE")));
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_F(BulkWriterTest, WrongRowWidthIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k", "v"}));
  EXPECT_THAT(w->Add({1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("1 values, expected 2")));
}

TEST_F(BulkWriterTest, AddAfterFinishIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("t", {"k"}));
  ASSERT_OK(w->Finish().status());
  EXPECT_THAT(w->Add({1}), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("after Finish")));
  EXPECT_THAT(w->Finish(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("twice")));
}

TEST_F(BulkWriterTest, NonIdentifierNamesAreInvalidArgument) {
  EXPECT_THAT(conn_->BulkInsert("t; DROP TABLE t", {"k"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("table name")));
  EXPECT_THAT(conn_->BulkInsert("t", {"k\"x"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column name")));
  EXPECT_THAT(conn_->BulkInsert("t", {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("0 columns")));
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_F(BulkWriterTest, UnknownTableIsInvalidArgument) {
  EXPECT_THAT(conn_->BulkInsert("nosuch", {"k"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no such table: nosuch")));
  EXPECT_FALSE(conn_->in_transaction());
}

}  // namespace
}  // namespace detente::store
