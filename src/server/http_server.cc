// server/http_server.cc: the Beast transport: listener, plain and TLS sessions, timeouts,
// access log, graceful shutdown. The only translation unit of detente that includes Beast
// (it costs ~15 s and ~700 MB to compile). Tested by tests/server/http_server_test.cc.
#include "server/http_server.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace detente::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// JSON-safe text for the access log: client-chosen bytes that are not UTF-8 are replaced.
void AppendLogString(std::string* out, std::string_view s) {
  if (s.size() > 2048) s = s.substr(0, 2048);
  if (base::IsValidUtf8(s)) {
    base::AppendJsonString(out, s);
  } else {
    base::AppendJsonString(out, "(invalid UTF-8)");
  }
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Posts onto the session's strand: closes the connection if it is waiting for a request.
  virtual void CloseIfIdle() = 0;
};

}  // namespace

struct Server::Impl {
  explicit Impl(const ServerOptions& o, const Router& r, Authenticator* a, Metrics* m)
      : options(o),
        router(r),
        auth(a),
        metrics(m),
        control(net::make_strand(ioc)),
        acceptor(control),
        signals(control) {}

  void Accept();
  void Register(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(sessions_mu);
    if (sessions.size() >= 64 && sessions.size() % 64 == 0) {
      std::erase_if(sessions, [](const auto& w) { return w.expired(); });
    }
    sessions.push_back(s);
  }
  void LogAccess(const std::string& remote, std::string_view method, std::string_view path,
                 int status, size_t bytes, Clock::time_point started, std::string_view user);

  const ServerOptions options;
  const Router& router;
  Authenticator* const auth;
  Metrics* const metrics;
  bool tls = false;

  net::io_context ioc;
  // The acceptor and the signal set are used only on this strand (accept completions,
  // shutdown, signal handling), so they are never touched from two threads at once.
  net::strand<net::io_context::executor_type> control;
  std::optional<ssl::context> ssl_ctx;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::atomic<bool> stopping{false};
  tcp::endpoint bound;  // set by Start, then read-only

  std::mutex mu;  // guards running_threads, shutdown_deadline
  std::condition_variable cv;
  int running_threads = 0;
  std::optional<Clock::time_point> shutdown_deadline;
  std::vector<std::thread> threads;  // touched only by Start and Wait

  std::mutex sessions_mu;  // guards sessions
  std::vector<std::weak_ptr<SessionBase>> sessions;
};

namespace {

template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(Server::Impl* server, tcp::socket socket)
      : server_(server), stream_(MakeStream(server, std::move(socket))) {
    boost::system::error_code ec;
    tcp::endpoint ep = Lowest().socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" :
                                       ep.address().to_string();
      remote_ += ":" + std::to_string(ep.port());
    }
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Lowest().expires_after(self->server_->options.read_header_timeout);
        self->stream_.async_handshake(
            ssl::stream_base::server,
            [self](beast::error_code ec) {
              if (ec) return self->CloseSocket();
              self->ReadHeader();
            });
      } else {
        self->ReadHeader();
      }
    });
  }

  void CloseIfIdle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) self->Lowest().cancel();
    });
  }

 private:
  static Stream MakeStream(Server::Impl* server, tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server->ssl_ctx);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void ReadHeader() {
    if (server_->stopping.load()) return Close();
    parser_.emplace();
    parser_->header_limit(server_->options.max_header_bytes);
    parser_->body_limit(server_->options.max_content_length);
    Lowest().expires_after(first_ ? server_->options.read_header_timeout
                                  : server_->options.idle_timeout);
    first_ = false;
    idle_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    started_ = Clock::now();
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
      continue_.emplace(http::status::continue_, req.version());
      Lowest().expires_after(server_->options.write_timeout);
      http::async_write(stream_, *continue_,
                        [self = this->shared_from_this()](beast::error_code wec, size_t) {
                          if (wec) return self->CloseSocket();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Handle();
    Lowest().expires_after(server_->options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Handle();
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      // Idle close, shutdown, slow or vanished client: nothing useful to answer.
      return CloseSocket();
    }
    if (ec == http::error::body_limit) {
      return WriteError(413, "Payload Too Large",
                        "request body exceeds max_content_length (" +
                            std::to_string(server_->options.max_content_length) + " bytes)");
    }
    if (ec == http::error::header_limit) {
      return WriteError(431, "Request Header Fields Too Large",
                        "request header exceeds " +
                            std::to_string(server_->options.max_header_bytes) + " bytes");
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return WriteError(400, "Bad Request", "malformed HTTP request: " + ec.message());
    }
    CloseSocket();
  }

  // Answers an error found before dispatch and closes the connection.
  void WriteError(int status, std::string_view title, const std::string& description) {
    Response r = Response::Error(status, title, description);
    std::string method, path;
    if (parser_ && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      path = std::string(parser_->get().target());
    }
    server_->metrics->ObserveRequest("unmatched", method, status,
                                     std::chrono::duration<double>(Clock::now() - started_).count());
    Write(std::move(r), /*keep_alive=*/false, method, path, "");
  }

  void Handle() {
    auto& req = parser_->get();
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote = remote_;

    server_->metrics->RequestStarted();
    DispatchInfo info;
    Response response = Dispatch(server_->router, server_->auth, request, &info);
    server_->metrics->RequestFinished();
    server_->metrics->ObserveRequest(info.route, request.method, response.status,
                                     std::chrono::duration<double>(Clock::now() - started_).count());
    bool keep_alive = req.keep_alive() && !server_->stopping.load();
    Write(std::move(response), keep_alive, request.method, request.path, info.user);
  }

  void Write(Response response, bool keep_alive, std::string method, std::string path,
             std::string user) {
    unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    res_ = {};
    res_.version(version);
    res_.result(static_cast<unsigned>(response.status));
    res_.reason(ReasonPhrase(response.status));
    res_.set(http::field::server, "detente");
    for (const auto& [k, v] : response.headers) res_.insert(k, v);
    // HEAD: the headers of the GET, Content-Length included, and no body (RFC 9110 9.3.2).
    const bool head = method == "HEAD";
    const size_t body_size = response.body.size();
    if (!head) res_.body() = std::move(response.body);
    res_.keep_alive(keep_alive);
    res_.prepare_payload();
    if (head) res_.content_length(body_size);
    status_ = response.status;
    Lowest().expires_after(server_->options.write_timeout);
    http::async_write(stream_, res_,
                      [self = this->shared_from_this(), keep_alive, method = std::move(method),
                       path = std::move(path), user = std::move(user)](beast::error_code ec,
                                                                       size_t bytes) {
                        self->server_->LogAccess(self->remote_, method, path, self->status_,
                                                 bytes, self->started_, user);
                        if (ec || !keep_alive) return self->Close();
                        self->ReadHeader();
                      });
  }

  void Close() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      CloseSocket();
    }
  }

  void CloseSocket() {
    idle_ = false;
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().close();
  }

  Server::Impl* const server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  http::response<http::string_body> res_;
  std::string remote_;
  Clock::time_point started_ = Clock::now();
  int status_ = 0;
  bool first_ = true;
  bool idle_ = false;  // waiting for the first byte of a request; strand-only
};

}  // namespace

void Server::Impl::LogAccess(const std::string& remote, std::string_view method,
                             std::string_view path, int status, size_t bytes,
                             Clock::time_point started, std::string_view user) {
  if (!options.access_log) return;
  std::string line = "{\"time\":\"" + base::SystemClock::Default().Now().Format() +
                     "\",\"remote\":";
  AppendLogString(&line, remote);
  line += ",\"method\":";
  AppendLogString(&line, method);
  line += ",\"path\":";
  AppendLogString(&line, path);
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f",
                std::chrono::duration<double, std::milli>(Clock::now() - started).count());
  line += ",\"status\":" + std::to_string(status) + ",\"bytes\":" + std::to_string(bytes) +
          ",\"duration_ms\":" + dur + ",\"user\":";
  AppendLogString(&line, user);
  line += "}";
  options.access_log->info(line);
}

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      metrics->ConnectionAccepted();
      beast::error_code nec;
      socket.set_option(tcp::no_delay(true), nec);
      std::shared_ptr<SessionBase> s;
      if (tls) {
        auto session = std::make_shared<Session<true>>(this, std::move(socket));
        session->Run();
        s = session;
      } else {
        auto session = std::make_shared<Session<false>>(this, std::move(socket));
        session->Run();
        s = session;
      }
      Register(s);
    } else {
      // EMFILE and friends: keep accepting; the failure is logged once per occurrence.
      spdlog::warn("accept failed: {}", ec.message());
    }
    Accept();
  });
}

base::Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                    const Router& router, Authenticator* auth,
                                                    Metrics* metrics) {
  DETENTE_CHECK(metrics != nullptr);
  if (options.threads < 1) return base::InvalidArgumentError("threads must be at least 1");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return base::InvalidArgumentError("TLS needs both a certificate and a key file");
  }
  auto impl = std::make_unique<Impl>(options, router, auth, metrics);
  beast::error_code ec;

  if (!options.tls_cert_file.empty()) {
    impl->tls = true;
    impl->ssl_ctx.emplace(ssl::context::tls_server);
    ssl::context& ctx = *impl->ssl_ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                    ec);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // TLS 1.2 fallback: forward secrecy and AEAD only. TLS 1.3 suites are OpenSSL's defaults.
    SSL_CTX_set_cipher_list(native,
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    // No 0-RTT: early data is replayable.
    SSL_CTX_set_max_early_data(native, 0);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    ctx.use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) {
      return base::InvalidArgumentError("TLS certificate " + options.tls_cert_file + ": " +
                                        ec.message());
    }
    ctx.use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return base::InvalidArgumentError("TLS key " + options.tls_key_file + ": " + ec.message());
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      return base::InvalidArgumentError("TLS key " + options.tls_key_file +
                                        " does not match the certificate " +
                                        options.tls_cert_file);
    }
  }

  net::ip::address address = net::ip::make_address(options.host, ec);
  if (ec) {
    tcp::resolver resolver(impl->ioc);
    auto results = resolver.resolve(options.host, "0", ec);
    if (ec || results.empty()) {
      return base::InvalidArgumentError("cannot resolve listen host \"" + options.host +
                                        "\": " + ec.message());
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, options.port);
  std::string where = options.host + ":" + std::to_string(options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (ec) return base::UnavailableError("listen on " + where + ": " + ec.message());
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(endpoint, ec);
  if (ec) return base::UnavailableError("bind " + where + ": " + ec.message());
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return base::UnavailableError("listen on " + where + ": " + ec.message());

  impl->bound = impl->acceptor.local_endpoint(ec);
  if (ec) return base::UnavailableError("listen on " + where + ": " + ec.message());
  impl->Accept();
  Impl* raw = impl.get();
  raw->running_threads = options.threads;
  for (int i = 0; i < options.threads; ++i) {
    raw->threads.emplace_back([raw] {
      while (true) {
        try {
          raw->ioc.run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("server worker: unexpected exception: {}", e.what());
        } catch (...) {
          spdlog::error("server worker: unexpected non-standard exception");
        }
      }
      std::lock_guard lock(raw->mu);
      --raw->running_threads;
      raw->cv.notify_all();
    });
  }
  metrics->SetServing(true);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(); }

uint16_t Server::port() const {
  return impl_->bound.port();
}

std::string Server::url() const {
  const tcp::endpoint& ep = impl_->bound;
  std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]"
                                           : ep.address().to_string();
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" +
         std::to_string(ep.port());
}

void Server::HandleSignals() {
  Impl* impl = impl_.get();
  // Installed on the control strand (the signal_set belongs to it), and waited for: a SIGTERM
  // sent the moment the caller announces it is listening must shut down gracefully, not kill.
  std::promise<void> installed;
  net::post(impl->control, [this, impl, &installed] {
    beast::error_code ec;
    impl->signals.add(SIGINT, ec);
    impl->signals.add(SIGTERM, ec);
    impl->signals.async_wait([this](beast::error_code wec, int sig) {
      if (wec) return;
      spdlog::info("signal {} received: shutting down", sig);
      BeginShutdown();
    });
    installed.set_value();
  });
  installed.get_future().wait();
}

void Server::BeginShutdown() {
  Impl* impl = impl_.get();
  if (impl->stopping.exchange(true)) return;
  impl->metrics->SetServing(false);
  {
    std::lock_guard lock(impl->mu);
    impl->shutdown_deadline = Clock::now() + impl->options.shutdown_timeout;
    impl->cv.notify_all();
  }
  net::post(impl->control, [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->signals.cancel(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(impl->sessions_mu);
    for (const auto& w : impl->sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) s->CloseIfIdle();
}

void Server::Wait() {
  Impl* impl = impl_.get();
  {
    std::unique_lock lock(impl->mu);
    while (impl->running_threads > 0) {
      if (impl->shutdown_deadline.has_value()) {
        if (impl->cv.wait_until(lock, *impl->shutdown_deadline) == std::cv_status::timeout &&
            impl->running_threads > 0) {
          spdlog::warn("shutdown_timeout passed: dropping the remaining connections");
          impl->ioc.stop();
          break;
        }
      } else {
        impl->cv.wait(lock);
      }
    }
  }
  for (std::thread& t : impl->threads) {
    if (t.joinable()) t.join();
  }
  impl->threads.clear();
}

void Server::Shutdown() {
  BeginShutdown();
  Wait();
}

}  // namespace detente::server
