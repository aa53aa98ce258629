// Tests for the PostgreSQL Connection: value types and column conversions, $N placeholders,
// SQLSTATE -> StatusCode mapping, statement-level rollback inside transactions, the statement
// cache, large result sets, COPY-based bulk loading, and a lost connection. Runs in
// store_pg_test against the binary's private cluster (testing/pg_cluster.h).
#include <cmath>
#include <limits>
#include <thread>

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
using ::testing::Not;

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(db_.Create(Backend::kPostgres));
    conn_ = db_.Open();
    ASSERT_NE(conn_, nullptr);
    ASSERT_OK(conn_->ExecScript(
        "CREATE TABLE v (id BIGSERIAL PRIMARY KEY, i BIGINT, i4 INTEGER, i2 SMALLINT, "
        "d DOUBLE PRECISION, r REAL, t TEXT, vc VARCHAR(100), b BYTEA, f BOOLEAN, n NUMERIC);"
        "CREATE TABLE u (k TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0));"
        "CREATE TABLE p (id BIGINT PRIMARY KEY);"
        "CREATE TABLE ch (p BIGINT NOT NULL REFERENCES p (id))"));
  }

  // Inserts one row of `v` with `column` = `value` and reads `column` back.
  std::unique_ptr<Rows> RoundTrip(std::string_view column, Value value) {
    std::string col(column);
    auto id = conn_->Query("INSERT INTO v (" + col + ") VALUES ($1) RETURNING id", {value});
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok() || !(*id)->Next()) return nullptr;
    auto rows = conn_->Query("SELECT " + col + " FROM v WHERE id = $1", {(*id)->Int64(0)});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return nullptr;
    EXPECT_TRUE((*rows)->Next());
    return std::move(rows).value();
  }

  TestDb db_;
  std::unique_ptr<Connection> conn_;
};

// ---- Types ---------------------------------------------------------------------------------

TEST_F(PgConnectionTest, BackendIsPostgres) { EXPECT_EQ(conn_->backend(), Backend::kPostgres); }

TEST_F(PgConnectionTest, BigintExtremesRoundTrip) {
  for (int64_t x : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                    std::numeric_limits<int64_t>::max()}) {
    auto r = RoundTrip("i", x);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->Int64(0), x);
  }
}

TEST_F(PgConnectionTest, IntegerAndSmallintColumnsTakeInt64AndReadAsInt64) {
  EXPECT_EQ(RoundTrip("i4", -2147483648)->Int64(0), -2147483648);
  EXPECT_EQ(RoundTrip("i2", 32767)->Int64(0), 32767);
}

TEST_F(PgConnectionTest, Int64OutOfRangeForIntegerColumnIsInvalidArgument) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i4) VALUES ($1)", {int64_t{1} << 40}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("integer out of range")));
}

TEST_F(PgConnectionTest, DoubleAndRealRoundTrip) {
  EXPECT_EQ(RoundTrip("d", 3.25e-300)->Double(0), 3.25e-300);
  EXPECT_EQ(RoundTrip("d", 0.1)->Double(0), 0.1);
  EXPECT_EQ(RoundTrip("r", 1.5)->Double(0), 1.5);
  EXPECT_EQ(RoundTrip("d", std::numeric_limits<double>::infinity())->Double(0),
            std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(RoundTrip("d", std::nan(""))->Double(0)));
}

TEST_F(PgConnectionTest, TextAndVarcharWithUtf8RoundTrip) {
  std::string text = "d\xc3\xa9tente \xe2\x9c\x93 'quoted' \\ back\ttab";
  EXPECT_EQ(RoundTrip("t", Value(text))->Text(0), text);
  EXPECT_EQ(RoundTrip("vc", Value(text))->Text(0), text);
}

TEST_F(PgConnectionTest, TextWithNulIsInvalidArgument) {
  std::string text = std::string("a") + std::string(1, '\0') + "b";
  EXPECT_THAT(conn_->Exec("INSERT INTO v (t) VALUES ($1)", {Value(text)}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("0x00")));
}

TEST_F(PgConnectionTest, InvalidUtf8TextIsInvalidArgument) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (t) VALUES ($1)", {Value(std::string("\xff\xfe"))}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("UTF8")));
}

TEST_F(PgConnectionTest, EmptyTextAndEmptyByteaAreNotNull) {
  auto t = RoundTrip("t", "");
  EXPECT_FALSE(t->IsNull(0));
  EXPECT_EQ(t->Text(0), "");
  auto b = RoundTrip("b", Bytes{});
  EXPECT_FALSE(b->IsNull(0));
  EXPECT_TRUE(b->Blob(0).empty());
}

TEST_F(PgConnectionTest, ByteaWithNulsRoundTripsAndTextGivesTheSameBytes) {
  Bytes blob = {0, 1, 0, 255, 0, '\\', 'x', 0};
  auto r = RoundTrip("b", blob);
  ByteView got = r->Blob(0);
  EXPECT_EQ(Bytes(got.begin(), got.end()), blob);
  EXPECT_EQ(r->Text(0), std::string(reinterpret_cast<const char*>(blob.data()), blob.size()));
}

TEST_F(PgConnectionTest, LargeByteaAndTextRoundTrip) {
  Bytes blob(16 << 20);
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<uint8_t>(i * 131 + (i >> 13));
  std::string text(4 << 20, 'x');
  auto r = RoundTrip("b", blob);
  ByteView got = r->Blob(0);
  ASSERT_EQ(got.size(), blob.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), blob.begin()));
  EXPECT_EQ(RoundTrip("t", Value(text))->Text(0), text);
}

TEST_F(PgConnectionTest, BooleanReadsAsOneOrZero) {
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT true, false, 1 = 1"));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Int64(0), 1);
  EXPECT_EQ(rows->Int64(1), 0);
  EXPECT_EQ(rows->Text(2), "t");
}

TEST_F(PgConnectionTest, NumericReadsAsInt64TruncatedAndAsDouble) {
  ASSERT_OK_AND_ASSIGN(auto rows,
                       conn_->Query("SELECT 12345678901234::numeric, 2.75::numeric, sum(x) "
                                    "FROM (VALUES (9223372036854775807::bigint), (1)) s(x)"));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Int64(0), 12345678901234);
  EXPECT_EQ(rows->Int64(1), 2);
  EXPECT_EQ(rows->Double(1), 2.75);
  EXPECT_EQ(rows->Text(2), "9223372036854775808");                 // sum(bigint) is NUMERIC
  EXPECT_EQ(rows->Int64(2), std::numeric_limits<int64_t>::max());  // saturates
}

TEST_F(PgConnectionTest, NullParameterTypeIsInferredFromContext) {
  for (std::string_view col : {"i", "d", "t", "b", "f"}) {
    auto r = RoundTrip(col, nullptr);
    ASSERT_NE(r, nullptr) << col;
    EXPECT_TRUE(r->IsNull(0)) << col;
    EXPECT_EQ(r->Int64(0), 0);
    EXPECT_EQ(r->Text(0), "");
  }
}

TEST_F(PgConnectionTest, SameSqlWithDifferentValueTypesUsesSeparateStatements) {
  constexpr std::string_view kSql = "INSERT INTO v (i4) VALUES ($1)";
  EXPECT_OK(conn_->Exec(kSql, {5}).status());
  EXPECT_OK(conn_->Exec(kSql, {nullptr}).status());
  EXPECT_OK(conn_->Exec(kSql, {2.0}).status());
  EXPECT_OK(conn_->Exec(kSql, {5}).status());
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(i4) FROM v"), 3);
}

// ---- Placeholders --------------------------------------------------------------------------

TEST_F(PgConnectionTest, PlaceholdersOutOfOrderAndRepeated) {
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT $2, $1 * 10 + $1", {4, "two"}));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Text(0), "two");
  EXPECT_EQ(rows->Int64(1), 44);
}

TEST_F(PgConnectionTest, DollarSignsInLiteralsCommentsAndNamesAreNotPlaceholders) {
  ASSERT_OK_AND_ASSIGN(
      auto rows,
      conn_->Query("SELECT '$2', E'\\'$3', $q$ $4 $q$, $$ $5 $$, \"a$6\".x /* $7 /* $8 */ */ "
                   "-- $9\n FROM (SELECT $1::text AS x) AS \"a$6\"",
                   {"bound"}));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Text(0), "$2");
  EXPECT_EQ(rows->Text(1), "'$3");
  EXPECT_EQ(rows->Text(2), " $4 ");
  EXPECT_EQ(rows->Text(3), " $5 ");
  EXPECT_EQ(rows->Text(4), "bound");
}

TEST_F(PgConnectionTest, PostgresCastSyntaxIsAccepted) {
  EXPECT_EQ(QueryInt(*conn_, "SELECT $1::int + 1", {41}), 42);
}

TEST_F(PgConnectionTest, PlaceholderGapIsRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i, d) VALUES ($1, $3)", {1, 2, 3}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("without gaps")));
}

TEST_F(PgConnectionTest, WrongNumberOfValuesIsRejected) {
  EXPECT_THAT(
      conn_->Exec("INSERT INTO v (i, d) VALUES ($1, $2)", {1}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("2 placeholders but 1 values were given")));
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES (1)", {1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("0 placeholders but 1")));
}

TEST_F(PgConnectionTest, SeveralStatementsInExecAreRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES (1); INSERT INTO v (i) VALUES (2)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("exactly one statement")));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM v"), 0);
  EXPECT_OK(conn_->Exec("INSERT INTO v (i) VALUES (1); -- done\n").status());
}

TEST_F(PgConnectionTest, EmptyStatementIsInvalidArgument) {
  EXPECT_THAT(conn_->Exec("  -- nothing"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty statement")));
}

// ---- Errors --------------------------------------------------------------------------------

TEST_F(PgConnectionTest, SyntaxErrorIsInvalidArgumentQuotingTheSql) {
  EXPECT_THAT(conn_->Exec("SELEKT 1"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("syntax error"), HasSubstr("SQLSTATE 42601"),
                             HasSubstr("in \"SELEKT 1\""))));
}

TEST_F(PgConnectionTest, UndefinedTableIsInvalidArgument) {
  EXPECT_THAT(conn_->Exec("SELECT * FROM nosuch"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("SQLSTATE 42P01")));
}

TEST_F(PgConnectionTest, ConstraintViolationsMapByKind) {
  ASSERT_OK(conn_->Exec("INSERT INTO u (k) VALUES ($1)", {"a"}).status());
  EXPECT_THAT(conn_->Exec("INSERT INTO u (k) VALUES ($1)", {"a"}),
              StatusIs(StatusCode::kAlreadyExists,
                       AllOf(HasSubstr("SQLSTATE 23505, constraint u_k_key"),
                             Not(HasSubstr("(a)")))));  // DETAIL with the value is left out
  EXPECT_THAT(conn_->Exec("INSERT INTO u (k) VALUES (NULL)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("SQLSTATE 23502")));
  EXPECT_THAT(conn_->Exec("INSERT INTO u (k, n) VALUES ('x', -1)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("SQLSTATE 23514")));
  EXPECT_THAT(conn_->Exec("INSERT INTO ch (p) VALUES ($1)", {7}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("SQLSTATE 23503")));
}

// Every mapped SQLSTATE class, raised on the server by PL/pgSQL.
TEST_F(PgConnectionTest, SqlStatesMapToStatusCodes) {
  struct Case {
    const char* sqlstate;
    StatusCode code;
  };
  const Case cases[] = {
      {"23505", StatusCode::kAlreadyExists},
      {"23503", StatusCode::kFailedPrecondition},
      {"40001", StatusCode::kAborted},
      {"40P01", StatusCode::kAborted},
      {"08006", StatusCode::kUnavailable},
      {"42P01", StatusCode::kInvalidArgument},
      {"42501", StatusCode::kPermissionDenied},
      {"22012", StatusCode::kInvalidArgument},
      {"57014", StatusCode::kCancelled},
      {"55P03", StatusCode::kUnavailable},
      {"25006", StatusCode::kFailedPrecondition},
      {"53100", StatusCode::kResourceExhausted},
      {"XX001", StatusCode::kDataLoss},
      {"XX002", StatusCode::kDataLoss},
      {"XX000", StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    std::string sql = std::string("DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '") +
                      c.sqlstate + "'; END $$";
    EXPECT_THAT(conn_->Exec(sql),
                StatusIs(c.code, HasSubstr(std::string("SQLSTATE ") + c.sqlstate)))
        << c.sqlstate;
    EXPECT_THAT(conn_->ExecScript(sql), StatusIs(c.code, HasSubstr("raised"))) << c.sqlstate;
  }
}

TEST_F(PgConnectionTest, SerializationFailureIsAborted) {
  ASSERT_OK(conn_->Exec("INSERT INTO p VALUES (1)").status());
  auto other = db_.Open();
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_, Connection::TxMode::kDeferred));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM p"), 1);  // the snapshot is taken here
  ASSERT_OK(other->Exec("UPDATE p SET id = 2 WHERE id = 1").status());
  EXPECT_THAT(conn_->Exec("UPDATE p SET id = 3 WHERE id = 1"),
              StatusIs(StatusCode::kAborted, HasSubstr("SQLSTATE 40001")));
}

TEST_F(PgConnectionTest, ReadOnlyConnectionRefusesWrites) {
  auto ro = db_.Open({.read_only = true});
  EXPECT_EQ(QueryInt(*ro, "SELECT count(*) FROM v"), 0);
  EXPECT_THAT(ro->Exec("INSERT INTO v (i) VALUES (1)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("read-only transaction")));
}

TEST_F(PgConnectionTest, SynchronousFullSetsSynchronousCommit) {
  auto c = db_.Open({.synchronous = Synchronous::kFull});
  EXPECT_EQ(QueryText(*c, "SHOW synchronous_commit"), "on");
  EXPECT_EQ(QueryText(*c, "SHOW lock_timeout"), "5s");
}

TEST_F(PgConnectionTest, LostConnectionIsUnavailable) {
  int64_t pid = QueryInt(*conn_, "SELECT pg_backend_pid()");
  auto killer = db_.Open();
  EXPECT_EQ(
      QueryInt(*killer, "SELECT count(*) FROM pg_terminate_backend(CAST($1 AS integer)) WHERE true",
               {pid}),
      1);
  EXPECT_THAT(conn_->Exec("SELECT 1"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("terminating connection")));
  EXPECT_THAT(conn_->Exec("SELECT 1"), StatusIs(StatusCode::kUnavailable, HasSubstr("lost")));
  EXPECT_FALSE(conn_->in_transaction());
}

// ---- Transactions --------------------------------------------------------------------------

TEST_F(PgConnectionTest, FailedStatementsOfEveryKindLeaveTheTransactionUsable) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK(conn_->Exec("INSERT INTO u (k) VALUES ('a')").status());
  EXPECT_THAT(conn_->Exec("SELEKT"),  // fails at Parse
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("syntax error")));
  EXPECT_THAT(conn_->Query("SELECT 1 / $1", {0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("division by zero")));
  EXPECT_THAT(conn_->ExecScript("INSERT INTO u (k) VALUES ('b'); INSERT INTO u (k) VALUES ('a')"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("u_k_key")));
  EXPECT_THAT(conn_->BulkInsert("nosuch", {"k"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nosuch")));
  ASSERT_OK(conn_->Exec("INSERT INTO u (k) VALUES ('c')").status());
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(QueryText(*conn_, "SELECT string_agg(k, ',' ORDER BY k) FROM u"), "a,c");
}

// The statement prepared in the same pipeline as a failing execution survives the rollback
// to the savepoint (prepared statements are not transactional), so the cache stays valid.
TEST_F(PgConnectionTest, StatementFirstPreparedByAFailingExecutionIsReusable) {
  ASSERT_OK(conn_->Exec("INSERT INTO u (k) VALUES ('a')").status());
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  constexpr std::string_view kSql = "INSERT INTO u (k) VALUES ($1)";
  EXPECT_THAT(conn_->Exec(kSql, {"a"}), StatusIs(StatusCode::kAlreadyExists, HasSubstr("u_k_key")));
  EXPECT_THAT(conn_->Exec(kSql, {"b"}), IsOkAndHolds(1));
  ASSERT_OK(tx.Commit());
  EXPECT_THAT(conn_->Exec(kSql, {"c"}), IsOkAndHolds(1));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM u"), 3);
}

TEST_F(PgConnectionTest, ExecScriptOutsideTransactionIsAllOrNothing) {
  EXPECT_THAT(conn_->ExecScript("INSERT INTO u (k) VALUES ('a'); INSERT INTO u (k) VALUES ('a')"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("u_k_key")));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM u"), 0);
}

TEST_F(PgConnectionTest, ExecReturnsRowsChanged) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (i) VALUES (1), (2), (3)"));
  EXPECT_THAT(conn_->Exec("UPDATE v SET i = i + 1 WHERE i >= $1", {2}), IsOkAndHolds(2));
  EXPECT_THAT(conn_->Exec("SELECT * FROM v"), IsOkAndHolds(0));
  EXPECT_THAT(conn_->Exec("CREATE TABLE w (x INTEGER)"), IsOkAndHolds(0));
  EXPECT_THAT(conn_->Exec("DELETE FROM v"), IsOkAndHolds(3));
}

// ---- Statement cache and Rows --------------------------------------------------------------

TEST_F(PgConnectionTest, ManyDistinctStatementsStayCorrectPastTheCacheCap) {
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 700; ++i) {
      ASSERT_EQ(QueryInt(*conn_, "SELECT " + std::to_string(i) + " + $1", {round}), i + round);
    }
  }
}

TEST_F(PgConnectionTest, OpenRowsDoNotBlockOtherStatements) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (i) VALUES (1), (2), (3)"));
  constexpr std::string_view kSql = "SELECT i FROM v WHERE i >= $1 ORDER BY i";
  ASSERT_OK_AND_ASSIGN(auto a, conn_->Query(kSql, {1}));
  ASSERT_TRUE(a->Next());
  ASSERT_OK_AND_ASSIGN(auto b, conn_->Query(kSql, {3}));
  ASSERT_OK(conn_->Exec("DELETE FROM v").status());
  ASSERT_TRUE(b->Next());
  EXPECT_EQ(b->Int64(0), 3);
  ASSERT_TRUE(a->Next());
  EXPECT_EQ(a->Int64(0), 2);
  ASSERT_TRUE(a->Next());
  EXPECT_FALSE(a->Next());
  EXPECT_OK(a->status());
  EXPECT_EQ(a->column_count(), 0);
  EXPECT_EQ(a->Int64(0), 0);  // after the end: 0 / empty
}

TEST_F(PgConnectionTest, LargeResultSetReadsCompletely) {
  constexpr int64_t kRows = 300'000;
  ASSERT_OK_AND_ASSIGN(auto rows,
                       conn_->Query("SELECT g, md5(g::text), decode(md5(g::text), 'hex') "
                                    "FROM generate_series(1, $1) g",
                                    {kRows}));
  int64_t n = 0;
  int64_t sum = 0;
  size_t bytes = 0;
  while (rows->Next()) {
    ++n;
    sum += rows->Int64(0);
    bytes += rows->Text(1).size() + rows->Blob(2).size();
  }
  EXPECT_OK(rows->status());
  EXPECT_EQ(n, kRows);
  EXPECT_EQ(sum, kRows * (kRows + 1) / 2);
  EXPECT_EQ(bytes, static_cast<size_t>(kRows) * (32 + 16));
}

// ---- COPY ----------------------------------------------------------------------------------

// Text with every character COPY's text format escapes, and blobs with NULs and backslashes.
std::string TrickyText(int64_t i) {
  std::string s = "row " + std::to_string(i) + "\ttab\nnewline\r\\backslash\\N\\.";
  if (i % 7 == 0) s += "\n\\.\n";  // COPY's end-of-data marker on a line of its own
  if (i % 5 == 0) s += "\xc3\xa9";
  return s;
}
Bytes TrickyBlob(int64_t i) {
  std::string s("\0?\\N\t\n\0\xff", 8);
  s[1] = static_cast<char>(i);
  s.append(static_cast<size_t>(i % 13), static_cast<char>(i >> 8));
  ByteView v = base::AsBytes(s);
  return Bytes(v.begin(), v.end());
}

TEST_F(PgConnectionTest, CopyHundredThousandRowsWithEscapesRoundTrips) {
  ASSERT_OK(conn_->ExecScript(
      "CREATE TABLE c (k BIGINT PRIMARY KEY, t TEXT, b BYTEA, d DOUBLE PRECISION, n INTEGER)"));
  constexpr int64_t kRows = 100'000;
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("c", {"k", "t", "b", "d", "n"}));
  for (int64_t i = 0; i < kRows; ++i) {
    std::vector<Value> row;
    row.reserve(5);
    row.emplace_back(i);
    row.emplace_back(TrickyText(i));
    row.emplace_back(TrickyBlob(i));
    if (i % 11 == 0) {
      row.emplace_back(-std::numeric_limits<double>::infinity());
    } else {
      row.emplace_back(static_cast<double>(i) / 3);
    }
    if (i % 3 == 0) {
      row.emplace_back();
    } else {
      row.emplace_back(i);
    }
    ASSERT_OK(w->Add(row));
  }
  EXPECT_THAT(w->Finish(), IsOkAndHolds(kRows));
  EXPECT_FALSE(conn_->in_transaction());
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT k, t, b, d, n FROM c ORDER BY k"));
  int64_t i = 0;
  for (; rows->Next(); ++i) {
    ASSERT_EQ(rows->Int64(0), i);
    ASSERT_EQ(rows->Text(1), TrickyText(i)) << i;
    ByteView b = rows->Blob(2);
    ASSERT_EQ(Bytes(b.begin(), b.end()), TrickyBlob(i)) << i;
    if (i % 11 == 0) {
      ASSERT_EQ(rows->Double(3), -std::numeric_limits<double>::infinity());
    } else {
      ASSERT_EQ(rows->Double(3), static_cast<double>(i) / 3) << i;
    }
    ASSERT_EQ(rows->IsNull(4), i % 3 == 0) << i;
  }
  EXPECT_EQ(i, kRows);
}

TEST_F(PgConnectionTest, CopyTextWithNulIsInvalidArgumentAtAdd) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("u", {"k"}));
  ASSERT_OK(w->Add({"fine"}));
  EXPECT_THAT(w->Add({Value(std::string("a\0b", 3))}),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("BulkWriter row 1, column 1"), HasSubstr("NUL"))));
  EXPECT_FALSE(conn_->in_transaction());
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM u"), 0);
}

TEST_F(PgConnectionTest, CopyBadValueNamesTheRowAcrossFlushes) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("u", {"k", "n"}));
  const std::string pad(1000, 'p');  // ~1 KiB rows: several COPY batches of ~1 MiB
  Status failed;
  int64_t i = 0;
  for (; i < 5000 && failed.ok(); ++i) {
    failed = w->Add({Value(pad + std::to_string(i)), i == 3000 ? Value(-5) : Value(i)});
  }
  if (failed.ok()) failed = w->Finish().status();
  EXPECT_THAT(failed, StatusIs(StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("BulkWriter row 3000"), HasSubstr("23514"))));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM u"), 0);
}

TEST_F(PgConnectionTest, FailedCopyInsideCallerTransactionUndoesOnlyItsBatch) {
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*conn_));
  ASSERT_OK(conn_->Exec("INSERT INTO u (k) VALUES ('kept')").status());
  {
    ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("u", {"k"}));
    ASSERT_OK(w->Add({"x"}));
    ASSERT_OK(w->Add({"x"}));
    EXPECT_THAT(w->Finish(), StatusIs(StatusCode::kAlreadyExists, HasSubstr("row 1")));
  }
  EXPECT_TRUE(conn_->in_transaction());
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(QueryText(*conn_, "SELECT string_agg(k, ',') FROM u"), "kept");
}

TEST_F(PgConnectionTest, CopyIntoTextColumnsConvertsNumbers) {
  ASSERT_OK_AND_ASSIGN(auto w, conn_->BulkInsert("v", {"t", "f", "i4"}));
  ASSERT_OK(w->Add({42, 1, "7"}));
  ASSERT_OK(w->Finish().status());
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT t, f, i4 FROM v"));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Text(0), "42");
  EXPECT_EQ(rows->Int64(1), 1);
  EXPECT_EQ(rows->Int64(2), 7);
}

}  // namespace
}  // namespace detente::store
