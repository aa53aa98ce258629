// testing/fault_proxy.cc: see fault_proxy.h. Threads and blocking sockets with SO_RCVTIMEO /
// SO_SNDTIMEO; the accept loops poll with a short timeout so Stop() is prompt.
#include "testing/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

namespace detente::testing {
namespace {

using base::Status;

// A head (request line + headers) larger than this is refused.
constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr int kAcceptPollMs = 50;

void SetTimeouts(int fd, int timeout_ms) {
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace

base::Result<int> ListenLoopback(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return base::UnavailableError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 128) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return base::UnavailableError("bind/listen on 127.0.0.1:0: " + err);
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

base::Result<int> ConnectLoopback(uint16_t port, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return base::UnavailableError(std::string("socket: ") + std::strerror(errno));
  SetTimeouts(fd, timeout_ms);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return base::UnavailableError("connect 127.0.0.1:" + std::to_string(port) + ": " + err);
  }
  return fd;
}

Status SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return base::UnavailableError(std::string("send: ") + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status();
}

namespace {

// Accepts one connection, waiting at most kAcceptPollMs; -1 when none.
int AcceptSome(int listen_fd) {
  pollfd p{listen_fd, POLLIN, 0};
  if (::poll(&p, 1, kAcceptPollMs) <= 0) return -1;
  return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// Reads more bytes into *buffer. Returns 0 on EOF, -1 on error or timeout.
ssize_t ReadMore(int fd, std::string* buffer) {
  char chunk[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) buffer->append(chunk, static_cast<size_t>(n));
    return n;
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kPass:
      return "pass";
    case Fault::kDropBefore:
      return "drop-before";
    case Fault::kDropAfter:
      return "drop-after";
    case Fault::kDuplicate:
      return "duplicate";
    case Fault::kDelay:
      return "delay";
    case Fault::kReorder:
      return "reorder";
    case Fault::kCorruptRequest:
      return "corrupt-request";
    case Fault::kCorruptResponse:
      return "corrupt-response";
  }
  return "?";
}

Status ReadHttpMessage(int fd, bool is_response, std::string* buffer, std::string* out,
                       size_t* body_offset) {
  // Makes sure buffer holds at least `n` bytes.
  auto ensure = [&](size_t n) -> Status {
    while (buffer->size() < n) {
      if (n > kMaxMessageBytes) return base::ResourceExhaustedError("HTTP message too large");
      ssize_t r = ReadMore(fd, buffer);
      if (r == 0) return base::UnavailableError("connection closed mid-message");
      if (r < 0) return base::UnavailableError(std::string("recv: ") + std::strerror(errno));
    }
    return Status();
  };
  size_t head_end;
  for (;;) {
    head_end = buffer->find("\r\n\r\n");
    if (head_end != std::string::npos) break;
    if (buffer->size() > kMaxHeadBytes) return base::InvalidArgumentError("HTTP head too large");
    ssize_t r = ReadMore(fd, buffer);
    if (r == 0) {
      return buffer->empty() ? base::NotFoundError("connection closed")
                             : base::UnavailableError("connection closed mid-head");
    }
    if (r < 0) return base::UnavailableError(std::string("recv: ") + std::strerror(errno));
  }
  const size_t body_start = head_end + 4;
  std::string_view head(buffer->data(), head_end);
  size_t line_end = head.find("\r\n");
  std::string_view first = head.substr(0, line_end);
  int status = 0;
  if (is_response) {
    // "HTTP/1.1 200 OK"
    size_t sp = first.find(' ');
    if (first.substr(0, 7) != "HTTP/1." || sp == std::string_view::npos || first.size() < sp + 4 ||
        !std::isdigit(static_cast<unsigned char>(first[sp + 1])) ||
        !std::isdigit(static_cast<unsigned char>(first[sp + 2])) ||
        !std::isdigit(static_cast<unsigned char>(first[sp + 3]))) {
      return base::InvalidArgumentError("bad status line");
    }
    status = std::atoi(std::string(first.substr(sp + 1, 3)).c_str());
  }
  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    std::string_view line = head.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      has_length = true;
      length = std::strtoull(std::string(value).c_str(), nullptr, 10);
      if (length > kMaxMessageBytes) return base::ResourceExhaustedError("body too large");
    } else if (name == "transfer-encoding" && Lower(value).find("chunked") != std::string::npos) {
      chunked = true;
    }
  }
  size_t end = body_start;
  if (chunked) {
    size_t p = body_start;
    for (;;) {
      size_t le;
      while ((le = buffer->find("\r\n", p)) == std::string::npos) {
        RETURN_IF_ERROR(ensure(buffer->size() + 1));
      }
      uint64_t size = std::strtoull(buffer->substr(p, le - p).c_str(), nullptr, 16);
      if (size > kMaxMessageBytes) return base::ResourceExhaustedError("chunk too large");
      p = le + 2;
      if (size == 0) {
        // Trailers up to an empty line.
        for (;;) {
          while ((le = buffer->find("\r\n", p)) == std::string::npos) {
            RETURN_IF_ERROR(ensure(buffer->size() + 1));
          }
          bool empty = le == p;
          p = le + 2;
          if (empty) break;
        }
        break;
      }
      RETURN_IF_ERROR(ensure(p + size + 2));
      p += size + 2;
    }
    end = p;
  } else if (has_length) {
    RETURN_IF_ERROR(ensure(body_start + length));
    end = body_start + length;
  } else if (is_response && status >= 200 && status != 204 && status != 304) {
    for (;;) {
      ssize_t r = ReadMore(fd, buffer);
      if (r == 0) break;
      if (r < 0) return base::UnavailableError(std::string("recv: ") + std::strerror(errno));
      if (buffer->size() > kMaxMessageBytes) {
        return base::ResourceExhaustedError("HTTP message too large");
      }
    }
    end = buffer->size();
  }
  *out = buffer->substr(0, end);
  buffer->erase(0, end);
  *body_offset = body_start;
  return Status();
}

// ---------------------------------------------------------------------------------------------
// FaultProxy

FaultProxy::FaultProxy(const Options& options)
    : options_(options), rng_(options.seed), weights_(options.weights) {
  upstream_port_ = options.upstream_port;
}

base::Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(const Options& options) {
  std::unique_ptr<FaultProxy> p(new FaultProxy(options));
  ASSIGN_OR_RETURN(p->listen_fd_, ListenLoopback(&p->port_));
  p->acceptor_ = std::thread([raw = p.get()] { raw->AcceptLoop(); });
  return p;
}

FaultProxy::~FaultProxy() { Stop(); }

std::string FaultProxy::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FaultProxy::SetUpstreamPort(uint16_t port) { upstream_port_ = port; }

void FaultProxy::SetWeights(const std::array<uint32_t, kFaultKinds>& weights) {
  std::lock_guard<std::mutex> l(mu_);
  weights_ = weights;
}

void FaultProxy::Script(const std::vector<Fault>& faults) {
  std::lock_guard<std::mutex> l(mu_);
  script_.insert(script_.end(), faults.begin(), faults.end());
}

void FaultProxy::Stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::list<Worker> workers;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  forwarded_cv_.notify_all();
  for (Worker& w : workers) w.thread.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

std::array<uint64_t, kFaultKinds> FaultProxy::counts() const {
  std::lock_guard<std::mutex> l(mu_);
  return counts_;
}

uint64_t FaultProxy::count(Fault f) const {
  std::lock_guard<std::mutex> l(mu_);
  return counts_[static_cast<size_t>(f)];
}

uint64_t FaultProxy::requests() const {
  std::lock_guard<std::mutex> l(mu_);
  return requests_;
}

uint64_t FaultProxy::reordered() const {
  std::lock_guard<std::mutex> l(mu_);
  return reordered_;
}

std::string FaultProxy::Summary() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string s = "requests=" + std::to_string(requests_);
  for (size_t i = 0; i < kFaultKinds; ++i) {
    s += std::string(" ") + FaultName(static_cast<Fault>(i)) + "=" + std::to_string(counts_[i]);
  }
  s += " reordered=" + std::to_string(reordered_);
  return s;
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    int fd = AcceptSome(listen_fd_);
    if (fd < 0) continue;
    SetTimeouts(fd, options_.io_timeout_ms);
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    client_fds_.push_back(fd);
    Worker& w = workers_.emplace_back();
    w.thread = std::thread([this, fd, done = &w.done] { Serve(fd, done); });
  }
}

Fault FaultProxy::NextFault() {
  std::lock_guard<std::mutex> l(mu_);
  ++requests_;
  if (!script_.empty()) {
    Fault f = script_.front();
    script_.pop_front();
    return f;
  }
  uint64_t total = 0;
  for (uint32_t w : weights_) total += w;
  if (total == 0) return Fault::kPass;
  uint64_t x = std::uniform_int_distribution<uint64_t>(0, total - 1)(rng_);
  for (size_t i = 0; i < kFaultKinds; ++i) {
    if (x < weights_[i]) return static_cast<Fault>(i);
    x -= weights_[i];
  }
  return Fault::kPass;
}

void FaultProxy::Count(Fault f) {
  std::lock_guard<std::mutex> l(mu_);
  ++counts_[static_cast<size_t>(f)];
}

void FaultProxy::NoteForwarded() {
  {
    std::lock_guard<std::mutex> l(mu_);
    ++forwarded_;
  }
  forwarded_cv_.notify_all();
}

Status FaultProxy::Forward(const std::string& request, std::string* response) {
  ASSIGN_OR_RETURN(int fd, ConnectLoopback(upstream_port_.load(), options_.io_timeout_ms));
  Status s = SendAll(fd, request);
  NoteForwarded();
  if (s.ok()) {
    std::string buffer;
    size_t body_offset = 0;
    s = ReadHttpMessage(fd, /*is_response=*/true, &buffer, response, &body_offset);
  }
  ::close(fd);
  return s;
}

void FaultProxy::Serve(int client_fd, bool* done) {
  std::string buffer;
  for (;;) {
    if (stopping_) break;
    std::string request;
    size_t body_offset = 0;
    if (!ReadHttpMessage(client_fd, /*is_response=*/false, &buffer, &request, &body_offset).ok()) {
      break;
    }
    Fault f = NextFault();
    if (f == Fault::kCorruptRequest && body_offset >= request.size()) f = Fault::kPass;
    // kCorruptResponse is counted once the response is known to have a body.
    if (f != Fault::kCorruptResponse) Count(f);
    bool close_client = false;
    std::string response;
    Status s;
    switch (f) {
      case Fault::kDropBefore:
        close_client = true;
        break;
      case Fault::kDelay:
      case Fault::kReorder: {
        std::unique_lock<std::mutex> l(mu_);
        const uint64_t seen = forwarded_;
        if (f == Fault::kDelay) {
          forwarded_cv_.wait_for(l, std::chrono::milliseconds(options_.delay_ms),
                                 [&] { return stopping_.load(); });
        } else if (forwarded_cv_.wait_for(l,
                                          std::chrono::milliseconds(options_.reorder_max_wait_ms),
                                          [&] { return stopping_ || forwarded_ > seen; }) &&
                   !stopping_) {
          ++reordered_;
        }
        l.unlock();
        s = Forward(request, &response);
        break;
      }
      case Fault::kDuplicate: {
        std::string first;
        Status s1 = Forward(request, &first);
        s = Forward(request, &response);
        if (!s.ok() && s1.ok()) {
          s = s1;
          response = std::move(first);
        }
        break;
      }
      case Fault::kCorruptRequest: {
        {
          std::lock_guard<std::mutex> l(mu_);
          size_t at = body_offset + rng_() % (request.size() - body_offset);
          request[at] = static_cast<char>(request[at] ^ (1 << (rng_() % 7)));
        }
        s = Forward(request, &response);
        break;
      }
      case Fault::kCorruptResponse:
      case Fault::kPass:
      case Fault::kDropAfter:
        s = Forward(request, &response);
        break;
    }
    if (f == Fault::kCorruptResponse) {
      size_t head_end = response.find("\r\n\r\n");
      size_t body = head_end == std::string::npos ? response.size() : head_end + 4;
      if (s.ok() && body < response.size()) {
        std::lock_guard<std::mutex> l(mu_);
        size_t at = body + rng_() % (response.size() - body);
        response[at] = static_cast<char>(response[at] ^ (1 << (rng_() % 7)));
      } else {
        f = Fault::kPass;
      }
      Count(f);
    }
    if (f == Fault::kDropAfter || !s.ok()) close_client = true;
    if (close_client || !SendAll(client_fd, response).ok()) break;
  }
  std::lock_guard<std::mutex> l(mu_);
  client_fds_.erase(std::remove(client_fds_.begin(), client_fds_.end(), client_fd),
                    client_fds_.end());
  ::close(client_fd);
  *done = true;
}

// ---------------------------------------------------------------------------------------------
// GarbageServer

base::Result<std::unique_ptr<GarbageServer>> GarbageServer::Start(Mode mode) {
  std::unique_ptr<GarbageServer> g(new GarbageServer(mode));
  ASSIGN_OR_RETURN(g->listen_fd_, ListenLoopback(&g->port_));
  g->acceptor_ = std::thread([raw = g.get()] { raw->AcceptLoop(); });
  return g;
}

GarbageServer::~GarbageServer() { Stop(); }

std::string GarbageServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void GarbageServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void GarbageServer::AcceptLoop() {
  while (!stopping_) {
    int fd = AcceptSome(listen_fd_);
    if (fd < 0) continue;
    // kHang holds connections until the client gives up or Stop() shuts them down; the
    // timeout only bounds each recv so the loop sees `stopping_`.
    SetTimeouts(fd, 200);
    ++connections_;
    std::lock_guard<std::mutex> l(mu_);
    fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void GarbageServer::Serve(int fd) {
  std::string buffer;
  while (!stopping_) {
    if (mode_ == Mode::kHang) {
      ssize_t r = ReadMore(fd, &buffer);
      if (r == 0) break;
      if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
      if (buffer.size() > kMaxMessageBytes) buffer.clear();
      continue;
    }
    std::string request;
    size_t body_offset = 0;
    Status s = ReadHttpMessage(fd, /*is_response=*/false, &buffer, &request, &body_offset);
    if (s.code() == base::StatusCode::kUnavailable && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      continue;  // a slow client: keep waiting until it sends or stopping_
    }
    if (!s.ok()) break;
    std::string answer;
    if (mode_ == Mode::kGarbage) {
      const std::string body = "}{ this is not json \x01\x02 at all";
      answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    } else {
      answer = "\x16\x03\x01 garbage that is not HTTP\r\n\r\n";
    }
    if (!SendAll(fd, answer).ok() || mode_ == Mode::kNotHttp) break;
  }
  std::lock_guard<std::mutex> l(mu_);
  fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
  ::close(fd);
}

}  // namespace detente::testing
