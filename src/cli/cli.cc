// cli/cli.cc: the shared helpers of the subcommands.
#include "cli/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <fstream>
#include <sstream>

namespace detente::cli {

base::Result<std::string> ReadInput(const std::string& path) {
  if (path.empty() || path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return base::UnavailableError("cannot read standard input");
    return data;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) return base::NotFoundError(path + ": no such file");
    if (err == EACCES) return base::PermissionDeniedError(path + ": permission denied");
    return base::UnavailableError(path + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) return base::InvalidArgumentError(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::PermissionDeniedError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int ExitCodeFor(const base::Status& status) {
  using base::StatusCode;
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kDataLoss:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return kExitInvalid;
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
    case StatusCode::kAlreadyExists:
      return kExitUsage;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    default:
      return kExitInternal;
  }
}

int ReportError(std::string_view command, const base::Status& status) {
  std::cerr << "detente " << command << ": " << status.message() << "\n";
  return ExitCodeFor(status);
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace detente::cli
