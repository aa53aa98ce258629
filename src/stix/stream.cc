// stix/stream.cc: whole-input validation and id computation, the library side of
// `detente stix validate` and `detente stix id`. Tested by stream_test.cc and cli_test.cc.
#include <string>

#include <simdjson.h>

#include "base/json.h"
#include "stix/ids.h"
#include "stix/stix.h"

namespace detente::stix {
namespace {

void AppendIssues(std::string* out, std::string_view name, const std::vector<Issue>& issues) {
  out->append(",\"");
  out->append(name);
  out->append("\":[");
  for (size_t i = 0; i < issues.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"path\":");
    AppendJsonStringSafe(out, issues[i].path);
    out->append(",\"message\":");
    AppendJsonStringSafe(out, issues[i].message);
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendReport(std::string* out, const Report& report, const RawItem& item) {
  out->append("{\"id\":");
  if (report.id.empty()) {
    out->append("null");
  } else {
    AppendJsonStringSafe(out, report.id);
  }
  out->append(report.valid() ? ",\"valid\":true" : ",\"valid\":false");
  AppendIssues(out, "errors", report.errors);
  AppendIssues(out, "warnings", report.warnings);
  out->append(",\"index\":");
  out->append(std::to_string(item.index));
  out->append(",\"line\":");
  out->append(std::to_string(item.line));
  out->push_back('}');
}

}  // namespace

void AppendJsonStringSafe(std::string* out, std::string_view text) {
  if (base::IsValidUtf8(text)) {
    base::AppendJsonString(out, text);
    return;
  }
  // Replace every byte of an invalid sequence by U+FFFD, keeping valid sequences.
  std::string clean;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n > 0 && i + n <= text.size() && base::IsValidUtf8(text.substr(i, n))) {
      clean.append(text.substr(i, n));
      i += n;
    } else {
      clean.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  base::AppendJsonString(out, clean);
}

base::Result<StreamSummary> ValidateStream(ByteSource* source, const ValidatorOptions& options,
                                           const LineSink& sink) {
  ReaderOptions reader_options;
  reader_options.max_object_bytes = options.max_object_bytes;
  ObjectReader reader(source, reader_options);
  Validator validator(options);
  Report report;
  RawItem item;
  StreamSummary summary;
  std::string line;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&item));
    if (!more) break;
    report.Clear();
    switch (item.kind) {
      case RawItem::Kind::kObject:
        validator.Validate(item.json, &report);
        break;
      case RawItem::Kind::kBundleEnvelope:
        validator.ValidateBundleEnvelope(item.json, item.bundle_objects, &report);
        if (report.valid()) continue;  // a well-formed envelope produces no line
        break;
      case RawItem::Kind::kError:
        report.errors.push_back(Issue{"", item.error});
        break;
    }
    // An object that cannot be named by its id is located by its line.
    if (report.id.empty() && item.kind != RawItem::Kind::kError) {
      for (Issue& issue : report.errors) {
        if (issue.path.empty())
          issue.message = "line " + std::to_string(item.line) + ": " + issue.message;
      }
    }
    line.clear();
    AppendReport(&line, report, item);
    ++summary.items;
    if (!report.valid()) ++summary.invalid;
    sink(line);
  }
  return summary;
}

base::Result<StreamSummary> ComputeScoIds(ByteSource* source, const ReaderOptions& options,
                                          const LineSink& sink) {
  ObjectReader reader(source, options);
  simdjson::dom::parser parser;
  std::string padded;
  RawItem item;
  StreamSummary summary;
  std::string line;
  auto emit_error = [&](std::string_view message) {
    line.assign("{\"id\":null,\"error\":");
    AppendJsonStringSafe(&line, message);
    line.push_back('}');
    ++summary.items;
    ++summary.invalid;
    sink(line);
  };
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&item));
    if (!more) break;
    if (item.kind == RawItem::Kind::kBundleEnvelope) continue;
    if (item.kind == RawItem::Kind::kError) {
      emit_error(item.error);
      continue;
    }
    padded.assign(item.json);
    padded.append(simdjson::SIMDJSON_PADDING, ' ');
    simdjson::dom::element doc;
    simdjson::dom::object obj;
    std::string_view type;
    auto error = parser.parse(padded.data(), item.json.size(), false).get(doc);
    if (error != simdjson::SUCCESS) {
      emit_error("line " + std::to_string(item.line) +
                 ": not valid JSON: " + simdjson::error_message(error));
      continue;
    }
    if (doc.get(obj) != simdjson::SUCCESS || obj.at_key("type").get(type) != simdjson::SUCCESS) {
      continue;  // not a typed object: not an SCO
    }
    const internal::ObjectSpec* spec = internal::FindObjectSpec(type);
    if (spec == nullptr || spec->category != internal::Category::kSco) continue;
    auto id = internal::ScoIdFromObject(*spec, obj);
    if (!id.ok()) {
      emit_error("line " + std::to_string(item.line) + ": " + id.status().message());
      continue;
    }
    line.assign("{\"id\":");
    AppendJsonStringSafe(&line, *id);
    line.push_back('}');
    ++summary.items;
    sink(line);
  }
  return summary;
}

}  // namespace detente::stix
