// backends_sqlite.cc: taxii_test runs the backend-parametrized suites on SQLite only.
#include "store/store_test_util.h"

namespace detente::store {

std::vector<Backend> TestBackends() { return {Backend::kSqlite}; }

base::Result<std::string> PgServerUrl() {
  return base::FailedPreconditionError("taxii_test has no PostgreSQL server (see taxii_pg_test)");
}

}  // namespace detente::store
