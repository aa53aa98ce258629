// testing/pg_cluster.h: a private PostgreSQL 15 cluster for tests (and benchmarks).
//
// PgCluster::Start() runs initdb into a fresh temporary directory (trust authentication, C
// locale, UTF-8), then `pg_ctl start -w` with the server listening on 127.0.0.1 at a free port
// (found by binding port 0; retried on a collision) and on a unix socket inside the temporary
// directory, with fsync, synchronous_commit and full_page_writes off (fast; a crash loses the
// cluster, which is thrown away anyway). The destructor runs `pg_ctl stop -m fast` and removes
// the directory. Binaries come from /usr/lib/postgresql/15/bin (DETENTE_PG_BINDIR overrides).
// initdb and postgres refuse to run as root: when geteuid() == 0 they run as the `postgres`
// system user (fork, setgid, setuid, exec) and the temporary directory is chowned to it.
//
// For tests, SharedPgUrl() gives one cluster per test binary: the URL in DETENTE_TEST_PG_URL
// when set (an existing server, used as is), else a private cluster started on first use and
// stopped by PgEnvironment::TearDown() (register it with ::testing::AddGlobalTestEnvironment)
// or, failing that, at exit.
//
// Thread-safety: PgCluster is not thread-safe; SharedPgUrl() is.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/result.h"
#include "base/status.h"

namespace detente::testing {

class PgCluster {
 public:
  // durable = false (tests): fsync, synchronous_commit and full_page_writes off.
  // durable = true (benchmarks): the server defaults (fsync on, synchronous_commit on).
  struct Options {
    bool durable = false;
  };
  // Starts a cluster. Errors: kFailedPrecondition (binaries missing: "run `make setup`",
  // or running as root without a `postgres` user), kUnavailable (initdb or start failed; the
  // message quotes the end of the server log).
  static base::Result<std::unique_ptr<PgCluster>> Start(Options options);
  static base::Result<std::unique_ptr<PgCluster>> Start() { return Start(Options()); }

  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  // Stops the server (pg_ctl stop -m fast) and removes the temporary directory.
  ~PgCluster();

  // postgresql://postgres@127.0.0.1:PORT/postgres (trust authentication, superuser).
  std::string url() const;
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

 private:
  PgCluster() = default;
  base::Status Init();
  base::Status StartServer(bool durable);

  std::string bindir_;
  std::string dir_;  // the temporary directory: data/, sock/, server.log
  int port_ = 0;
  bool running_ = false;
  // The user that runs initdb/pg_ctl: -1 for ourselves, else the `postgres` user.
  int run_uid_ = -1;
  int run_gid_ = -1;
};

// The URL of the test binary's shared PostgreSQL server (see above); the same error on every
// call if it cannot be started.
base::Result<std::string> SharedPgUrl();

// Stops the shared cluster, if one was started. Called by PgEnvironment::TearDown().
void StopSharedPgCluster();

// Stops the shared cluster at the end of the test program.
class PgEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { StopSharedPgCluster(); }
};

}  // namespace detente::testing
