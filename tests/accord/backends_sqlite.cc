// backends_sqlite.cc: accord_test runs the backend-parametrized suites on SQLite.
#include "store/store_test_util.h"

namespace detente::store {
std::vector<Backend> TestBackends() { return {Backend::kSqlite}; }
base::Result<std::string> PgServerUrl() {
  return base::FailedPreconditionError("no PostgreSQL in this binary");
}
}  // namespace detente::store
