// Tests for Connect(): URL forms, backend selection, open-time settings (WAL, synchronous,
// busy_timeout, foreign keys), the errors for missing and corrupt files, and PostgreSQL
// connection failures (no server needed: a port that refuses connections).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

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
using ::testing::Not;

class ConnectTest : public StoreTest {};

TEST_F(ConnectTest, MemoryUrlsOpenIndependentDatabases) {
  ASSERT_OK_AND_ASSIGN(auto a, Connect({.url = ":memory:"}));
  ASSERT_OK_AND_ASSIGN(auto b, Connect({.url = "sqlite::memory:"}));
  EXPECT_EQ(a->backend(), Backend::kSqlite);
  ASSERT_OK(a->ExecScript("CREATE TABLE t (x INTEGER)"));
  EXPECT_THAT(b->Exec("INSERT INTO t VALUES (1)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no such table: t")));
}

TEST_F(ConnectTest, SqlitePrefixAndPlainPathOpenTheSameFile) {
  ASSERT_OK_AND_ASSIGN(auto a, Connect({.url = "sqlite:" + Path()}));
  ASSERT_OK(a->ExecScript("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (42)"));
  ASSERT_OK_AND_ASSIGN(auto b, Connect({.url = Path()}));
  EXPECT_EQ(QueryInt(*b, "SELECT x FROM t"), 42);
}

// A port on 127.0.0.1 that refuses connections: bound, never listening, for the test's life.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~RefusingPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(ConnectTest, PostgresConnectionRefusedIsUnavailableWithoutEchoingThePassword) {
  RefusingPort refusing;
  ASSERT_NE(refusing.port(), 0);
  const std::string hostport = "127.0.0.1:" + std::to_string(refusing.port());
  for (std::string url : {"postgresql://u:s3cr%65t@" + hostport + "/db",
                          "postgres://u:s3cret@" + hostport + "/db?connect_timeout=5",
                          "postgresql://u@" + hostport + "/db?password=s3cret"}) {
    EXPECT_THAT(Connect({.url = url}),
                StatusIs(StatusCode::kUnavailable,
                         AllOf(HasSubstr("cannot connect to"), HasSubstr(hostport),
                               HasSubstr("****"), Not(HasSubstr("s3cr")))))
        << url;
  }
}

TEST_F(ConnectTest, MalformedPostgresUrlIsInvalidArgumentWithoutEchoingThePassword) {
  EXPECT_THAT(Connect({.url = "postgresql://u:s3cret@127.0.0.1:1/db?nosuchoption=1"}),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("invalid database URL"), HasSubstr("nosuchoption"),
                             Not(HasSubstr("s3cret")))));
}

TEST_F(ConnectTest, UnknownSchemeIsInvalidArgument) {
  EXPECT_THAT(
      Connect({.url = "mysql://localhost/db"}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsupported database URL scheme 'mysql'")));
}

TEST_F(ConnectTest, EmptyUrlOrPathIsInvalidArgument) {
  EXPECT_THAT(Connect({.url = ""}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(Connect({.url = "sqlite:"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty path")));
}

TEST_F(ConnectTest, SqliteDoubleSlashFormIsInvalidArgument) {
  EXPECT_THAT(Connect({.url = "sqlite:///tmp/x.db"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not sqlite://")));
}

TEST_F(ConnectTest, NegativeBusyTimeoutIsInvalidArgument) {
  EXPECT_THAT(Connect({.url = ":memory:", .busy_timeout_ms = -1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("busy_timeout_ms")));
}

TEST_F(ConnectTest, MissingFileWithCreateOffIsNotFound) {
  EXPECT_THAT(Connect({.url = Path("absent.db"), .create = false}),
              StatusIs(StatusCode::kNotFound, HasSubstr("absent.db does not exist")));
}

TEST_F(ConnectTest, MissingFileReadOnlyIsNotFound) {
  EXPECT_THAT(Connect({.url = Path("absent.db"), .read_only = true}),
              StatusIs(StatusCode::kNotFound, HasSubstr("absent.db does not exist")));
}

TEST_F(ConnectTest, MissingFileWithCreateOnIsCreated) {
  ASSERT_OK_AND_ASSIGN(auto c, Connect({.url = Path("new.db")}));
  std::ifstream f(Path("new.db"));
  EXPECT_TRUE(f.good());
}

TEST_F(ConnectTest, ExistingFileWithCreateOffOpens) {
  { ASSERT_OK(Connect({.url = Path()}).status()); }
  EXPECT_OK(Connect({.url = Path(), .create = false}).status());
}

TEST_F(ConnectTest, FileThatIsNotADatabaseIsDataLoss) {
  {
    std::ofstream f(Path("junk.db"), std::ios::binary);
    f << std::string(8192, 'J');
  }
  EXPECT_THAT(Connect({.url = Path("junk.db")}),
              StatusIs(StatusCode::kDataLoss, HasSubstr("file is not a database")));
}

TEST_F(ConnectTest, CorruptPageIsDataLoss) {
  {
    auto c = Open();
    ASSERT_OK(c->ExecScript(
        "PRAGMA journal_mode = DELETE; CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)"));
    ASSERT_OK_AND_ASSIGN(auto w, c->BulkInsert("t", {"x", "y"}));
    for (int i = 0; i < 2000; ++i) ASSERT_OK(w->Add({i, std::string(100, 'y')}));
    ASSERT_OK(w->Finish().status());
  }
  {
    // Overwrite page 3 (a b-tree page of t) with garbage; the header and schema stay intact.
    std::fstream f(Path(), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(2 * 4096);
    std::string garbage(4096, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto c = Open();
  auto rows = c->Query("SELECT sum(length(y)) FROM t");
  Status s = rows.ok() ? ((*rows)->Next(), (*rows)->status()) : rows.status();
  EXPECT_THAT(s, StatusIs(StatusCode::kDataLoss, HasSubstr("malformed")));
}

TEST_F(ConnectTest, FileDatabaseUsesWalJournal) {
  auto c = Open();
  EXPECT_EQ(QueryText(*c, "PRAGMA journal_mode"), "wal");
}

TEST_F(ConnectTest, SynchronousIsNormalByDefault) {
  auto c = Open();
  EXPECT_EQ(QueryInt(*c, "PRAGMA synchronous"), 1);  // 1 = NORMAL
}

TEST_F(ConnectTest, SynchronousFullWhenAsked) {
  auto c = Open({.synchronous = Synchronous::kFull});
  EXPECT_EQ(QueryInt(*c, "PRAGMA synchronous"), 2);  // 2 = FULL
}

TEST_F(ConnectTest, BusyTimeoutIsSetFromOptions) {
  auto c = Open({.busy_timeout_ms = 1234});
  EXPECT_EQ(QueryInt(*c, "PRAGMA busy_timeout"), 1234);
}

TEST_F(ConnectTest, ForeignKeysAreEnforced) {
  auto c = Open();
  EXPECT_EQ(QueryInt(*c, "PRAGMA foreign_keys"), 1);
  ASSERT_OK(
      c->ExecScript("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                    "CREATE TABLE ch (p INTEGER NOT NULL REFERENCES p (id))"));
  EXPECT_THAT(
      c->Exec("INSERT INTO ch (p) VALUES ($1)", {7}),
      StatusIs(StatusCode::kFailedPrecondition, HasSubstr("FOREIGN KEY constraint failed")));
}

TEST_F(ConnectTest, ReadOnlyConnectionReadsButRefusesWrites) {
  {
    auto w = Open();
    ASSERT_OK(w->ExecScript("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (5)"));
  }
  auto r = Open({.read_only = true});
  EXPECT_EQ(QueryInt(*r, "SELECT x FROM t"), 5);
  EXPECT_THAT(r->Exec("INSERT INTO t VALUES (6)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("readonly")));
}

}  // namespace
}  // namespace detente::store
