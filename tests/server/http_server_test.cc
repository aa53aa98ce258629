// Tests server/http_server.cc: a Server started in-process on 127.0.0.1:0 and driven by the
// raw-socket client of http_client.h. Timeouts are configured short (200 ms) and only ever
// awaited as "the server closes the connection", never measured.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "server/http_client.h"
#include "server/server.h"
#include "testing/status_matchers.h"

namespace detente::server {
namespace {

using ::detente::server::testing::Fetch;
using ::detente::server::testing::Get;
using ::detente::server::testing::HttpResponse;
using ::detente::server::testing::TestConnection;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string BasicHeader(std::string_view user, std::string_view pw) {
  std::string raw = std::string(user) + ":" + std::string(pw);
  return "Authorization: Basic " + base::Base64Encode(base::AsBytes(raw)) + "\r\n";
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Options so;
    so.url = ":memory:";
    ASSERT_OK_AND_ASSIGN(auto conn, store::Connect(so));
    UserStoreOptions uo;
    uo.pwhash_opslimit = 1;
    uo.pwhash_memlimit = 8192;
    ASSERT_OK_AND_ASSIGN(users_, UserStore::Open(std::move(conn), uo));
    ASSERT_OK(users_->AddUser("alice", "correct horse"));
    ASSERT_OK(users_->GrantAccess("alice", "c1", true, false));

    ASSERT_OK(AddBuiltinRoutes(router_, &metrics_));
    ASSERT_OK(router_.Add("GET", "/hello", Access::kPublic,
                          [](const Request&) { return Response::Json(200, "\"hi\""); }));
    ASSERT_OK(router_.Add("POST", "/echo", Access::kPublic, [](const Request& r) {
      Response resp;
      resp.body = r.body;
      return resp;
    }));
    ASSERT_OK(router_.Add("GET", "/items/{id}/", Access::kPublic, [](const Request& r) {
      return Response::Json(200, "\"" + std::string(r.Param("id")) + "\"");
    }));
    ASSERT_OK(router_.Add("GET", "/whoami", Access::kAuthenticated, [](const Request& r) {
      std::string body = r.principal->name;
      if (r.principal->CanRead("c1")) body += " reads c1";
      Response resp;
      resp.body = body;
      return resp;
    }));
    ASSERT_OK(router_.Add("GET", "/throw", Access::kPublic,
                          [](const Request&) -> Response { throw std::runtime_error("boom"); }));
    ASSERT_OK(router_.Add("GET", "/slow", Access::kPublic, [this](const Request&) {
      std::unique_lock lock(mu_);
      slow_entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return slow_release_; });
      return Response::Json(200, "\"finished\"");
    }));

    log_sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    options_.access_log = std::make_shared<spdlog::logger>("test_access", log_sink_);
    options_.access_log->set_pattern("%v");
    options_.max_content_length = 1024;
    options_.max_header_bytes = 2048;
    options_.read_header_timeout = std::chrono::milliseconds(200);
    options_.idle_timeout = std::chrono::milliseconds(200);
    options_.body_timeout = std::chrono::milliseconds(200);
  }

  void TearDown() override {
    {
      std::lock_guard lock(mu_);
      slow_release_ = true;
      cv_.notify_all();
    }
    if (server_) server_->Shutdown();
  }

  void StartServer() {
    ASSERT_OK_AND_ASSIGN(server_, Server::Start(options_, router_, users_.get(), &metrics_));
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  std::unique_ptr<UserStore> users_;
  Metrics metrics_;
  Router router_;
  ServerOptions options_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> log_sink_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool slow_entered_ = false;
  bool slow_release_ = false;
};

TEST_F(HttpServerTest, RoutesRequestToHandler) {
  StartServer();
  auto r = Fetch(port_, Get("/hello"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "\"hi\"");
  EXPECT_EQ(r->Header("content-type"), "application/json");
}

TEST_F(HttpServerTest, PassesPercentDecodedPathParameter) {
  StartServer();
  auto r = Fetch(port_, Get("/items/a%20b/"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "\"a b\"");
}

TEST_F(HttpServerTest, UnknownPathIs404WithJsonBody) {
  StartServer();
  auto r = Fetch(port_, Get("/nope"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr("\"http_status\":\"404\""));
  EXPECT_OK(base::CanonicalizeJson(r->body).status());
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllowHeader) {
  StartServer();
  auto r = Fetch(port_, "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET");
  EXPECT_THAT(r->body, HasSubstr("\"http_status\":\"405\""));
}

TEST_F(HttpServerTest, EchoesBodyWithinLimit) {
  StartServer();
  std::string body(1000, 'x');
  auto r = Fetch(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + body);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
}

TEST_F(HttpServerTest, ContentLengthOverLimitIs413WithJsonBody) {
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("max_content_length (1024 bytes)"));
  EXPECT_EQ(r->Header("connection"), "close");
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  StartServer();
  std::string chunk(1500, 'y');
  auto r = Fetch(port_,
                 "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5dc\r\n" +
                     chunk + "\r\n0\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
}

TEST_F(HttpServerTest, HeaderOverLimitIs431) {
  StartServer();
  auto r = Fetch(port_, Get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  StartServer();
  auto r = Fetch(port_, "GET /hello HTTP/1.1\r\nBad Header Line\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("malformed HTTP request"));
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c->Send(Get("/hello")));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
  }
  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(c->Send(Get("/items/1/") + Get("/items/2/")));
  auto r1 = c->ReadResponse();
  auto r2 = c->ReadResponse();
  ASSERT_TRUE(r1.has_value() && r2.has_value());
  EXPECT_EQ(r1->body, "\"1\"");
  EXPECT_EQ(r2->body, "\"2\"");
  EXPECT_THAT(metrics_.Serialize(), HasSubstr("detente_http_connections_total 1"));
}

TEST_F(HttpServerTest, SlowHeaderIsDisconnectedAfterReadHeaderTimeout) {
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finished
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(HttpServerTest, SlowBodyIsDisconnectedAfterBodyTimeout) {
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send(Get("/hello")));
  ASSERT_TRUE(c->ReadResponse().has_value());
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(HttpServerTest, ThrowingHandlerIs500AndServerKeepsServing) {
  StartServer();
  auto r = Fetch(port_, Get("/throw"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_THAT(r->body, Not(HasSubstr("boom")));
  auto ok = Fetch(port_, Get("/hello"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, HealthzIsOkWhileServing) {
  StartServer();
  auto r = Fetch(port_, Get("/healthz"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
}

TEST_F(HttpServerTest, BasicAuthWithRightPasswordIsAccepted) {
  StartServer();
  auto r = Fetch(port_, Get("/whoami", BasicHeader("alice", "correct horse")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "alice reads c1");
}

TEST_F(HttpServerTest, BasicAuthWithWrongPasswordIs401WithChallenges) {
  StartServer();
  auto r = Fetch(port_, Get("/whoami", BasicHeader("alice", "wrong horse")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->headers.count("www-authenticate"), 2u);
  EXPECT_THAT(r->Header("www-authenticate"), StartsWith("Basic realm=\"detente\""));
  EXPECT_THAT(r->body, HasSubstr("bad user name or password"));
}

TEST_F(HttpServerTest, MissingCredentialsIs401) {
  StartServer();
  auto r = Fetch(port_, Get("/whoami"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401);
  EXPECT_THAT(r->body, HasSubstr("no Authorization header"));
}

TEST_F(HttpServerTest, BearerTokenIsAccepted) {
  ASSERT_OK_AND_ASSIGN(std::string token, users_->IssueToken("alice"));
  StartServer();
  auto r = Fetch(port_, Get("/whoami", "Authorization: Bearer " + token + "\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "alice reads c1");
}

TEST_F(HttpServerTest, UnknownBearerTokenIs401) {
  StartServer();
  auto r = Fetch(port_, Get("/whoami", "Authorization: Bearer dtk_nottherighttoken\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401);
  EXPECT_THAT(r->body, HasSubstr("unknown or revoked token"));
}

TEST_F(HttpServerTest, MetricsAreValidPrometheusText) {
  StartServer();
  ASSERT_TRUE(Fetch(port_, Get("/hello")).has_value());
  ASSERT_TRUE(Fetch(port_, Get("/nope")).has_value());
  auto r = Fetch(port_, Get("/metrics"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->Header("content-type"), StartsWith("text/plain; version=0.0.4"));
  // Text format 0.0.4: comment lines "# HELP|TYPE name ...", samples "name{labels} value".
  const std::regex sample(
      R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? )re"
      R"re((-?[0-9.]+(e[-+]?[0-9]+)?|\+Inf|-Inf|NaN)( -?[0-9]+)?$)re");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::istringstream in(r->body);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 5);
  EXPECT_THAT(r->body, HasSubstr("detente_http_requests_total{method=\"GET\",route=\"/hello\","
                                 "status=\"200\"} 1"));
  EXPECT_THAT(r->body, HasSubstr("route=\"unmatched\",status=\"404\""));
  EXPECT_THAT(r->body, HasSubstr("detente_http_request_duration_seconds_bucket"));
  EXPECT_THAT(r->body, HasSubstr("detente_http_requests_in_flight"));
}

TEST_F(HttpServerTest, AccessLogHasOneJsonLinePerRequest) {
  StartServer();
  ASSERT_TRUE(Fetch(port_, Get("/whoami", BasicHeader("alice", "correct horse"))).has_value());
  server_->Shutdown();  // the line is written after the response; wait for it
  std::string text = log_.str();
  ASSERT_FALSE(text.empty());
  std::string line = text.substr(0, text.find('\n'));
  EXPECT_OK(base::CanonicalizeJson(line).status()) << line;
  EXPECT_THAT(line, HasSubstr("\"method\":\"GET\",\"path\":\"/whoami\",\"status\":200"));
  EXPECT_THAT(line, HasSubstr("\"user\":\"alice\""));
  EXPECT_THAT(line, HasSubstr("\"remote\":\"127.0.0.1:"));
  EXPECT_THAT(line, HasSubstr("\"duration_ms\":"));
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequest) {
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send(Get("/slow")));
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return slow_entered_; });
  }
  server_->BeginShutdown();
  // The listener is closed: new connections are refused.
  for (int i = 0; i < 100 && TestConnection::Connect(port_) != nullptr; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(TestConnection::Connect(port_), nullptr);
  {
    std::lock_guard lock(mu_);
    slow_release_ = true;
    cv_.notify_all();
  }
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "\"finished\"");
  EXPECT_EQ(r->Header("connection"), "close");
  server_->Wait();
}

TEST_F(HttpServerTest, ShutdownClosesIdleKeepAliveConnections) {
  options_.idle_timeout = std::chrono::milliseconds(60'000);
  StartServer();
  auto c = TestConnection::Connect(port_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send(Get("/hello")));
  ASSERT_TRUE(c->ReadResponse().has_value());
  server_->Shutdown();
  EXPECT_TRUE(c->WaitForClose());
}

TEST(HttpServerOptionsTest, OneTlsFileWithoutTheOtherIsRejected) {
  Metrics metrics;
  Router router;
  ServerOptions o;
  o.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_THAT(Server::Start(o, router, nullptr, &metrics),
              detente::testing::StatusIs(base::StatusCode::kInvalidArgument,
                                         HasSubstr("both a certificate and a key")));
}

TEST(HttpServerOptionsTest, PortInUseIsUnavailable) {
  Metrics metrics;
  Router router;
  ServerOptions o;
  ASSERT_OK_AND_ASSIGN(auto first, Server::Start(o, router, nullptr, &metrics));
  o.port = first->port();
  Metrics metrics2;
  EXPECT_THAT(Server::Start(o, router, nullptr, &metrics2),
              detente::testing::StatusIs(base::StatusCode::kUnavailable, HasSubstr("bind")));
}

// TLS: a self-signed certificate made with the openssl CLI in a temp dir.
class TlsServerTest : public HttpServerTest {
 protected:
  void SetUp() override {
    HttpServerTest::SetUp();
    std::string tmpl = (std::filesystem::temp_directory_path() / "server_tls_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                      "-keyout " + dir_ + "/key.pem -out " + dir_ + "/cert.pem -days 1 "
                      "-subj /CN=localhost >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    options_.tls_cert_file = dir_ + "/cert.pem";
    options_.tls_key_file = dir_ + "/key.pem";
    client_ = SSL_CTX_new(TLS_client_method());
    ASSERT_EQ(SSL_CTX_load_verify_locations(client_, options_.tls_cert_file.c_str(), nullptr), 1);
    SSL_CTX_set_verify(client_, SSL_VERIFY_PEER, nullptr);
  }
  void TearDown() override {
    HttpServerTest::TearDown();
    SSL_CTX_free(client_);
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  SSL_CTX* client_ = nullptr;
};

TEST_F(TlsServerTest, ServesOverTls13) {
  StartServer();
  EXPECT_THAT(server_->url(), StartsWith("https://127.0.0.1:"));
  auto c = TestConnection::Connect(port_, client_);
  ASSERT_TRUE(c);
  EXPECT_EQ(SSL_version(c->ssl()), TLS1_3_VERSION);
  ASSERT_TRUE(c->Send(Get("/whoami", BasicHeader("alice", "correct horse"))));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "alice reads c1");
}

TEST_F(TlsServerTest, AcceptsTls12Client) {
  StartServer();
  SSL_CTX_set_max_proto_version(client_, TLS1_2_VERSION);
  auto c = TestConnection::Connect(port_, client_);
  ASSERT_TRUE(c);
  EXPECT_EQ(SSL_version(c->ssl()), TLS1_2_VERSION);
}

TEST_F(TlsServerTest, RefusesTls11Client) {
  StartServer();
  SSL_CTX_set_security_level(client_, 0);
  SSL_CTX_set_min_proto_version(client_, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(client_, TLS1_1_VERSION);
  EXPECT_EQ(TestConnection::Connect(port_, client_), nullptr);
}

TEST_F(TlsServerTest, PlainHttpToTlsPortGetsNoResponse) {
  StartServer();
  EXPECT_FALSE(Fetch(port_, Get("/hello")).has_value());
}

TEST_F(TlsServerTest, MismatchedKeyIsRejected) {
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                    "-keyout " + dir_ + "/key2.pem -out " + dir_ + "/cert2.pem -days 1 "
                    "-subj /CN=other >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  options_.tls_key_file = dir_ + "/key2.pem";
  EXPECT_THAT(Server::Start(options_, router_, users_.get(), &metrics_),
              detente::testing::StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("key")));
}

}  // namespace
}  // namespace detente::server
