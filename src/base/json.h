// base/json.h: RFC 8785 JSON Canonicalization Scheme (JCS) and the JSON helpers around it.
//
// The JCS parser is strict RFC 8259 with I-JSON (RFC 7493) restrictions: it rejects duplicate
// object keys, lone surrogates (escaped or as invalid UTF-8), invalid UTF-8, numbers that
// overflow a double, trailing content, and nesting deeper than kMaxJsonDepth. Errors are
// kInvalidArgument with "line L, column C" (1-based, columns in bytes) and what was wrong.
// The format, every strictness choice and the limits: docs/formats/canonical-json.md.
//
// Thread-safety: all functions are pure; call them from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace detente::base {

inline constexpr int kMaxJsonDepth = 512;

// The canonical form of the JSON text `json`: object members sorted by their UTF-16 code
// units, no insignificant whitespace, strings escaped as RFC 8785 section 3.2.2.2 says, numbers
// formatted as ECMAScript's Number.prototype.toString. Any JSON value may be at the top.
// Errors (all kInvalidArgument, message "json: line L, column C: <what>"): syntax errors,
// "duplicate object key \"k\"" (at the later key), "lone high surrogate \uD800 ...",
// "lone low surrogate ...", "invalid UTF-8 in string", "number 1e400 is outside the range of a
// double ..." (overflow, or a non-zero literal that underflows to 0), "nesting deeper than 512
// levels", "unexpected ... after the JSON value", "byte order mark ...", input over 2 GiB.
// Uses no recursion; memory is about 16 bytes per JSON value plus the output.
Result<std::string> CanonicalizeJson(std::string_view json);

// ECMAScript Number::toString(x) for a finite double (shortest round-trip digits);
// "0" for both zeros. REQUIRES: std::isfinite(x) (JCS has no NaN/Infinity).
std::string FormatEcmaScriptNumber(double x);

// Appends `utf8` as a JSON string literal (with quotes) using the JCS escaping rules.
// REQUIRES: `utf8` is valid UTF-8.
void AppendJsonString(std::string* out, std::string_view utf8);

// The RFC 8785 member order: true when key `a` sorts before key `b`, comparing them as
// sequences of UTF-16 code units (which differs from UTF-8 byte order for U+E000..U+FFFF versus
// characters above U+FFFF). For writers that emit canonical JSON without parsing it.
// REQUIRES: both are valid UTF-8 (unescaped key text).
bool JsonKeyLess(std::string_view a, std::string_view b);

// True when `s` is valid UTF-8 (no surrogates, no overlongs, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace detente::base
