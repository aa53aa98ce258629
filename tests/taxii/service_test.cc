// Tests of taxii::Service: one test per applicable requirement of the TAXII 2.1 conformance
// checklist (the number in each comment), plus pagination over thousands of objects.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "taxii/taxii.h"
#include "taxii_test_util.h"

namespace detente::taxii {
namespace {

using ::testing::HasSubstr;
using namespace ::detente::taxii::testing;  // NOLINT
namespace json = boost::json;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = store::Connect({.url = ":memory:"});
    ASSERT_TRUE(c.ok()) << c.status();
    conn_ = std::move(c).value();
    ASSERT_OK(store::Migrate(*conn_, Migrations()));
    repo_ = std::make_unique<Repository>(*conn_, RepositoryOptions{.clock = &clock_});
    ASSERT_OK(
        repo_->CreateApiRoot({.name = "api1", .title = "API 1", .max_content_length = 256 * 1024}));
    ASSERT_OK_AND_ASSIGN(coll_, repo_->CreateCollection({.api_root = "api1", .title = "c"}));
    MakeService();
  }

  void MakeService() {
    ServiceOptions o;
    o.clock = &clock_;
    o.cursor_key = std::string(32, 'k');
    o.max_page_size = max_page_;
    o.access = [this](std::string_view user, const CollectionInfo&) {
      if (user == "reader") return CollectionAccess{true, false, std::nullopt};
      if (user == "writer") return CollectionAccess{false, true, std::nullopt};
      if (user == "nobody") return CollectionAccess{false, false, std::nullopt};
      if (user == "green") return CollectionAccess{true, true, stix::TlpLevel::kGreen};
      return CollectionAccess{true, true, std::nullopt};
    };
    service_ = std::make_unique<Service>(*repo_, o);
  }

  std::string Objects() const { return "/api1/collections/" + coll_.id + "/objects/"; }
  std::string Object(const std::string& id) const { return Objects() + id + "/"; }

  Response Send(std::string method, std::string path,
                std::vector<std::pair<std::string, std::string>> query = {}, std::string body = "",
                std::string user = "", std::string accept = std::string(kTaxiiMediaType)) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    if (!accept.empty()) r.headers.emplace("Accept", accept);
    if (r.method == "POST") r.headers.emplace("Content-Type", std::string(kTaxiiMediaType));
    r.body = std::move(body);
    r.user = std::move(user);
    return service_->Handle(r);
  }
  Response Get(std::string path, std::vector<std::pair<std::string, std::string>> query = {},
               std::string user = "") {
    return Send("GET", std::move(path), std::move(query), "", std::move(user));
  }
  Response Post(const std::vector<std::string>& objects, std::string user = "") {
    return Send("POST", Objects(), {}, Envelope(objects), std::move(user));
  }

  static json::object Body(const Response& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    EXPECT_TRUE(v.is_object()) << r.body;
    return v.is_object() ? v.as_object() : json::object();
  }
  static std::vector<std::string> ObjectIds(const Response& r) {
    std::vector<std::string> out;
    json::object b = Body(r);
    if (auto* objs = b.if_contains("objects")) {
      for (const auto& o : objs->as_array()) {
        out.emplace_back(o.as_object().at("id").as_string());
      }
    }
    return out;
  }

  base::FakeClock clock_{base::Timestamp::FromUnixSeconds(1'700'000'000)};
  int max_page_ = 1000;
  std::unique_ptr<store::Connection> conn_;
  std::unique_ptr<Repository> repo_;
  std::unique_ptr<Service> service_;
  CollectionInfo coll_;
};

// 1
TEST_F(ServiceTest, DiscoveryIsServedAtTaxii2) {
  Response r = Get("/taxii2/");
  EXPECT_EQ(r.status, 200);
  json::object b = Body(r);
  EXPECT_EQ(b.at("title").as_string(), "detente TAXII server");
  EXPECT_EQ(b.at("api_roots").as_array().at(0).as_string(), "/api1/");  // 21: relative, one '/'
}

// 20
TEST_F(ServiceTest, DiscoveryDefaultIsOneOfTheApiRoots) {
  ServiceOptions o;
  o.discovery.default_api_root = "api1";
  Service s(*repo_, o);
  json::object b = Body(s.Handle({.method = "GET", .path = "/taxii2/"}));
  EXPECT_EQ(b.at("default").as_string(), "/api1/");
  o.discovery.default_api_root = "gone";
  Service t(*repo_, o);
  EXPECT_FALSE(Body(t.Handle({.method = "GET", .path = "/taxii2/"})).contains("default"));
}

// 2, 22
TEST_F(ServiceTest, ApiRootResourceHasTitleVersionsAndMaxContentLength) {
  Response r = Get("/api1/");
  ASSERT_EQ(r.status, 200);
  json::object b = Body(r);
  EXPECT_EQ(b.at("title").as_string(), "API 1");
  EXPECT_EQ(b.at("versions").as_array().at(0).as_string(), kTaxiiMediaType);
  EXPECT_EQ(b.at("max_content_length").as_int64(), 256 * 1024);
}

// 4
TEST_F(ServiceTest, PathWithoutTrailingSlashIsRedirected) {
  Response r = Get("/api1/collections");
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(r.Header("Location"), "/api1/collections/");
}

// 5, 69, 70
TEST_F(ServiceTest, ErrorsAreTaxiiErrorObjectsWithTheTaxiiContentType) {
  Response r = Get("/api1/collections/" + std::string(36, 'x') + "/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), kTaxiiMediaType);
  json::object b = Body(r);
  EXPECT_TRUE(b.contains("title"));
  EXPECT_EQ(b.at("http_status").as_string(), "404");
}

// 3 (method table)
TEST_F(ServiceTest, UnsupportedMethodIs405WithAllow) {
  Response r = Send("DELETE", Objects());
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET, POST");
  EXPECT_EQ(r.Header("Content-Type"), kTaxiiMediaType);
}

// 6, 7, 8
TEST_F(ServiceTest, ObjectsGetWithoutVersionedAcceptIsServed) {
  for (std::string accept : {"application/taxii+json;version=2.1", "application/taxii+json",
                             "application/json, application/taxii+json;version=2.1",
                             "application/taxii+json;version=2.1;q=0.9"}) {
    EXPECT_EQ(Send("GET", Objects(), {}, "", "", accept).status, 200) << accept;
  }
}

// 9
TEST_F(ServiceTest, UnsupportedAcceptIs406) {
  EXPECT_EQ(Send("GET", Objects(), {}, "", "", "application/json").status, 406);
  EXPECT_EQ(Send("GET", "/taxii2/", {}, "", "", "application/taxii+json;version=2.0").status, 406);
}

// 10, 11, 12
TEST_F(ServiceTest, PostContentTypesWithAndWithoutVersionAreAccepted) {
  for (std::string ct : {"application/taxii+json;version=2.1", "application/taxii+json"}) {
    Request r{.method = "POST", .path = Objects(), .body = Envelope({Indicator(1)})};
    r.headers.emplace("Content-Type", ct);
    EXPECT_EQ(service_->Handle(r).status, 202) << ct;
  }
  Request bad{.method = "POST", .path = Objects(), .body = Envelope({Indicator(1)})};
  bad.headers.emplace("Content-Type", "application/json");
  EXPECT_EQ(service_->Handle(bad).status, 415);
}

// 16
TEST_F(ServiceTest, RequestWithoutUserAgentOrAcceptIsServed) {
  EXPECT_EQ(Send("GET", "/taxii2/", {}, "", "", "").status, 200);
}

// 18, 27, 31
TEST_F(ServiceTest, EmptyListsAreOmitted) {
  Response r = Get(Objects());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(Get("/api1/collections/", {}, "nobody").body, "{}");
}

// 19, 44
TEST_F(ServiceTest, DateAddedHeadersHaveMicrosecondPrecision) {
  Post({Indicator(1), Indicator(2)});
  Response r = Get(Objects());
  EXPECT_EQ(r.Header("X-TAXII-Date-Added-First"), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(r.Header("X-TAXII-Date-Added-Last"), "2023-11-14T22:13:20.000001Z");
}

// 23
TEST_F(ServiceTest, UnknownApiRootIs404) { EXPECT_EQ(Get("/nope/").status, 404); }

// 24, 26, 53, 58
TEST_F(ServiceTest, PostReturns202AndAStatusThatCanBeFetched) {
  Response r = Post({Indicator(1), "{\"type\":\"indicator\"}"});
  ASSERT_EQ(r.status, 202) << r.body;
  json::object s = Body(r);
  EXPECT_EQ(s.at("status").as_string(), "complete");
  EXPECT_EQ(s.at("total_count").as_int64(), 2);
  EXPECT_EQ(s.at("success_count").as_int64() + s.at("failure_count").as_int64() +
                s.at("pending_count").as_int64(),
            2);
  EXPECT_EQ(s.at("successes").as_array().at(0).as_object().at("version").as_string(),
            "2024-01-01T00:00:00.000Z");
  EXPECT_TRUE(s.at("failures").as_array().at(0).as_object().contains("message"));
  std::string id(s.at("id").as_string());
  Response g = Get("/api1/status/" + id + "/");
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(g.body, r.body);
}

// 25
TEST_F(ServiceTest, UnknownStatusIs404) {
  EXPECT_EQ(Get("/api1/status/2d086da7-4bdc-4f91-900e-d77486753710/").status, 404);
}

// 28
TEST_F(ServiceTest, CollectionHasIdTitleAndPermissions) {
  Response r = Get("/api1/collections/" + coll_.id + "/", {}, "reader");
  ASSERT_EQ(r.status, 200);
  json::object b = Body(r);
  EXPECT_EQ(b.at("id").as_string(), coll_.id);
  EXPECT_EQ(b.at("title").as_string(), "c");
  EXPECT_TRUE(b.at("can_read").as_bool());
  EXPECT_FALSE(b.at("can_write").as_bool());
}

// 27
TEST_F(ServiceTest, CollectionsAreListedInAStableOrder) {
  ASSERT_OK(repo_->CreateCollection({.api_root = "api1", .title = "d"}).status());
  Response a = Get("/api1/collections/");
  EXPECT_EQ(Body(a).at("collections").as_array().size(), 2u);
  EXPECT_EQ(a.body, Get("/api1/collections/").body);
}

// 29
TEST_F(ServiceTest, CollectionIsReachableByAlias) {
  ASSERT_OK(repo_->CreateCollection({.api_root = "api1", .title = "d", .alias = "hvi"}).status());
  EXPECT_EQ(Get("/api1/collections/hvi/").status, 200);
}

// 30
TEST_F(ServiceTest, UnknownCollectionIs404) {
  EXPECT_EQ(Get("/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/").status, 404);
}

// 32
TEST_F(ServiceTest, ObjectsAreSortedByDateAdded) {
  Post({Indicator(3), Indicator(1), Indicator(2)});
  EXPECT_THAT(ObjectIds(Get(Objects())),
              ::testing::ElementsAre(StixId("indicator", 3), StixId("indicator", 1),
                                     StixId("indicator", 2)));
}

// 33
TEST_F(ServiceTest, CannotReadGives403OnReadEndpoints) {
  Post({Indicator(1)});
  for (const std::string& p :
       {Objects(), Object(StixId("indicator", 1)), Object(StixId("indicator", 1)) + "versions/",
        "/api1/collections/" + coll_.id + "/manifest/"}) {
    EXPECT_EQ(Get(p, {}, "writer").status, 403) << p;
  }
}

// 34, 35, 36
TEST_F(ServiceTest, MatchFieldsOrWithinAndAcross) {
  Post({Indicator(1), Indicator(2), Malware(3), Malware(4)});
  EXPECT_EQ(ObjectIds(Get(Objects(),
                          {{"match[id]", StixId("indicator", 1) + "," + StixId("malware", 3)}}))
                .size(),
            2u);
  EXPECT_EQ(ObjectIds(Get(Objects(), {{"match[type]", "malware,tool"}})).size(), 2u);
  EXPECT_THAT(ObjectIds(Get(Objects(),
                            {{"match[type]", "malware"},
                             {"match[id]", StixId("indicator", 1) + "," + StixId("malware", 3)}})),
              ::testing::ElementsAre(StixId("malware", 3)));
}

// 37, 38, 60, 66
TEST_F(ServiceTest, VersionKeywordsSelectTheRightVersions) {
  Post({Indicator(1, "2024-01-01T00:00:00.000Z"), Indicator(1, "2024-02-01T00:00:00.000Z"),
        Indicator(1, "2024-03-01T00:00:00.000Z")});
  auto versions = [&](std::string v) {
    std::vector<std::string> out;
    json::object b = Body(Get(
        Objects(), v.empty()
                       ? std::vector<std::pair<std::string, std::string>>{}
                       : std::vector<std::pair<std::string, std::string>>{{"match[version]", v}}));
    if (auto* objs = b.if_contains("objects")) {
      for (const auto& o : objs->as_array()) {
        out.emplace_back(o.as_object().at("modified").as_string());
      }
    }
    return out;
  };
  EXPECT_THAT(versions(""), ::testing::ElementsAre("2024-03-01T00:00:00.000Z"));
  EXPECT_THAT(versions("first"), ::testing::ElementsAre("2024-01-01T00:00:00.000Z"));
  EXPECT_EQ(versions("all").size(), 3u);
  EXPECT_EQ(versions("first,last").size(), 2u);
  EXPECT_THAT(versions("2024-02-01T00:00:00.000Z"),
              ::testing::ElementsAre("2024-02-01T00:00:00.000Z"));
  EXPECT_EQ(versions("2024-02-01T00:00:00.000Z,2024-01-01T00:00:00Z").size(), 2u);
  Response v = Get(Object(StixId("indicator", 1)) + "versions/");
  EXPECT_EQ(Body(v).at("versions").as_array().size(), 3u);
  EXPECT_FALSE(v.Header("X-TAXII-Date-Added-Last").empty());
}

// 39
TEST_F(ServiceTest, ObjectsWithoutModifiedAreVersionedByCreated) {
  std::string no_modified =
      "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" +
      StixId("marking-definition", 7) +
      "\",\"created\":\"2024-05-05T00:00:00.000Z\",\"definition_type\":\"statement\","
      "\"definition\":{\"statement\":\"x\"}}";
  Response r = Post({no_modified});
  json::object s = Body(r);
  ASSERT_EQ(s.at("success_count").as_int64(), 1) << r.body;
  EXPECT_EQ(s.at("successes").as_array()[0].as_object().at("version").as_string(),
            "2024-05-05T00:00:00.000Z");
}

// 40
TEST_F(ServiceTest, SpecVersionFilterNeverReturnsOtherSpecVersions) {
  Post({Indicator(1)});
  EXPECT_EQ(ObjectIds(Get(Objects(), {{"match[spec_version]", "2.0"}})).size(), 0u);
  EXPECT_EQ(ObjectIds(Get(Objects(), {{"match[spec_version]", "2.0,2.1"}})).size(), 1u);
}

// 41
TEST_F(ServiceTest, AddedAfterIsExclusive) {
  Post({Indicator(1), Indicator(2)});
  Response r = Get(Objects(), {{"added_after", "2023-11-14T22:13:20.000000Z"}});
  EXPECT_THAT(ObjectIds(r), ::testing::ElementsAre(StixId("indicator", 2)));
}

// 42, 45
TEST_F(ServiceTest, MalformedQueryParametersAre400) {
  for (auto q : std::vector<std::pair<std::string, std::string>>{{"added_after", "bogus"},
                                                                 {"match[version]", "bogus"},
                                                                 {"limit", "abc"},
                                                                 {"limit", "0"},
                                                                 {"limit", "-1"}}) {
    Response r = Get(Objects(), {q});
    EXPECT_EQ(r.status, 400) << q.first << "=" << q.second;
    EXPECT_THAT(r.body, HasSubstr(q.first));
  }
}

// 43
TEST_F(ServiceTest, UnknownMatchFieldIsIgnored) {
  Post({Indicator(1)});
  EXPECT_EQ(ObjectIds(Get(Objects(), {{"match[colour]", "red"}})).size(), 1u);
}

// 46, 47, 48
TEST_F(ServiceTest, LimitCapsThePageAndSetsMore) {
  Post({Indicator(1), Indicator(2), Indicator(3)});
  json::object b = Body(Get(Objects(), {{"limit", "2"}}));
  EXPECT_EQ(b.at("objects").as_array().size(), 2u);
  EXPECT_TRUE(b.at("more").as_bool());
  EXPECT_TRUE(b.contains("next"));
  json::object all = Body(Get(Objects(), {{"limit", "3"}}));
  EXPECT_FALSE(all.contains("more"));
}

// 46 (server cap)
TEST_F(ServiceTest, ServerPageCapAppliesWithoutALimit) {
  max_page_ = 2;
  MakeService();
  Post({Indicator(1), Indicator(2), Indicator(3)});
  json::object b = Body(Get(Objects(), {{"limit", "50"}}));
  EXPECT_EQ(b.at("objects").as_array().size(), 2u);
  EXPECT_TRUE(b.at("more").as_bool());
}

// 49, 52: pagination to the end over thousands of objects with filters, by `next`.
TEST_F(ServiceTest, PagingWithNextYieldsEveryMatchExactlyOnce) {
  std::vector<std::string> batch;
  for (int i = 0; i < 3000; ++i) {
    batch.push_back(i % 3 == 0 ? Malware(i) : Indicator(i));
    if (batch.size() == 500) {
      ASSERT_EQ(Post(batch).status, 202);
      batch.clear();
    }
  }
  std::vector<std::pair<std::string, std::string>> q = {{"match[type]", "indicator"},
                                                        {"limit", "97"}};
  std::set<std::string> seen;
  std::string next;
  int pages = 0;
  for (; pages < 100; ++pages) {
    auto query = q;
    if (!next.empty()) query.emplace_back("next", next);
    Response r = Get(Objects(), query);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const std::string& id : ObjectIds(r)) EXPECT_TRUE(seen.insert(id).second) << id;
    json::object b = Body(r);
    if (!b.contains("more")) break;
    next = std::string(b.at("next").as_string());
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_EQ(pages, 20);
  // The manifest pages the same way.
  Response m = Get("/api1/collections/" + coll_.id + "/manifest/", q);
  json::object mb = Body(m);
  EXPECT_EQ(mb.at("objects").as_array().size(), 97u);
  EXPECT_TRUE(mb.at("more").as_bool());
}

// 50
TEST_F(ServiceTest, PagingWithAddedAfterTheLastHeaderAlsoWorks) {
  std::vector<std::string> objs;
  for (int i = 0; i < 25; ++i) objs.push_back(Indicator(i));
  Post(objs);
  std::set<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    std::vector<std::pair<std::string, std::string>> q = {{"limit", "10"}};
    if (!after.empty()) q.emplace_back("added_after", after);
    Response r = Get(Objects(), q);
    for (const std::string& id : ObjectIds(r)) seen.insert(id);
    if (!Body(r).contains("more")) break;
    after = r.Header("X-TAXII-Date-Added-Last");
  }
  EXPECT_EQ(seen.size(), 25u);
}

// 51
TEST_F(ServiceTest, TamperedOrReplayedCursorIs400) {
  Post({Indicator(1), Indicator(2), Malware(3)});
  std::string next(Body(Get(Objects(), {{"limit", "1"}})).at("next").as_string());
  std::string tampered = next;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Get(Objects(), {{"limit", "1"}, {"next", tampered}}).status, 400);
  EXPECT_EQ(Get(Objects(), {{"limit", "1"}, {"next", "bogus"}}).status, 400);
  Response changed = Get(Objects(), {{"match[type]", "malware"}, {"next", next}});
  EXPECT_EQ(changed.status, 400);
  EXPECT_THAT(changed.body, HasSubstr("different query"));
  EXPECT_EQ(Get(Objects(), {{"next", next}}, "green").status, 400);         // another user
  EXPECT_EQ(Get(Objects(), {{"limit", "5"}, {"next", next}}).status, 200);  // limit may change
}

// 54
TEST_F(ServiceTest, CannotWriteGives403OnPost) {
  EXPECT_EQ(Post({Indicator(1)}, "reader").status, 403);
  EXPECT_EQ(Post({Indicator(1)}, "nobody").status, 404);
}

// 55
TEST_F(ServiceTest, ReposttingAnExactDuplicateIsNotAnError) {
  Post({Indicator(1)});
  json::object s = Body(Post({Indicator(1)}));
  EXPECT_EQ(s.at("success_count").as_int64(), 1);
  EXPECT_EQ(s.at("failure_count").as_int64(), 0);
}

// 56
TEST_F(ServiceTest, BodyOverMaxContentLengthIs413) {
  std::vector<std::string> objs;
  for (int i = 0; i < 1000; ++i) objs.push_back(Indicator(i));
  ASSERT_GT(Envelope(objs).size(), 256u * 1024);
  EXPECT_EQ(Post(objs).status, 413);
  EXPECT_EQ(Post({Indicator(1)}).status, 202);
}

// 57
TEST_F(ServiceTest, UnparseableBodyIs400AndNonEnvelopeIs422) {
  EXPECT_EQ(Send("POST", Objects(), {}, "{\"objects\": [").status, 400);
  EXPECT_EQ(Send("POST", Objects(), {}, "[1, 2]").status, 422);
  EXPECT_EQ(Send("POST", Objects(), {}, "{\"objects\": [3]}").status, 422);
}

// 59
TEST_F(ServiceTest, UnknownCustomPropertiesAreAcceptedSilently) {
  std::string custom = Indicator(1, "2024-01-01T00:00:00.000Z", "\"x_acme_score\":5,");
  EXPECT_EQ(Body(Post({custom})).at("success_count").as_int64(), 1);
}

// 17 and the verbatim promise: the served bytes are exactly the posted bytes.
TEST_F(ServiceTest, ObjectsAreServedByteForByte) {
  std::string odd = Indicator(1);
  odd.insert(1, "\n   ");
  odd.replace(odd.find("\"pattern_type\""), 14, "\"pattern\u005ftype\"");
  ASSERT_EQ(Body(Post({odd})).at("success_count").as_int64(), 1);
  Response r = Get(Object(StixId("indicator", 1)));
  EXPECT_EQ(r.body, "{\"objects\":[" + odd + "]}");
}

// 40 (DELETE)
TEST_F(ServiceTest, DeleteWithOtherSpecVersionRemovesNothing) {
  Post({Indicator(1)});
  EXPECT_EQ(Send("DELETE", Object(StixId("indicator", 1)), {{"match[spec_version]", "2.0"}}).status,
            200);
  EXPECT_EQ(Get(Object(StixId("indicator", 1))).status, 200);
}

// 61
TEST_F(ServiceTest, GetObjectReturnsOnlyThatId) {
  Post({Indicator(1), Indicator(2)});
  Response r = Get(Object(StixId("indicator", 2)), {{"match[type]", "malware"}});
  EXPECT_THAT(ObjectIds(r), ::testing::ElementsAre(StixId("indicator", 2)));
  EXPECT_FALSE(r.Header("X-TAXII-Date-Added-First").empty());
}

// 62
TEST_F(ServiceTest, UnknownObjectIs404EvenInAnEmptyCollection) {
  EXPECT_EQ(Get(Object(StixId("indicator", 9))).status, 404);
  EXPECT_EQ(Get(Object(StixId("indicator", 9)) + "versions/").status, 404);
}

// 63
TEST_F(ServiceTest, DeletePermissionMatrix) {
  Post({Indicator(1)});
  std::string p = Object(StixId("indicator", 1));
  EXPECT_EQ(Send("DELETE", p, {}, "", "nobody").status, 404);
  EXPECT_EQ(Send("DELETE", p, {}, "", "reader").status, 403);
  EXPECT_EQ(Send("DELETE", p, {}, "", "writer").status, 403);
  EXPECT_EQ(Send("DELETE", p, {}, "", "admin").status, 200);
}

// 64
TEST_F(ServiceTest, DeletedObjectIsGoneFromEveryListing) {
  Post({Indicator(1, "2024-01-01T00:00:00.000Z"), Indicator(1, "2024-02-01T00:00:00.000Z"),
        Indicator(2)});
  ASSERT_EQ(Send("DELETE", Object(StixId("indicator", 1))).status, 200);
  EXPECT_EQ(Get(Object(StixId("indicator", 1))).status, 404);
  EXPECT_THAT(ObjectIds(Get(Objects(), {{"match[version]", "all"}})),
              ::testing::ElementsAre(StixId("indicator", 2)));
  EXPECT_THAT(ObjectIds(Get("/api1/collections/" + coll_.id + "/manifest/")),
              ::testing::ElementsAre(StixId("indicator", 2)));
}

// 65
TEST_F(ServiceTest, DeleteWithMatchVersionRemovesOnlyThatVersion) {
  Post({Indicator(1, "2024-01-01T00:00:00.000Z"), Indicator(1, "2024-02-01T00:00:00.000Z")});
  ASSERT_EQ(Send("DELETE", Object(StixId("indicator", 1)),
                 {{"match[version]", "2024-02-01T00:00:00.000Z"}})
                .status,
            200);
  json::object v = Body(Get(Object(StixId("indicator", 1)) + "versions/"));
  ASSERT_EQ(v.at("versions").as_array().size(), 1u);
  EXPECT_EQ(v.at("versions").as_array()[0].as_string(), "2024-01-01T00:00:00.000Z");
}

// 67, 68
TEST_F(ServiceTest, ManifestHasOneRecordPerVersionAndHonoursFilters) {
  Post({Indicator(1, "2024-01-01T00:00:00.000Z"), Indicator(1, "2024-02-01T00:00:00.000Z"),
        Malware(2)});
  std::string manifest = "/api1/collections/" + coll_.id + "/manifest/";
  json::object all = Body(Get(manifest, {{"match[version]", "all"}}));
  ASSERT_EQ(all.at("objects").as_array().size(), 3u);
  json::object rec = all.at("objects").as_array()[0].as_object();
  EXPECT_TRUE(rec.contains("id"));
  EXPECT_EQ(rec.at("date_added").as_string(), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(rec.at("version").as_string(), "2024-01-01T00:00:00.000Z");
  json::object ind = Body(Get(manifest, {{"match[type]", "indicator"}}));
  EXPECT_EQ(ind.at("objects").as_array().size(), 1u);
}

// 71 + the TLP hook: objects above the user's TLP are invisible and answer 404.
TEST_F(ServiceTest, TlpRedObjectIsHiddenFromGreenUsers) {
  std::string red = "\"object_marking_refs\":[\"" + std::string(kTlpRed) + "\"],";
  Post({Indicator(1, "2024-01-01T00:00:00.000Z", red), Indicator(2)});
  EXPECT_THAT(ObjectIds(Get(Objects(), {}, "green")),
              ::testing::ElementsAre(StixId("indicator", 2)));
  EXPECT_EQ(Get(Object(StixId("indicator", 1)), {}, "green").status, 404);
  EXPECT_EQ(Get(Object(StixId("indicator", 1)), {}, "admin").status, 200);
}

TEST_F(ServiceTest, StatusOfAnotherUserIs404) {
  json::object s = Body(Post({Indicator(1)}, "admin"));
  std::string id(s.at("id").as_string());
  EXPECT_EQ(Get("/api1/status/" + id + "/", {}, "admin").status, 200);
  EXPECT_EQ(Get("/api1/status/" + id + "/", {}, "reader").status, 404);
}

}  // namespace
}  // namespace detente::taxii
