// peer/http_client.cc: HttpClient, the blocking HTTP/1.1 client of the peer module, and URL
// parsing. The only translation unit of the peer module that includes Beast. Each operation
// is started asynchronously and the client's private io_context is run until it completes, so
// that beast::tcp_stream's expiry enforces the connect and request timeouts.
// Tested by tests/peer/http_client_test.cc and the two- and three-node tests.
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <optional>

#include "peer/peer.h"

namespace detente::peer {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<Url> ParseUrl(std::string_view url) {
  auto bad = [&](std::string_view what) {
    return base::InvalidArgumentError("URL \"" + std::string(url.substr(0, 200)) +
                                      "\": " + std::string(what));
  };
  if (url.size() > 2048) return bad("longer than 2048 bytes");
  Url u;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("no scheme (expected http:// or https://)");
  u.scheme = std::string(url.substr(0, colon));
  for (char& c : u.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.scheme != "http" && u.scheme != "https") return bad("scheme is not http or https");
  std::string_view rest = url.substr(colon + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (tail.find('#') != std::string_view::npos) return bad("has a fragment");
  if (authority.find('@') != std::string_view::npos) return bad("has user information");
  if (authority.empty()) return bad("no host");
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
  } else {
    size_t c = authority.rfind(':');
    u.host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) {
      port = authority.substr(c + 1);
      if (port.empty()) return bad("empty port");
    }
  }
  if (u.host.empty()) return bad("no host");
  for (char c : u.host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '\\') {
      return bad("invalid character in the host");
    }
  }
  if (!port.empty()) {
    if (!IsDigits(port) || port.size() > 5 || std::stoul(std::string(port)) > 65535 ||
        std::stoul(std::string(port)) == 0) {
      return bad("port is not 1-65535");
    }
    u.port = std::string(port);
  } else {
    u.port = u.scheme == "https" ? "443" : "80";
  }
  u.target = tail.empty() ? "/" : std::string(tail);
  if (u.target.front() == '?') u.target = "/" + u.target;
  for (char c : u.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return bad("the path has a space, control or non-ASCII character");
    }
  }
  return u;
}

std::string JoinUrl(std::string_view base, std::string_view path_and_query) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += path_and_query;
  return out;
}

struct HttpClient::Impl {
  struct Connection {
    bool tls = false;
    std::optional<beast::tcp_stream> tcp;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls_stream) : *tcp; }
  };

  explicit Impl(HttpClientOptions o) : options(std::move(o)) {}

  HttpClientOptions options;
  net::io_context ioc;
  std::optional<ssl::context> tls_ctx;
  std::map<std::string, std::unique_ptr<Connection>> conns;  // by scheme://host:port

  // Runs the io_context until every started operation completed.
  void RunAll() {
    ioc.restart();
    ioc.run();
  }

  Status EnsureTlsContext() {
    if (tls_ctx) return base::OkStatus();
    ssl::context ctx(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    if (options.ca_file.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(options.ca_file, ec);
    }
    if (ec) {
      return base::FailedPreconditionError(
          "cannot load CA certificates " +
          (options.ca_file.empty() ? std::string("(system store)") : options.ca_file) + ": " +
          ec.message());
    }
    ctx.set_verify_mode(ssl::verify_peer);
    tls_ctx.emplace(std::move(ctx));
    return base::OkStatus();
  }

  Result<std::unique_ptr<Connection>> Connect(const Url& u) {
    auto c = std::make_unique<Connection>();
    c->tls = u.scheme == "https";
    if (c->tls) {
      RETURN_IF_ERROR(EnsureTlsContext());
      c->tls_stream.emplace(ioc, *tls_ctx);
    } else {
      c->tcp.emplace(ioc);
    }
    beast::tcp_stream& stream = c->lowest();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    tcp::resolver::results_type results;
    // The resolver has no expiry of its own; a numeric host never blocks.
    resolver.async_resolve(u.host, u.port, [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      results = std::move(r);
    });
    RunAll();
    if (ec) return base::UnavailableError("resolve " + u.host + ": " + ec.message());
    stream.expires_after(options.connect_timeout);
    stream.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunAll();
    if (ec) {
      return base::UnavailableError(
          "connect to " + u.host + ":" + u.port + ": " +
          (ec == beast::error::timeout ? std::string("timed out") : ec.message()));
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    if (c->tls) {
      SSL* ssl_handle = c->tls_stream->native_handle();
      // SSL_set_tlsext_host_name is a macro with an old-style cast; this is what it expands to.
      if (SSL_ctrl(ssl_handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(u.host.c_str())) != 1) {
        return base::UnavailableError("TLS to " + u.host + ": cannot set SNI");
      }
      c->tls_stream->set_verify_callback(ssl::host_name_verification(u.host));
      stream.expires_after(options.connect_timeout);
      c->tls_stream->async_handshake(ssl::stream_base::client,
                                     [&](beast::error_code e) { ec = e; });
      RunAll();
      if (ec) {
        return base::UnavailableError(
            "TLS handshake with " + u.host + ":" + u.port + ": " +
            (ec == beast::error::timeout ? std::string("timed out") : ec.message()));
      }
    }
    return c;
  }

  // One exchange on `c`. *nothing_read is set when it failed, not by a timeout, before any
  // response byte arrived (so a retry on a fresh connection is safe and useful).
  template <class Stream>
  Result<HttpResponse> Exchange(Connection& c, Stream& stream,
                                http::request<http::string_body>& req, bool* keep,
                                bool* nothing_read) {
    beast::error_code ec;
    c.lowest().expires_after(options.request_timeout);
    http::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
    RunAll();
    if (ec) {
      *nothing_read = ec != beast::error::timeout;
      return base::UnavailableError("write request: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    parser.header_limit(64 * 1024);
    c.lowest().expires_after(options.request_timeout);
    http::async_read(stream, c.buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    RunAll();
    if (ec) {
      *nothing_read = !parser.got_some() && ec != beast::error::timeout;
      if (ec == http::error::body_limit) {
        return base::ResourceExhaustedError("response larger than " +
                                            std::to_string(options.max_response_bytes) + " bytes");
      }
      return base::UnavailableError("read response: " + (ec == beast::error::timeout
                                                             ? std::string("timed out")
                                                             : ec.message()));
    }
    http::response<http::string_body> res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    *keep = res.keep_alive();
    return out;
  }
};

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

void HttpClient::CloseAll() { impl_->conns.clear(); }

Result<HttpResponse> HttpClient::Send(
    std::string_view method, std::string_view url,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body) {
  ASSIGN_OR_RETURN(Url u, ParseUrl(url));
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    return base::InvalidArgumentError("unknown HTTP method \"" + std::string(method) + "\"");
  }
  const bool default_port =
      (u.scheme == "http" && u.port == "80") || (u.scheme == "https" && u.port == "443");
  std::string host_header = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (!default_port) host_header += ":" + u.port;
  const std::string key = u.scheme + "://" + host_header;

  http::request<http::string_body> req{verb, u.target, 11};
  req.set(http::field::host, host_header);
  req.set(http::field::user_agent, "detente-peer/1");
  req.set(http::field::accept, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || verb == http::verb::post || verb == http::verb::put) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  req.keep_alive(true);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = false;
    auto it = impl_->conns.find(key);
    if (it == impl_->conns.end()) {
      ASSIGN_OR_RETURN(auto c, impl_->Connect(u));
      it = impl_->conns.emplace(key, std::move(c)).first;
    } else {
      reused = true;
    }
    Impl::Connection& c = *it->second;
    bool keep = false, nothing_read = false;
    Result<HttpResponse> r = c.tls ? impl_->Exchange(c, *c.tls_stream, req, &keep, &nothing_read)
                                   : impl_->Exchange(c, *c.tcp, req, &keep, &nothing_read);
    if (!r.ok() || !keep) impl_->conns.erase(key);
    // A kept-alive connection the server closed meanwhile fails before any response byte:
    // retry once on a fresh one.
    if (!r.ok() && reused && nothing_read && r.status().code() == base::StatusCode::kUnavailable) {
      continue;
    }
    return r;
  }
  return base::UnavailableError("connection to " + key + " failed twice");
}

}  // namespace detente::peer
