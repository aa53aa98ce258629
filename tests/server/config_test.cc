// Tests server/config.cc: config.toml parsing and formatting, listen addresses, database URL
// resolution, and InitNode's node directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypto/crypto.h"
#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ConfigTest, MinimalConfigGetsDefaults) {
  ASSERT_OK_AND_ASSIGN(NodeConfig c, ParseConfig("party = \"alpha\"\n", "config.toml"));
  EXPECT_EQ(c.party, "alpha");
  EXPECT_EQ(c.listen, "127.0.0.1:8443");
  EXPECT_EQ(c.database, "sqlite:node.db");
  EXPECT_EQ(c.max_content_length, 10u * 1024 * 1024);
  EXPECT_EQ(c.worker_threads, 2);
  EXPECT_EQ(c.idle_timeout, std::chrono::milliseconds(60'000));
}

TEST(ConfigTest, FormatParsesBackToTheSameConfig) {
  NodeConfig c;
  c.party = "beta";
  c.listen = "[::1]:9000";
  c.database = "postgresql://u@h/db?x=\"q\"";
  c.tls_cert = "tls/cert.pem";
  c.tls_key = "tls/key.pem";
  c.max_content_length = 12345;
  c.read_header_timeout = std::chrono::milliseconds(111);
  c.worker_threads = 7;
  c.sync_interval = std::chrono::milliseconds(250);
  ASSERT_OK_AND_ASSIGN(NodeConfig d, ParseConfig(FormatConfig(c), "x"));
  EXPECT_EQ(d.party, c.party);
  EXPECT_EQ(d.listen, c.listen);
  EXPECT_EQ(d.database, c.database);
  EXPECT_EQ(d.tls_cert, c.tls_cert);
  EXPECT_EQ(d.tls_key, c.tls_key);
  EXPECT_EQ(d.max_content_length, 12345u);
  EXPECT_EQ(d.read_header_timeout, std::chrono::milliseconds(111));
  EXPECT_EQ(d.worker_threads, 7);
  EXPECT_EQ(d.sync_interval, std::chrono::milliseconds(250));
}

TEST(ConfigTest, RejectsBadConfigs) {
  struct Case {
    std::string toml, error;
  } cases[] = {
      {"listen = \"127.0.0.1:1\"\n", "key party: missing"},
      {"party = \"a b\"\n", "key party: party: character at offset 1"},
      {"party = \"a\"\nbogus = 1\n", "key bogus: unknown key"},
      {"party = \"a\"\nworker_threads = \"2\"\n", "key worker_threads: must be an integer"},
      {"party = \"a\"\nworker_threads = 0\n", "key worker_threads: 0 out of range (1-256)"},
      {"party = \"a\"\nsync_interval_ms = 5\n", "key sync_interval_ms: 5 out of range (10-86400000)"},
      {"party = 5\n", "key party: must be a string"},
      {"party = \"a\"\nlisten = \"nope\"\n", "key listen: listen address \"nope\""},
      {"party = \"a\"\ntls_cert = \"c.pem\"\n", "key tls_key: tls_cert and tls_key"},
      {"party = \"a\"\n\nparty = [\n", "config.toml: line 3"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseConfig(c.toml, "config.toml"),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.toml;
  }
}

TEST(ConfigTest, ClockTableRoundTrips) {
  NodeConfig c;
  c.party = "gamma";
  c.clock_speed = 3600;
  ASSERT_OK_AND_ASSIGN(c.clock_epoch, base::Timestamp::Parse("2026-11-22T00:00:00.250Z"));
  ASSERT_OK_AND_ASSIGN(NodeConfig d, ParseConfig(FormatConfig(c), "x"));
  EXPECT_EQ(d.clock_speed, 3600);
  ASSERT_TRUE(d.clock_epoch.has_value());
  EXPECT_EQ(*d.clock_epoch, *c.clock_epoch);
  EXPECT_EQ(d.clock_epoch->Format(), "2026-11-22T00:00:00.250Z");
}

TEST(ConfigTest, WithoutClockTableTheClockIsTheSystemClock) {
  ASSERT_OK_AND_ASSIGN(NodeConfig c, ParseConfig("party = \"a\"\n", "c"));
  EXPECT_EQ(c.clock_speed, 1);
  EXPECT_FALSE(c.clock_epoch.has_value());
  EXPECT_EQ(FormatConfig(c).find("[clock]"), std::string::npos);
  EXPECT_EQ(NodeClock(c), &base::SystemClock::Default());
}

TEST(ConfigTest, NodeClockIsScaledAndSharedPerEpochAndSpeed) {
  ASSERT_OK_AND_ASSIGN(
      NodeConfig c,
      ParseConfig("party = \"a\"\n[clock]\nspeed = 100000\nepoch = \"2020-01-01T00:00:00Z\"\n",
                  "c"));
  const base::Clock* clock = NodeClock(c);
  ASSERT_NE(clock, &base::SystemClock::Default());
  EXPECT_EQ(NodeClock(c), clock);
  // Six years of real time since the epoch, times 100000, is far beyond the year 9999.
  EXPECT_EQ(clock->Now().Format(), "9999-12-31T23:59:59.999Z");
  c.clock_speed = 2;
  EXPECT_NE(NodeClock(c), clock);
}

TEST(ConfigTest, RejectsBadClockTables) {
  struct Case {
    std::string toml, error;
  } cases[] = {
      {"party = \"a\"\n[clock]\nspeed = 0\nepoch = \"2026-01-01T00:00:00Z\"\n",
       "key clock.speed: 0 out of range (1-100000)"},
      {"party = \"a\"\n[clock]\nspeed = 100001\nepoch = \"2026-01-01T00:00:00Z\"\n",
       "key clock.speed: 100001 out of range (1-100000)"},
      {"party = \"a\"\n[clock]\nspeed = \"fast\"\n", "key clock.speed: must be an integer"},
      {"party = \"a\"\n[clock]\nspeed = 60\n", "key clock.epoch: missing"},
      {"party = \"a\"\n[clock]\nepoch = \"yesterday\"\n",
       "key clock.epoch: timestamp \"yesterday\""},
      {"party = \"a\"\n[clock]\nepoch = 2026-01-01T00:00:00Z\n",
       "key clock.epoch: must be a string"},
      {"party = \"a\"\n[clock]\nrate = 2\n", "key clock.rate: unknown key"},
      {"party = \"a\"\n[clock]\nspeed = 60\nepoch = \"9999-01-01T00:00:00Z\"\n",
       "key clock.epoch: 9999-01-01T00:00:00Z out of range"},
      {"party = \"a\"\n[clock]\nepoch = \"1969-12-31T23:59:59Z\"\n",
       "key clock.epoch: 1969-12-31T23:59:59Z out of range"},
      {"party = \"a\"\nclock = 5\n", "key clock: must be a table"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseConfig(c.toml, "config.toml"),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.toml;
  }
}

TEST(ConfigTest, OversizedConfigIsRejectedBeforeParsing) {
  std::string big = "party = \"a\"\n# " + std::string(kMaxConfigBytes, 'x') + "\n";
  EXPECT_THAT(ParseConfig(big, "c"), StatusIs(base::StatusCode::kInvalidArgument,
                                              HasSubstr("larger than 65536 bytes")));
}

TEST(ListenAddressTest, ParsesHostsAndPorts) {
  ASSERT_OK_AND_ASSIGN(ListenAddress a, ParseListenAddress("127.0.0.1:0"));
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 0);
  ASSERT_OK_AND_ASSIGN(a, ParseListenAddress("[::1]:8443"));
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 8443);
  for (const char* bad : {"", "host", ":80", "h:", "h:65536", "h:8x", "[::1]8443", "h:123456"}) {
    EXPECT_THAT(ParseListenAddress(bad), StatusIs(base::StatusCode::kInvalidArgument,
                                                  HasSubstr("listen address")))
        << bad;
  }
}

TEST(ConfigTest, DatabaseUrlIsResolvedAgainstNodeDir) {
  NodeConfig c;
  c.database = "sqlite:node.db";
  EXPECT_EQ(ResolveDatabaseUrl(c, "/n"), "sqlite:/n/node.db");
  c.database = "sqlite:/abs/x.db";
  EXPECT_EQ(ResolveDatabaseUrl(c, "/n"), "sqlite:/abs/x.db");
  c.database = "postgresql://h/db";
  EXPECT_EQ(ResolveDatabaseUrl(c, "/n"), "postgresql://h/db");
  EXPECT_EQ(ResolvePath("cert.pem", "/n"), "/n/cert.pem");
  EXPECT_EQ(ResolvePath("/etc/cert.pem", "/n"), "/etc/cert.pem");
}

class InitNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "server_init_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    tmp_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }
  static int Mode(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 0777);
  }
  std::string tmp_;
};

TEST_F(InitNodeTest, CreatesConfigKeyAndMigratedDatabase) {
  std::string dir = tmp_ + "/node";
  ASSERT_OK(InitNode({"alpha", dir}));
  EXPECT_EQ(Mode(dir), 0700);
  EXPECT_EQ(Mode(dir + "/signing.key"), 0600);
  EXPECT_EQ(Mode(dir + "/config.toml"), 0600);
  EXPECT_OK(crypto::SigningKey::LoadFile(dir + "/signing.key").status());
  ASSERT_OK_AND_ASSIGN(NodeConfig c, LoadConfig(dir));
  EXPECT_EQ(c.party, "alpha");
  store::Options so;
  so.url = ResolveDatabaseUrl(c, dir);
  so.create = false;
  ASSERT_OK_AND_ASSIGN(auto conn, store::Connect(so));
  ASSERT_OK_AND_ASSIGN(auto rows, conn->Query("SELECT COUNT(*) FROM schema_migrations WHERE "
                                              "module = 'server'"));
  ASSERT_TRUE(rows->Next());
  EXPECT_EQ(rows->Int64(0), static_cast<int64_t>(Migrations().size()));
}

TEST_F(InitNodeTest, RefusesToOverwriteExistingNode) {
  std::string dir = tmp_ + "/node";
  ASSERT_OK(InitNode({"alpha", dir}));
  std::string key_before = crypto::SigningKey::LoadFile(dir + "/signing.key")->ToPem();
  EXPECT_THAT(InitNode({"beta", dir}),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("already holds a node")));
  EXPECT_EQ(crypto::SigningKey::LoadFile(dir + "/signing.key")->ToPem(), key_before);
}

TEST_F(InitNodeTest, RefusesNonEmptyDirectory) {
  std::ofstream(tmp_ + "/stray") << "x";
  EXPECT_THAT(InitNode({"alpha", tmp_}),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("not empty")));
  EXPECT_TRUE(std::filesystem::exists(tmp_ + "/stray"));
}

TEST_F(InitNodeTest, UsesExistingEmptyDirectory) {
  EXPECT_OK(InitNode({"alpha", tmp_}));
  EXPECT_TRUE(std::filesystem::exists(tmp_ + "/config.toml"));
}

TEST_F(InitNodeTest, BadPartyNameCreatesNothing) {
  EXPECT_THAT(InitNode({"no spaces", tmp_ + "/node"}),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("party")));
  EXPECT_FALSE(std::filesystem::exists(tmp_ + "/node"));
}

TEST_F(InitNodeTest, MissingNodeIsNotFound) {
  EXPECT_THAT(LoadConfig(tmp_ + "/none"),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("run detente init")));
}

}  // namespace
}  // namespace detente::server
