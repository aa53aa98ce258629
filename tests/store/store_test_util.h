// store_test_util.h: a temp-directory fixture and small query helpers for the store tests.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <memory>
#include <string>

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

}  // namespace detente::store
