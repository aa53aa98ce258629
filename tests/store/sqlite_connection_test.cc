// Tests for the SQLite Connection: value types, $N placeholders, error mapping, Exec's
// change counts, the statement cache and Rows.
#include <limits>

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

class SqliteConnectionTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
    ASSERT_OK(conn_->ExecScript(
        "CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, d REAL, t TEXT, b BLOB);"
        "CREATE TABLE u (k TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0))"));
  }

  // Inserts one row of `v` and reads it back.
  std::unique_ptr<Rows> RoundTrip(Value i, Value d, Value t, Value b) {
    auto ins = conn_->Exec("INSERT INTO v (i, d, t, b) VALUES ($1, $2, $3, $4)", {i, d, t, b});
    EXPECT_TRUE(ins.ok()) << ins.status();
    auto rows = conn_->Query(
        "SELECT i, d, t, b, typeof(i), typeof(d), typeof(t), typeof(b) FROM v "
        "WHERE id = last_insert_rowid()");
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return nullptr;
    EXPECT_TRUE((*rows)->Next());
    return std::move(rows).value();
  }

  std::unique_ptr<Connection> conn_;
};

// ---- Types ---------------------------------------------------------------------------------

TEST_F(SqliteConnectionTest, IntegerExtremesRoundTrip) {
  for (int64_t x : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                    std::numeric_limits<int64_t>::max()}) {
    auto r = RoundTrip(x, nullptr, nullptr, nullptr);
    EXPECT_EQ(r->Int64(0), x);
    EXPECT_EQ(r->Text(4), "integer");
  }
}

TEST_F(SqliteConnectionTest, DoubleRoundTrips) {
  auto r = RoundTrip(nullptr, 3.25e-300, nullptr, nullptr);
  EXPECT_EQ(r->Double(1), 3.25e-300);
  EXPECT_EQ(r->Text(5), "real");
}

TEST_F(SqliteConnectionTest, TextWithUtf8AndEmbeddedNulRoundTrips) {
  std::string text = std::string("d\xc3\xa9tente \xe2\x9c\x93") + std::string(1, '\0') + "after";
  auto r = RoundTrip(nullptr, nullptr, Value(text), nullptr);
  EXPECT_EQ(r->Text(2), text);
  EXPECT_EQ(r->Text(6), "text");
}

TEST_F(SqliteConnectionTest, EmptyTextIsTextNotNull) {
  auto r = RoundTrip(nullptr, nullptr, "", nullptr);
  EXPECT_FALSE(r->IsNull(2));
  EXPECT_EQ(r->Text(6), "text");
  EXPECT_EQ(r->Text(2), "");
}

TEST_F(SqliteConnectionTest, BlobWithNulsRoundTrips) {
  Bytes blob = {0, 1, 0, 255, 0, 0};
  auto r = RoundTrip(nullptr, nullptr, nullptr, blob);
  ByteView got = r->Blob(3);
  EXPECT_EQ(Bytes(got.begin(), got.end()), blob);
  EXPECT_EQ(r->Text(7), "blob");
}

TEST_F(SqliteConnectionTest, EmptyBlobIsBlobNotNull) {
  auto r = RoundTrip(nullptr, nullptr, nullptr, Bytes{});
  EXPECT_FALSE(r->IsNull(3));
  EXPECT_EQ(r->Text(7), "blob");
  EXPECT_TRUE(r->Blob(3).empty());
}

TEST_F(SqliteConnectionTest, LargeBlobAndTextRoundTrip) {
  Bytes blob(16 << 20);
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<uint8_t>(i * 131 + (i >> 13));
  std::string text(4 << 20, 'x');
  text[12345] = '\0';
  auto r = RoundTrip(nullptr, nullptr, Value(text), blob);
  ByteView got = r->Blob(3);
  ASSERT_EQ(got.size(), blob.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), blob.begin()));
  EXPECT_EQ(r->Text(2), text);
}

TEST_F(SqliteConnectionTest, NullRoundTrips) {
  auto r = RoundTrip(nullptr, Value(), nullptr, nullptr);
  for (int col = 0; col < 4; ++col) EXPECT_TRUE(r->IsNull(col)) << col;
  EXPECT_EQ(r->Text(4), "null");
}

TEST_F(SqliteConnectionTest, ValueBlobHelperBindsBytes) {
  auto r = RoundTrip(nullptr, nullptr, nullptr, Value::Blob(std::string("a\0b", 3)));
  EXPECT_EQ(r->Blob(3).size(), 3u);
  EXPECT_EQ(r->Text(7), "blob");
}

// ---- Placeholders --------------------------------------------------------------------------

TEST_F(SqliteConnectionTest, PlaceholdersOutOfOrderBindByNumber) {
  auto rows = conn_->Query("SELECT $2, $1", {1, "two"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_TRUE((*rows)->Next());
  EXPECT_EQ((*rows)->Text(0), "two");
  EXPECT_EQ((*rows)->Int64(1), 1);
}

TEST_F(SqliteConnectionTest, RepeatedPlaceholderBindsSameValue) {
  EXPECT_EQ(QueryInt(*conn_, "SELECT $1 * 10 + $1", {4}), 44);
}

TEST_F(SqliteConnectionTest, PlaceholderInsideStringLiteralIsUntouched) {
  auto rows = conn_->Query("SELECT '$1', $1, 'it''s $2'", {"bound"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_TRUE((*rows)->Next());
  EXPECT_EQ((*rows)->Text(0), "$1");
  EXPECT_EQ((*rows)->Text(1), "bound");
  EXPECT_EQ((*rows)->Text(2), "it's $2");
}

TEST_F(SqliteConnectionTest, PlaceholderInCommentIsIgnored) {
  EXPECT_EQ(QueryInt(*conn_, "SELECT $1 /* $2 */ -- $3", {9}), 9);
}

TEST_F(SqliteConnectionTest, QuestionMarkPlaceholderIsRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES (?)", {1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not of the form $1..$N")));
}

TEST_F(SqliteConnectionTest, NamedPlaceholderIsRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES (:x)", {1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("':x' is not of the form")));
}

TEST_F(SqliteConnectionTest, PlaceholderGapIsRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i, d) VALUES ($1, $3)", {1, 2, 3}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("without gaps")));
}

TEST_F(SqliteConnectionTest, PostgresCastSyntaxIsRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES ($1::int)", {1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("$1::int")));
}

TEST_F(SqliteConnectionTest, WrongNumberOfValuesIsRejected) {
  EXPECT_THAT(
      conn_->Exec("INSERT INTO v (i, d) VALUES ($1, $2)", {1}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("2 placeholders but 1 values were given")));
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES (1)", {1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("0 placeholders but 1")));
}

// ---- Errors --------------------------------------------------------------------------------

TEST_F(SqliteConnectionTest, SyntaxErrorIsInvalidArgumentQuotingTheSql) {
  EXPECT_THAT(conn_->Exec("SELEKT 1"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("syntax error"), HasSubstr("in \"SELEKT 1\""))));
}

TEST_F(SqliteConnectionTest, DoubleQuotesAreIdentifiersNotStrings) {
  EXPECT_THAT(conn_->Exec("SELECT \"nonexistent\""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no such column")));
}

TEST_F(SqliteConnectionTest, UniqueViolationIsAlreadyExists) {
  ASSERT_OK(conn_->Exec("INSERT INTO u (k) VALUES ($1)", {"a"}).status());
  EXPECT_THAT(conn_->Exec("INSERT INTO u (k) VALUES ($1)", {"a"}),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("UNIQUE constraint failed: u.k")));
}

TEST_F(SqliteConnectionTest, PrimaryKeyViolationIsAlreadyExists) {
  ASSERT_OK(conn_->Exec("INSERT INTO v (id) VALUES (1)").status());
  EXPECT_THAT(conn_->Exec("INSERT INTO v (id) VALUES (1)"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("UNIQUE constraint failed: v.id")));
}

TEST_F(SqliteConnectionTest, NotNullViolationIsFailedPrecondition) {
  EXPECT_THAT(conn_->Exec("INSERT INTO u (k) VALUES (NULL)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("NOT NULL constraint failed")));
}

TEST_F(SqliteConnectionTest, CheckViolationIsFailedPrecondition) {
  EXPECT_THAT(conn_->Exec("INSERT INTO u (k, n) VALUES ('x', -1)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("CHECK constraint failed")));
}

TEST_F(SqliteConnectionTest, SeveralStatementsInExecAreRejected) {
  EXPECT_THAT(conn_->Exec("INSERT INTO v (i) VALUES (1); INSERT INTO v (i) VALUES (2)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("exactly one statement")));
  EXPECT_EQ(QueryInt(*conn_, "SELECT count(*) FROM v"), 0);
}

TEST_F(SqliteConnectionTest, TrailingSemicolonAndCommentAreAccepted) {
  EXPECT_OK(conn_->Exec("INSERT INTO v (i) VALUES (1); -- done\n").status());
}

TEST_F(SqliteConnectionTest, EmptyStatementIsInvalidArgument) {
  EXPECT_THAT(conn_->Exec("  -- nothing"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty statement")));
}

TEST_F(SqliteConnectionTest, ExecScriptErrorIsMappedAndNamesTheScript) {
  EXPECT_THAT(conn_->ExecScript("INSERT INTO u (k) VALUES ('a'); INSERT INTO u (k) VALUES ('a')"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("INSERT INTO u")));
}

// ---- Exec results --------------------------------------------------------------------------

TEST_F(SqliteConnectionTest, ExecReturnsRowsChanged) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (i) VALUES (1), (2), (3)"));
  EXPECT_THAT(conn_->Exec("UPDATE v SET i = i + 1 WHERE i >= $1", {2}),
              ::detente::testing::IsOkAndHolds(2));
  EXPECT_THAT(conn_->Exec("UPDATE v SET i = 0 WHERE i > 100"), ::detente::testing::IsOkAndHolds(0));
  EXPECT_THAT(conn_->Exec("CREATE TABLE w (x INTEGER)"), ::detente::testing::IsOkAndHolds(0));
  EXPECT_THAT(conn_->Exec("DELETE FROM v"), ::detente::testing::IsOkAndHolds(3));
}

// ---- Statement cache and Rows --------------------------------------------------------------

TEST_F(SqliteConnectionTest, RowsDestroyedEarlyLetsTheStatementBeReused) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (i) VALUES (1), (2), (3)"));
  constexpr std::string_view kSql = "SELECT i FROM v WHERE i >= $1 ORDER BY i";
  {
    ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query(kSql, {1}));
    ASSERT_TRUE(rows->Next());
    EXPECT_EQ(rows->Int64(0), 1);
  }  // destroyed mid-way: the cached statement is reset
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query(kSql, {2}));
  std::vector<int64_t> got;
  while (rows->Next()) got.push_back(rows->Int64(0));
  EXPECT_OK(rows->status());
  EXPECT_THAT(got, ::testing::ElementsAre(2, 3));
}

TEST_F(SqliteConnectionTest, TwoOpenRowsOnTheSameSqlAreIndependent) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (i) VALUES (1), (2), (3)"));
  constexpr std::string_view kSql = "SELECT i FROM v WHERE i >= $1 ORDER BY i";
  ASSERT_OK_AND_ASSIGN(auto a, conn_->Query(kSql, {1}));
  ASSERT_OK_AND_ASSIGN(auto b, conn_->Query(kSql, {3}));
  ASSERT_TRUE(a->Next());
  ASSERT_TRUE(b->Next());
  EXPECT_EQ(a->Int64(0), 1);
  EXPECT_EQ(b->Int64(0), 3);
  EXPECT_FALSE(b->Next());
  ASSERT_TRUE(a->Next());
  EXPECT_EQ(a->Int64(0), 2);
}

TEST_F(SqliteConnectionTest, ParametersOutliveTheQueryCall) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (t) VALUES ('a'), ('b'), ('c')"));
  std::unique_ptr<Rows> rows;
  {
    std::string param = "b";
    ASSERT_OK_AND_ASSIGN(rows, conn_->Query("SELECT t FROM v WHERE t >= $1 ORDER BY t", {param}));
    param = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
  }
  std::vector<std::string> got;
  while (rows->Next()) got.emplace_back(rows->Text(0));
  EXPECT_THAT(got, ::testing::ElementsAre("b", "c"));
}

TEST_F(SqliteConnectionTest, EmptyResultHasNoRows) {
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT i FROM v"));
  EXPECT_FALSE(rows->Next());
  EXPECT_OK(rows->status());
  EXPECT_FALSE(rows->Next());
}

TEST_F(SqliteConnectionTest, ErrorWhileSteppingIsReportedByStatus) {
  ASSERT_OK(conn_
                ->Exec("INSERT INTO v (id, i) VALUES (1, 5), (2, $1)",
                       {std::numeric_limits<int64_t>::min()})
                .status());
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT abs(i) FROM v ORDER BY id"));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Int64(0), 5);
  EXPECT_FALSE(rows->Next());
  EXPECT_THAT(rows->status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("integer overflow")));
}

TEST_F(SqliteConnectionTest, ColumnCountMatchesSelectList) {
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT 1, 2, 3"));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->column_count(), 3);
}

TEST_F(SqliteConnectionTest, ManyDistinctStatementsStayCorrectPastTheCacheCap) {
  // More distinct SQL texts than the cache keeps: old entries are evicted and re-prepared.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 700; ++i) {
      ASSERT_EQ(QueryInt(*conn_, "SELECT " + std::to_string(i) + " + $1", {round}), i + round);
    }
  }
}

TEST_F(SqliteConnectionTest, EvictionSparesStatementsInUse) {
  ASSERT_OK(conn_->ExecScript("INSERT INTO v (i) VALUES (1), (2)"));
  ASSERT_OK_AND_ASSIGN(auto rows, conn_->Query("SELECT i FROM v ORDER BY i"));
  ASSERT_TRUE(rows->Next());
  for (int i = 0; i < 700; ++i) {
    ASSERT_EQ(QueryInt(*conn_, "SELECT " + std::to_string(i)), i);
  }
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Int64(0), 2);
}

}  // namespace
}  // namespace detente::store
