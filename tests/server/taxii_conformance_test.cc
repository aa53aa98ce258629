// tests/server/taxii_conformance_test.cc: a TAXII 2.1 client written from the specification
// text (/work/shared/docs/specs/taxii-v2.1.md) and its checklist of 71 requirements
// (/work/shared/docs/taxii-conformance.md), run over real HTTP against a real node: the test
// suite runs `detente init`, `user add`, `collection add --json`, `user grant`, `collection
// policy` and then `detente serve --listen 127.0.0.1:0` as a child process, and talks to it
// with the raw socket client of http_client.h. Each test is named after the requirement it
// checks (TAXII_R<n>_...); the server's answers are checked for the exact status code, the
// Content-Type `application/taxii+json;version=2.1` and, for errors, the TAXII error body
// (section 3.6.1: `title`, and `http_status` as a string equal to the status).
//
// The node (one per test binary, started in SetUpTestSuite):
//   users     alice (read+write on feed and scratch, read on tlp; TLP:RED user of tlp),
//             reader (read on feed and scratch), writer (write on feed and scratch),
//             bob (read on tlp), outsider (no grants)
//   feed      (alias "feed") 12 objects, loaded by 3 POSTs: indicators I0..I9 and malware M0,
//             M1; I0 has three versions. Read-only for the tests.
//   scratch   for tests that POST or DELETE (each uses fresh UUIDs).
//   tlp       one TLP:RED indicator and one TLP:GREEN indicator.
//   hidden    a collection nobody has a grant on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "base/base.h"
#include "server/http_client.h"
#include "testing/cli_runner.h"
#include "testing/serve_process.h"

namespace detente::server {
namespace {

using ::detente::server::testing::Fetch;
using ::detente::server::testing::HttpResponse;
using ::detente::testing::CmdResult;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

namespace json = boost::json;

constexpr char kTaxii21[] = "application/taxii+json;version=2.1";
constexpr char kTlpRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr char kTlpGreen[] = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
constexpr char kT1[] = "2024-01-01T00:00:00.000Z";
constexpr char kT2[] = "2024-02-01T00:00:00.000Z";
constexpr char kT3[] = "2024-03-01T00:00:00.000Z";

// YYYY-MM-DDTHH:MM:SS.ssssssZ (TAXII section 2: microseconds, UTC).
const std::regex kTaxiiTimestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");

std::string NewId(std::string_view type) {
  return std::string(type) + "--" + base::Uuid::V4().ToString();
}

// A valid STIX 2.1 indicator; `extra` is spliced in as further members ("...,").
std::string Indicator(const std::string& id, std::string_view modified = kT1,
                      std::string_view extra = "") {
  return "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + id + "\"," +
         std::string(extra) + "\"created\":\"" + kT1 + "\",\"modified\":\"" +
         std::string(modified) +
         "\",\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
         "\"valid_from\":\"2024-01-01T00:00:00Z\"}";
}

std::string Malware(const std::string& id) {
  return "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"" + id + "\",\"created\":\"" +
         kT1 + "\",\"modified\":\"" + kT1 + "\",\"name\":\"m\",\"is_family\":false}";
}

std::string Envelope(const std::vector<std::string>& objects) {
  std::string s = "{\"objects\":[";
  for (size_t i = 0; i < objects.size(); ++i) s += (i > 0 ? "," : "") + objects[i];
  return s + "]}";
}

std::string Password(const std::string& user) { return "pw-" + user + "-secret"; }

std::string BasicHeader(const std::string& user, const std::string& password) {
  std::string raw = user + ":" + password;
  return "Authorization: Basic " + base::Base64Encode(base::AsBytes(raw)) + "\r\n";
}

json::value ParseJson(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return json::value();  // null: the caller's expectations then fail
  return v;
}

std::vector<std::string> Strings(const json::value& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const json::value& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

// The "id" of each element of envelope.objects / manifest.objects.
std::vector<std::string> ObjectIds(const HttpResponse& r) {
  std::vector<std::string> out;
  json::value v = ParseJson(r.body);
  if (!v.is_object() || !v.as_object().contains("objects")) return out;
  for (const json::value& o : v.at("objects").as_array()) {
    out.emplace_back(o.at("id").as_string());
  }
  return out;
}

// Every element of `v` as object is one of `allowed` keys.
std::set<std::string> Keys(const json::value& v) {
  std::set<std::string> out;
  if (!v.is_object()) return out;
  for (const auto& kv : v.as_object()) out.emplace(kv.key());
  return out;
}

// The TAXII error message checks of section 3.6.1 / requirements 5, 69, 70.
#define EXPECT_TAXII_ERROR(resp, code)                                                       \
  do {                                                                                       \
    const HttpResponse& r_ = (resp);                                                         \
    EXPECT_EQ(r_.status, (code)) << r_.body;                                                 \
    EXPECT_EQ(r_.Header("content-type"), kTaxii21) << "status " << r_.status;                \
    json::value e_ = ParseJson(r_.body);                                                     \
    ASSERT_TRUE(e_.is_object()) << "error body is not a JSON object: " << r_.body;           \
    ASSERT_TRUE(e_.as_object().contains("title")) << r_.body;                                \
    EXPECT_TRUE(e_.at("title").is_string()) << r_.body;                                      \
    ASSERT_TRUE(e_.as_object().contains("http_status")) << r_.body;                          \
    ASSERT_TRUE(e_.at("http_status").is_string()) << r_.body;                                \
    EXPECT_EQ(std::string(e_.at("http_status").as_string()), std::to_string(code)) << r_.body; \
  } while (0)

class TaxiiConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "taxii_conformance_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return;
    tmp_ = new std::string(tmpl);
    dir_ = new std::string(tmpl + "/node");
    colls_ = new std::map<std::string, std::string>();
    feed_ = new std::map<std::string, std::string>();
    status_ids_ = new std::vector<std::string>();
    if (!SetUpNode()) return;
    port_ = StartServe();
    if (port_ == 0) return;
    ready_ = LoadData();
  }
  static void TearDownTestSuite() {
    if (serve_ != nullptr) serve_->Terminate();
    delete serve_;
    serve_ = nullptr;
    if (tmp_ != nullptr) std::filesystem::remove_all(*tmp_);
    delete tmp_;
    delete dir_;
    delete colls_;
    delete feed_;
    delete status_ids_;
    tmp_ = dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << "the node could not be set up"; }

  static CmdResult Detente(const std::string& args, const std::string& input = "") {
    return ::detente::testing::RunDetente(*tmp_, args, input);
  }
  static bool Ok(const CmdResult& r, const std::string& what) {
    if (r.rc == 0) return true;
    ADD_FAILURE() << what << ": exit " << r.rc << ": " << r.err;
    return false;
  }

  static bool SetUpNode() {
    if (!Ok(Detente("init --party conformance --dir " + *dir_), "init")) return false;
    for (const char* u : {"alice", "reader", "writer", "bob", "outsider"}) {
      if (!Ok(Detente(std::string("user add ") + u + " --password-stdin --dir " + *dir_,
                      Password(u) + "\n"),
              "user add")) {
        return false;
      }
    }
    for (const char* c : {"feed", "scratch", "tlp", "hidden"}) {
      std::string extra = std::string(c) == "feed" ? " --alias feed" : "";
      if (std::string(c) == "tlp") extra = " --red-users alice";
      CmdResult r = Detente(std::string("collection add --title ") + c + " --json --dir " +
                            *dir_ + extra);
      if (!Ok(r, "collection add")) return false;
      std::smatch m;
      static const std::regex kId(R"re(^\{"id":"([0-9a-f-]{36})"\}\n$)re");
      if (!std::regex_match(r.out, m, kId)) {
        ADD_FAILURE() << "collection add --json printed " << r.out;
        return false;
      }
      (*colls_)[c] = m[1].str();
    }
    struct G {
      const char* user;
      const char* coll;
      const char* flags;
    };
    for (const G& g : {G{"alice", "feed", "--read --write"}, G{"alice", "scratch", "--read --write"},
                       G{"alice", "tlp", "--read --write"}, G{"reader", "feed", "--read"},
                       G{"reader", "scratch", "--read"}, G{"writer", "feed", "--write"},
                       G{"writer", "scratch", "--write"}, G{"bob", "tlp", "--read"}}) {
      if (!Ok(Detente(std::string("user grant ") + g.user + " " + (*colls_)[g.coll] + " " +
                      g.flags + " --dir " + *dir_),
              "user grant")) {
        return false;
      }
    }
    return true;
  }

  // Starts `detente serve` (serve_) with stderr in tmp/serve.err; returns its port (0 on
  // failure).
  static uint16_t StartServe() {
    serve_ = new ::detente::testing::ServeProcess();
    return serve_->Start({"serve", "--dir", *dir_, "--listen", "127.0.0.1:0"},
                         *tmp_ + "/serve.err");
  }

  static bool LoadData() {
    for (const char* key : {"I0", "I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9"}) {
      (*feed_)[key] = NewId("indicator");
    }
    (*feed_)["M0"] = NewId("malware");
    (*feed_)["M1"] = NewId("malware");
    auto& f = *feed_;
    std::vector<std::vector<std::string>> posts = {
        {Indicator(f["I0"]), Indicator(f["I1"]), Indicator(f["I2"]), Indicator(f["I3"]),
         Indicator(f["I4"]), Malware(f["M0"]), Malware(f["M1"])},
        {Indicator(f["I5"]), Indicator(f["I6"]), Indicator(f["I7"]), Indicator(f["I8"]),
         Indicator(f["I9"]), Indicator(f["I0"], kT2)},
        {Indicator(f["I0"], kT3)},
    };
    for (const auto& objects : posts) {
      HttpResponse r = Post("feed", Envelope(objects));
      if (r.status != 202) {
        ADD_FAILURE() << "loading feed: " << r.status << " " << r.body;
        return false;
      }
      status_ids_->emplace_back(ParseJson(r.body).at("id").as_string());
    }
    f["RED"] = NewId("indicator");
    f["GREEN"] = NewId("indicator");
    HttpResponse r = Post(
        "tlp", Envelope({Indicator(f["RED"], kT1,
                                   std::string("\"object_marking_refs\":[\"") + kTlpRed + "\"],"),
                         Indicator(f["GREEN"], kT1,
                                   std::string("\"object_marking_refs\":[\"") + kTlpGreen +
                                       "\"],")}));
    if (r.status != 202 || r.body.find("\"success_count\":2") == std::string::npos) {
      ADD_FAILURE() << "loading tlp: " << r.status << " " << r.body;
      return false;
    }
    return true;
  }

  // ---- the client ----------------------------------------------------------------------

  static std::string Auth(const std::string& user) {
    return user.empty() ? "" : BasicHeader(user, Password(user));
  }
  // One request on a fresh connection; status 0 when the exchange fails.
  static HttpResponse Raw(const std::string& request) {
    auto r = Fetch(port_, request);
    if (!r.has_value()) {
      ADD_FAILURE() << "no response to: " << request.substr(0, 200);
      return HttpResponse{};
    }
    return *r;
  }
  static HttpResponse Request(const std::string& method, const std::string& target,
                              const std::string& headers, const std::string* body = nullptr) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + headers;
    if (body != nullptr) req += "Content-Length: " + std::to_string(body->size()) + "\r\n";
    req += "\r\n";
    if (body != nullptr) req += *body;
    return Raw(req);
  }
  static std::string Coll(const std::string& name) {
    auto it = colls_->find(name);
    return "/api1/collections/" + (it == colls_->end() ? name : it->second) + "/";
  }
  static std::string Objects(const std::string& coll) { return Coll(coll) + "objects/"; }
  static std::string Object(const std::string& coll, const std::string& id) {
    return Objects(coll) + id + "/";
  }
  // GET `target` as `user` with the TAXII Accept header.
  static HttpResponse Get(const std::string& target, const std::string& user = "alice",
                          const std::string& accept = kTaxii21) {
    std::string h = Auth(user);
    if (!accept.empty()) h += "Accept: " + accept + "\r\n";
    return Request("GET", target, h);
  }
  static HttpResponse Post(const std::string& coll, const std::string& body,
                           const std::string& user = "alice",
                           const std::string& content_type = kTaxii21) {
    std::string h = Auth(user) + "Accept: " + kTaxii21 + "\r\n";
    if (!content_type.empty()) h += "Content-Type: " + content_type + "\r\n";
    return Request("POST", Objects(coll), h, &body);
  }
  static HttpResponse Delete(const std::string& target, const std::string& user = "alice") {
    return Request("DELETE", target, Auth(user) + "Accept: " + kTaxii21 + "\r\n");
  }
  // POSTs `objects` to scratch and expects 202 with every object a success.
  static void PostOk(const std::vector<std::string>& objects) {
    HttpResponse r = Post("scratch", Envelope(objects));
    ASSERT_EQ(r.status, 202) << r.body;
    json::value s = ParseJson(r.body);
    ASSERT_TRUE(s.is_object()) << r.body;
    ASSERT_EQ(s.at("success_count").as_int64(), static_cast<int64_t>(objects.size())) << r.body;
  }
  // The `next` token of a response, "" when absent.
  static std::string Next(const HttpResponse& r) {
    json::value v = ParseJson(r.body);
    if (!v.is_object() || !v.as_object().contains("next")) return "";
    return std::string(v.at("next").as_string());
  }
  static bool More(const HttpResponse& r) {
    json::value v = ParseJson(r.body);
    return v.is_object() && v.as_object().contains("more") && v.at("more").as_bool();
  }
  static std::string F(const std::string& key) { return (*feed_)[key]; }

  static inline std::string* tmp_ = nullptr;
  static inline std::string* dir_ = nullptr;
  static inline std::map<std::string, std::string>* colls_ = nullptr;  // name -> id
  static inline std::map<std::string, std::string>* feed_ = nullptr;   // I0.., M0.. -> STIX id
  static inline std::vector<std::string>* status_ids_ = nullptr;       // the feed POSTs
  static inline ::detente::testing::ServeProcess* serve_ = nullptr;
  static inline uint16_t port_ = 0;
  static inline bool ready_ = false;
};

// ---- A. Endpoints, transport, media types --------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R01_DiscoveryIsServedAtTaxii2) {
  HttpResponse r = Get("/taxii2/");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kTaxii21);
  json::value v = ParseJson(r.body);
  ASSERT_TRUE(v.is_object()) << r.body;
  EXPECT_TRUE(v.at("title").is_string());
}

TEST_F(TaxiiConformanceTest, TAXII_R02_EveryListedApiRootAnswersWithAnApiRootResource) {
  json::value d = ParseJson(Get("/taxii2/").body);
  std::vector<std::string> roots = Strings(d.at("api_roots"));
  ASSERT_FALSE(roots.empty());
  for (const std::string& root : roots) {
    HttpResponse r = Get(root);
    EXPECT_EQ(r.status, 200) << root << ": " << r.body;
    EXPECT_TRUE(ParseJson(r.body).as_object().contains("versions")) << r.body;
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R03_EveryEndpointExistsWithItsMethods) {
  HttpResponse post = Post("scratch", Envelope({Indicator(NewId("indicator"))}));
  ASSERT_EQ(post.status, 202) << post.body;
  std::string status_id(ParseJson(post.body).at("id").as_string());
  EXPECT_EQ(Get("/api1/status/" + status_id + "/").status, 200);
  EXPECT_EQ(Get("/api1/collections/").status, 200);
  EXPECT_EQ(Get(Coll("feed")).status, 200);
  EXPECT_EQ(Get(Coll("feed") + "manifest/").status, 200);
  EXPECT_EQ(Get(Objects("feed")).status, 200);
  EXPECT_EQ(Get(Object("feed", F("I1"))).status, 200);
  EXPECT_EQ(Get(Object("feed", F("I1")) + "versions/").status, 200);
  std::string id = NewId("indicator");
  PostOk({Indicator(id)});
  EXPECT_EQ(Delete(Object("scratch", id)).status, 200);
}

TEST_F(TaxiiConformanceTest, TAXII_R04_PathWithoutTrailingSlashIsRedirectedWithLocation) {
  for (const std::string& path :
       {std::string("/taxii2"), std::string("/api1/collections"),
        Objects("feed").substr(0, Objects("feed").size() - 1)}) {
    HttpResponse r = Get(path);
    EXPECT_TAXII_ERROR(r, 308);
    EXPECT_EQ(r.Header("location"), path + "/");
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R05_EveryResponseIncludingErrorsHasTheTaxiiContentType) {
  std::string big_headers = Auth("alice") + "Content-Type: " + kTaxii21 +
                            "\r\nContent-Length: " + std::to_string(11 * 1024 * 1024) + "\r\n";
  std::vector<std::pair<std::string, HttpResponse>> cases = {
      {"200 discovery", Get("/taxii2/")},
      {"200 objects", Get(Objects("feed"))},
      {"401", Get("/taxii2/", "")},
      {"404 unknown path", Get("/api1/nothing/here/at/all/x/y/")},
      {"404 api root", Get("/nope/")},
      {"405", Request("PUT", "/taxii2/", Auth("alice"))},
      {"400", Get(Objects("feed") + "?limit=0")},
      {"406", Get("/taxii2/", "alice", "application/json")},
      {"413", Raw("POST " + Objects("feed") + " HTTP/1.1\r\nHost: x\r\n" + big_headers + "\r\n")},
      {"415", Post("scratch", "{}", "alice", "application/json")},
      {"422", Post("scratch", "{\"objects\":[]}")},
  };
  for (const auto& [what, r] : cases) {
    EXPECT_EQ(r.Header("content-type"), kTaxii21) << what << ": " << r.status << " " << r.body;
  }
  HttpResponse del = Delete(Object("scratch", NewId("indicator")));
  EXPECT_EQ(del.Header("content-type"), kTaxii21);
}

TEST_F(TaxiiConformanceTest, TAXII_R06_TheDefinedAcceptValueIsServed) {
  for (const char* path : {"/taxii2/", "/api1/", "/api1/collections/"}) {
    EXPECT_EQ(Get(path, "alice", kTaxii21).status, 200) << path;
  }
  EXPECT_EQ(Get(Objects("feed"), "alice", kTaxii21).status, 200);
}

TEST_F(TaxiiConformanceTest, TAXII_R07_AcceptWithoutVersionMeansLatestAndIsServed) {
  HttpResponse r = Get(Objects("feed"), "alice", "application/taxii+json");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kTaxii21);
}

TEST_F(TaxiiConformanceTest, TAXII_R08_AcceptListsAndQualityValuesStillMatchTaxii) {
  EXPECT_EQ(Get("/taxii2/", "alice", "application/json, application/taxii+json;version=2.1").status,
            200);
  EXPECT_EQ(Get("/taxii2/", "alice", "application/taxii+json;version=2.1;q=0.9").status, 200);
  EXPECT_EQ(Get("/taxii2/", "alice", "text/html;q=0.5, application/taxii+json; version=2.1").status,
            200);
  EXPECT_EQ(Get("/taxii2/", "alice", "*/*").status, 200);
}

TEST_F(TaxiiConformanceTest, TAXII_R09_UnsupportedAcceptGets406) {
  EXPECT_TAXII_ERROR(Get("/taxii2/", "alice", "application/json"), 406);
  EXPECT_TAXII_ERROR(Get(Objects("feed"), "alice", "application/taxii+json;version=2.0"), 406);
  EXPECT_TAXII_ERROR(Get(Objects("feed"), "alice", "application/taxii+json;version=2.1;q=0"),
                     406);
}

TEST_F(TaxiiConformanceTest, TAXII_R10_PostWithTheDefinedContentTypeIsNot415) {
  HttpResponse r = Post("scratch", Envelope({Indicator(NewId("indicator"))}), "alice", kTaxii21);
  EXPECT_EQ(r.status, 202) << r.body;
}

TEST_F(TaxiiConformanceTest, TAXII_R11_PostWithContentTypeWithoutVersionIsAccepted) {
  HttpResponse r = Post("scratch", Envelope({Indicator(NewId("indicator"))}), "alice",
                        "application/taxii+json");
  EXPECT_EQ(r.status, 202) << r.body;
}

TEST_F(TaxiiConformanceTest, TAXII_R12_PostWithUnsupportedOrMissingContentTypeGets415) {
  std::string body = Envelope({Indicator(NewId("indicator"))});
  EXPECT_TAXII_ERROR(Post("scratch", body, "alice", "application/json"), 415);
  EXPECT_TAXII_ERROR(Post("scratch", body, "alice", "application/stix+json;version=2.1"), 415);
  EXPECT_TAXII_ERROR(Post("scratch", body, "alice", "application/taxii+json;version=2.0"), 415);
  EXPECT_TAXII_ERROR(Post("scratch", body, "alice", ""), 415);
}

// R13 (TLS 1.2+, 1.3, no 0-RTT) is tested by tests/server/http_server_test.cc and
// cli_test.cc (ServesHttpsWithTlsFlags); this suite runs over plain HTTP.

TEST_F(TaxiiConformanceTest, TAXII_R14_HttpBasicAuthenticationIsSupported) {
  HttpResponse r = Request("GET", "/taxii2/", BasicHeader("reader", Password("reader")));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(TaxiiConformanceTest, TAXII_R15_MissingCredentialsGet401WithBasicChallenge) {
  HttpResponse r = Get(Objects("feed"), "");
  EXPECT_TAXII_ERROR(r, 401);
  std::vector<std::string> challenges;
  for (auto [it, end] = r.headers.equal_range("www-authenticate"); it != end; ++it) {
    challenges.push_back(it->second);
  }
  EXPECT_THAT(challenges, Contains(HasSubstr("Basic realm=")));
}

TEST_F(TaxiiConformanceTest, TAXII_R15_BadCredentialsGet401WithChallenge) {
  HttpResponse wrong = Request("GET", "/taxii2/", BasicHeader("alice", "not the password"));
  EXPECT_TAXII_ERROR(wrong, 401);
  EXPECT_THAT(wrong.Header("www-authenticate"), Not(""));
  HttpResponse unknown = Request("GET", "/taxii2/", BasicHeader("mallory", "whatever123"));
  EXPECT_TAXII_ERROR(unknown, 401);
  HttpResponse garbage = Request("GET", "/taxii2/", "Authorization: Basic !!!\r\n");
  EXPECT_TAXII_ERROR(garbage, 401);
  HttpResponse token = Request("GET", "/taxii2/", "Authorization: Bearer dtk_nonsense\r\n");
  EXPECT_TAXII_ERROR(token, 401);
  // The description says what was wrong without echoing the secret.
  EXPECT_THAT(wrong.body, Not(HasSubstr("not the password")));
}

TEST_F(TaxiiConformanceTest, TAXII_R16_RequestWithoutUserAgentIsServed) {
  // The client sends no User-Agent at all.
  HttpResponse r = Raw("GET /api1/ HTTP/1.1\r\nHost: localhost\r\n" + Auth("alice") + "\r\n");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(TaxiiConformanceTest, TAXII_R17_ResourcesUseTheSpecPropertyNamesWithRequiredOnesPresent) {
  std::set<std::string> discovery = Keys(ParseJson(Get("/taxii2/").body));
  EXPECT_TRUE(discovery.contains("title"));
  for (const std::string& k : discovery) {
    EXPECT_THAT(k, AnyOf("title", "description", "contact", "default", "api_roots"));
  }
  std::set<std::string> root = Keys(ParseJson(Get("/api1/").body));
  for (const char* k : {"title", "versions", "max_content_length"}) EXPECT_TRUE(root.contains(k));
  for (const std::string& k : root) {
    EXPECT_THAT(k, AnyOf("title", "description", "versions", "max_content_length"));
  }
  std::set<std::string> coll = Keys(ParseJson(Get(Coll("feed")).body));
  for (const char* k : {"id", "title", "can_read", "can_write"}) EXPECT_TRUE(coll.contains(k));
  for (const std::string& k : coll) {
    EXPECT_THAT(k, AnyOf("id", "title", "description", "alias", "can_read", "can_write",
                         "media_types"));
  }
  for (const std::string& k : Keys(ParseJson(Get(Objects("feed") + "?limit=1").body))) {
    EXPECT_THAT(k, AnyOf("more", "next", "objects"));
  }
  json::value manifest = ParseJson(Get(Coll("feed") + "manifest/").body);
  for (const json::value& rec : manifest.at("objects").as_array()) {
    for (const std::string& k : Keys(rec)) {
      EXPECT_THAT(k, AnyOf("id", "date_added", "version", "media_type"));
    }
  }
  std::set<std::string> status = Keys(ParseJson(Get("/api1/status/" + (*status_ids_)[0] + "/").body));
  for (const char* k : {"id", "status", "total_count", "success_count", "failure_count",
                        "pending_count"}) {
    EXPECT_TRUE(status.contains(k)) << k;
  }
  for (const std::string& k : status) {
    EXPECT_THAT(k, AnyOf("id", "status", "request_timestamp", "total_count", "success_count",
                         "successes", "failure_count", "failures", "pending_count", "pendings"));
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R18_EmptyListsAreLeftOut) {
  HttpResponse colls = Get("/api1/collections/", "outsider");
  EXPECT_EQ(colls.status, 200);
  EXPECT_EQ(colls.body, "{}");
  HttpResponse none = Get(Objects("feed") + "?match[type]=tool");
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "{}");
  HttpResponse manifest = Get(Coll("feed") + "manifest/?match[type]=tool");
  EXPECT_EQ(manifest.status, 200);
  EXPECT_EQ(manifest.body, "{}");
  HttpResponse versions = Get(Object("feed", F("I1")) + "versions/?match[spec_version]=2.0");
  EXPECT_EQ(versions.status, 200) << versions.body;
  EXPECT_EQ(versions.body, "{}");
  // A status with no failures has no "failures" list.
  std::string status = Get("/api1/status/" + (*status_ids_)[0] + "/").body;
  EXPECT_THAT(status, Not(HasSubstr("\"failures\"")));
  EXPECT_THAT(status, Not(HasSubstr("[]")));
}

TEST_F(TaxiiConformanceTest, TAXII_R19_TimestampsHaveMicrosecondsAndZ) {
  HttpResponse objects = Get(Objects("feed"));
  EXPECT_TRUE(std::regex_match(objects.Header("x-taxii-date-added-first"), kTaxiiTimestamp))
      << objects.Header("x-taxii-date-added-first");
  EXPECT_TRUE(std::regex_match(objects.Header("x-taxii-date-added-last"), kTaxiiTimestamp));
  json::value manifest = ParseJson(Get(Coll("feed") + "manifest/").body);
  for (const json::value& rec : manifest.at("objects").as_array()) {
    std::string added(rec.at("date_added").as_string());
    EXPECT_TRUE(std::regex_match(added, kTaxiiTimestamp)) << added;
  }
  json::value status = ParseJson(Get("/api1/status/" + (*status_ids_)[0] + "/").body);
  std::string ts(status.at("request_timestamp").as_string());
  EXPECT_TRUE(std::regex_match(ts, kTaxiiTimestamp)) << ts;
}

// ---- B. Discovery / API root / status ------------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R20_DiscoveryHasTitleAndDefaultIsAListedApiRoot) {
  json::value d = ParseJson(Get("/taxii2/").body);
  ASSERT_TRUE(d.is_object());
  EXPECT_TRUE(d.at("title").is_string());
  ASSERT_TRUE(d.as_object().contains("default"));
  EXPECT_THAT(Strings(d.at("api_roots")), Contains(std::string(d.at("default").as_string())));
}

TEST_F(TaxiiConformanceTest, TAXII_R21_ApiRootUrlsAreRelativeWithOneLeadingSlash) {
  json::value d = ParseJson(Get("/taxii2/").body);
  for (const std::string& u : Strings(d.at("api_roots"))) {
    EXPECT_TRUE(u.starts_with("/") && !u.starts_with("//")) << u;
    EXPECT_FALSE(u.starts_with("../")) << u;
    EXPECT_EQ(u.find('?'), std::string::npos) << u;
    EXPECT_TRUE(u.ends_with("/")) << u;
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R22_ApiRootHasTitleVersionsAndPositiveMaxContentLength) {
  HttpResponse r = Get("/api1/");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = ParseJson(r.body);
  EXPECT_TRUE(v.at("title").is_string());
  EXPECT_THAT(Strings(v.at("versions")), Contains(std::string(kTaxii21)));
  EXPECT_GT(v.at("max_content_length").as_int64(), 0);
}

TEST_F(TaxiiConformanceTest, TAXII_R23_UnknownApiRootGets404) {
  EXPECT_TAXII_ERROR(Get("/nope/"), 404);
  EXPECT_TAXII_ERROR(Get("/nope/collections/"), 404);
  EXPECT_TAXII_ERROR(Get("/nope/collections/" + (*colls_)["feed"] + "/objects/"), 404);
}

TEST_F(TaxiiConformanceTest, TAXII_R24_StatusHasIdStatusAndCounts) {
  HttpResponse post = Post("scratch", Envelope({Indicator(NewId("indicator"))}));
  ASSERT_EQ(post.status, 202);
  std::string id(ParseJson(post.body).at("id").as_string());
  HttpResponse r = Get("/api1/status/" + id + "/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kTaxii21);
  json::value s = ParseJson(r.body);
  EXPECT_EQ(s.at("id").as_string(), id);
  EXPECT_THAT(std::string(s.at("status").as_string()), AnyOf("complete", "pending"));
  EXPECT_EQ(s.at("total_count").as_int64(), 1);
  EXPECT_EQ(s.at("success_count").as_int64(), 1);
  EXPECT_EQ(s.at("failure_count").as_int64(), 0);
  EXPECT_EQ(s.at("pending_count").as_int64(), 0);
}

TEST_F(TaxiiConformanceTest, TAXII_R25_UnknownOrForeignStatusGets404) {
  EXPECT_TAXII_ERROR(Get("/api1/status/" + base::Uuid::V4().ToString() + "/"), 404);
  // A status belongs to the user whose POST it describes.
  EXPECT_TAXII_ERROR(Get("/api1/status/" + (*status_ids_)[0] + "/", "reader"), 404);
  // Under another API root it does not exist.
  EXPECT_TAXII_ERROR(Get("/nope/status/" + (*status_ids_)[0] + "/"), 404);
}

TEST_F(TaxiiConformanceTest, TAXII_R26_StatusDetailsCarryIdAndVersion) {
  std::string good = NewId("indicator");
  std::string bad = NewId("indicator");
  HttpResponse post =
      Post("scratch", Envelope({Indicator(good, kT2), "{\"type\":\"indicator\",\"spec_version\":"
                                                      "\"2.1\",\"id\":\"" +
                                                          bad + "\"}"}));
  ASSERT_EQ(post.status, 202) << post.body;
  json::value s = ParseJson(post.body);
  ASSERT_EQ(s.at("successes").as_array().size(), 1u);
  EXPECT_EQ(s.at("successes").at(0).at("id").as_string(), good);
  EXPECT_EQ(s.at("successes").at(0).at("version").as_string(), kT2);
  ASSERT_EQ(s.at("failures").as_array().size(), 1u);
  EXPECT_EQ(s.at("failures").at(0).at("id").as_string(), bad);
  EXPECT_TRUE(s.at("failures").at(0).as_object().contains("version"));
  EXPECT_TRUE(s.at("failures").at(0).at("message").is_string());
}

// ---- C. Collections ------------------------------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R27_CollectionsListIsStableAndOnlyTheUsersOwn) {
  HttpResponse a = Get("/api1/collections/");
  HttpResponse b = Get("/api1/collections/");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body, b.body);
  json::value v = ParseJson(a.body);
  std::vector<std::string> ids;
  for (const json::value& c : v.at("collections").as_array()) ids.emplace_back(c.at("id").as_string());
  EXPECT_EQ(ids, (std::vector<std::string>{(*colls_)["feed"], (*colls_)["scratch"],
                                           (*colls_)["tlp"]}));
}

TEST_F(TaxiiConformanceTest, TAXII_R28_CollectionHasIdTitleAndAccessFlags) {
  json::value alice = ParseJson(Get(Coll("feed")).body);
  EXPECT_EQ(alice.at("id").as_string(), (*colls_)["feed"]);
  EXPECT_EQ(alice.at("title").as_string(), "feed");
  EXPECT_TRUE(alice.at("can_read").as_bool());
  EXPECT_TRUE(alice.at("can_write").as_bool());
  json::value reader = ParseJson(Get(Coll("feed"), "reader").body);
  EXPECT_TRUE(reader.at("can_read").as_bool());
  EXPECT_FALSE(reader.at("can_write").as_bool());
  json::value writer = ParseJson(Get(Coll("feed"), "writer").body);
  EXPECT_FALSE(writer.at("can_read").as_bool());
  EXPECT_TRUE(writer.at("can_write").as_bool());
}

TEST_F(TaxiiConformanceTest, TAXII_R29_CollectionAliasResolvesToTheSameCollection) {
  HttpResponse r = Get("/api1/collections/feed/");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = ParseJson(r.body);
  EXPECT_EQ(v.at("id").as_string(), (*colls_)["feed"]);
  EXPECT_EQ(v.at("alias").as_string(), "feed");
  EXPECT_EQ(ObjectIds(Get("/api1/collections/feed/objects/")), ObjectIds(Get(Objects("feed"))));
}

TEST_F(TaxiiConformanceTest, TAXII_R30_UnknownCollectionGets404) {
  std::string unknown = "/api1/collections/" + base::Uuid::V4().ToString() + "/";
  EXPECT_TAXII_ERROR(Get(unknown), 404);
  EXPECT_TAXII_ERROR(Get(unknown + "objects/"), 404);
  EXPECT_TAXII_ERROR(Get(unknown + "manifest/"), 404);
  EXPECT_TAXII_ERROR(Post(base::Uuid::V4().ToString(), Envelope({Indicator(NewId("indicator"))})),
                     404);
}

// ---- D. Get objects / filtering / sorting --------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R31_ObjectsAnswerIsAnEnvelope) {
  HttpResponse r = Get(Objects("feed"));
  ASSERT_EQ(r.status, 200);
  json::value v = ParseJson(r.body);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("objects").as_array().size(), 12u);
  EXPECT_FALSE(More(r));
  EXPECT_EQ(Get(Objects("feed") + "?match[id]=" + NewId("indicator")).body, "{}");
}

TEST_F(TaxiiConformanceTest, TAXII_R32_ObjectsAreSortedByDateAddedOldestFirst) {
  std::vector<std::string> ids = ObjectIds(Get(Objects("feed")));
  // POST order: I1..I4, M0, M1 (POST 1; I0's latest came in POST 3), I5..I9 (POST 2), I0 v3.
  std::vector<std::string> want = {F("I1"), F("I2"), F("I3"), F("I4"), F("M0"), F("M1"),
                                   F("I5"), F("I6"), F("I7"), F("I8"), F("I9"), F("I0")};
  EXPECT_EQ(ids, want);
  json::value manifest = ParseJson(Get(Coll("feed") + "manifest/?match[version]=all").body);
  std::string prev;
  for (const json::value& rec : manifest.at("objects").as_array()) {
    std::string added(rec.at("date_added").as_string());
    EXPECT_LT(prev, added);
    prev = added;
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R33_NoReadAccessGets403OnEveryReadEndpoint) {
  for (const std::string& path : {Objects("feed"), Object("feed", F("I1")),
                                  Coll("feed") + "manifest/", Object("feed", F("I1")) + "versions/"}) {
    EXPECT_TAXII_ERROR(Get(path, "writer"), 403);
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R34_MatchIdListIsOr) {
  std::vector<std::string> ids =
      ObjectIds(Get(Objects("feed") + "?match[id]=" + F("I2") + "," + F("M1") + "," +
                    NewId("indicator")));
  EXPECT_EQ(ids, (std::vector<std::string>{F("I2"), F("M1")}));
}

TEST_F(TaxiiConformanceTest, TAXII_R35_MatchTypeListIsOrAndUnknownTypesAreNoError) {
  EXPECT_EQ(ObjectIds(Get(Objects("feed") + "?match[type]=malware")),
            (std::vector<std::string>{F("M0"), F("M1")}));
  EXPECT_EQ(ObjectIds(Get(Objects("feed") + "?match[type]=malware,indicator")).size(), 12u);
  HttpResponse r = Get(Objects("feed") + "?match[type]=x-custom-thing,grouping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
}

TEST_F(TaxiiConformanceTest, TAXII_R36_DifferentMatchFieldsCombineWithAnd) {
  EXPECT_EQ(ObjectIds(Get(Objects("feed") + "?match[type]=malware&match[id]=" + F("I2") + "," +
                          F("M0"))),
            (std::vector<std::string>{F("M0")}));
}

TEST_F(TaxiiConformanceTest, TAXII_R37_WithoutMatchVersionOnlyTheLatestIsReturned) {
  HttpResponse r = Get(Object("feed", F("I0")));
  json::value v = ParseJson(r.body);
  ASSERT_EQ(v.at("objects").as_array().size(), 1u) << r.body;
  EXPECT_EQ(v.at("objects").at(0).at("modified").as_string(), kT3);
}

TEST_F(TaxiiConformanceTest, TAXII_R38_MatchVersionFirstLastAllExactAndCombinations) {
  auto modified = [](const HttpResponse& r) {
    std::vector<std::string> out;
    json::value v = ParseJson(r.body);
    if (!v.is_object() || !v.as_object().contains("objects")) return out;
    for (const json::value& o : v.at("objects").as_array()) {
      out.emplace_back(o.at("modified").as_string());
    }
    return out;
  };
  std::string obj = Object("feed", F("I0"));
  using V = std::vector<std::string>;
  EXPECT_EQ(modified(Get(obj + "?match[version]=first")), (V{kT1}));
  EXPECT_EQ(modified(Get(obj + "?match[version]=last")), (V{kT3}));
  EXPECT_EQ(modified(Get(obj + "?match[version]=all")), (V{kT1, kT2, kT3}));
  EXPECT_EQ(modified(Get(obj + "?match[version]=" + kT2)), (V{kT2}));
  // The same instant written with another precision.
  EXPECT_EQ(modified(Get(obj + "?match[version]=2024-02-01T00:00:00Z")), (V{kT2}));
  EXPECT_EQ(modified(Get(obj + "?match[version]=first,last")), (V{kT1, kT3}));
  EXPECT_EQ(modified(Get(obj + "?match[version]=" + kT1 + "," + kT2)), (V{kT1, kT2}));
  EXPECT_TAXII_ERROR(Get(obj + "?match[version]=all,first"), 400);
}

TEST_F(TaxiiConformanceTest, TAXII_R39_ObjectWithoutModifiedIsVersionedByCreated) {
  std::string id = NewId("marking-definition");
  std::string marking = "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" +
                        id + "\",\"created\":\"2024-05-06T07:08:09.123Z\",\"definition_type\":"
                             "\"statement\",\"definition\":{\"statement\":\"Copyright x\"}}";
  PostOk({marking});
  HttpResponse v = Get(Object("scratch", id) + "versions/");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(Strings(ParseJson(v.body).at("versions")),
            (std::vector<std::string>{"2024-05-06T07:08:09.123Z"}));
}

TEST_F(TaxiiConformanceTest, TAXII_R40_SpecVersionFilterNeverReturnsOtherSpecVersions) {
  EXPECT_EQ(Get(Objects("feed") + "?match[spec_version]=2.0").body, "{}");
  EXPECT_EQ(ObjectIds(Get(Objects("feed") + "?match[spec_version]=2.1")).size(), 12u);
  EXPECT_EQ(ObjectIds(Get(Objects("feed") + "?match[spec_version]=2.0,2.1")).size(), 12u);
}

TEST_F(TaxiiConformanceTest, TAXII_R41_AddedAfterIsStrictlyAfter) {
  json::value manifest = ParseJson(Get(Coll("feed") + "manifest/").body);
  const json::array& recs = manifest.at("objects").as_array();
  ASSERT_EQ(recs.size(), 12u);
  std::string fifth(recs[4].at("date_added").as_string());
  std::vector<std::string> ids = ObjectIds(Get(Objects("feed") + "?added_after=" + fifth));
  std::vector<std::string> all = ObjectIds(Get(Objects("feed")));
  EXPECT_EQ(ids, std::vector<std::string>(all.begin() + 5, all.end()));
}

TEST_F(TaxiiConformanceTest, TAXII_R42_MalformedQueryParametersGet400) {
  for (const char* q :
       {"?added_after=bogus", "?added_after=2024-13-01T00:00:00Z", "?match[version]=bogus",
        "?limit=abc", "?limit=1.5", "?match[type]=indicator&match[type]=malware",
        "?match[id]=a,,b", "?next=not-a-token"}) {
    HttpResponse r = Get(Objects("feed") + q);
    EXPECT_TAXII_ERROR(r, 400);
    EXPECT_THAT(r.body, HasSubstr("description")) << q;
  }
  EXPECT_THAT(Get(Objects("feed") + "?added_after=bogus").body, HasSubstr("added_after"));
  EXPECT_THAT(Get(Objects("feed") + "?limit=abc").body, HasSubstr("limit"));
  EXPECT_TAXII_ERROR(Get(Objects("feed") + "?match%5Btype%5D=%zz"), 400);
}

TEST_F(TaxiiConformanceTest, TAXII_R43_UnknownMatchFieldsAreIgnored) {
  HttpResponse r = Get(Objects("feed") + "?match[colour]=blue&foo=bar");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ObjectIds(r).size(), 12u);
}

TEST_F(TaxiiConformanceTest, TAXII_R44_DateAddedHeadersNameThisPagesFirstAndLast) {
  json::value manifest = ParseJson(Get(Coll("feed") + "manifest/").body);
  const json::array& recs = manifest.at("objects").as_array();
  auto added = [&](size_t i) { return std::string(recs[i].at("date_added").as_string()); };
  HttpResponse page = Get(Objects("feed") + "?limit=3&added_after=" + added(1));
  EXPECT_EQ(page.Header("x-taxii-date-added-first"), added(2));
  EXPECT_EQ(page.Header("x-taxii-date-added-last"), added(4));
  HttpResponse m = Get(Coll("feed") + "manifest/?limit=2");
  EXPECT_EQ(m.Header("x-taxii-date-added-first"), added(0));
  EXPECT_EQ(m.Header("x-taxii-date-added-last"), added(1));
  HttpResponse obj = Get(Object("feed", F("I1")));
  EXPECT_EQ(obj.Header("x-taxii-date-added-first"), added(0));
  EXPECT_EQ(obj.Header("x-taxii-date-added-last"), added(0));
  HttpResponse versions = Get(Object("feed", F("I0")) + "versions/");
  EXPECT_TRUE(std::regex_match(versions.Header("x-taxii-date-added-first"), kTaxiiTimestamp));
  EXPECT_LT(versions.Header("x-taxii-date-added-first"),
            versions.Header("x-taxii-date-added-last"));
  EXPECT_EQ(versions.Header("x-taxii-date-added-last"), added(11));
}

// ---- E. Pagination -------------------------------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R45_LimitMustBeAPositiveInteger) {
  for (const char* q : {"?limit=0", "?limit=-1", "?limit=abc", "?limit=", "?limit=99999999999"}) {
    EXPECT_TAXII_ERROR(Get(Objects("feed") + q), 400);
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R46_NeverMoreObjectsThanLimit) {
  for (int limit : {1, 2, 5, 11}) {
    EXPECT_EQ(ObjectIds(Get(Objects("feed") + "?limit=" + std::to_string(limit))).size(),
              static_cast<size_t>(limit));
  }
}

TEST_F(TaxiiConformanceTest, TAXII_R47_EverythingFitsSoNoMore) {
  HttpResponse r = Get(Objects("feed") + "?limit=12");
  EXPECT_EQ(ObjectIds(r).size(), 12u);
  EXPECT_FALSE(More(r));
  EXPECT_EQ(Next(r), "");
}

TEST_F(TaxiiConformanceTest, TAXII_R48_MoreIsTrueWithNextWhenMoreRemains) {
  HttpResponse r = Get(Objects("feed") + "?limit=11");
  EXPECT_TRUE(More(r));
  EXPECT_NE(Next(r), "");
}

TEST_F(TaxiiConformanceTest, TAXII_R49_FollowingNextYieldsEveryMatchExactlyOnce) {
  std::vector<std::string> seen;
  std::string query = "?limit=5&match[type]=indicator";
  HttpResponse r = Get(Objects("feed") + query);
  int pages = 1;
  for (;;) {
    ASSERT_EQ(r.status, 200) << r.body;
    for (const std::string& id : ObjectIds(r)) seen.push_back(id);
    if (!More(r)) break;
    ASSERT_LT(pages, 10);
    // `next` carries the filters: the same filters are sent with it.
    r = Get(Objects("feed") + query + "&next=" + Next(r));
    ++pages;
  }
  EXPECT_EQ(pages, 2);
  std::vector<std::string> want = ObjectIds(Get(Objects("feed") + "?match[type]=indicator"));
  EXPECT_EQ(seen, want);
  EXPECT_EQ(seen.size(), 10u);
}

TEST_F(TaxiiConformanceTest, TAXII_R50_PagingByAddedAfterDateAddedLastWorks) {
  std::vector<std::string> seen;
  std::string after;
  for (int i = 0; i < 10; ++i) {
    HttpResponse r =
        Get(Objects("feed") + "?limit=4" + (after.empty() ? "" : "&added_after=" + after));
    ASSERT_EQ(r.status, 200);
    std::vector<std::string> ids = ObjectIds(r);
    if (ids.empty()) break;
    seen.insert(seen.end(), ids.begin(), ids.end());
    after = r.Header("x-taxii-date-added-last");
    ASSERT_FALSE(after.empty());
  }
  EXPECT_EQ(seen, ObjectIds(Get(Objects("feed"))));
}

TEST_F(TaxiiConformanceTest, TAXII_R51_NextIsCheckedAgainstFiltersUserAndCollection) {
  HttpResponse first = Get(Objects("feed") + "?limit=2&match[type]=indicator");
  std::string next = Next(first);
  ASSERT_NE(next, "");
  // The same query with next works; a smaller limit is allowed to change.
  EXPECT_EQ(Get(Objects("feed") + "?limit=3&match[type]=indicator&next=" + next).status, 200);
  // Changed filters, another user, another endpoint, a forged token: 400.
  EXPECT_TAXII_ERROR(Get(Objects("feed") + "?limit=2&match[type]=malware&next=" + next), 400);
  EXPECT_TAXII_ERROR(Get(Objects("feed") + "?limit=2&next=" + next), 400);
  EXPECT_TAXII_ERROR(Get(Objects("feed") + "?limit=2&match[type]=indicator&next=" + next,
                         "reader"),
                     400);
  EXPECT_TAXII_ERROR(Get(Coll("feed") + "manifest/?limit=2&match[type]=indicator&next=" + next),
                     400);
  std::string forged = next;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_TAXII_ERROR(Get(Objects("feed") + "?limit=2&match[type]=indicator&next=" + forged),
                     400);
}

TEST_F(TaxiiConformanceTest, TAXII_R52_ManifestAndVersionsPaginateTheSameWay) {
  std::vector<std::string> seen;
  HttpResponse r = Get(Coll("feed") + "manifest/?limit=5");
  for (int i = 0; i < 5; ++i) {
    for (const std::string& id : ObjectIds(r)) seen.push_back(id);
    if (!More(r)) break;
    r = Get(Coll("feed") + "manifest/?limit=5&next=" + Next(r));
  }
  EXPECT_EQ(seen, ObjectIds(Get(Objects("feed"))));

  std::string versions = Object("feed", F("I0")) + "versions/";
  HttpResponse v1 = Get(versions + "?limit=2");
  EXPECT_EQ(Strings(ParseJson(v1.body).at("versions")), (std::vector<std::string>{kT1, kT2}));
  ASSERT_TRUE(More(v1));
  HttpResponse v2 = Get(versions + "?limit=2&next=" + Next(v1));
  EXPECT_EQ(Strings(ParseJson(v2.body).at("versions")), (std::vector<std::string>{kT3}));
  EXPECT_FALSE(More(v2));
  EXPECT_TAXII_ERROR(Get(Object("feed", F("I1")) + "versions/?next=" + Next(v1)), 400);
}

// ---- F. Add objects / status ---------------------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R53_PostAnswers202WithAStatusReadableAtItsUrl) {
  std::string id = NewId("indicator");
  HttpResponse post = Post("scratch", Envelope({Indicator(id)}));
  ASSERT_EQ(post.status, 202) << post.body;
  EXPECT_EQ(post.Header("content-type"), kTaxii21);
  json::value s = ParseJson(post.body);
  std::string status_id(s.at("id").as_string());
  HttpResponse again = Get("/api1/status/" + status_id + "/");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body, post.body);
  EXPECT_EQ(ObjectIds(Get(Object("scratch", id))), (std::vector<std::string>{id}));
}

TEST_F(TaxiiConformanceTest, TAXII_R54_NoWriteAccessGets403) {
  HttpResponse r = Post("feed", Envelope({Indicator(NewId("indicator"))}), "reader");
  EXPECT_TAXII_ERROR(r, 403);
  EXPECT_EQ(Get(Objects("feed")).body.find("\"objects\""), 1u);  // feed unchanged below
  EXPECT_EQ(ObjectIds(Get(Objects("feed"))).size(), 12u);
}

TEST_F(TaxiiConformanceTest, TAXII_R55_ExactDuplicateIsNotAnError) {
  std::string obj = Indicator(NewId("indicator"));
  PostOk({obj});
  HttpResponse r = Post("scratch", Envelope({obj}));
  ASSERT_EQ(r.status, 202);
  json::value s = ParseJson(r.body);
  EXPECT_EQ(s.at("success_count").as_int64(), 1);
  EXPECT_EQ(s.at("failure_count").as_int64(), 0);
}

TEST_F(TaxiiConformanceTest, TAXII_R56_BodyOverMaxContentLengthGets413AndSmallerIsAccepted) {
  int64_t max = ParseJson(Get("/api1/").body).at("max_content_length").as_int64();
  // Announced size over the limit: refused before the body is sent.
  std::string headers = Auth("alice") + "Content-Type: " + kTaxii21 + "\r\nContent-Length: " +
                        std::to_string(max + 1) + "\r\n";
  HttpResponse r = Raw("POST " + Objects("scratch") + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");
  EXPECT_TAXII_ERROR(r, 413);
  // A body just under the limit (padded with whitespace, which JSON allows) is not 413.
  std::string body = Envelope({Indicator(NewId("indicator"))});
  body.append(static_cast<size_t>(max) - 1 - body.size(), ' ');
  HttpResponse ok = Post("scratch", body);
  EXPECT_EQ(ok.status, 202) << ok.body.substr(0, 300);
}

TEST_F(TaxiiConformanceTest, TAXII_R57_UnparseableJsonGets400AndNonEnvelopeGets422) {
  EXPECT_TAXII_ERROR(Post("scratch", "{\"objects\":[{"), 400);
  EXPECT_TAXII_ERROR(Post("scratch", "not json"), 400);
  EXPECT_TAXII_ERROR(Post("scratch", std::string("{\"objects\":[\"\xff\"]}")), 400);
  EXPECT_TAXII_ERROR(Post("scratch", std::string(200, '[') + std::string(200, ']')), 400);
  EXPECT_TAXII_ERROR(Post("scratch", "[]"), 422);
  EXPECT_TAXII_ERROR(Post("scratch", "{}"), 422);
  EXPECT_TAXII_ERROR(Post("scratch", "{\"objects\":[]}"), 422);
  EXPECT_TAXII_ERROR(Post("scratch", "{\"objects\":{}}"), 422);
  EXPECT_TAXII_ERROR(Post("scratch", "{\"objects\":[1]}"), 422);
  HttpResponse dup = Post("scratch", "{\"objects\":[" + Indicator(NewId("indicator")) +
                                         "],\"objects\":[" + Indicator(NewId("indicator")) + "]}");
  EXPECT_TAXII_ERROR(dup, 422);
}

TEST_F(TaxiiConformanceTest, TAXII_R57_InvalidStixIsReportedPerObjectInTheStatus) {
  std::string good = NewId("indicator");
  std::string bad = NewId("indicator");
  std::string invalid = Indicator(bad, "not a timestamp");
  HttpResponse r = Post("scratch", Envelope({Indicator(good), invalid}));
  ASSERT_EQ(r.status, 202) << r.body;
  json::value s = ParseJson(r.body);
  EXPECT_EQ(s.at("success_count").as_int64(), 1);
  EXPECT_EQ(s.at("failure_count").as_int64(), 1);
  EXPECT_EQ(s.at("failures").at(0).at("id").as_string(), bad);
  EXPECT_THAT(std::string(s.at("failures").at(0).at("message").as_string()), HasSubstr("modified"));
  EXPECT_TAXII_ERROR(Get(Object("scratch", bad)), 404);
}

TEST_F(TaxiiConformanceTest, TAXII_R58_StatusCountsAddUp) {
  HttpResponse r = Post("scratch", Envelope({Indicator(NewId("indicator")),
                                             Indicator(NewId("indicator"), "bad"),
                                             Malware(NewId("malware"))}));
  ASSERT_EQ(r.status, 202);
  json::value s = ParseJson(r.body);
  EXPECT_EQ(s.at("total_count").as_int64(), 3);
  EXPECT_EQ(s.at("success_count").as_int64() + s.at("failure_count").as_int64() +
                s.at("pending_count").as_int64(),
            3);
  EXPECT_EQ(s.at("success_count").as_int64(), 2);
}

TEST_F(TaxiiConformanceTest, TAXII_R59_CustomPropertiesAreAcceptedAndKept) {
  std::string id = NewId("indicator");
  PostOk({Indicator(id, kT1, "\"x_acme_score\":7,")});
  EXPECT_THAT(Get(Object("scratch", id)).body, HasSubstr("\"x_acme_score\":7"));
}

TEST_F(TaxiiConformanceTest, TAXII_R60_NewVersionIsStoredAlongsideTheOld) {
  std::string id = NewId("indicator");
  PostOk({Indicator(id, kT1)});
  PostOk({Indicator(id, kT2)});
  HttpResponse v = Get(Object("scratch", id) + "versions/");
  EXPECT_EQ(Strings(ParseJson(v.body).at("versions")), (std::vector<std::string>{kT1, kT2}));
}

// ---- G. Get object / delete / versions / manifest ------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R61_GetObjectReturnsOnlyThatIdAndIgnoresOtherFilters) {
  HttpResponse r = Get(Object("feed", F("I3")) + "?match[type]=malware&match[id]=" + F("M0"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ObjectIds(r), (std::vector<std::string>{F("I3")}));
}

TEST_F(TaxiiConformanceTest, TAXII_R62_UnknownObjectGets404EvenInAnEmptyCollection) {
  EXPECT_TAXII_ERROR(Get(Object("feed", NewId("indicator"))), 404);
  EXPECT_TAXII_ERROR(Get(Object("feed", NewId("indicator")) + "versions/"), 404);
  // tlp is not empty; a collection the TLP test user sees empty still answers 404.
  EXPECT_TAXII_ERROR(Get(Object("tlp", NewId("indicator")), "bob"), 404);
  EXPECT_TAXII_ERROR(Get(Object("feed", "not-even-an-id")), 404);
}

TEST_F(TaxiiConformanceTest, TAXII_R62_TlpRefusedObjectGets404LikeAnUnknownOne) {
  HttpResponse bob = Get(Object("tlp", F("RED")), "bob");
  EXPECT_TAXII_ERROR(bob, 404);
  EXPECT_THAT(bob.body, Not(HasSubstr("TLP")));
  EXPECT_TAXII_ERROR(Get(Object("tlp", F("RED")) + "versions/", "bob"), 404);
  EXPECT_EQ(ObjectIds(Get(Objects("tlp"), "bob")), (std::vector<std::string>{F("GREEN")}));
  EXPECT_EQ(ObjectIds(Get(Coll("tlp") + "manifest/", "bob")),
            (std::vector<std::string>{F("GREEN")}));
  EXPECT_EQ(ObjectIds(Get(Object("tlp", F("RED")), "alice")),
            (std::vector<std::string>{F("RED")}));
}

TEST_F(TaxiiConformanceTest, TAXII_R63_DeletePermissionMatrix) {
  std::string id = NewId("indicator");
  PostOk({Indicator(id)});
  std::string path = Object("scratch", id);
  EXPECT_TAXII_ERROR(Delete(path, "outsider"), 404);  // read f, write f
  EXPECT_TAXII_ERROR(Delete(path, "reader"), 403);    // read t, write f
  EXPECT_TAXII_ERROR(Delete(path, "writer"), 403);    // read f, write t
  EXPECT_EQ(Get(path).status, 200);                   // still there
  HttpResponse ok = Delete(path, "alice");            // read t, write t
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(TaxiiConformanceTest, TAXII_R64_DeletedObjectIsGoneEverywhere) {
  std::string id = NewId("indicator");
  PostOk({Indicator(id, kT1), Indicator(id, kT2)});
  ASSERT_EQ(Delete(Object("scratch", id)).status, 200);
  EXPECT_TAXII_ERROR(Get(Object("scratch", id)), 404);
  EXPECT_TAXII_ERROR(Get(Object("scratch", id) + "versions/"), 404);
  EXPECT_EQ(Get(Objects("scratch") + "?match[id]=" + id).body, "{}");
  EXPECT_EQ(Get(Coll("scratch") + "manifest/?match[version]=all&match[id]=" + id).body, "{}");
  EXPECT_TAXII_ERROR(Delete(Object("scratch", id)), 404);
}

TEST_F(TaxiiConformanceTest, TAXII_R65_DeleteWithMatchVersionRemovesOnlyThatVersion) {
  std::string id = NewId("indicator");
  PostOk({Indicator(id, kT1), Indicator(id, kT2), Indicator(id, kT3)});
  ASSERT_EQ(Delete(Object("scratch", id) + "?match[version]=" + kT2).status, 200);
  HttpResponse v = Get(Object("scratch", id) + "versions/");
  EXPECT_EQ(Strings(ParseJson(v.body).at("versions")), (std::vector<std::string>{kT1, kT3}));
  ASSERT_EQ(Delete(Object("scratch", id) + "?match[version]=first").status, 200);
  EXPECT_EQ(Strings(ParseJson(Get(Object("scratch", id) + "versions/").body).at("versions")),
            (std::vector<std::string>{kT3}));
  EXPECT_TAXII_ERROR(Delete(Object("scratch", id) + "?match[version]=bogus"), 400);
}

TEST_F(TaxiiConformanceTest, TAXII_R66_VersionsListsModifiedOldestFirstWithHeaders) {
  HttpResponse r = Get(Object("feed", F("I0")) + "versions/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kTaxii21);
  EXPECT_EQ(Strings(ParseJson(r.body).at("versions")), (std::vector<std::string>{kT1, kT2, kT3}));
  EXPECT_FALSE(r.Header("x-taxii-date-added-first").empty());
  EXPECT_FALSE(r.Header("x-taxii-date-added-last").empty());
}

TEST_F(TaxiiConformanceTest, TAXII_R67_ManifestHasOneRecordPerVersionWithRequiredFields) {
  HttpResponse r = Get(Coll("feed") + "manifest/?match[version]=all&match[id]=" + F("I0"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::value m = ParseJson(r.body);
  const json::array& recs = m.at("objects").as_array();
  ASSERT_EQ(recs.size(), 3u);
  std::vector<std::string> versions;
  for (const json::value& rec : recs) {
    EXPECT_EQ(rec.at("id").as_string(), F("I0"));
    EXPECT_TRUE(rec.at("date_added").is_string());
    versions.emplace_back(rec.at("version").as_string());
    if (rec.as_object().contains("media_type")) {
      // The collection lists no media_types, which means application/stix+json.
      EXPECT_THAT(std::string(rec.at("media_type").as_string()),
                  HasSubstr("application/stix+json"));
    }
  }
  EXPECT_EQ(versions, (std::vector<std::string>{kT1, kT2, kT3}));
}

TEST_F(TaxiiConformanceTest, TAXII_R68_ManifestFiltersWorkAsOnObjects) {
  for (const std::string& q :
       {std::string("?match[type]=malware"), "?match[id]=" + F("I4") + "," + F("M1"),
        std::string("?match[version]=first"), std::string("?limit=3")}) {
    EXPECT_EQ(ObjectIds(Get(Coll("feed") + "manifest/" + q)), ObjectIds(Get(Objects("feed") + q)))
        << q;
  }
}

// ---- H. Errors -----------------------------------------------------------------------------

TEST_F(TaxiiConformanceTest, TAXII_R69_R70_ErrorBodiesAreTaxiiErrorsWithStringHttpStatus) {
  EXPECT_TAXII_ERROR(Get("/taxii2/", ""), 401);
  EXPECT_TAXII_ERROR(Get("/nope/"), 404);
  EXPECT_TAXII_ERROR(Request("PUT", Objects("feed"), Auth("alice")), 405);
  EXPECT_TAXII_ERROR(Get(Objects("feed") + "?limit=x"), 400);
  EXPECT_TAXII_ERROR(Get(Objects("feed"), "writer"), 403);
}

TEST_F(TaxiiConformanceTest, TAXII_R71_InaccessibleCollectionLooksLikeAnUnknownOne) {
  HttpResponse hidden = Get(Coll("hidden"), "outsider");
  HttpResponse unknown = Get("/api1/collections/" + base::Uuid::V4().ToString() + "/", "outsider");
  EXPECT_TAXII_ERROR(hidden, 404);
  EXPECT_TAXII_ERROR(unknown, 404);
  EXPECT_EQ(hidden.body, unknown.body);
  EXPECT_TAXII_ERROR(Get(Objects("hidden"), "outsider"), 404);
  EXPECT_TAXII_ERROR(Post("hidden", Envelope({Indicator(NewId("indicator"))}), "outsider"), 404);
  // A 403 does not name the collection.
  HttpResponse forbidden = Get(Objects("feed"), "writer");
  EXPECT_THAT(forbidden.body, Not(HasSubstr((*colls_)["feed"])));
}

// ---- Beyond the checklist: methods, verbatim objects ---------------------------------------

TEST_F(TaxiiConformanceTest, UndefinedMethodGets405WithAllow) {
  HttpResponse put = Request("PUT", Objects("feed"), Auth("alice"));
  EXPECT_TAXII_ERROR(put, 405);
  EXPECT_EQ(put.Header("allow"), "GET, POST");
  HttpResponse post = Request("POST", "/taxii2/", Auth("alice"));
  EXPECT_TAXII_ERROR(post, 405);
  EXPECT_EQ(post.Header("allow"), "GET");
  HttpResponse del = Request("DELETE", Coll("feed"), Auth("alice"));
  EXPECT_TAXII_ERROR(del, 405);
  EXPECT_EQ(del.Header("allow"), "GET");
  HttpResponse obj = Request("POST", Object("feed", F("I1")), Auth("alice"));
  EXPECT_TAXII_ERROR(obj, 405);
  EXPECT_EQ(obj.Header("allow"), "DELETE, GET");
}

TEST_F(TaxiiConformanceTest, ObjectsComeBackByteForByte) {
  std::string id = NewId("indicator");
  // Unusual key order, whitespace, escapes and number forms: none of it may be re-serialised.
  std::string odd = "{ \"valid_from\" : \"2024-01-01T00:00:00Z\",\n\t\"id\":\"" + id +
                    "\", \"type\":\"indicator\",\"spec_version\":\"2.1\",\"created\":\"" + kT1 +
                    "\",\"modified\":\"" + kT1 +
                    "\",\"name\":\"caf\\u00e9 \\\"q\\\" \\/\",\"x_n\":1.50E+2,"
                    "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\" }";
  PostOk({odd});
  HttpResponse r = Get(Object("scratch", id));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"objects\":[" + odd + "]}");
}

}  // namespace
}  // namespace detente::server
