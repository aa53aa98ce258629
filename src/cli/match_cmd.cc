// cli/match_cmd.cc: `detente match`: match STIX indicators against event logs (Zeek JSON,
// Suricata EVE, STIX observed-data) and write STIX sightings as NDJSON. Thin: flags, file
// handling (stdin, growing files with --follow), progress; the work is in match/match.h.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.h"
#include "match/match.h"

namespace detente::cli {

// share_cmd.cc: sends sightings to their indicators' producers (--send-sightings).
int SendSightingsText(const std::string& dir, std::string_view text, std::string_view command);

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnSignal(int) { g_interrupted.store(true); }

struct MatchFlags {
  std::string indicators;
  std::string events = "-";
  std::string format = "auto";
  std::string out;
  bool stats = false;
  bool follow = false;
  double follow_timeout = 0;  // seconds without growth before stopping; 0 = until interrupted
  int64_t seed = -1;
  bool send_sightings = false;  // also send them to the producers, from the node in `dir`
  std::string dir;
};

constexpr size_t kReadChunk = 1 << 20;
constexpr auto kFollowPoll = std::chrono::milliseconds(100);

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(Clock::now()), last_(start_) {}
  void Update(const match::StreamStats& s, bool final_line = false) {
    if (!enabled_) return;
    auto now = Clock::now();
    if (!final_line && now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r%llu events, %llu sightings, %.1f MB, %.0f events/s   ",
                 static_cast<unsigned long long>(s.events),
                 static_cast<unsigned long long>(s.sightings), static_cast<double>(s.bytes) / 1e6,
                 secs > 0 ? static_cast<double>(s.events) / secs : 0.0);
    if (final_line) std::fputc('\n', stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point start_;
  Clock::time_point last_;
};

int RunMatch(const MatchFlags& flags) {
  constexpr std::string_view kCmd = "match";
  auto format = match::ParseEventFormat(flags.format);
  if (!format.ok()) {
    ReportError(kCmd, format.status());
    return kExitUsage;
  }

  auto text = ReadInput(flags.indicators);
  if (!text.ok()) return ReportError(kCmd, text.status().WithContext("--indicators"));
  match::LoadStats load;
  std::vector<match::IndicatorError> load_errors;
  auto matcher = match::Matcher::Load(*text, &load, &load_errors);
  if (!matcher.ok()) return ReportError(kCmd, matcher.status());
  for (const auto& e : load_errors) {
    std::cerr << "detente match: indicator " << (e.id.empty() ? "(no id)" : e.id)
              << " skipped: " << e.message << "\n";
  }
  text = std::string();  // release the indicator text before reading events

  int in_fd = STDIN_FILENO;
  if (!flags.events.empty() && flags.events != "-") {
    struct stat st;
    if (::stat(flags.events.c_str(), &st) != 0) {
      int err = errno;
      return ReportError(kCmd, err == ENOENT ? base::NotFoundError(flags.events + ": no such file")
                                             : base::PermissionDeniedError(
                                                   flags.events + ": " + std::strerror(err)));
    }
    if (S_ISDIR(st.st_mode)) {
      return ReportError(kCmd, base::NotFoundError(flags.events + ": is a directory"));
    }
    in_fd = ::open(flags.events.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
      return ReportError(kCmd, base::PermissionDeniedError(flags.events + ": " +
                                                          std::strerror(errno)));
    }
  }

  std::FILE* out = stdout;
  if (!flags.out.empty() && flags.out != "-") {
    out = std::fopen(flags.out.c_str(), "w");
    if (out == nullptr) {
      int err = errno;
      if (in_fd != STDIN_FILENO) ::close(in_fd);
      return ReportError(kCmd, base::PermissionDeniedError("--out " + flags.out + ": " +
                                                          std::strerror(err)));
    }
  }
  bool write_failed = false;
  std::string to_send;  // --send-sightings: the NDJSON sightings, sent at the end
  auto sink = [&](std::string_view lines) {
    if (flags.send_sightings) to_send.append(lines);
    if (std::fwrite(lines.data(), 1, lines.size(), out) != lines.size()) write_failed = true;
    if (flags.follow) std::fflush(out);  // a follower wants sightings as they happen
  };
  uint64_t reported = 0;
  auto on_error = [&](std::string_view message) {
    // Every bad event is counted; the first 20 are described.
    if (++reported <= 20) std::cerr << "detente match: events " << message << "\n";
    if (reported == 21) std::cerr << "detente match: further event errors not shown\n";
  };
  match::SightingOptions options;
  if (flags.seed >= 0) options.seed = static_cast<uint64_t>(flags.seed);
  match::StreamMatcher stream(matcher->get(), *format, options, sink, on_error);

  // Without SA_RESTART, so that a read blocked on stdin returns EINTR and we stop promptly,
  // flushing what was matched so far.
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  Progress progress(StderrIsTerminal());
  std::vector<char> buf(kReadChunk);
  off_t offset = 0;
  auto last_growth = std::chrono::steady_clock::now();
  base::Status status;
  while (!g_interrupted.load()) {
    ssize_t n = ::read(in_fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = base::UnavailableError(std::string("reading events: ") + std::strerror(errno));
      break;
    }
    if (n > 0) {
      offset += n;
      last_growth = std::chrono::steady_clock::now();
      status = stream.Feed(std::string_view(buf.data(), static_cast<size_t>(n)));
      if (!status.ok()) break;
      progress.Update(stream.stats());
      continue;
    }
    // End of file.
    if (!flags.follow || in_fd == STDIN_FILENO) break;
    if (flags.follow_timeout > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_growth).count() >=
            flags.follow_timeout) {
      break;
    }
    struct stat st;
    if (::fstat(in_fd, &st) == 0 && st.st_size < offset) {
      // Truncated (log rotation by copy-truncate): start again from the beginning.
      ::lseek(in_fd, 0, SEEK_SET);
      offset = 0;
    }
    std::this_thread::sleep_for(kFollowPoll);
  }
  if (in_fd != STDIN_FILENO) ::close(in_fd);
  if (status.ok()) status = stream.Finish();
  progress.Update(stream.stats(), true);
  if (std::fflush(out) != 0) write_failed = true;
  if (out != stdout) {
    if (std::fclose(out) != 0) write_failed = true;
  }
  if (flags.stats) std::cerr << stream.StatsJson(load) << "\n";
  if (!status.ok()) return ReportError(kCmd, status);
  if (write_failed) {
    return ReportError(kCmd, base::UnavailableError("writing sightings failed"));
  }
  if (flags.send_sightings) return SendSightingsText(flags.dir, to_send, kCmd);
  return kExitOk;
}

void RegisterMatch(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<MatchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "match",
      "Match STIX indicators against events (Zeek JSON logs, Suricata EVE, STIX observed-data) "
      "and write one STIX 2.1 sighting per (indicator, event) match as NDJSON.\n"
      "Indicators: a STIX bundle, a JSON array or NDJSON; only type 'indicator' with "
      "pattern_type 'stix' is used, invalid patterns are reported on stderr and skipped.\n"
      "Exit codes: 0 done (whether or not anything matched), 1 unreadable indicators, "
      "2 bad flags or files, 4 I/O failure.");
  cmd->add_option("--indicators", flags->indicators, "Indicators file (- for stdin)")
      ->required();
  cmd->add_option("--events", flags->events, "Events file, or - for stdin (default)");
  cmd->add_option("--format", flags->format, "Event format: auto (default), stix, zeek, suricata")
      ->check(CLI::IsMember({"auto", "stix", "zeek", "suricata", "eve"}));
  cmd->add_option("--out", flags->out, "Write sightings here instead of stdout");
  cmd->add_flag("--stats", flags->stats, "Print counts as one JSON object on stderr at the end");
  cmd->add_flag("--follow", flags->follow,
                "Keep reading the events file as it grows (like tail -f) until interrupted");
  cmd->add_option("--follow-timeout", flags->follow_timeout,
                  "With --follow: stop after this many seconds without growth")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", flags->seed,
                  "Seed for the sighting ids (reproducible output); default random")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--send-sightings", flags->send_sightings,
                "Also send the sightings to the partners whose shares carried the indicators "
                "(needs --dir)");
  cmd->add_option("--dir", flags->dir, "The node directory (with --send-sightings)");
  cmd->callback([flags, exit_code] {
    if (flags->send_sightings && flags->dir.empty()) {
      *exit_code = ReportError("match", base::InvalidArgumentError(
                                            "--send-sightings needs --dir NODE"));
      return;
    }
    *exit_code = RunMatch(*flags);
  });
}

}  // namespace

DETENTE_REGISTER_COMMANDS(35, RegisterMatch);

}  // namespace detente::cli
