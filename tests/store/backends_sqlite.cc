// backends_sqlite.cc: store_test runs the backend-parametrized suites on SQLite only (the
// PostgreSQL runs are in store_pg_test, one process sharing one private cluster).
#include "store_test_util.h"

namespace detente::store {

std::vector<Backend> TestBackends() { return {Backend::kSqlite}; }

base::Result<std::string> PgServerUrl() {
  return base::FailedPreconditionError("store_test has no PostgreSQL server (see store_pg_test)");
}

}  // namespace detente::store
