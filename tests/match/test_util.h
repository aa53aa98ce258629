// match/test_util.h: helpers shared by the match tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "match/observation.h"

namespace detente::match::testing {

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(DETENTE_TESTDATA) + "/match/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// "type:name=value" for every property ("type:name->othertype" for references), derived ones
// prefixed with '~'.
inline std::vector<std::string> Dump(const Observation& obs) {
  std::vector<std::string> out;
  for (const Property& p : obs.properties()) {
    std::string s = p.derived ? "~" : "";
    s.append(obs.objects()[p.object].type).append(":").append(p.name);
    if (p.ref >= 0) {
      s.append("->").append(obs.objects()[static_cast<size_t>(p.ref)].type);
    } else {
      s.push_back('=');
      switch (p.value.kind) {
        case ValueKind::kString: s.append(p.value.s); break;
        case ValueKind::kInt: s.append(std::to_string(p.value.i)); break;
        case ValueKind::kFloat: s.append(std::to_string(p.value.f)); break;
        case ValueKind::kBool: s.append(p.value.b ? "true" : "false"); break;
        case ValueKind::kNull: s.append("null"); break;
      }
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace detente::match::testing
