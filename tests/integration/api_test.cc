// The JSON API (server/api_mount.h, docs/api.md "Accord API") on a real node: `detente serve`
// of alpha in an accord with beta (beta is not served: what alpha sends stays pending, which
// the API does not mind), users made with the CLI ("reader" may read, "actor" may act through
// the pseudo-collection grant "accord"), and HTTP calls to every endpoint: 401 without
// credentials, 403 for the reader acting, 400/404/409/413 paths, login then bearer.
//
// The node is started once for the suite (Argon2id and process start-up are the slow parts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/base.h"
#include "ledger/ledger.h"
#include "server/http_client.h"
#include "testing/node_harness.h"
#include "testing/status_matchers.h"

namespace detente::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr char kPassword[] = "correct horse battery";
// server::kMaxApiBodyBytes.
constexpr size_t kMaxBody = 1 << 20;

using server::testing::HttpResponse;

// One request on a fresh plain connection to 127.0.0.1:port (server/http_client.h: 10 s
// socket timeouts; the server always sends a Content-Length).
std::optional<HttpResponse> Fetch(uint16_t port, const std::string& raw) {
  auto c = server::testing::TestConnection::Connect(port);
  if (c == nullptr || !c->Send(raw)) return std::nullopt;
  return c->ReadResponse();
}

const char kPreservation[] =
    R"({"category":"preservation","priority":"high","title":"Keep logs of 203.0.113.7",)"
    R"("description":"C2 seen","legal_basis":"Accord art. 4","identifiers":["203.0.113.7"],)"
    R"("retention_days":90})";

std::string Basic(const std::string& user) {
  std::string creds = user + ":" + kPassword;
  return "Authorization: Basic " + base::Base64Encode(base::AsBytes(creds)) + "\r\n";
}

// Checks M's proof offline, as a client would: the leaf is the message's entry header
// (docs/formats/accord.md: canonical {"created","digest","id","kind","seq","to"} with digest =
// hex SHA-256 of the signed envelope), included at `index` under the checkpoint's root.
base::Status VerifyMessageProof(const json::value& m) {
  const json::value& p = m.at("proof");
  if (!p.is_object()) return base::NotFoundError("no proof");
  const std::string envelope(m.at("envelope").as_string());
  json::object header{{"created", m.at("created")},
                      {"digest", base::HexEncode(ledger::Sha256(base::AsBytes(envelope)))},
                      {"id", m.at("id")},
                      {"kind", m.at("kind")},
                      {"seq", m.at("seq")},
                      {"to", m.at("to")}};
  ASSIGN_OR_RETURN(std::string entry, base::CanonicalizeJson(json::serialize(header)));
  const std::string note(p.at("checkpoint").as_string());
  ASSIGN_OR_RETURN(ledger::Checkpoint cp,
                   ledger::Checkpoint::Parse(note.substr(0, note.find("\n\n") + 1)));
  std::vector<ledger::Hash> proof;
  for (const auto& h : p.at("inclusion").as_array()) {
    ASSIGN_OR_RETURN(base::Bytes raw, base::HexDecode(h.as_string()));
    ASSIGN_OR_RETURN(ledger::Hash hash, ledger::HashFromBytes(raw, "inclusion hash"));
    proof.push_back(hash);
  }
  return ledger::VerifyInclusion(static_cast<uint64_t>(p.at("index").as_int64()), cp.size,
                                 ledger::HashLeaf(base::AsBytes(entry)), proof, cp.root);
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = Cluster::Create();
    ASSERT_OK(c.status());
    cluster_ = std::move(c).value().release();
    ASSERT_OK(cluster_->AddNode("alpha"));
    ASSERT_OK(cluster_->AddNode("beta"));
    ASSERT_OK(cluster_->FormAccord());
    for (const char* user : {"reader", "actor"}) {
      ProcResult r = cluster_->Run("alpha", {"user", "add", user, "--password", kPassword});
      ASSERT_EQ(r.rc, 0) << r.Describe();
    }
    ProcResult g = cluster_->Run("alpha", {"user", "grant", "actor", "accord", "--write"});
    ASSERT_EQ(g.rc, 0) << g.Describe();
    ASSERT_OK(cluster_->Serve("alpha"));
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  static uint16_t port() { return cluster_->node("alpha").port; }

  static HttpResponse Call(const std::string& method, const std::string& path,
                           const std::string& auth, const std::string& body = "") {
    std::string raw = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + auth;
    if (method == "POST") {
      raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    raw += "\r\n" + body;
    auto r = Fetch(port(), raw);
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no response";
      return HttpResponse{};
    }
    return *r;
  }
  static json::value Json(const HttpResponse& r) {
    json::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v;
  }
  // The error body's description (and checks its shape).
  static std::string Description(const HttpResponse& r) {
    json::value v = Json(r);
    if (!v.is_object()) return "";
    EXPECT_TRUE(v.as_object().contains("title")) << r.body;
    EXPECT_EQ(
        v.as_object().contains("http_status") ? std::string(v.at("http_status").as_string()) : "",
        std::to_string(r.status))
        << r.body;
    return v.as_object().contains("description") ? std::string(v.at("description").as_string())
                                                 : "";
  }
  // Files a preservation request to beta as actor; returns its id.
  static std::string File() {
    HttpResponse r = Call("POST", "/api/v1/requests", Basic("actor"),
                          std::string(R"({"responder":"beta","body":)") + kPreservation + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    json::value v = Json(r);
    return v.is_object() && v.as_object().contains("id") ? std::string(v.at("id").as_string()) : "";
  }

  static Cluster* cluster_;
};

Cluster* ApiTest::cluster_ = nullptr;

TEST_F(ApiTest, ReadingWithoutCredentialsIs401WithChallenge) {
  for (const char* path :
       {"/api/v1/me", "/api/v1/overview", "/api/v1/requests", "/api/v1/violations",
        "/api/v1/shares", "/api/v1/sightings", "/api/v1/scorecard"}) {
    HttpResponse r = Call("GET", path, "");
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_THAT(r.Header("www-authenticate"), HasSubstr("Basic")) << path;
  }
  EXPECT_EQ(Call("POST", "/api/v1/verify", "", "{}").status, 401);
}

TEST_F(ApiTest, LoginIssuesABearerTokenThatAuthenticates) {
  HttpResponse r = Call("POST", "/api/v1/login", "",
                        std::string(R"({"user":"actor","password":")") + kPassword + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = Json(r);
  EXPECT_EQ(v.at("user").as_string(), "actor");
  EXPECT_TRUE(v.at("can_act").as_bool());
  std::string token(v.at("token").as_string());
  EXPECT_THAT(token, ::testing::StartsWith("dtk_"));
  HttpResponse me = Call("GET", "/api/v1/me", "Authorization: Bearer " + token + "\r\n");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Json(me).at("user").as_string(), "actor");
  EXPECT_TRUE(Json(me).at("can_act").as_bool());
}

TEST_F(ApiTest, LoginWithAWrongPasswordIs401AndWithABadBodyIs400) {
  HttpResponse r = Call("POST", "/api/v1/login", "", R"({"user":"actor","password":"wrong pw!"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(Description(r), HasSubstr("bad user name or password"));
  HttpResponse bad = Call("POST", "/api/v1/login", "", R"({"user":"actor"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(Description(bad), HasSubstr("/password: required"));
  HttpResponse junk = Call("POST", "/api/v1/login", "", "{not json");
  EXPECT_EQ(junk.status, 400);
  EXPECT_THAT(Description(junk), HasSubstr("not valid JSON"));
}

TEST_F(ApiTest, ReadOnlyUserMayReadButActingIs403) {
  HttpResponse me = Call("GET", "/api/v1/me", Basic("reader"));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_FALSE(Json(me).at("can_act").as_bool());
  EXPECT_EQ(Call("GET", "/api/v1/requests", Basic("reader")).status, 200);
  HttpResponse file = Call("POST", "/api/v1/requests", Basic("reader"),
                           std::string(R"({"responder":"beta","body":)") + kPreservation + "}");
  EXPECT_EQ(file.status, 403);
  EXPECT_THAT(Description(file), HasSubstr("accord --write"));
  EXPECT_EQ(Call("POST", "/api/v1/violations", Basic("reader"), "{}").status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/requests/x/actions", Basic("reader"), "{}").status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/violations/x/actions", Basic("reader"), "{}").status, 403);
}

TEST_F(ApiTest, FiledRequestIsListedWithItsSignedMessagesAndProofs) {
  std::string id = File();
  ASSERT_FALSE(id.empty());
  HttpResponse list = Call("GET", "/api/v1/requests?state=filed&priority=high", Basic("reader"));
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  const json::value listed = Json(list);
  for (const auto& r : listed.at("requests").as_array()) {
    if (r.at("id").as_string() != id) continue;
    found = true;
    EXPECT_EQ(r.at("requester").as_string(), "alpha");
    EXPECT_EQ(r.at("responder").as_string(), "beta");
    EXPECT_EQ(r.at("state").as_string(), "filed");
    EXPECT_TRUE(r.at("acknowledged").is_null());
    EXPECT_FALSE(r.at("overdue").as_bool());
  }
  EXPECT_TRUE(found) << list.body;
  HttpResponse none = Call("GET", "/api/v1/requests?party=nobody", Basic("reader"));
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(Json(none).at("requests").as_array().empty());

  HttpResponse one = Call("GET", "/api/v1/requests/" + id, Basic("reader"));
  ASSERT_EQ(one.status, 200) << one.body;
  json::value v = Json(one);
  EXPECT_EQ(v.at("request").at("id").as_string(), id);
  const json::array& msgs = v.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].at("kind").as_string(), "request-file");
  EXPECT_EQ(msgs[0].at("body").at("category").as_string(), "preservation");
  EXPECT_THAT(std::string(msgs[0].at("envelope").as_string()), HasSubstr("\"sig\":"));
  ASSERT_TRUE(msgs[0].at("proof").is_object()) << one.body;
  EXPECT_EQ(msgs[0].at("proof").at("index").as_int64(), msgs[0].at("seq").as_int64());
  EXPECT_THAT(std::string(msgs[0].at("proof").at("checkpoint").as_string()), HasSubstr("detente/"));
  EXPECT_OK(VerifyMessageProof(msgs[0]));

  HttpResponse overview = Call("GET", "/api/v1/overview", Basic("reader"));
  ASSERT_EQ(overview.status, 200) << overview.body;
  json::value o = Json(overview);
  EXPECT_EQ(o.at("party").as_string(), "alpha");
  EXPECT_EQ(o.at("accord").at("parties").as_array().size(), 2u);
  EXPECT_TRUE(o.at("logs").as_array()[0].at("own").as_bool());
  EXPECT_TRUE(o.at("undelivered").is_array());
  EXPECT_TRUE(o.at("alerts").is_array());
  EXPECT_TRUE(o.at("overdue").is_array());
}

TEST_F(ApiTest, StepTheStateMachineRefusesIs409WithItsReason) {
  std::string id = File();
  ASSERT_FALSE(id.empty());
  // alpha is the requester; closing needs a response first.
  HttpResponse r = Call("POST", "/api/v1/requests/" + id + "/actions", Basic("actor"),
                        R"({"kind":"request-close","body":{"resolution":"accepted"}})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_THAT(Description(r), HasSubstr("request-close"));
  // A step the requester may take.
  HttpResponse w = Call("POST", "/api/v1/requests/" + id + "/actions", Basic("actor"),
                        R"({"kind":"request-withdraw","body":{"reason":"solved"}})");
  EXPECT_EQ(w.status, 201) << w.body;
  HttpResponse after = Call("GET", "/api/v1/requests/" + id, Basic("reader"));
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(Json(after).at("request").at("state").as_string(), "withdrawn");
  EXPECT_EQ(Json(after).at("messages").as_array().size(), 2u);
}

TEST_F(ApiTest, BadInputIs400NamingWhatIsWrong) {
  struct Case {
    std::string method, path, body, error;
  } cases[] = {
      {"POST", "/api/v1/requests", R"({"responder":"beta"})", "/body: required"},
      {"POST", "/api/v1/requests", R"({"responder":"beta","body":{},"x":1})", "/x: unknown"},
      {"POST", "/api/v1/requests", R"({"responder":"beta","body":[]})", "/body: must be"},
      {"POST", "/api/v1/requests", R"({"responder":"beta","body":{"category":"preservation"}})",
       "request-file"},
      {"POST", "/api/v1/requests", "[1]", "must be a JSON object"},
      {"POST", "/api/v1/requests", std::string(100, '['), "not valid JSON"},
      {"POST", "/api/v1/violations", R"({"accused":[],"body":{}})", "/accused"},
      {"POST", "/api/v1/violations", R"({"accused":[1],"body":{}})", "/accused/0"},
      {"GET", "/api/v1/requests?state=lost", "", "not a request state"},
      {"GET", "/api/v1/requests?priority=urgent", "", "priority"},
      {"GET", "/api/v1/requests?color=red", "", "unknown query parameter"},
      {"GET", "/api/v1/scorecard?at=yesterday", "", "at: timestamp"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call(c.method, c.path, Basic("actor"), c.body);
    EXPECT_EQ(r.status, 400) << c.method << " " << c.path << " " << c.body << ": " << r.body;
    EXPECT_THAT(Description(r), HasSubstr(c.error)) << c.path << " " << c.body;
  }
  // A step of the wrong family.
  std::string id = File();
  HttpResponse r = Call("POST", "/api/v1/requests/" + id + "/actions", Basic("actor"),
                        R"({"kind":"violation-dispute","body":{"statement":"x"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Description(r), HasSubstr("not a later step of a request"));
}

TEST_F(ApiTest, UnknownCasesAre404) {
  for (const char* path : {"/api/v1/requests/0b0e0c2e-0000-4000-8000-000000000000",
                           "/api/v1/violations/0b0e0c2e-0000-4000-8000-000000000000",
                           "/api/v1/requests/not%20an%20id"}) {
    HttpResponse r = Call("GET", path, Basic("reader"));
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
  }
  HttpResponse r = Call("POST", "/api/v1/requests/0b0e0c2e-0000-4000-8000-000000000000/actions",
                        Basic("actor"), R"({"kind":"request-withdraw","body":{}})");
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(ApiTest, OversizedBodyIs413) {
  std::string big = R"({"responder":"beta","body":{"pad":")" + std::string(kMaxBody, 'x') + "\"}}";
  HttpResponse r = Call("POST", "/api/v1/requests", Basic("actor"), big);
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 200);
}

TEST_F(ApiTest, ViolationReportIsListedWithItsMessages) {
  HttpResponse r =
      Call("POST", "/api/v1/violations", Basic("actor"),
           R"({"accused":["beta"],"body":{"commitment":"C1","summary":"scanned our CERT",)"
           R"("evidence":[]}})");
  if (r.status == 400) {
    // The accord of the harness may have no commitment C1: the error names it.
    GTEST_SKIP() << r.body;
  }
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id(Json(r).at("id").as_string());
  HttpResponse list = Call("GET", "/api/v1/violations", Basic("reader"));
  ASSERT_EQ(list.status, 200);
  bool found = false;
  const json::value listed = Json(list);
  for (const auto& v : listed.at("violations").as_array()) found |= v.at("id") == id.c_str();
  EXPECT_TRUE(found) << list.body;
  HttpResponse one = Call("GET", "/api/v1/violations/" + id, Basic("reader"));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Json(one).at("violation").at("accused").as_array().size(), 1u);
  EXPECT_EQ(Json(one).at("messages").as_array().size(), 1u);
  // alpha reported; a response must come from the accused.
  HttpResponse resp = Call("POST", "/api/v1/violations/" + id + "/actions", Basic("actor"),
                           R"({"kind":"violation-response","body":{"answer":"denied",)"
                           R"("statement":"no"}})");
  EXPECT_EQ(resp.status, 409) << resp.body;
}

TEST_F(ApiTest, ScorecardSharesSightingsAndVerifyAnswer) {
  File();
  HttpResponse s = Call("GET", "/api/v1/scorecard", Basic("reader"));
  ASSERT_EQ(s.status, 200) << s.body;
  json::value v = Json(s);
  EXPECT_EQ(v.at("parties").as_array().size(), 2u);
  EXPECT_FALSE(v.at("series").as_array().empty());
  EXPECT_EQ(v.at("parties").as_array()[1].at("party").as_string(), "beta");
  EXPECT_GE(v.at("parties").as_array()[1].at("requests_received").as_int64(), 1);
  HttpResponse at = Call("GET", "/api/v1/scorecard?at=2030-01-01T00:00:00Z", Basic("reader"));
  ASSERT_EQ(at.status, 200) << at.body;
  EXPECT_EQ(Json(at).at("now").as_string(), "2030-01-01T00:00:00.000Z");

  HttpResponse shares = Call("GET", "/api/v1/shares", Basic("reader"));
  EXPECT_EQ(shares.status, 200) << shares.body;
  HttpResponse sightings = Call("GET", "/api/v1/sightings", Basic("reader"));
  EXPECT_EQ(sightings.status, 200) << sightings.body;

  HttpResponse verify = Call("POST", "/api/v1/verify", Basic("reader"), "{}");
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_TRUE(Json(verify).at("ok").as_bool()) << verify.body;
  EXPECT_GE(Json(verify).at("messages").as_int64(), 1);
}

TEST_F(ApiTest, ReceivedStepCarriesTheSendersCheckpointAndInclusionProof) {
  std::string id = File();
  ASSERT_FALSE(id.empty());
  ASSERT_OK(cluster_->Serve("beta"));
  ASSERT_OK(cluster_->PointAllPeers());
  ASSERT_OK(cluster_->SyncUntilDelivered({"alpha", "beta"}, 20).status());
  ProcResult ack = cluster_->Run("beta", {"request", "ack", id, "--json"});
  ASSERT_EQ(ack.rc, 0) << ack.Describe();
  ASSERT_OK(cluster_->SyncUntilDelivered({"beta", "alpha"}, 20).status());
  HttpResponse one = Call("GET", "/api/v1/requests/" + id, Basic("reader"));
  ASSERT_EQ(one.status, 200) << one.body;
  const json::value v = Json(one);
  EXPECT_EQ(v.at("request").at("state").as_string(), "acknowledged");
  const json::array& msgs = v.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 2u) << one.body;
  const json::value& received = msgs[1];
  EXPECT_EQ(received.at("from").as_string(), "beta");
  ASSERT_TRUE(received.at("proof").is_object()) << one.body;
  EXPECT_EQ(received.at("proof").at("index").as_int64(), received.at("seq").as_int64());
  // The checkpoint is beta's (origin "detente/<accord>/beta").
  EXPECT_THAT(std::string(received.at("proof").at("checkpoint").as_string()), HasSubstr("/beta\n"));
  EXPECT_OK(VerifyMessageProof(received));
  EXPECT_OK(VerifyMessageProof(msgs[0]));
}

// TLP:RED cases follow the node's TLP policy (deny by default, as in the TAXII collections):
// the policy of the pseudo-collection "accord" names who reads their content; every other user
// sees the case (ids, parties, state, times) with its title, bodies and envelopes withheld.
TEST_F(ApiTest, RedCaseContentIsWithheldFromUsersTheAccordPolicyDoesNotName) {
  HttpResponse file =
      Call("POST", "/api/v1/requests", Basic("actor"),
           std::string(R"({"responder":"beta","tlp":"red","body":)") + kPreservation + "}");
  ASSERT_EQ(file.status, 201) << file.body;
  const std::string id(Json(file).at("id").as_string());
  auto check = [&](const std::string& user, bool readable) {
    HttpResponse one = Call("GET", "/api/v1/requests/" + id, Basic(user));
    ASSERT_EQ(one.status, 200) << one.body;
    const json::value v = Json(one);
    const std::string title(v.at("request").at("title").as_string());
    const json::value& m = v.at("messages").as_array().at(0);
    EXPECT_EQ(m.at("tlp").as_string(), "red");
    EXPECT_EQ(m.at("withheld").as_bool(), !readable) << one.body;
    if (readable) {
      EXPECT_EQ(title, "Keep logs of 203.0.113.7");
      EXPECT_EQ(m.at("body").at("title").as_string(), "Keep logs of 203.0.113.7");
      EXPECT_OK(VerifyMessageProof(m));
    } else {
      EXPECT_THAT(title, HasSubstr("TLP:RED content withheld from user " + user));
      EXPECT_THAT(one.body, ::testing::Not(HasSubstr("203.0.113.7"))) << user;
      EXPECT_EQ(m.at("envelope").as_string(), "");
      EXPECT_THAT(std::string(m.at("body").at("withheld").as_string()),
                  HasSubstr("collection policy accord --red-users"));
    }
    HttpResponse list = Call("GET", "/api/v1/requests", Basic(user));
    ASSERT_EQ(list.status, 200) << list.body;
    int listed = 0;
    const json::value listed_json = Json(list);
    for (const auto& r : listed_json.at("requests").as_array()) {
      if (r.at("id").as_string() != id) continue;
      ++listed;
      EXPECT_EQ(r.at("title").as_string() == "Keep logs of 203.0.113.7", readable) << user;
    }
    EXPECT_EQ(listed, 1) << list.body;
  };
  check("reader", false);
  check("actor", false);  // acting is not reading RED
  ProcResult p = cluster_->Run("alpha", {"collection", "policy", "accord", "--red-users", "actor"});
  ASSERT_EQ(p.rc, 0) << p.Describe();
  check("actor", true);
  check("reader", false);
}

}  // namespace
}  // namespace detente::testing
