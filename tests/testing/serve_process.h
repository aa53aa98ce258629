// testing/serve_process.h: runs the built `detente serve` (DETENTE_BINARY, defined for every test
// target) as a child process of a test, learns its port from the "listening on" line it writes
// to stderr, and stops it with SIGTERM to collect its exit code.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "testing/cli_runner.h"

namespace detente::testing {

// One `detente serve` child at a time. Not copyable; the destructor kills (SIGKILL) and reaps a
// child that is still running, so a failed test leaves no process behind.
class ServeProcess {
 public:
  ServeProcess() = default;
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess() { Kill(); }

  // Starts `detente <args>` (args[0] is the subcommand, "serve") with stderr in `err_path`
  // (removed first, so that a previous run's "listening on" line is not mistaken for this
  // one's) and polls that file until it reports "listening on <scheme>://127.0.0.1:<port>".
  // Returns the port; 0 on failure (fork failed, the child exited early, or it never reported
  // listening), with a gtest failure added for the last two. Readiness is polled, no deadline
  // is waited for: the poll count only bounds a hung child.
  uint16_t Start(const std::vector<std::string>& args, const std::string& err_path,
                 const std::string& scheme = "http") {
    Kill();
    err_path_ = err_path;
    std::vector<std::string> full = {"detente"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::filesystem::remove(err_path_);
    pid_ = ::fork();
    if (pid_ < 0) return 0;
    if (pid_ == 0) {
      int fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 2);
      ::execv(DETENTE_BINARY, argv.data());
      ::_exit(127);
    }
    const std::regex listening("listening on " + scheme + R"(://127\.0\.0\.1:([0-9]+))");
    std::smatch m;
    for (int i = 0; i < kMaxPolls; ++i) {
      std::string err = Slurp(err_path_);
      if (std::regex_search(err, m, listening)) return static_cast<uint16_t>(std::stoi(m[1].str()));
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ADD_FAILURE() << "serve exited early: " << err;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "serve did not report listening: " << Slurp(err_path_);
    return 0;
  }

  // Sends SIGTERM and waits for the child. Returns its exit code; -1 when it was not running,
  // was killed by a signal, or could not be waited for.
  int Terminate() {
    if (pid_ <= 0 || ::kill(pid_, SIGTERM) != 0) return -1;
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Kills (SIGKILL) and reaps the child if it is running; a no-op otherwise.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  bool running() const { return pid_ > 0; }
  // All the child has written to stderr so far (the whole of it once Terminate has returned).
  std::string Stderr() const { return Slurp(err_path_); }

 private:
  static constexpr int kMaxPolls = 2000;  // 10 ms apart

  pid_t pid_ = -1;
  std::string err_path_;
};

}  // namespace detente::testing
