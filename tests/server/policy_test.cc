// Tests server/policy.cc: TLP policies (parsing user lists, storage, the TLP ceiling each user
// gets), the default API root, finding collections by id or alias, and the cursor key file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ParseUserListTest, SplitsTrimsSortsAndDeduplicates) {
  ASSERT_OK_AND_ASSIGN(auto users, ParseUserList(" bob,alice , bob,,"));
  EXPECT_THAT(users, ElementsAre("alice", "bob"));
}

TEST(ParseUserListTest, EmptyTextIsEmptyList) {
  ASSERT_OK_AND_ASSIGN(auto users, ParseUserList(""));
  EXPECT_THAT(users, IsEmpty());
}

TEST(ParseUserListTest, BadNameIsRejectedByName) {
  EXPECT_THAT(ParseUserList("alice,b c").status(),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("user name")));
  EXPECT_THAT(ParseUserList("-x").status(),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("user name")));
}

// {policy, user, expected ceiling}: nullopt = no limit.
TEST(MaxTlpForTest, CeilingPerUser) {
  TlpPolicy p;
  p.red_users = {"r"};
  p.amber_strict_users = {"r", "s"};
  struct Row {
    std::optional<TlpPolicy> policy;
    const char* user;
    std::optional<stix::TlpLevel> want;
  };
  const Row rows[] = {
      {std::nullopt, "anyone", stix::TlpLevel::kAmber},         {p, "r", std::nullopt},
      {p, "s", stix::TlpLevel::kAmberStrict},         {p, "other", stix::TlpLevel::kAmber},
      {TlpPolicy{}, "other", stix::TlpLevel::kAmber},
  };
  for (const Row& row : rows) EXPECT_EQ(MaxTlpFor(row.policy, row.user), row.want) << row.user;
}

class PolicyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Options so;
    so.url = ":memory:";
    ASSERT_OK_AND_ASSIGN(conn_, store::Connect(so));
    ASSERT_OK(store::Migrate(*conn_, NodeMigrations()));
    repo_ = std::make_unique<taxii::Repository>(*conn_);
  }
  std::unique_ptr<store::Connection> conn_;
  std::unique_ptr<taxii::Repository> repo_;
};

TEST_F(PolicyStoreTest, UnsetPolicyIsNullopt) {
  ASSERT_OK_AND_ASSIGN(auto p, GetTlpPolicy(*conn_, "c1"));
  EXPECT_FALSE(p.has_value());
}

TEST_F(PolicyStoreTest, SetPolicyIsReadBackSortedAndReplaced) {
  TlpPolicy p;
  p.red_users = {"zed", "amy"};
  ASSERT_OK(SetTlpPolicy(*conn_, "c1", p));
  ASSERT_OK_AND_ASSIGN(auto got, GetTlpPolicy(*conn_, "c1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_THAT(got->red_users, ElementsAre("amy", "zed"));
  EXPECT_THAT(got->amber_strict_users, IsEmpty());
  p.red_users = {};
  p.amber_strict_users = {"bo"};
  ASSERT_OK(SetTlpPolicy(*conn_, "c1", p));
  ASSERT_OK_AND_ASSIGN(got, GetTlpPolicy(*conn_, "c1"));
  EXPECT_THAT(got->red_users, IsEmpty());
  EXPECT_THAT(got->amber_strict_users, ElementsAre("bo"));
}

TEST_F(PolicyStoreTest, SetPolicyRejectsBadUserName) {
  TlpPolicy p;
  p.red_users = {"a,b"};
  EXPECT_THAT(SetTlpPolicy(*conn_, "c1", p),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("user name")));
  EXPECT_THAT(SetTlpPolicy(*conn_, "", TlpPolicy{}),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("collection")));
}

TEST_F(PolicyStoreTest, EnsureDefaultApiRootCreatesItOnce) {
  ASSERT_OK(EnsureDefaultApiRoot(*repo_, "alpha"));
  ASSERT_OK(EnsureDefaultApiRoot(*repo_, "alpha"));
  ASSERT_OK_AND_ASSIGN(auto roots, repo_->ListApiRoots());
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0].name, kDefaultApiRoot);
  EXPECT_EQ(roots[0].title, "alpha TAXII API root");
}

TEST_F(PolicyStoreTest, FindCollectionByIdOrAliasAcrossApiRoots) {
  ASSERT_OK(EnsureDefaultApiRoot(*repo_, "alpha"));
  ASSERT_OK(repo_->CreateApiRoot({"other", "Other", "", 1 << 20}));
  taxii::CollectionInfo info;
  info.api_root = "other";
  info.title = "t";
  info.alias = "feed";
  ASSERT_OK_AND_ASSIGN(auto c, repo_->CreateCollection(info));
  ASSERT_OK_AND_ASSIGN(auto by_id, FindCollection(*repo_, c.id));
  EXPECT_EQ(by_id.api_root, "other");
  ASSERT_OK_AND_ASSIGN(auto by_alias, FindCollection(*repo_, "feed"));
  EXPECT_EQ(by_alias.id, c.id);
  EXPECT_THAT(FindCollection(*repo_, "nope").status(),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("no collection \"nope\"")));
}

class CursorKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cursor_key_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(CursorKeyTest, CreatesA32ByteOwnerOnlyFileAndReadsItBack) {
  ASSERT_OK_AND_ASSIGN(std::string key, LoadOrCreateCursorKey(dir_));
  EXPECT_EQ(key.size(), kCursorKeyBytes);
  std::string path = dir_ + "/" + std::string(kCursorKeyFile);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(LoadOrCreateCursorKey(dir_), IsOkAndHolds(key));
}

TEST_F(CursorKeyTest, WrongSizeFileIsDataLoss) {
  std::ofstream(dir_ + "/" + std::string(kCursorKeyFile)) << "short";
  EXPECT_THAT(LoadOrCreateCursorKey(dir_).status(),
              StatusIs(base::StatusCode::kDataLoss, HasSubstr("expected 32 bytes, found 5")));
}

TEST_F(CursorKeyTest, MissingDirectoryIsAnError) {
  EXPECT_THAT(LoadOrCreateCursorKey(dir_ + "/none").status(),
              StatusIs(base::StatusCode::kUnavailable, HasSubstr("cursor.key")));
}

}  // namespace
}  // namespace detente::server
