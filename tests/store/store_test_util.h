// store_test_util.h: fixtures and small query helpers for the store tests.
//   StoreTest: a temp directory and a SQLite file in it (SQLite-only tests).
//   TestDb / BackendTest: a fresh database on either backend (TEST_P over Backend): a SQLite
//   file in a temp directory, or a fresh schema on the test binary's shared PostgreSQL server
//   (testing/pg_cluster.h) reached through search_path. Which backends a binary instantiates
//   comes from TestBackends() (backends_sqlite.cc in store_test, backends_pg.cc in
//   store_pg_test).
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/status_matchers.h"

namespace detente::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0); }

  std::string Path(std::string_view name = "db.sqlite") const {
    return dir_ + "/" + std::string(name);
  }

  // Opens the fixture's database file (or `options.url` when set).
  std::unique_ptr<Connection> Open(Options options = {}) {
    if (options.url.empty()) options.url = "sqlite:" + Path();
    auto c = Connect(options);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  std::string dir_;
};

// The backends this test binary runs the parametrized suites on.
std::vector<Backend> TestBackends();

// The URL of the shared PostgreSQL server of this binary (a test failure if none).
base::Result<std::string> PgServerUrl();

inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "Sqlite" : "Postgres");
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// A fresh, empty database on one backend, removed by the destructor.
class TestDb {
 public:
  TestDb() = default;
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;
  ~TestDb() {
    if (admin_ != nullptr) admin_->ExecScript("DROP SCHEMA " + schema_ + " CASCADE").IgnoreError();
    admin_.reset();
    if (!dir_.empty()) {
      EXPECT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0);
    }
  }

  Status Create(Backend backend) {
    backend_ = backend;
    if (backend == Backend::kSqlite) {
      std::string tmpl = ::testing::TempDir() + "/store_test.XXXXXX";
      if (::mkdtemp(tmpl.data()) == nullptr) return base::UnavailableError("mkdtemp failed");
      dir_ = tmpl;
      url_ = "sqlite:" + dir_ + "/db.sqlite";
      return base::OkStatus();
    }
    ASSIGN_OR_RETURN(std::string base, PgServerUrl());
    ASSIGN_OR_RETURN(admin_, Connect({.url = base}));
    static std::atomic<int> counter{0};
    schema_ = "test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    RETURN_IF_ERROR(admin_->ExecScript("DROP SCHEMA IF EXISTS " + schema_ +
                                       " CASCADE; CREATE SCHEMA " + schema_));
    url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema_;
    return base::OkStatus();
  }

  Backend backend() const { return backend_; }
  const std::string& url() const { return url_; }
  const std::string& schema() const { return schema_; }

  // Opens a connection to this database with `options` (its url is set here).
  std::unique_ptr<Connection> Open(Options options = {}) const {
    options.url = url_;
    auto c = Connect(options);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(c).value() : nullptr;
  }

 private:
  Backend backend_ = Backend::kSqlite;
  std::string dir_;
  std::string url_;
  std::string schema_;
  std::unique_ptr<Connection> admin_;
};

// A fixture parametrized over the backend: a fresh database per test.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { ASSERT_OK(db_.Create(GetParam())); }
  Backend backend() const { return GetParam(); }
  bool is_postgres() const { return GetParam() == Backend::kPostgres; }
  std::unique_ptr<Connection> Open(Options options = {}) { return db_.Open(std::move(options)); }

  TestDb db_;
};

// The first column of the first row as an integer (-1 and a test failure if no row).
inline int64_t QueryInt(Connection& conn, std::string_view sql,
                        std::initializer_list<Value> params = {}) {
  auto rows = conn.Query(sql, params);
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return -1;
  if (!(*rows)->Next()) {
    ADD_FAILURE() << "no row from " << sql << ": " << (*rows)->status();
    return -1;
  }
  return (*rows)->Int64(0);
}

inline std::string QueryText(Connection& conn, std::string_view sql,
                             std::initializer_list<Value> params = {}) {
  auto rows = conn.Query(sql, params);
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok() || !(*rows)->Next()) return "<no row>";
  return std::string((*rows)->Text(0));
}

// Whether a table or index called `name` exists in the connection's database (SQLite) or
// current schema (PostgreSQL).
inline bool RelationExists(Connection& conn, std::string_view name) {
  if (conn.backend() == Backend::kSqlite) {
    return QueryInt(conn, "SELECT count(*) FROM sqlite_schema WHERE name = $1", {Value(name)}) == 1;
  }
  return QueryInt(conn,
                  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE n.nspname = current_schema() AND c.relname = $1",
                  {Value(name)}) == 1;
}

}  // namespace detente::store
