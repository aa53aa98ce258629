// Tests of HttpClient (peer/http_client.cc) against the server's Beast listener on
// 127.0.0.1:0: keep-alive reuse, the response size limit, refused connections, the request
// timeout (the handler blocks on a promise, no sleeping) and HTTPS with a configured CA file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "peer/peer_test_util.h"

namespace detente::peer {
namespace {

using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

class HttpClientTest : public ::testing::Test {
 protected:
  void StartServer(server::ServerOptions o = {}) {
    ASSERT_OK(router_.Add("GET", "/remote", server::Access::kPublic,
                          [](const server::Request& r) {
                            return server::Response::Json(200, "\"" + r.remote + "\"");
                          }));
    ASSERT_OK(router_.Add("POST", "/echo", server::Access::kPublic,
                          [](const server::Request& r) {
                            server::Response resp = server::Response::Json(200, r.body);
                            resp.SetHeader("X-Party", r.Header("Detente-Party"));
                            return resp;
                          }));
    ASSERT_OK(router_.Add("GET", "/big", server::Access::kPublic, [](const server::Request&) {
      return server::Response::Json(200, "\"" + std::string(4096, 'x') + "\"");
    }));
    ASSERT_OK(router_.Add("GET", "/block", server::Access::kPublic,
                          [this](const server::Request&) {
                            release_.get_future().wait();
                            return server::Response::Json(200, "{}");
                          }));
    auto srv = server::Server::Start(o, router_, nullptr, &metrics_);
    ASSERT_TRUE(srv.ok()) << srv.status();
    srv_ = std::move(srv).value();
  }
  void TearDown() override {
    if (srv_) srv_->Shutdown();
  }

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(srv_->port()) + std::string(path);
  }

  server::Router router_;
  server::Metrics metrics_;
  std::unique_ptr<server::Server> srv_;
  std::promise<void> release_;
};

TEST_F(HttpClientTest, KeepAliveReusesTheConnection) {
  StartServer();
  HttpClient client;
  ASSERT_OK_AND_ASSIGN(HttpResponse a, client.Send("GET", Url("/remote"), {}, ""));
  ASSERT_OK_AND_ASSIGN(HttpResponse b, client.Send("GET", Url("/remote"), {}, ""));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, b.body);  // same client address and port: one connection
  client.CloseAll();
  ASSERT_OK_AND_ASSIGN(HttpResponse c, client.Send("GET", Url("/remote"), {}, ""));
  EXPECT_NE(c.body, a.body);
}

TEST_F(HttpClientTest, PostSendsBodyAndHeaders) {
  StartServer();
  HttpClient client;
  ASSERT_OK_AND_ASSIGN(HttpResponse r,
                       client.Send("POST", Url("/echo"), {{"Detente-Party", "alpha"}}, "{\"a\":1}"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"a\":1}");
  EXPECT_EQ(r.content_type, "application/json");
}

TEST_F(HttpClientTest, ErrorStatusIsReturnedNotFailed) {
  StartServer();
  HttpClient client;
  ASSERT_OK_AND_ASSIGN(HttpResponse r, client.Send("GET", Url("/nothing"), {}, ""));
  EXPECT_EQ(r.status, 404);
}

TEST_F(HttpClientTest, ResponseOverTheLimitIsResourceExhausted) {
  StartServer();
  HttpClientOptions o;
  o.max_response_bytes = 1024;
  HttpClient client(o);
  EXPECT_THAT(client.Send("GET", Url("/big"), {}, ""),
              StatusIs(base::StatusCode::kResourceExhausted, HasSubstr("larger than 1024")));
  // The connection was dropped; the client still works.
  ASSERT_OK_AND_ASSIGN(HttpResponse r, client.Send("GET", Url("/remote"), {}, ""));
  EXPECT_EQ(r.status, 200);
}

TEST_F(HttpClientTest, RefusedConnectionIsUnavailable) {
  StartServer();
  uint16_t port = srv_->port();
  srv_->Shutdown();
  srv_.reset();
  HttpClient client;
  EXPECT_THAT(client.Send("GET", "http://127.0.0.1:" + std::to_string(port) + "/x", {}, ""),
              StatusIs(base::StatusCode::kUnavailable, HasSubstr("connect")));
}

TEST_F(HttpClientTest, SlowResponseTimesOut) {
  server::ServerOptions so;
  so.shutdown_timeout = std::chrono::milliseconds(100);
  StartServer(so);
  HttpClientOptions o;
  o.request_timeout = std::chrono::milliseconds(200);
  HttpClient client(o);
  EXPECT_THAT(client.Send("GET", Url("/block"), {}, ""),
              StatusIs(base::StatusCode::kUnavailable, HasSubstr("timed out")));
  release_.set_value();
}

TEST_F(HttpClientTest, BadUrlOrMethodIsInvalidArgument) {
  HttpClient client;
  EXPECT_THAT(client.Send("GET", "ftp://x/", {}, ""),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("scheme")));
  EXPECT_THAT(client.Send("FROB", "http://127.0.0.1:1/", {}, ""),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("unknown HTTP method")));
}

TEST_F(HttpClientTest, HttpsVerifiesTheServerAgainstTheConfiguredCa) {
  testing::ScratchDir dir;
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                    "-keyout " + dir.path() + "/key.pem -out " + dir.path() +
                    "/cert.pem -days 1 -subj /CN=localhost -addext "
                    "subjectAltName=DNS:localhost >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  server::ServerOptions so;
  so.tls_cert_file = dir.path() + "/cert.pem";
  so.tls_key_file = dir.path() + "/key.pem";
  StartServer(so);
  std::string url = "https://localhost:" + std::to_string(srv_->port()) + "/remote";
  HttpClientOptions o;
  o.ca_file = so.tls_cert_file;
  HttpClient trusting(o);
  ASSERT_OK_AND_ASSIGN(HttpResponse r, trusting.Send("GET", url, {}, ""));
  EXPECT_EQ(r.status, 200);
  // The system store does not know the self-signed certificate.
  HttpClient system_store;
  EXPECT_THAT(system_store.Send("GET", url, {}, ""),
              StatusIs(base::StatusCode::kUnavailable, HasSubstr("TLS handshake")));
  // Nor does the name 127.0.0.1 match it.
  HttpClient by_ip(o);
  EXPECT_THAT(by_ip.Send("GET", "https://127.0.0.1:" + std::to_string(srv_->port()) + "/remote",
                         {}, ""),
              StatusIs(base::StatusCode::kUnavailable, HasSubstr("TLS handshake")));
}

}  // namespace
}  // namespace detente::peer
