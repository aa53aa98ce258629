// Tests testing/fault_proxy.{h,cc}: each fault kind against a tiny in-test HTTP server that
// records what reached it, the seeded RNG, chunked bodies, a dead upstream, and the
// GarbageServer. No detente process is involved.
#include "testing/fault_proxy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/status_matchers.h"

namespace detente::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An HTTP server on 127.0.0.1:0 that answers each request with 200 and body "echo:" + its
// body, and records the bodies in arrival order.
class EchoServer {
 public:
  EchoServer() {
    auto fd = ListenLoopback(&port_);
    if (fd.ok()) listen_fd_ = *fd;
    thread_ = std::thread([this] { Loop(); });
  }
  ~EchoServer() {
    stop_ = true;
    thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> l(mu_);
    return bodies_;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      std::string buffer, request;
      size_t body = 0;
      if (ReadHttpMessage(fd, false, &buffer, &request, &body).ok()) {
        std::string b = request.substr(body);
        {
          std::lock_guard<std::mutex> l(mu_);
          bodies_.push_back(b);
        }
        std::string answer = "echo:" + b;
        (void)SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(answer.size()) +
                              "\r\n\r\n" + answer);
      }
      ::close(fd);
    }
  }
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

std::string Post(const std::string& body) {
  return "POST /peer/v1/inbox HTTP/1.1\r\nHost: x\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends `request` on a new connection and returns the response body; kNotFound when the
// connection was closed without an answer.
base::Result<std::string> Exchange(uint16_t port, const std::string& request,
                                   int timeout_ms = 5000) {
  ASSIGN_OR_RETURN(int fd, ConnectLoopback(port, timeout_ms));
  base::Status s = SendAll(fd, request);
  std::string buffer, response;
  size_t body = 0;
  if (s.ok()) s = ReadHttpMessage(fd, true, &buffer, &response, &body);
  ::close(fd);
  RETURN_IF_ERROR(s);
  return response.substr(body);
}

class FaultProxyTest : public ::testing::Test {
 protected:
  std::unique_ptr<FaultProxy> StartProxy(std::vector<Fault> script = {}) {
    FaultProxy::Options o;
    o.upstream_port = echo_.port();
    o.delay_ms = 20;
    o.reorder_max_wait_ms = 5000;
    auto p = FaultProxy::Start(o);
    EXPECT_OK(p.status());
    if (!p.ok()) return nullptr;
    (*p)->Script(script);
    return std::move(p).value();
  }
  EchoServer echo_;
};

TEST_F(FaultProxyTest, PassRelaysRequestAndResponseUnchanged) {
  auto proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  EXPECT_THAT(Exchange(proxy->port(), Post("{\"a\":1}")), IsOkAndHolds("echo:{\"a\":1}"));
  EXPECT_THAT(echo_.bodies(), ElementsAre("{\"a\":1}"));
  EXPECT_EQ(proxy->count(Fault::kPass), 1u);
  EXPECT_EQ(proxy->requests(), 1u);
}

TEST_F(FaultProxyTest, KeepAliveConnectionCarriesSeveralRequests) {
  auto proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  ASSERT_OK_AND_ASSIGN(int fd, ConnectLoopback(proxy->port(), 5000));
  std::string buffer;
  for (const char* b : {"one", "two"}) {
    ASSERT_OK(SendAll(fd, Post(b)));
    std::string response;
    size_t body = 0;
    ASSERT_OK(ReadHttpMessage(fd, true, &buffer, &response, &body));
    EXPECT_EQ(response.substr(body), std::string("echo:") + b);
  }
  ::close(fd);
  EXPECT_THAT(echo_.bodies(), ElementsAre("one", "two"));
}

TEST_F(FaultProxyTest, DropBeforeClosesWithoutForwarding) {
  auto proxy = StartProxy({Fault::kDropBefore});
  ASSERT_NE(proxy, nullptr);
  EXPECT_THAT(Exchange(proxy->port(), Post("x")),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("connection closed")));
  EXPECT_TRUE(echo_.bodies().empty());
  EXPECT_EQ(proxy->count(Fault::kDropBefore), 1u);
}

TEST_F(FaultProxyTest, DropAfterForwardsButNeverAnswers) {
  auto proxy = StartProxy({Fault::kDropAfter});
  ASSERT_NE(proxy, nullptr);
  EXPECT_THAT(Exchange(proxy->port(), Post("x")),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("connection closed")));
  EXPECT_THAT(echo_.bodies(), ElementsAre("x"));
  EXPECT_EQ(proxy->count(Fault::kDropAfter), 1u);
}

TEST_F(FaultProxyTest, DuplicateForwardsTheRequestTwice) {
  auto proxy = StartProxy({Fault::kDuplicate});
  ASSERT_NE(proxy, nullptr);
  EXPECT_THAT(Exchange(proxy->port(), Post("x")), IsOkAndHolds("echo:x"));
  EXPECT_THAT(echo_.bodies(), ElementsAre("x", "x"));
  EXPECT_EQ(proxy->count(Fault::kDuplicate), 1u);
}

TEST_F(FaultProxyTest, DelayStillForwardsTheRequest) {
  auto proxy = StartProxy({Fault::kDelay});
  ASSERT_NE(proxy, nullptr);
  EXPECT_THAT(Exchange(proxy->port(), Post("x")), IsOkAndHolds("echo:x"));
  EXPECT_EQ(proxy->count(Fault::kDelay), 1u);
}

TEST_F(FaultProxyTest, ReorderLetsTheNextRequestOvertake) {
  auto proxy = StartProxy({Fault::kReorder, Fault::kPass});
  ASSERT_NE(proxy, nullptr);
  base::Result<std::string> first = base::UnknownError("not run");
  std::thread held([&] { first = Exchange(proxy->port(), Post("first")); });
  // The second request must reach the proxy after the first is held.
  for (int i = 0; i < 5000 && proxy->requests() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_THAT(Exchange(proxy->port(), Post("second")), IsOkAndHolds("echo:second"));
  held.join();
  EXPECT_THAT(first, IsOkAndHolds("echo:first"));
  EXPECT_THAT(echo_.bodies(), ElementsAre("second", "first"));
  EXPECT_EQ(proxy->count(Fault::kReorder), 1u);
  EXPECT_EQ(proxy->reordered(), 1u);
}

int DifferingBytes(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return -1;
  int n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] != b[i];
  return n;
}

TEST_F(FaultProxyTest, CorruptRequestFlipsOneBodyByte) {
  auto proxy = StartProxy({Fault::kCorruptRequest});
  ASSERT_NE(proxy, nullptr);
  const std::string body = "{\"envelopes\":[1,2,3]}";
  ASSERT_OK(Exchange(proxy->port(), Post(body)).status());
  ASSERT_EQ(echo_.bodies().size(), 1u);
  EXPECT_EQ(DifferingBytes(echo_.bodies()[0], body), 1);
  EXPECT_EQ(proxy->count(Fault::kCorruptRequest), 1u);
}

TEST_F(FaultProxyTest, CorruptRequestWithoutBodyIsPassed) {
  auto proxy = StartProxy({Fault::kCorruptRequest});
  ASSERT_NE(proxy, nullptr);
  EXPECT_THAT(Exchange(proxy->port(), "GET /peer/v1/checkpoint HTTP/1.1\r\nHost: x\r\n\r\n"),
              IsOkAndHolds("echo:"));
  EXPECT_EQ(proxy->count(Fault::kCorruptRequest), 0u);
  EXPECT_EQ(proxy->count(Fault::kPass), 1u);
}

TEST_F(FaultProxyTest, CorruptResponseFlipsOneBodyByte) {
  auto proxy = StartProxy({Fault::kCorruptResponse});
  ASSERT_NE(proxy, nullptr);
  ASSERT_OK_AND_ASSIGN(std::string got, Exchange(proxy->port(), Post("abcdefgh")));
  EXPECT_EQ(DifferingBytes(got, "echo:abcdefgh"), 1);
  EXPECT_THAT(echo_.bodies(), ElementsAre("abcdefgh"));
  EXPECT_EQ(proxy->count(Fault::kCorruptResponse), 1u);
}

TEST_F(FaultProxyTest, ChunkedRequestBodyIsRelayed) {
  auto proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  const std::string req =
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n"
      "0\r\n\r\n";
  ASSERT_OK(Exchange(proxy->port(), req).status());
  ASSERT_EQ(echo_.bodies().size(), 1u);
  EXPECT_EQ(echo_.bodies()[0], "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
}

TEST_F(FaultProxyTest, SameSeedGivesSameFaultCounts) {
  std::array<uint32_t, kFaultKinds> weights = {4, 1, 1, 1, 1, 0, 1, 1};
  std::vector<std::array<uint64_t, kFaultKinds>> runs;
  for (int run = 0; run < 2; ++run) {
    FaultProxy::Options o;
    o.upstream_port = echo_.port();
    o.seed = 42;
    o.weights = weights;
    o.delay_ms = 1;
    ASSERT_OK_AND_ASSIGN(auto proxy, FaultProxy::Start(o));
    for (int i = 0; i < 30; ++i) (void)Exchange(proxy->port(), Post("r"));
    EXPECT_EQ(proxy->requests(), 30u);
    runs.push_back(proxy->counts());
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_GT(runs[0][static_cast<size_t>(Fault::kDropBefore)], 0u);
}

TEST_F(FaultProxyTest, DeadUpstreamClosesTheClientConnection) {
  auto proxy = StartProxy();
  ASSERT_NE(proxy, nullptr);
  uint16_t unused = 0;
  ASSERT_OK_AND_ASSIGN(int fd, ListenLoopback(&unused));
  ::close(fd);  // nothing listens on `unused` now
  proxy->SetUpstreamPort(unused);
  EXPECT_THAT(Exchange(proxy->port(), Post("x")),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("connection closed")));
  proxy->SetUpstreamPort(echo_.port());
  EXPECT_THAT(Exchange(proxy->port(), Post("y")), IsOkAndHolds("echo:y"));
}

TEST_F(FaultProxyTest, StopReturnsWhileARequestIsHeld) {
  FaultProxy::Options o;
  o.upstream_port = echo_.port();
  o.reorder_max_wait_ms = 60'000;
  ASSERT_OK_AND_ASSIGN(auto proxy, FaultProxy::Start(o));
  proxy->Script({Fault::kReorder});
  std::thread held([&] { (void)Exchange(proxy->port(), Post("x"), 60'000); });
  for (int i = 0; i < 5000 && proxy->requests() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  proxy->Stop();  // must not wait for the 60 s hold
  held.join();
  EXPECT_EQ(proxy->count(Fault::kReorder), 1u);
}

TEST(GarbageServerTest, GarbageModeAnswersNonJson) {
  ASSERT_OK_AND_ASSIGN(auto g, GarbageServer::Start(GarbageServer::Mode::kGarbage));
  ASSERT_OK_AND_ASSIGN(std::string body, Exchange(g->port(), Post("{}")));
  EXPECT_THAT(body, HasSubstr("not json"));
}

TEST(GarbageServerTest, NotHttpModeAnswersNonHttp) {
  ASSERT_OK_AND_ASSIGN(auto g, GarbageServer::Start(GarbageServer::Mode::kNotHttp));
  EXPECT_THAT(Exchange(g->port(), Post("{}")),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("bad status line")));
}

TEST(GarbageServerTest, HangModeNeverAnswers) {
  ASSERT_OK_AND_ASSIGN(auto g, GarbageServer::Start(GarbageServer::Mode::kHang));
  EXPECT_THAT(Exchange(g->port(), Post("{}"), /*timeout_ms=*/300),
              StatusIs(base::StatusCode::kUnavailable, HasSubstr("recv")));
  EXPECT_EQ(g->connections(), 1u);
}

}  // namespace
}  // namespace detente::testing
