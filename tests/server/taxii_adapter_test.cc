// Tests server/taxii_adapter.cc: the TAXII Service mounted on a Router, reached through
// Dispatch with a real UserStore (grants decide collection access) and the collection's TLP
// policy (policy.h) deciding which restricted objects a reader sees. No sockets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "server/server.h"
#include "taxii/taxii_test_util.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string Basic(std::string_view user) {
  std::string raw = std::string(user) + ":correct horse";
  return "Basic " + base::Base64Encode(base::AsBytes(raw));
}

class TaxiiMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Options so;
    so.url = ":memory:";
    ASSERT_OK_AND_ASSIGN(conn_, store::Connect(so));
    ASSERT_OK(store::Migrate(*conn_, NodeMigrations()));
    repo_ = std::make_unique<taxii::Repository>(*conn_);
    ASSERT_OK(repo_->CreateApiRoot({"api1", "API 1", "", 1 << 20}));
    taxii::CollectionInfo info;
    info.api_root = "api1";
    info.title = "shared";
    ASSERT_OK_AND_ASSIGN(collection_, repo_->CreateCollection(info));

    ASSERT_OK_AND_ASSIGN(auto uconn, store::Connect(so));
    UserStoreOptions uo;
    uo.pwhash_opslimit = 1;
    uo.pwhash_memlimit = 8192;
    ASSERT_OK_AND_ASSIGN(users_, UserStore::Open(std::move(uconn), uo));
    ASSERT_OK(users_->AddUser("reader", "correct horse"));
    ASSERT_OK(users_->AddUser("outsider", "correct horse"));
    ASSERT_OK(users_->GrantAccess("reader", collection_.id, true, false));

    mount_ = std::make_unique<TaxiiMount>(*repo_, taxii::ServiceOptions{});
    ASSERT_OK(mount_->AddRoutes(router_));
  }

  Response Call(std::string method, std::string target, std::string user, std::string body = "") {
    Request r;
    r.method = std::move(method);
    r.target = target;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    if (!user.empty()) r.headers.emplace_back("authorization", Basic(user));
    r.headers.emplace_back("accept", "application/taxii+json;version=2.1");
    r.body = std::move(body);
    return Dispatch(router_, users_.get(), r, nullptr);
  }

  std::unique_ptr<store::Connection> conn_;
  std::unique_ptr<taxii::Repository> repo_;
  taxii::CollectionInfo collection_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<TaxiiMount> mount_;
  Router router_;
};

TEST_F(TaxiiMountTest, DiscoveryNeedsCredentials) {
  EXPECT_EQ(Call("GET", "/taxii2/", "").status, 401);
  Response r = Call("GET", "/taxii2/", "reader");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("content-type"), StartsWith("application/taxii+json"));
  EXPECT_THAT(r.body, HasSubstr("/api1/"));
}

TEST_F(TaxiiMountTest, GrantedUserReadsCollectionObjects) {
  Response r = Call("GET", "/api1/collections/" + collection_.id + "/objects/", "reader");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(TaxiiMountTest, UserWithoutGrantDoesNotSeeCollection) {
  Response r = Call("GET", "/api1/collections/" + collection_.id + "/objects/", "outsider");
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(TaxiiMountTest, ReadOnlyUserCannotPost) {
  Response r = Call("POST", "/api1/collections/" + collection_.id + "/objects/", "reader",
                    "{\"objects\":[]}");
  EXPECT_EQ(r.status, 403) << r.body;
}

// A collection holding one object at each of GREEN, AMBER+STRICT and RED (TLP 2.0), readable
// by three users of whom the policy lets one see RED and one AMBER+STRICT.
class TaxiiMountTlpTest : public TaxiiMountTest {
 protected:
  static constexpr std::string_view kAmberStrict =
      "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";

  void SetUp() override {
    TaxiiMountTest::SetUp();
    using taxii::testing::Indicator;
    for (const char* u : {"redder", "stricter"}) {
      ASSERT_OK(users_->AddUser(u, "correct horse"));
      ASSERT_OK(users_->GrantAccess(u, collection_.id, true, false));
    }
    auto marked = [](int n, std::string_view marking) {
      return Indicator(n, "2024-01-01T00:00:00.000Z",
                       "\"object_marking_refs\":[\"" + std::string(marking) + "\"],");
    };
    objects_ = {marked(1, taxii::testing::kTlpGreen), marked(2, kAmberStrict),
                marked(3, taxii::testing::kTlpRed)};
    std::vector<std::string_view> views(objects_.begin(), objects_.end());
    ASSERT_OK_AND_ASSIGN(auto added, repo_->AddObjects(collection_, views));
    for (const taxii::AddResult& a : added) ASSERT_TRUE(a.ok) << a.message;
    TlpPolicy policy;
    policy.red_users = {"redder"};
    policy.amber_strict_users = {"stricter"};
    ASSERT_OK(SetTlpPolicy(*conn_, collection_.id, policy));
  }
  std::string ObjectsPath() { return "/api1/collections/" + collection_.id + "/objects/"; }
  std::string ObjectPath(int n) {
    return ObjectsPath() + taxii::testing::StixId("indicator", n) + "/";
  }
  std::vector<std::string> objects_;
};

TEST_F(TaxiiMountTlpTest, OrdinaryReaderDoesNotListRedOrAmberStrictObjects) {
  Response r = Call("GET", ObjectsPath(), "reader");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(taxii::testing::StixId("indicator", 1)));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(taxii::testing::StixId("indicator", 2))));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(taxii::testing::StixId("indicator", 3))));
}

TEST_F(TaxiiMountTlpTest, OrdinaryReaderGets404ForRedObjectById) {
  EXPECT_EQ(Call("GET", ObjectPath(3), "reader").status, 404);
  EXPECT_EQ(Call("GET", ObjectPath(2), "reader").status, 404);
  EXPECT_EQ(Call("GET", ObjectPath(1), "reader").status, 200);
}

TEST_F(TaxiiMountTlpTest, AmberStrictUserSeesAmberStrictButNotRed) {
  Response r = Call("GET", ObjectsPath(), "stricter");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(taxii::testing::StixId("indicator", 2)));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(taxii::testing::StixId("indicator", 3))));
  EXPECT_EQ(Call("GET", ObjectPath(2), "stricter").status, 200);
  EXPECT_EQ(Call("GET", ObjectPath(3), "stricter").status, 404);
}

TEST_F(TaxiiMountTlpTest, RedUserSeesEverything) {
  Response r = Call("GET", ObjectsPath(), "redder");
  ASSERT_EQ(r.status, 200) << r.body;
  for (int n : {1, 2, 3}) {
    EXPECT_THAT(r.body, HasSubstr(taxii::testing::StixId("indicator", n)));
  }
  EXPECT_EQ(Call("GET", ObjectPath(3), "redder").status, 200);
}

TEST_F(TaxiiMountTlpTest, ManifestHidesRedObjectsToo) {
  Response r = Call("GET", "/api1/collections/" + collection_.id + "/manifest/", "reader");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(taxii::testing::StixId("indicator", 3))));
}

// Deny by default: without a policy nobody is named, so a RED object is served to no reader
// (left out of the list, 404 when asked for by id) while a GREEN one is.
TEST_F(TaxiiMountTlpTest, CollectionWithoutPolicyServesRedToNobody) {
  taxii::CollectionInfo info;
  info.api_root = "api1";
  info.title = "open";
  ASSERT_OK_AND_ASSIGN(taxii::CollectionInfo open, repo_->CreateCollection(info));
  ASSERT_OK(users_->GrantAccess("reader", open.id, true, false));
  std::vector<std::string_view> views = {objects_[0], objects_[2]};
  ASSERT_OK(repo_->AddObjects(open, views).status());
  Response r = Call("GET", "/api1/collections/" + open.id + "/objects/", "reader");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(taxii::testing::StixId("indicator", 1)));
  EXPECT_THAT(r.body, Not(HasSubstr(taxii::testing::StixId("indicator", 3))));
  Response one = Call("GET",
                      "/api1/collections/" + open.id + "/objects/" +
                          taxii::testing::StixId("indicator", 3) + "/",
                      "reader");
  EXPECT_EQ(one.status, 404) << one.body;
}

// The pooled mount: Services on connections of their own to one SQLite file, used from
// several threads at once.
class TaxiiMountPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "taxii_pool_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    so_.url = "sqlite:" + dir_ + "/node.db";
    ASSERT_OK_AND_ASSIGN(auto conn, store::Connect(so_));
    ASSERT_OK(store::Migrate(*conn, NodeMigrations()));
    taxii::Repository repo(*conn);
    ASSERT_OK(EnsureDefaultApiRoot(repo, "alpha"));
    ASSERT_OK_AND_ASSIGN(collection_,
                         repo.CreateCollection({.api_root = "api1", .title = "shared"}));
    ASSERT_OK_AND_ASSIGN(auto uconn, store::Connect(so_));
    UserStoreOptions uo;
    uo.pwhash_opslimit = 1;
    uo.pwhash_memlimit = 8192;
    ASSERT_OK_AND_ASSIGN(users_, UserStore::Open(std::move(uconn), uo));
    ASSERT_OK(users_->AddUser("writer", "correct horse"));
    ASSERT_OK(users_->GrantAccess("writer", collection_.id, true, true));
  }
  void TearDown() override {
    users_.reset();
    std::filesystem::remove_all(dir_);
  }
  TaxiiMount::Connector Connector() {
    return [so = so_]() { return store::Connect(so); };
  }
  Response Call(std::string method, std::string path, std::string body = "") {
    Request r;
    r.method = std::move(method);
    r.target = path;
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.headers.emplace_back("authorization", Basic("writer"));
    r.headers.emplace_back("accept", "application/taxii+json;version=2.1");
    r.headers.emplace_back("content-type", "application/taxii+json;version=2.1");
    r.body = std::move(body);
    return Dispatch(router_, users_.get(), r, nullptr);
  }
  std::string dir_;
  store::Options so_;
  taxii::CollectionInfo collection_;
  std::unique_ptr<UserStore> users_;
  Router router_;
};

TEST_F(TaxiiMountPoolTest, ConcurrentPostsAndReadsAllSucceed) {
  TaxiiMount mount(Connector(), taxii::ServiceOptions{}, 4);
  ASSERT_OK(mount.AddRoutes(router_));
  const std::string objects = "/api1/collections/" + collection_.id + "/objects/";
  constexpr int kThreads = 4, kPerThread = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i + 1;
        Response post =
            Call("POST", objects, taxii::testing::Envelope({taxii::testing::Indicator(n)}));
        if (post.status != 202) ++failures;
        if (Call("GET", objects + "?limit=5").status != 200) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(mount.instances(), 1u);
  EXPECT_LE(mount.instances(), 4u);
  ASSERT_OK_AND_ASSIGN(auto conn, store::Connect(so_));
  taxii::Repository repo(*conn);
  EXPECT_THAT(repo.CountObjects(collection_), IsOkAndHolds(kThreads * kPerThread));
}

TEST_F(TaxiiMountPoolTest, CursorFromOneInstanceWorksOnAnother) {
  taxii::ServiceOptions o;
  o.cursor_key = std::string(32, 'k');
  TaxiiMount first(Connector(), o, 1);
  ASSERT_OK(first.AddRoutes(router_));
  const std::string objects = "/api1/collections/" + collection_.id + "/objects/";
  ASSERT_EQ(
      Call("POST", objects,
           taxii::testing::Envelope({taxii::testing::Indicator(1), taxii::testing::Indicator(2)}))
          .status,
      202);
  Response page = Call("GET", objects + "?limit=1");
  ASSERT_EQ(page.status, 200) << page.body;
  size_t at = page.body.find("\"next\":\"");
  ASSERT_NE(at, std::string::npos) << page.body;
  at += 8;
  std::string next = page.body.substr(at, page.body.find('"', at) - at);
  Router other_router;
  TaxiiMount second(Connector(), o, 1);
  ASSERT_OK(second.AddRoutes(other_router));
  router_ = std::move(other_router);
  Response rest = Call("GET", objects + "?limit=1&next=" + next);
  EXPECT_EQ(rest.status, 200) << rest.body;
  EXPECT_THAT(rest.body, HasSubstr(taxii::testing::StixId("indicator", 2)));
}

TEST_F(TaxiiMountPoolTest, FailingConnectorAnswers503) {
  TaxiiMount mount(
      []() -> base::Result<std::unique_ptr<store::Connection>> {
        return base::UnavailableError("database down");
      },
      taxii::ServiceOptions{}, 2);
  ASSERT_OK(mount.AddRoutes(router_));
  EXPECT_EQ(Call("GET", "/taxii2/").status, 503);
  EXPECT_EQ(mount.instances(), 0u);
}

// Status expiry (kStatusRetentionSeconds, kStatusExpiryIntervalSeconds) with a fake clock
// shared by the mount's Services and Repositories.
class TaxiiMountStatusExpiryTest : public TaxiiMountPoolTest {
 protected:
  void SetUp() override {
    TaxiiMountPoolTest::SetUp();
    taxii::ServiceOptions o;
    o.clock = &clock_;
    mount_ = std::make_unique<TaxiiMount>(Connector(), o, 2);
    ASSERT_OK(mount_->AddRoutes(router_));
  }
  // POSTs one new indicator; returns the status id ("" on failure).
  std::string PostOne() {
    Response r = Call("POST", "/api1/collections/" + collection_.id + "/objects/",
                      taxii::testing::Envelope({taxii::testing::Indicator(++n_)}));
    EXPECT_EQ(r.status, 202) << r.body;
    size_t at = r.body.find("\"id\":\"");
    if (at == std::string::npos) return "";
    at += 6;
    return r.body.substr(at, r.body.find('"', at) - at);
  }
  int StatusCode(const std::string& id) { return Call("GET", "/api1/status/" + id + "/").status; }

  base::FakeClock clock_{base::Timestamp::FromUnixSeconds(1'700'000'000, 0, 0)};
  std::unique_ptr<TaxiiMount> mount_;
  int n_ = 0;
};

TEST_F(TaxiiMountStatusExpiryTest, StatusIsReadableForTwentyFourHours) {
  std::string old = PostOne();
  clock_.AdvanceSeconds(kStatusRetentionSeconds - 1);
  PostOne();  // runs the expiry: `old` is not yet 24 h old
  EXPECT_EQ(StatusCode(old), 200);
}

TEST_F(TaxiiMountStatusExpiryTest, StatusOlderThanRetentionIsExpiredByALaterPost) {
  std::string old = PostOne();
  clock_.AdvanceSeconds(kStatusRetentionSeconds + 1);
  std::string fresh = PostOne();
  EXPECT_EQ(StatusCode(old), 404);
  EXPECT_EQ(StatusCode(fresh), 200);
}

TEST_F(TaxiiMountStatusExpiryTest, ExpiryRunsAtMostOncePerInterval) {
  std::string old = PostOne();                                     // expiry at t0
  clock_.AdvanceSeconds(kStatusRetentionSeconds - 30);              // old is 30 s short of 24 h
  PostOne();                                                        // expiry runs, keeps old
  clock_.AdvanceSeconds(kStatusExpiryIntervalSeconds - 20);         // old is now over 24 h
  PostOne();                                                        // too soon: no expiry
  EXPECT_EQ(StatusCode(old), 200);
  clock_.AdvanceSeconds(20);
  PostOne();                                                        // due again
  EXPECT_EQ(StatusCode(old), 404);
}

TEST_F(TaxiiMountStatusExpiryTest, GetsDoNotExpireStatuses) {
  std::string old = PostOne();
  clock_.AdvanceSeconds(kStatusRetentionSeconds + 120);
  EXPECT_EQ(Call("GET", "/api1/collections/" + collection_.id + "/objects/").status, 200);
  EXPECT_EQ(StatusCode(old), 200);
}

TEST_F(TaxiiMountTest, DiscoveryListsEveryApiRootOfTheNode) {
  ASSERT_OK(repo_->CreateApiRoot({"api2", "API 2", "", 1 << 20}));
  ASSERT_OK(repo_->CreateApiRoot({"zeta", "API Z", "", 1 << 20}));
  Response r = Call("GET", "/taxii2/", "reader");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"api_roots\":[\"/api1/\",\"/api2/\",\"/zeta/\"]"));
}

TEST_F(TaxiiMountTest, PathWithoutTrailingSlashIsRedirectedWithoutCredentials) {
  const std::string objects = "/api1/collections/" + collection_.id + "/objects";
  Response r = Call("GET", objects + "?limit=2", "");
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(r.Header("location"), objects + "/?limit=2");
  EXPECT_EQ(r.Header("content-type"), "application/taxii+json;version=2.1");
  EXPECT_EQ(Call("GET", "/taxii2", "").Header("location"), "/taxii2/");
  // The bare API root is not redirected (it would catch every one-segment path).
  EXPECT_EQ(Call("GET", "/api1", "").status, 404);
}

// Outbound collections ("to-<party>"): a POST is handed to the outbound hook (on a node: shared
// with the partner) only when the Service will store it. A POST the Service refuses for its
// Accept, Content-Type, size or envelope is answered as usual and never shared; a hook that
// refuses leaves nothing stored.
TEST_F(TaxiiMountTest, OutboundHookSharesOnlyPostsTheServiceStores) {
  taxii::CollectionInfo info;
  info.api_root = "api1";
  info.title = "to beta";
  info.alias = "to-beta";
  ASSERT_OK_AND_ASSIGN(taxii::CollectionInfo out, repo_->CreateCollection(info));
  ASSERT_OK(users_->AddUser("writer", "correct horse"));
  ASSERT_OK(users_->GrantAccess("writer", out.id, true, true));
  std::vector<std::string> calls;
  base::Status answer = base::OkStatus();
  mount_->SetOutbound([&](std::string_view target, std::span<const std::string> objects) {
    calls.push_back(std::string(target) + ":" + std::to_string(objects.size()));
    return answer;
  });
  const std::string path = "/api1/collections/" + out.id + "/objects/";
  const std::string taxii21 = "application/taxii+json;version=2.1";
  auto post = [&](const std::string& content_type, const std::string& accept, std::string body) {
    Request r;
    r.method = "POST";
    r.target = path;
    r.path = path;
    r.headers.emplace_back("authorization", Basic("writer"));
    r.headers.emplace_back("accept", accept);
    r.headers.emplace_back("content-type", content_type);
    r.body = std::move(body);
    return Dispatch(router_, users_.get(), r, nullptr);
  };
  const std::string objects = "\"objects\":[" + taxii::testing::Indicator(1) + "]";
  const std::string body = "{" + objects + "}";
  EXPECT_EQ(post("application/taxii+json;version=2.0", taxii21, body).status, 415);
  EXPECT_EQ(post(taxii21, "text/html", body).status, 406);
  EXPECT_EQ(
      post(taxii21, taxii21, "{" + objects + ",\"pad\":\"" + std::string(1 << 20, 'a') + "\"}")
          .status,
      413);
  EXPECT_EQ(post(taxii21, taxii21, "{\"objects\":[" + taxii::testing::Indicator(1) + "]]").status,
            400);
  EXPECT_TRUE(calls.empty()) << calls[0];
  EXPECT_THAT(repo_->CountObjects(out), IsOkAndHolds(0));

  answer = base::PermissionDeniedError("TLP:RED object may not be shared onward");
  Response refused = post(taxii21, taxii21, body);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(repo_->CountObjects(out), IsOkAndHolds(0));

  answer = base::OkStatus();
  Response stored = post(taxii21, taxii21, body);
  EXPECT_EQ(stored.status, 202) << stored.body;
  EXPECT_EQ(calls, (std::vector<std::string>{"beta:1", "beta:1"}));
  EXPECT_THAT(repo_->CountObjects(out), IsOkAndHolds(1));
}

}  // namespace
}  // namespace detente::server
