// server/http_client.h: a tiny blocking HTTP/1.1 client for the server tests, over a raw
// socket or OpenSSL, so the tests can send exactly the bytes they want (partial headers, huge
// Content-Length, slow bodies). Every read has a 10 s socket timeout so a bug cannot hang a
// test. Test-only; not a general client.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace detente::server::testing {

struct HttpResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class TestConnection {
 public:
  // Connects to 127.0.0.1:port; with `tls` a TLS handshake follows (SNI "localhost").
  // Returns null on failure.
  static std::unique_ptr<TestConnection> Connect(uint16_t port, SSL_CTX* tls = nullptr) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return nullptr;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return nullptr;
    }
    std::unique_ptr<TestConnection> c(new TestConnection(fd));
    if (tls != nullptr) {
      c->ssl_ = SSL_new(tls);
      SSL_set_fd(c->ssl_, fd);
      static char kHost[] = "localhost";
      SSL_ctrl(c->ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, kHost);
      if (SSL_connect(c->ssl_) != 1) return nullptr;
    }
    return c;
  }
  ~TestConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ::close(fd_);
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      long n = ssl_ != nullptr ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                               : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length bodies only). nullopt on EOF, error or timeout.
  std::optional<HttpResponse> ReadResponse() {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    HttpResponse r;
    std::string head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      std::string line = head.substr(pos, e - pos);
      pos = e + 2;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      r.headers.emplace(name, line.substr(v));
    }
    size_t len = r.Header("content-length").empty() ? 0 : std::stoul(r.Header("content-length"));
    while (buf_.size() < len) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return r;
  }

  // True when the peer closes the connection (EOF or reset) before sending anything more;
  // false if data arrives or the 10 s socket timeout passes.
  bool WaitForClose() {
    char c;
    long n = ssl_ != nullptr ? SSL_read(ssl_, &c, 1) : ::recv(fd_, &c, 1, 0);
    if (n == 0) return true;
    if (n < 0 && ssl_ == nullptr) return errno == ECONNRESET;
    if (n < 0) {
      int err = SSL_get_error(ssl_, static_cast<int>(n));
      return err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL || err == SSL_ERROR_SSL;
    }
    return false;
  }

  SSL* ssl() const { return ssl_; }

 private:
  explicit TestConnection(int fd) : fd_(fd) {}
  bool Fill() {
    char tmp[16384];
    long n = ssl_ != nullptr ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

// One request on a fresh connection; nullopt if anything fails.
inline std::optional<HttpResponse> Fetch(uint16_t port, const std::string& raw_request,
                                         SSL_CTX* tls = nullptr) {
  auto c = TestConnection::Connect(port, tls);
  if (!c || !c->Send(raw_request)) return std::nullopt;
  return c->ReadResponse();
}

inline std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" +
         std::string(extra_headers) + "\r\n";
}

}  // namespace detente::server::testing
