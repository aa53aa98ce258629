// Tests for transactions: the Transaction guard, nesting, and isolation and locking between
// two connections to one database (readers see committed rows only; SQLite: a second writer
// waits busy_timeout and then gets kUnavailable; PostgreSQL: a writer waiting on a row lock
// gets kUnavailable after lock_timeout = busy_timeout). Run on both backends (TEST_P).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_test_util.h"
#include "testing/status_matchers.h"

namespace detente::store {
namespace {

using base::StatusCode;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

class TransactionTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
    ASSERT_OK(conn_->ExecScript("CREATE TABLE t (x INTEGER PRIMARY KEY)"));
  }
  int64_t Count(Connection& c) { return QueryInt(c, "SELECT count(*) FROM t"); }

  std::unique_ptr<Connection> conn_;
};

TEST_P(TransactionTest, GuardRollsBackWhenDestroyedWithoutCommit) {
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
    ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (1)").status());
    EXPECT_TRUE(conn_->in_transaction());
  }
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_P(TransactionTest, GuardCommitKeepsTheRows) {
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
    ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (1)").status());
    ASSERT_OK(tx.Commit());
    EXPECT_FALSE(conn_->in_transaction());
  }
  EXPECT_EQ(Count(*conn_), 1);
}

TEST_P(TransactionTest, GuardCommitTwiceIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK(tx.Commit());
  EXPECT_THAT(tx.Commit(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already")));
}

TEST_P(TransactionTest, MovedGuardRollsBackOnce) {
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
    ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (1)").status());
    Transaction moved(std::move(tx));
  }  // `moved` rolls back; `tx` does nothing
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(Count(*conn_), 0);
}

TEST_P(TransactionTest, NestedBeginIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  EXPECT_THAT(Transaction::Begin(*conn_),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("do not nest")));
  EXPECT_THAT(conn_->Begin(Connection::TxMode::kDeferred),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already open")));
  EXPECT_TRUE(conn_->in_transaction());  // the outer transaction is untouched
}

TEST_P(TransactionTest, CommitOrRollbackWithoutTransactionIsFailedPrecondition) {
  EXPECT_THAT(conn_->Commit(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no transaction")));
  EXPECT_THAT(conn_->Rollback(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no transaction")));
}

TEST_P(TransactionTest, FailedStatementLeavesTransactionUsable) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (1)").status());
  EXPECT_THAT(conn_->Exec("INSERT INTO t VALUES (1)"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr(is_postgres() ? "t_pkey" : "t.x")));
  ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (2)").status());
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(Count(*conn_), 2);
}

TEST_P(TransactionTest, ReaderOnAnotherConnectionSeesCommittedRowsOnly) {
  auto reader = Open();
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (1)").status());
  EXPECT_EQ(Count(*reader), 0);  // the reader is not blocked and sees the committed state
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(Count(*reader), 1);
}

// PostgreSQL has no database write lock: a second writer waits only on the rows it touches,
// for lock_timeout (= Options::busy_timeout_ms), then gets kUnavailable (SQLSTATE 55P03).
TEST_P(TransactionTest, ConcurrentWriterGivesUpWithUnavailableAfterBusyTimeout) {
  if (is_postgres()) {
    ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (1)").status());
    auto other = Open({.busy_timeout_ms = 20});
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
    ASSERT_OK(conn_->Exec("UPDATE t SET x = 2 WHERE x = 1").status());  // row-locks x = 1
    ASSERT_OK_AND_ASSIGN(Transaction other_tx, Transaction::Begin(*other));
    EXPECT_OK(other->Exec("INSERT INTO t VALUES (9)").status());  // other rows: not blocked
    EXPECT_THAT(other->Exec("UPDATE t SET x = 3 WHERE x = 1"),
                StatusIs(StatusCode::kUnavailable, HasSubstr("lock timeout")));
    EXPECT_TRUE(other->in_transaction());  // the failed statement undid only itself
    ASSERT_OK(other_tx.Commit());
    ASSERT_OK(tx.Commit());
    EXPECT_EQ(Count(*conn_), 2);
  } else {
    auto other = Open({.busy_timeout_ms = 20});
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));  // holds the write lock
    EXPECT_THAT(other->Begin(Connection::TxMode::kImmediate),
                StatusIs(StatusCode::kUnavailable, HasSubstr("database is locked")));
    EXPECT_THAT(other->Exec("INSERT INTO t VALUES (9)"),
                StatusIs(StatusCode::kUnavailable, HasSubstr("database is locked")));
    EXPECT_FALSE(other->in_transaction());
    ASSERT_OK(tx.Commit());
    // Once the lock is released the other connection writes normally.
    EXPECT_OK(other->Exec("INSERT INTO t VALUES (9)").status());
  }
}


TEST_P(TransactionTest, DeferredTransactionReadsWithoutTakingTheWriteLock) {
  auto other = Open({.busy_timeout_ms = 20});
  ASSERT_OK_AND_ASSIGN(Transaction read_tx,
                       Transaction::Begin(*conn_, Connection::TxMode::kDeferred));
  EXPECT_EQ(Count(*conn_), 0);
  EXPECT_OK(other->Exec("INSERT INTO t VALUES (1)").status());  // not blocked by the reader
  EXPECT_EQ(Count(*conn_), 0);  // snapshot isolation inside the read transaction
  ASSERT_OK(read_tx.Commit());
  EXPECT_EQ(Count(*conn_), 1);
}



INSTANTIATE_TEST_SUITE_P(Backends, TransactionTest, ::testing::ValuesIn(TestBackends()),
                         BackendName);

}  // namespace
}  // namespace detente::store
