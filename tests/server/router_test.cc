// Tests server/http.cc: Router patterns and matching, Dispatch (404/405/400, auth, the
// last-resort catch), Response helpers and PercentDecode. No sockets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Handler Reply(std::string text) {
  return [text](const Request&) {
    Response r;
    r.body = text;
    return r;
  };
}

Request MakeRequest(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

class FakeAuthenticator : public Authenticator {
 public:
  base::Result<Principal> Authenticate(std::string_view header) override {
    if (header == "Bearer good") return Principal{"bob", {{"c1", true, true}}};
    if (header == "Bearer down") return base::UnavailableError("database is down");
    return base::UnauthenticatedError(header.empty() ? "no Authorization header" : "bad token");
  }
};

TEST(RouterTest, MatchesParametersOfTaxiiPattern) {
  Router router;
  ASSERT_OK(router.Add("GET", "/taxii2/{api_root}/collections/{id}/objects/", Access::kPublic,
                       Reply("objects")));
  Router::Match m = router.Find("GET", "/taxii2/api1/collections/c%2F1/objects/");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.pattern, "/taxii2/{api_root}/collections/{id}/objects/");
  EXPECT_EQ(m.params.at("api_root"), "api1");
  EXPECT_EQ(m.params.at("id"), "c/1");
}

TEST(RouterTest, TrailingSlashIsSignificant) {
  Router router;
  ASSERT_OK(router.Add("GET", "/a/", Access::kPublic, Reply("a")));
  EXPECT_EQ(router.Find("GET", "/a").kind, Router::Match::Kind::kNoPath);
  EXPECT_EQ(router.Find("GET", "/a/").kind, Router::Match::Kind::kFound);
}

TEST(RouterTest, ParameterDoesNotMatchEmptySegment) {
  Router router;
  ASSERT_OK(router.Add("GET", "/x/{id}/", Access::kPublic, Reply("x")));
  EXPECT_EQ(router.Find("GET", "/x//").kind, Router::Match::Kind::kNoPath);
}

TEST(RouterTest, LiteralSegmentWinsOverParameter) {
  Router router;
  ASSERT_OK(router.Add("GET", "/c/{id}/", Access::kPublic, Reply("param")));
  ASSERT_OK(router.Add("GET", "/c/special/", Access::kPublic, Reply("literal")));
  Router::Match m = router.Find("GET", "/c/special/");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.pattern, "/c/special/");
  EXPECT_EQ(router.Find("GET", "/c/other/").pattern, "/c/{id}/");
}

TEST(RouterTest, OtherMethodOnKnownPathIsBadMethodWithAllowed) {
  Router router;
  ASSERT_OK(router.Add("GET", "/o/", Access::kPublic, Reply("get")));
  ASSERT_OK(router.Add("POST", "/o/", Access::kPublic, Reply("post")));
  Router::Match m = router.Find("DELETE", "/o/");
  EXPECT_EQ(m.kind, Router::Match::Kind::kBadMethod);
  EXPECT_THAT(m.allowed, ElementsAre("GET", "POST"));
}

TEST(RouterTest, BadPercentEscapeInParameterIsBadPath) {
  Router router;
  ASSERT_OK(router.Add("GET", "/x/{id}/", Access::kPublic, Reply("x")));
  Router::Match m = router.Find("GET", "/x/%zz/");
  EXPECT_EQ(m.kind, Router::Match::Kind::kBadPath);
  EXPECT_THAT(m.error, HasSubstr("bad percent-escape at offset 0"));
}

TEST(RouterTest, RejectsMalformedPatterns) {
  struct Case {
    const char* pattern;
    const char* error;
  } cases[] = {
      {"x/", "does not start with '/'"},
      {"/a/{}/", "bad parameter segment"},
      {"/a/{id/", "bad parameter segment"},
      {"/a/x{id}/", "bad parameter segment"},
      {"/{id}/{id}/", "used twice"},
  };
  for (const Case& c : cases) {
    Router router;
    EXPECT_THAT(router.Add("GET", c.pattern, Access::kPublic, Reply("")),
                StatusIs(base::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.pattern;
  }
}

TEST(RouterTest, RejectsClashingRoute) {
  Router router;
  ASSERT_OK(router.Add("GET", "/a/{x}/", Access::kPublic, Reply("")));
  EXPECT_THAT(router.Add("GET", "/a/{y}/", Access::kPublic, Reply("")),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("clashes with /a/{x}/")));
  EXPECT_OK(router.Add("POST", "/a/{y}/", Access::kPublic, Reply("")));
}

TEST(DispatchTest, UnknownPathIs404JsonError) {
  Router router;
  Request req = MakeRequest("GET", "/missing");
  DispatchInfo info;
  Response r = Dispatch(router, nullptr, req, &info);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), "application/taxii+json;version=2.1");
  EXPECT_EQ(r.body,
            "{\"title\":\"Not Found\",\"description\":\"no resource at this path\","
            "\"http_status\":\"404\"}");
  EXPECT_EQ(info.route, "unmatched");
}

TEST(DispatchTest, WrongMethodIs405WithAllowHeader) {
  Router router;
  ASSERT_OK(router.Add("GET", "/o/", Access::kPublic, Reply("")));
  ASSERT_OK(router.Add("POST", "/o/", Access::kPublic, Reply("")));
  Request req = MakeRequest("PUT", "/o/");
  Response r = Dispatch(router, nullptr, req, nullptr);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET, POST");
}

TEST(DispatchTest, AuthenticatedRouteWithoutCredentialsIs401WithChallenges) {
  Router router;
  FakeAuthenticator auth;
  ASSERT_OK(router.Add("GET", "/s", Access::kAuthenticated, Reply("secret")));
  Request req = MakeRequest("GET", "/s");
  Response r = Dispatch(router, &auth, req, nullptr);
  EXPECT_EQ(r.status, 401);
  int challenges = 0;
  for (const auto& [k, v] : r.headers) challenges += k == "WWW-Authenticate";
  EXPECT_EQ(challenges, 2);
  EXPECT_THAT(r.body, HasSubstr("no Authorization header"));
}

TEST(DispatchTest, AuthenticatedRouteSetsPrincipal) {
  Router router;
  FakeAuthenticator auth;
  ASSERT_OK(router.Add("GET", "/s/{c}/", Access::kAuthenticated, [](const Request& req) {
    Response r;
    r.body = req.principal->name + (req.principal->CanWrite(req.Param("c")) ? " w" : " -");
    return r;
  }));
  Request req = MakeRequest("GET", "/s/c1/");
  req.headers.emplace_back("authorization", "Bearer good");
  DispatchInfo info;
  Response r = Dispatch(router, &auth, req, &info);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "bob w");
  EXPECT_EQ(info.user, "bob");
  EXPECT_EQ(info.route, "/s/{c}/");
}

TEST(DispatchTest, UnavailableUserDatabaseIs503) {
  Router router;
  FakeAuthenticator auth;
  ASSERT_OK(router.Add("GET", "/s", Access::kAuthenticated, Reply("secret")));
  Request req = MakeRequest("GET", "/s");
  req.headers.emplace_back("authorization", "Bearer down");
  EXPECT_EQ(Dispatch(router, &auth, req, nullptr).status, 503);
}

TEST(DispatchTest, ThrowingHandlerIs500WithoutDetails) {
  Router router;
  ASSERT_OK(router.Add("GET", "/t", Access::kPublic,
                       [](const Request&) -> Response { throw std::runtime_error("secret"); }));
  Request req = MakeRequest("GET", "/t");
  Response r = Dispatch(router, nullptr, req, nullptr);
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, Not(HasSubstr("secret")));
}

TEST(ResponseTest, FromStatusMapsCodes) {
  struct Case {
    base::Status status;
    int http;
  } cases[] = {
      {base::InvalidArgumentError("x"), 400},  {base::UnauthenticatedError("x"), 401},
      {base::PermissionDeniedError("x"), 403}, {base::NotFoundError("x"), 404},
      {base::AlreadyExistsError("x"), 409},    {base::FailedPreconditionError("x"), 409},
      {base::ResourceExhaustedError("x"), 413}, {base::UnavailableError("x"), 503},
      {base::InternalError("hidden"), 500},    {base::DataLossError("hidden"), 500},
  };
  for (const Case& c : cases) {
    Response r = Response::FromStatus(c.status);
    EXPECT_EQ(r.status, c.http) << c.status;
    if (c.http == 500) {
      EXPECT_THAT(r.body, Not(HasSubstr("hidden")));
    }
  }
}

TEST(ResponseTest, ErrorEscapesClientText) {
  Response r = Response::Error(400, "Bad Request", "bad \"q\"\n\xff");
  EXPECT_OK(base::CanonicalizeJson(r.body).status());
  EXPECT_THAT(r.body, HasSubstr("(not valid UTF-8)"));
}

TEST(PercentDecodeTest, DecodesAndRejects) {
  EXPECT_THAT(PercentDecode("a%20b%2Fc"), IsOkAndHolds(std::string("a b/c")));
  EXPECT_THAT(PercentDecode("plain"), IsOkAndHolds(std::string("plain")));
  EXPECT_THAT(PercentDecode("ab%2"), StatusIs(base::StatusCode::kInvalidArgument,
                                               HasSubstr("truncated percent-escape at offset 2")));
  EXPECT_THAT(PercentDecode("%g0"), StatusIs(base::StatusCode::kInvalidArgument,
                                              HasSubstr("bad percent-escape at offset 0")));
  EXPECT_THAT(PercentDecode("x%00"), StatusIs(base::StatusCode::kInvalidArgument,
                                               HasSubstr("NUL at offset 1")));
}

}  // namespace
}  // namespace detente::server
