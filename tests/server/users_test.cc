// Tests server/users.cc: users, Argon2id hashes, bearer tokens, grants, the credential cache,
// and Authorization header parsing. Argon2 runs with the minimum cost to keep tests fast.
#include <gmock/gmock.h>
#include <atomic>
#include <thread>
#include <vector>
#include <gtest/gtest.h>

#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Basic(std::string_view user, std::string_view pw) {
  std::string raw = std::string(user) + ":" + std::string(pw);
  return "Basic " + base::Base64Encode(base::AsBytes(raw));
}

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Options so;
    so.url = ":memory:";
    ASSERT_OK_AND_ASSIGN(auto conn, store::Connect(so));
    UserStoreOptions o;
    o.pwhash_opslimit = 1;
    o.pwhash_memlimit = 8192;
    o.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(users_, UserStore::Open(std::move(conn), o));
  }
  base::FakeClock clock_{base::Timestamp::FromUnixSeconds(1'700'000'000)};
  std::unique_ptr<UserStore> users_;
};

TEST_F(UserStoreTest, AddedUserVerifiesWithRightPassword) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  ASSERT_OK_AND_ASSIGN(Principal p, users_->VerifyPassword("alice", "correct horse"));
  EXPECT_EQ(p.name, "alice");
  EXPECT_TRUE(p.grants.empty());
}

TEST_F(UserStoreTest, WrongPasswordIsUnauthenticated) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  EXPECT_THAT(users_->VerifyPassword("alice", "Correct horse"),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("bad user name or password")));
}

TEST_F(UserStoreTest, UnknownUserIsUnauthenticatedWithSameMessage) {
  EXPECT_THAT(users_->VerifyPassword("nobody", "correct horse"),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("bad user name or password")));
}

TEST_F(UserStoreTest, DuplicateUserIsAlreadyExists) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  EXPECT_THAT(users_->AddUser("alice", "other password"),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("\"alice\" already exists")));
}

TEST_F(UserStoreTest, RejectsBadNamesAndPasswords) {
  struct Case {
    std::string name, password, error;
  } cases[] = {
      {"", "correct horse", "1-64 characters"},
      {std::string(65, 'a'), "correct horse", "1-64 characters"},
      {"a b", "correct horse", "offset 1"},
      {"-x", "correct horse", "must not start"},
      {"bob", "short", "at least 8 bytes"},
      {"bob", std::string(1025, 'p'), "at most 1024 bytes"},
      {"bob", "tab\there!", "control character"},
      {"bob", "bad\xff utf-8", "not valid UTF-8"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(users_->AddUser(c.name, c.password),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.name;
  }
}

TEST_F(UserStoreTest, ListUsersShowsCreationTimeFromClock) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  ASSERT_OK_AND_ASSIGN(auto list, users_->ListUsers());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].created, "2023-11-14T22:13:20.000Z");
}

TEST_F(UserStoreTest, IssuedTokenVerifiesAndIsPrefixed) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  ASSERT_OK_AND_ASSIGN(std::string token, users_->IssueToken("alice"));
  EXPECT_THAT(token, StartsWith("dtk_"));
  EXPECT_EQ(token.size(), 4u + 43u);
  ASSERT_OK_AND_ASSIGN(Principal p, users_->VerifyToken(token));
  EXPECT_EQ(p.name, "alice");
  EXPECT_THAT(users_->VerifyToken(token + "x"),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("unknown or revoked")));
}

TEST_F(UserStoreTest, TokenForUnknownUserIsNotFound) {
  EXPECT_THAT(users_->IssueToken("ghost"),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("no user named \"ghost\"")));
}

TEST_F(UserStoreTest, GrantsAccumulateAndRevokeRemoves) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  ASSERT_OK(users_->GrantAccess("alice", "c2", true, false));
  ASSERT_OK(users_->GrantAccess("alice", "c1", false, true));
  ASSERT_OK(users_->GrantAccess("alice", "c1", true, false));
  ASSERT_OK_AND_ASSIGN(Principal p, users_->VerifyPassword("alice", "correct horse"));
  EXPECT_THAT(p.grants, ElementsAre(Grant{"c1", true, true}, Grant{"c2", true, false}));
  ASSERT_OK(users_->RevokeAccess("alice", "c1", false, true));
  ASSERT_OK(users_->RevokeAccess("alice", "c2", false, false));  // neither flag: both
  ASSERT_OK_AND_ASSIGN(p, users_->VerifyPassword("alice", "correct horse"));
  EXPECT_THAT(p.grants, ElementsAre(Grant{"c1", true, false}));
  EXPECT_TRUE(p.CanRead("c1"));
  EXPECT_FALSE(p.CanWrite("c1"));
  EXPECT_FALSE(p.CanRead("c2"));
}

TEST_F(UserStoreTest, GrantErrors) {
  EXPECT_THAT(users_->GrantAccess("ghost", "c1", true, false),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("ghost")));
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  EXPECT_THAT(users_->GrantAccess("alice", "c1", false, false),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("neither read nor write")));
  EXPECT_THAT(users_->GrantAccess("alice", "", true, false),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("collection id")));
}

TEST_F(UserStoreTest, ListUsersShowsTokensAndGrantsInNameOrder) {
  ASSERT_OK(users_->AddUser("zed", "correct horse"));
  ASSERT_OK(users_->AddUser("amy", "correct horse"));
  ASSERT_OK(users_->IssueToken("zed").status());
  ASSERT_OK(users_->GrantAccess("amy", "c9", true, true));
  ASSERT_OK_AND_ASSIGN(auto list, users_->ListUsers());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "amy");
  EXPECT_EQ(list[0].tokens, 0);
  EXPECT_THAT(list[0].grants, ElementsAre(Grant{"c9", true, true}));
  EXPECT_EQ(list[1].name, "zed");
  EXPECT_EQ(list[1].tokens, 1);
}

TEST_F(UserStoreTest, AuthenticateAcceptsBasicAndBearer) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  ASSERT_OK_AND_ASSIGN(std::string token, users_->IssueToken("alice"));
  ASSERT_OK_AND_ASSIGN(Principal a, users_->Authenticate(Basic("alice", "correct horse")));
  EXPECT_EQ(a.name, "alice");
  ASSERT_OK_AND_ASSIGN(Principal b, users_->Authenticate("bearer  " + token));
  EXPECT_EQ(b.name, "alice");
}

TEST_F(UserStoreTest, CachedCredentialsStopWorkingAfterPasswordChange) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  std::string header = Basic("alice", "correct horse");
  ASSERT_OK(users_->Authenticate(header).status());
  ASSERT_OK(users_->Authenticate(header).status());  // from the cache
  ASSERT_OK(users_->SetPassword("alice", "battery staple"));
  EXPECT_THAT(users_->Authenticate(header),
              StatusIs(base::StatusCode::kUnauthenticated, HasSubstr("bad user name")));
}

TEST_F(UserStoreTest, ConcurrentRequestsWithTheSameCredentialsShareOnePasswordCheck) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  const std::string header = Basic("alice", "correct horse");
  const uint64_t before = users_->password_checks();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (users_->Authenticate(header).ok()) ok.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  // One Argon2id run (64 MiB) served all four: the others waited for it or hit the cache.
  EXPECT_EQ(users_->password_checks() - before, 1u);
}

TEST_F(UserStoreTest, ConcurrentWrongPasswordsAreEachRefused) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  const std::string header = Basic("alice", "wrong");
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      if (users_->Authenticate(header).status().code() == base::StatusCode::kUnauthenticated) {
        refused.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(refused.load(), 3);
}

TEST_F(UserStoreTest, RevokedGrantAppliesAtOnceDespiteCache) {
  ASSERT_OK(users_->AddUser("alice", "correct horse"));
  ASSERT_OK(users_->GrantAccess("alice", "c1", true, false));
  std::string header = Basic("alice", "correct horse");
  ASSERT_OK_AND_ASSIGN(Principal before, users_->Authenticate(header));
  EXPECT_TRUE(before.CanRead("c1"));
  ASSERT_OK(users_->RevokeAccess("alice", "c1", true, false));
  ASSERT_OK_AND_ASSIGN(Principal after, users_->Authenticate(header));
  EXPECT_FALSE(after.CanRead("c1"));
}

TEST_F(UserStoreTest, MigrationsAreIdempotentAcrossReopen) {
  store::Options so;
  so.url = ":memory:";
  ASSERT_OK_AND_ASSIGN(auto conn, store::Connect(so));
  ASSERT_OK(store::Migrate(*conn, Migrations()));
  EXPECT_OK(store::Migrate(*conn, Migrations()));
}

TEST(ParseAuthorizationTest, ParsesAndRejects) {
  ASSERT_OK_AND_ASSIGN(Credentials c, ParseAuthorization(Basic("bob", "pw:with:colons")));
  EXPECT_EQ(c.kind, Credentials::Kind::kBasic);
  EXPECT_EQ(c.user, "bob");
  EXPECT_EQ(c.secret, "pw:with:colons");
  ASSERT_OK_AND_ASSIGN(c, ParseAuthorization("Bearer dtk_abc"));
  EXPECT_EQ(c.kind, Credentials::Kind::kBearer);
  EXPECT_EQ(c.secret, "dtk_abc");

  struct Case {
    std::string header, error;
  } cases[] = {
      {"", "no Authorization header"},
      {"   ", "no Authorization header"},
      {"Digest abc", "unsupported authorization scheme"},
      {"Basic", "unsupported authorization scheme"},
      {"Basic !!!!", "not valid base64"},
      {"Basic " + base::Base64Encode(base::AsBytes("nocolon")), "no ':'"},
      {"Bearer a b", "malformed Bearer"},
      {"Bearer " + std::string(5000, 'a'), "longer than 4096"},
  };
  for (const Case& k : cases) {
    EXPECT_THAT(ParseAuthorization(k.header),
                StatusIs(base::StatusCode::kUnauthenticated, HasSubstr(k.error)))
        << k.header.substr(0, 40);
  }
}

}  // namespace
}  // namespace detente::server
