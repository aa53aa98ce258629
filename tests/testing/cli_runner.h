// testing/cli_runner.h: runs the built `detente` binary (DETENTE_BINARY, defined for every test
// target) from a test, with stdin, stdout and stderr in files under a scratch directory.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace detente::testing {

struct CmdResult {
  int rc = -1;  // the exit code; -1 when killed by a signal
  std::string out, err;
};

// The whole of the file at `path` ("" when it cannot be read).
inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `detente <args>` through the shell with `input` on stdin. `scratch` is a directory the
// caller owns; the files in, out and err are (re)written there.
inline CmdResult RunDetente(const std::string& scratch, const std::string& args,
                            const std::string& input = "") {
  std::ofstream(scratch + "/in", std::ios::binary) << input;
  std::string cmd = std::string(DETENTE_BINARY) + " " + args + " < " + scratch + "/in > " +
                    scratch + "/out 2> " + scratch + "/err";
  int status = std::system(cmd.c_str());
  CmdResult r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(scratch + "/out");
  r.err = Slurp(scratch + "/err");
  return r;
}

}  // namespace detente::testing
