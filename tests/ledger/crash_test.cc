// Crash test for the persistent log: runs `detente log append` (DETENTE_BINARY) 100 times,
// SIGKILLs it at a random point (after a random number of acknowledged entries, so the kill
// lands anywhere in the next batch: hashing, writing, committing, printing), then checks that
// every acknowledged index holds exactly the entry sent, that what was committed beyond the
// acknowledgements is a prefix of what was sent, and that the log verifies. No sleeps: the
// kill point is chosen by counting acknowledgements.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include "ledger/log.h"
#include "testing/status_matchers.h"

namespace detente::ledger {
namespace {

constexpr int kRuns = 100;

struct RunResult {
  std::vector<uint64_t> acked;  // indices printed, in order
};

// Runs `detente log append DIR --batch-size B` with `input` on stdin; kills it with SIGKILL
// after `kill_after` acknowledgements (or lets it finish if it acknowledges fewer).
RunResult RunAppend(const std::string& dir, const std::string& input, int batch,
                    size_t kill_after) {
  int in_pipe[2], out_pipe[2];
  EXPECT_EQ(::pipe2(in_pipe, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out_pipe, O_CLOEXEC), 0);
  std::string batch_arg = std::to_string(batch);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);
    execl(DETENTE_BINARY, DETENTE_BINARY, "log", "append", dir.c_str(), "--batch-size",
          batch_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  RunResult result;
  std::string out;
  size_t written = 0;
  bool killed = false;
  if (kill_after == 0) {
    ::kill(pid, SIGKILL);
    killed = true;
  }
  int in_fd = in_pipe[1];
  while (true) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    int n = ::poll(fds, in_fd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 || written == input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      ssize_t r = ::read(out_pipe[0], buf, sizeof buf);
      if (r <= 0) break;
      out.append(buf, static_cast<size_t>(r));
      size_t lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
      if (!killed && lines >= kill_after) {
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // Only complete lines are acknowledgements.
  size_t pos = 0;
  while (true) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) break;
    std::string line = out.substr(pos, nl - pos);
    pos = nl + 1;
    constexpr std::string_view kPrefix = "{\"index\":";
    EXPECT_EQ(line.substr(0, kPrefix.size()), kPrefix) << line;
    result.acked.push_back(std::stoull(line.substr(kPrefix.size())));
  }
  return result;
}

TEST(CrashTest, AcknowledgedEntriesSurviveSigkillAtRandomPoints) {
  ::signal(SIGPIPE, SIG_IGN);
  std::string tmpl = (std::filesystem::temp_directory_path() / "ledger_crash_XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl + "/log";
  {
    auto log = Log::Create(dir, "crash.example/log", std::nullopt);
    ASSERT_OK(log.status());
  }
  std::mt19937_64 rng(20261122);
  uint64_t base = 0;
  uint64_t total_acked = 0;
  int runs_with_unacked_commits = 0;  // killed after commit, before printing
  int runs_killed_early = 0;          // nothing of the run acknowledged
  for (int run = 0; run < kRuns; ++run) {
    int lines = 50 + static_cast<int>(rng() % 250);
    int batch = 1 + static_cast<int>(rng() % 40);
    std::vector<std::string> sent;
    std::string input;
    for (int j = 0; j < lines; ++j) {
      sent.push_back("run" + std::to_string(run) + "-line" + std::to_string(j) +
                     std::string(rng() % 40, 'p'));
      input += sent.back() + "\n";
    }
    size_t kill_after = rng() % static_cast<uint64_t>(lines + 1);
    RunResult r = RunAppend(dir, input, batch, kill_after);
    total_acked += r.acked.size();

    LogOptions ro;
    ro.read_only = true;
    auto log = Log::Open(dir, ro);
    ASSERT_OK(log.status()) << "run " << run;
    uint64_t size = (*log)->size();
    ASSERT_GE(size, base + r.acked.size()) << "run " << run << ": acknowledged entries lost";
    ASSERT_LE(size, base + sent.size()) << "run " << run;
    for (size_t j = 0; j < r.acked.size(); ++j) {
      ASSERT_EQ(r.acked[j], base + j) << "run " << run;
    }
    // Everything committed in this run, acknowledged or not, is a prefix of what was sent.
    for (uint64_t i = base; i < size; ++i) {
      ASSERT_THAT((*log)->ReadEntry(i), ::detente::testing::IsOkAndHolds(sent[i - base]))
          << "run " << run << " index " << i;
    }
    if (run % 25 == 24) {
      ASSERT_OK(Log::VerifyDirectory(dir, 2).status()) << "run " << run;
    }
    if (size > base + r.acked.size()) ++runs_with_unacked_commits;
    if (r.acked.empty()) ++runs_killed_early;
    base = size;
  }
  std::cout << "crash test: " << kRuns << " runs, " << total_acked << " entries acknowledged, "
            << base << " committed; " << runs_with_unacked_commits
            << " runs committed beyond their acknowledgements, " << runs_killed_early
            << " runs acknowledged nothing\n";
  EXPECT_GT(total_acked, 0u);
  // The CLI's own audit agrees.
  std::string cmd = std::string(DETENTE_BINARY) + " log verify " + dir + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace detente::ledger
