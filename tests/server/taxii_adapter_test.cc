// Tests server/taxii_adapter.cc: the TAXII Service mounted on a Router, reached through
// Dispatch with a real UserStore (grants decide collection access). No sockets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::testing::HasSubstr;
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

  Response Call(std::string method, std::string target, std::string user,
                std::string body = "") {
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

}  // namespace
}  // namespace detente::server
