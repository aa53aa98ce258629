// backends_pg.cc: accord_pg_test runs the backend-parametrized suites on PostgreSQL, against
// one private cluster per test binary (testing/pg_cluster.h; DETENTE_TEST_PG_URL overrides).
#include "store/store_test_util.h"
#include "testing/pg_cluster.h"

namespace detente::store {
std::vector<Backend> TestBackends() { return {Backend::kPostgres}; }
base::Result<std::string> PgServerUrl() { return ::detente::testing::SharedPgUrl(); }
namespace {
[[maybe_unused]] ::testing::Environment* const kPgEnvironment =
    ::testing::AddGlobalTestEnvironment(new ::detente::testing::PgEnvironment);
}  // namespace
}  // namespace detente::store
