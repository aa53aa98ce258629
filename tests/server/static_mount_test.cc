// Tests server/static_mount.cc: loading a built web directory, serving its files through the
// Router and Dispatch (types, ETag/304, HEAD, Cache-Control, client routes), traversal
// attempts, and that the node's own routes are never shadowed. No sockets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

namespace fs = std::filesystem;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

class StaticMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("detente-static-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "assets");
    Write("index.html", "<!doctype html><title>detente</title>");
    Write("assets/index-abc123.js", "console.log(1)");
    Write("assets/index-abc123.css", "body{}");
    Write("favicon.svg", "<svg/>");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  Router MountedRouter() {
    auto m = StaticMount::Load(dir_.string(), {DashboardClientRoutes()});
    EXPECT_TRUE(m.ok()) << m.status().message();
    mount_ = std::move(m).value();
    Router router;
    EXPECT_TRUE(mount_->AddRoutes(router).ok());
    return router;
  }
  static Response Get(const Router& router, std::string path, std::string method = "GET",
                      std::string if_none_match = "") {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.target = r.path;
    if (!if_none_match.empty()) r.headers.emplace_back("if-none-match", if_none_match);
    return Dispatch(router, nullptr, r, nullptr);
  }
  fs::path dir_;
  std::unique_ptr<StaticMount> mount_;
};

TEST_F(StaticMountTest, ServesIndexAtRootWithHtmlTypeAndNoCache) {
  Router router = MountedRouter();
  Response r = Get(router, "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>detente</title>");
  EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  EXPECT_THAT(std::string(r.Header("Content-Security-Policy")), HasSubstr("default-src 'self'"));
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
}

TEST_F(StaticMountTest, ServesHashedAssetsImmutableWithTheirTypes) {
  Router router = MountedRouter();
  Response js = Get(router, "/assets/index-abc123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get(router, "/assets/index-abc123.css").Header("Content-Type"),
            "text/css; charset=utf-8");
  EXPECT_EQ(Get(router, "/favicon.svg").Header("Content-Type"), "image/svg+xml");
}

TEST_F(StaticMountTest, IfNoneMatchWithTheEtagAnswers304WithoutBody) {
  Router router = MountedRouter();
  Response first = Get(router, "/assets/index-abc123.js");
  std::string etag(first.Header("ETag"));
  ASSERT_EQ(etag.size(), 34u);  // 32 hex digits in quotes
  Response again = Get(router, "/assets/index-abc123.js", "GET", "\"other\", W/" + etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("ETag"), etag);
  EXPECT_EQ(Get(router, "/assets/index-abc123.js", "GET", "\"other\"").status, 200);
}

// HEAD gets the GET's response; the HTTP server sends its headers (with the GET's
// Content-Length) and no body (checked over real HTTP in tests/web/e2e.mjs).
TEST_F(StaticMountTest, HeadAnswersTheSameResponseAsGet) {
  Router router = MountedRouter();
  Response r = Get(router, "/assets/index-abc123.js", "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, Get(router, "/assets/index-abc123.js", "GET").body);
  EXPECT_EQ(r.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(r.Header("ETag").empty());
}

TEST_F(StaticMountTest, ClientRoutesAnswerIndexHtml) {
  Router router = MountedRouter();
  for (const char* path : {"/requests", "/requests/REQ-1", "/violations/x", "/scorecard",
                           "/verify", "/overview", "/shares"}) {
    Response r = Get(router, path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8") << path;
  }
}

TEST_F(StaticMountTest, OtherMethodsAreNotAllowed) {
  Router router = MountedRouter();
  Response r = Get(router, "/assets/index-abc123.js", "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET, HEAD");
}

TEST_F(StaticMountTest, TraversalAndUnlistedPathsAre404) {
  Write("../outside.txt", "secret");
  Router router = MountedRouter();
  for (const char* path : {"/../outside.txt", "/assets/../index.html", "/assets/%2e%2e/index.html",
                           "/%2e%2e/outside.txt", "/assets/nope.js", "//index.html",
                           "/assets/", "/index.html/", "/etc/passwd"}) {
    EXPECT_EQ(Get(router, path).status, 404) << path;
  }
  fs::remove(dir_.parent_path() / "outside.txt");
}

TEST_F(StaticMountTest, SymlinksAreNotServed) {
  fs::create_symlink("/etc/hostname", dir_ / "host.txt");
  Router router = MountedRouter();
  EXPECT_EQ(Get(router, "/host.txt").status, 404);
  EXPECT_EQ(mount_->file_count(), 4u);
}

TEST_F(StaticMountTest, DoesNotShadowTheNodesOwnRoutes) {
  Router router;
  Metrics metrics;
  ASSERT_TRUE(AddBuiltinRoutes(router, &metrics).ok());
  ASSERT_TRUE(router.Add("GET", "/api/v1/requests", Access::kPublic, [](const Request&) {
                      return Response::Json(200, "{\"api\":true}");
                    }).ok());
  ASSERT_TRUE(router.Add("GET", "/taxii2/", Access::kPublic, [](const Request&) {
                      return Response::Json(200, "{\"taxii\":true}");
                    }).ok());
  auto m = StaticMount::Load(dir_.string(), {DashboardClientRoutes()});
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->AddRoutes(router).ok());
  EXPECT_EQ(Get(router, "/api/v1/requests").body, "{\"api\":true}");
  EXPECT_EQ(Get(router, "/taxii2/").body, "{\"taxii\":true}");
  // /healthz answers 503 while no server runs: its own answer, not the dashboard's.
  EXPECT_THAT(std::string(Get(router, "/healthz").Header("Content-Type")),
              ::testing::Not(HasSubstr("text/html")));
  EXPECT_THAT(std::string(Get(router, "/metrics").Header("Content-Type")), HasSubstr("text/plain"));
  // Unknown API paths stay JSON 404s, never the dashboard's index.html.
  for (const char* path : {"/api/v1/nope", "/api/v1/requests/x/y/z", "/taxii2/x/", "/peer/v1/x",
                           "/api1/collections/"}) {
    Response r = Get(router, path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.Header("Content-Type"), kErrorContentType) << path;
  }
}

TEST_F(StaticMountTest, MissingDirectoryIsNotFoundNamingIt) {
  EXPECT_THAT(StaticMount::Load((dir_ / "nope").string()),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(StaticMountTest, MissingIndexIsNotFound) {
  fs::remove(dir_ / "index.html");
  EXPECT_THAT(StaticMount::Load(dir_.string()),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("index.html")));
}

TEST_F(StaticMountTest, ReservedFirstSegmentIsRefused) {
  fs::create_directories(dir_ / "api");
  Write("api/x.json", "{}");
  EXPECT_THAT(StaticMount::Load(dir_.string()),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("reserved")));
}

TEST_F(StaticMountTest, UnsafeFileNameIsRefusedNamingIt) {
  Write("a b.txt", "x");
  EXPECT_THAT(StaticMount::Load(dir_.string()),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("'a b.txt'")));
}

TEST_F(StaticMountTest, OversizedFileIsResourceExhausted) {
  StaticMountOptions o;
  o.max_file_bytes = 8;
  EXPECT_THAT(StaticMount::Load(dir_.string(), o),
              StatusIs(base::StatusCode::kResourceExhausted, HasSubstr("over the limit")));
}

TEST(ContentTypeTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(ContentTypeForPath("/a/b.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("/x.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeForPath("/noext"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("/dir.d/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace detente::server
