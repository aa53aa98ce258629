// Tests testing/node_harness.{h,cc} on what needs only `detente init` and `detente serve`:
// nodes in a scratch directory, serve started and its port learnt, SIGTERM, SIGKILL, restart
// on the same port, a PostgreSQL node, a cloned node, and the command deadline.
#include "testing/node_harness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/pg_cluster.h"
#include "testing/status_matchers.h"

namespace detente::testing {
namespace {

using ::testing::HasSubstr;

[[maybe_unused]] ::testing::Environment* const kPgEnvironment =
    ::testing::AddGlobalTestEnvironment(new PgEnvironment);

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(NodeHarnessTest, ServesStopsAndRestartsOnTheSamePort) {
  ASSERT_OK_AND_ASSIGN(auto cluster, Cluster::Create());
  ASSERT_OK(cluster->AddNode("alpha"));
  EXPECT_TRUE(std::filesystem::exists(cluster->node("alpha").dir + "/signing.key"));
  ASSERT_OK(cluster->Serve("alpha"));
  const uint16_t port = cluster->node("alpha").port;
  EXPECT_NE(port, 0);
  EXPECT_TRUE(cluster->Alive("alpha"));
  ASSERT_OK(cluster->Stop("alpha"));
  EXPECT_FALSE(cluster->Alive("alpha"));
  EXPECT_THAT(ReadAll(cluster->node("alpha").serve_log), HasSubstr("detente serve: stopped"));
  ASSERT_OK(cluster->Restart("alpha"));
  EXPECT_EQ(cluster->node("alpha").port, port);
  ASSERT_OK(cluster->Kill("alpha"));
  EXPECT_FALSE(cluster->Alive("alpha"));
  EXPECT_THAT(cluster->Kill("alpha"),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("not serving")));
}

TEST(NodeHarnessTest, ScratchDirectoryIsRemoved) {
  std::string scratch;
  {
    ASSERT_OK_AND_ASSIGN(auto cluster, Cluster::Create());
    scratch = cluster->scratch();
    ASSERT_OK(cluster->AddNode("alpha"));
    ASSERT_OK(cluster->Serve("alpha"));
  }
  EXPECT_FALSE(std::filesystem::exists(scratch));
}

TEST(NodeHarnessTest, PostgresNodeHasItsDatabaseInConfig) {
  ASSERT_OK_AND_ASSIGN(auto cluster, Cluster::Create());
  ASSERT_OK(cluster->AddNode("gamma", /*postgres=*/true));
  const Node& n = cluster->node("gamma");
  EXPECT_THAT(n.db_url, HasSubstr("postgresql://"));
  EXPECT_THAT(ReadAll(n.dir + "/config.toml"), HasSubstr("database = \"" + n.db_url + "\""));
  ASSERT_OK(cluster->Serve("gamma"));
  ASSERT_OK(cluster->Stop("gamma"));
}

TEST(NodeHarnessTest, CloneCopiesTheDirectoryUnderTheSameParty) {
  ASSERT_OK_AND_ASSIGN(auto cluster, Cluster::Create());
  ASSERT_OK(cluster->AddNode("alpha"));
  ASSERT_OK(cluster->CloneNode("alpha", "alpha2"));
  EXPECT_EQ(cluster->node("alpha2").party, "alpha");
  EXPECT_EQ(ReadAll(cluster->node("alpha2").dir + "/signing.key"),
            ReadAll(cluster->node("alpha").dir + "/signing.key"));
  ASSERT_OK(cluster->Serve("alpha"));
  EXPECT_THAT(cluster->CloneNode("alpha", "alpha3"),
              StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr("stop alpha")));
}

TEST(NodeHarnessTest, FailedCommandIsDescribedWithItsStderr) {
  ASSERT_OK_AND_ASSIGN(auto cluster, Cluster::Create());
  ASSERT_OK(cluster->AddNode("alpha"));
  EXPECT_THAT(cluster->AddNode("alpha"),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("alpha")));
  ProcResult r = cluster->RunPlain({"init", "--party", "a b", "--dir", cluster->scratch() + "/x"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_THAT(r.Describe(), HasSubstr("`detente init --party a b"));
  EXPECT_THAT(r.Describe(), HasSubstr("exited 1: "));
}

TEST(NodeHarnessTest, CommandOverItsDeadlineIsKilled) {
  ASSERT_OK_AND_ASSIGN(auto cluster, Cluster::Create());
  ASSERT_OK(cluster->AddNode("alpha"));
  // `serve` runs until signalled: under a command deadline it is killed.
  ProcResult r = RunDetenteArgs(
      cluster->scratch(), {"serve", "--listen", "127.0.0.1:0", "--dir", cluster->node("alpha").dir},
      "", std::chrono::milliseconds(300));
  EXPECT_TRUE(r.timed_out) << r.Describe();
  EXPECT_EQ(r.rc, -1);
  EXPECT_THAT(r.Describe(), HasSubstr("timed out"));
}

}  // namespace
}  // namespace detente::testing
