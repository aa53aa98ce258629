// crypto/pem.cc: PEM armour (RFC 7468) and small-file I/O for key files. Tested by
// keys_test.cc.
#include "crypto/pem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/crypto.h"

namespace detente::crypto::internal {
namespace {

constexpr size_t kPemLineWidth = 64;
// RFC 7468 section 3 lets parsers accept longer lines; 76 is the MIME limit (RFC 2045).
constexpr size_t kMaxPemLineWidth = 76;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Splits off the next line (without its LF or CRLF end) from `*rest`.
std::string_view NextLine(std::string_view* rest) {
  size_t nl = rest->find('\n');
  std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string Printable(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out;
  for (char c : s.substr(0, kMax)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > kMax) out += "...";
  return out;
}

base::Status ErrnoStatus(int err, std::string_view what, const std::string& path) {
  std::string msg = std::string(what) + " " + path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return base::NotFoundError(std::move(msg));
    case EACCES:
    case EPERM:
    case EROFS:
      return base::PermissionDeniedError(std::move(msg));
    case EEXIST:
      return base::AlreadyExistsError(std::move(msg));
    case ENOSPC:
    case EDQUOT:
      return base::ResourceExhaustedError(std::move(msg));
    default:
      return base::UnavailableError(std::move(msg));
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may carry (deferred write errors on NFS).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string PemEncode(std::string_view label, base::ByteView der) {
  std::string b64 = base::Base64Encode(der);
  std::string out;
  out.reserve(b64.size() + b64.size() / kPemLineWidth + 2 * label.size() + 40);
  out.append("-----BEGIN ").append(label).append("-----\n");
  for (size_t i = 0; i < b64.size(); i += kPemLineWidth) {
    out.append(b64, i, kPemLineWidth).push_back('\n');
  }
  out.append("-----END ").append(label).append("-----\n");
  return out;
}

base::Result<base::Bytes> PemDecode(std::string_view pem, std::string_view label) {
  if (pem.size() > kMaxPemSize) {
    return base::InvalidArgumentError("PEM input too large: " + std::to_string(pem.size()) +
                                      " bytes (limit " + std::to_string(kMaxPemSize) + ")");
  }
  std::string_view rest = Trim(pem);
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kEnd = "-----END ";
  constexpr std::string_view kDashes = "-----";
  std::string expected_begin = std::string(kBegin) + std::string(label) + std::string(kDashes);
  std::string expected_end = std::string(kEnd) + std::string(label) + std::string(kDashes);

  std::string_view first = NextLine(&rest);
  if (first != expected_begin) {
    if (first.starts_with(kBegin)) {
      return base::InvalidArgumentError(
          "PEM line 1: found '" + Printable(first) + "', expected '" + expected_begin + "'" +
          (first.find("ENCRYPTED") != std::string_view::npos ? " (encrypted keys are not supported)"
                                                             : ""));
    }
    return base::InvalidArgumentError("not PEM: line 1 is '" + Printable(first) + "', expected '" +
                                      expected_begin + "'");
  }
  std::string body;
  int line_no = 1;
  bool saw_end = false;
  while (!rest.empty()) {
    std::string_view line = NextLine(&rest);
    ++line_no;
    std::string where = "PEM line " + std::to_string(line_no);
    if (line.starts_with(kEnd)) {
      if (line != expected_end) {
        return base::InvalidArgumentError(where + ": found '" + Printable(line) + "', expected '" +
                                          expected_end + "'");
      }
      if (!rest.empty()) {
        return base::InvalidArgumentError(where + ": text after '" + expected_end + "'");
      }
      saw_end = true;
      break;
    }
    if (line.empty()) return base::InvalidArgumentError(where + ": empty line inside the block");
    if (line.find(':') != std::string_view::npos) {
      return base::InvalidArgumentError(where + ": PEM headers are not supported");
    }
    if (line.size() > kMaxPemLineWidth) {
      return base::InvalidArgumentError(where + ": line longer than " +
                                        std::to_string(kMaxPemLineWidth) + " characters");
    }
    body.append(line);
  }
  if (!saw_end) return base::InvalidArgumentError("PEM: missing '" + expected_end + "' line");
  auto der = base::Base64Decode(body);
  if (!der.ok()) return der.status().WithContext("PEM body");
  return der;
}

base::Result<std::string> ReadSmallFile(const std::string& path, size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) return base::InvalidArgumentError(path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    return base::InvalidArgumentError(path + ": file too large (" + std::to_string(st.st_size) +
                                      " bytes, limit " + std::to_string(max_size) + ")");
  }
  std::string out;
  // Read one byte past the limit so a file that grows meanwhile is still caught.
  out.resize(max_size + 1);
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_size) {
    return base::InvalidArgumentError(path + ": file too large (limit " + std::to_string(max_size) +
                                      " bytes)");
  }
  out.resize(got);
  return out;
}

base::Status WriteFileAtomic(const std::string& path, std::string_view contents, unsigned mode,
                             bool overwrite) {
  std::array<uint8_t, 8> rnd;
  RandomBytes(rnd);
  std::string tmp = path + ".tmp-" + base::HexEncode(rnd);
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
               static_cast<mode_t>(mode)));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot create", tmp);
  // From here on, remove the temporary file on any failure.
  struct Cleanup {
    const std::string& name;
    bool armed = true;
    ~Cleanup() {
      if (armed) ::unlink(name.c_str());
    }
  } cleanup{tmp};
  // The umask can only have narrowed `mode`; set it exactly (still before any byte is written).
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    return ErrnoStatus(errno, "cannot chmod", tmp);
  }
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd.get(), contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "cannot fsync", tmp);
  if (fd.Close() != 0) return ErrnoStatus(errno, "cannot close", tmp);
  if (overwrite) {
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      return ErrnoStatus(errno, "cannot rename to", path);
    cleanup.armed = false;
  } else {
    // link() fails with EEXIST atomically if `path` exists: no check-then-create race.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      if (err == EEXIST) return base::AlreadyExistsError(path + " already exists");
      return ErrnoStatus(err, "cannot create", path);
    }
    // `cleanup` unlinks the temporary name; `path` keeps the inode.
  }
  Fd dir(::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());  // best effort: some filesystems refuse it
  return base::OkStatus();
}

}  // namespace detente::crypto::internal
