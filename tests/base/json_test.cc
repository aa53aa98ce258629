// Tests for base/json.h: the RFC 8785 vectors (file-driven), key ordering, escaping, numbers,
// and a table of every kind of invalid input with its line and column.
#include "base/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "testing/status_matchers.h"

namespace detente::base {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::HasSubstr;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// tests/testdata/base/jcs: the RFC 8785 reference vectors (Apache-2.0, see LICENSE there).
TEST(CanonicalizeJsonTest, MatchesEveryReferenceVector) {
  const std::filesystem::path dir = std::filesystem::path(DETENTE_TESTDATA) / "base" / "jcs";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "input")) {
    const std::string name = entry.path().filename().string();
    const std::string expected = ReadFile(dir / "output" / name);
    ASSERT_FALSE(expected.empty()) << name;
    EXPECT_THAT(CanonicalizeJson(ReadFile(entry.path())), IsOkAndHolds(expected)) << name;
    // Canonical output is a fixed point.
    EXPECT_THAT(CanonicalizeJson(expected), IsOkAndHolds(expected)) << name;
    ++count;
  }
  EXPECT_EQ(count, 6);
}

struct Case {
  std::string input;
  std::string expected;
};

TEST(CanonicalizeJsonTest, CanonicalizesTable) {
  const Case cases[] = {
      {"null", "null"},
      {" true ", "true"},
      {"\t\r\n false", "false"},
      {"0", "0"},
      {"-0", "0"},
      {"-0.0e5", "0"},
      {"1.0", "1"},
      {"1E2", "100"},
      {"1e21", "1e+21"},
      {"1e-7", "1e-7"},
      {"0.000001", "0.000001"},
      {"123456789012345678901234567890", "1.2345678901234568e+29"},
      {"9007199254740993", "9007199254740992"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"5e-324", "5e-324"},
      {"-1.5", "-1.5"},
      {R"("")", R"("")"},
      {R"("\u0041\/\b\f\n\r\t\"\\")", R"("A/\b\f\n\r\t\"\\")"},
      {R"("\u001f\u007f\u00ff")", "\"\\u001f\x7f\xC3\xBF\""},
      {R"("\u2028\u2029")", "\"\xE2\x80\xA8\xE2\x80\xA9\""},
      {R"("\uD83D\uDE02")", "\"\xF0\x9F\x98\x82\""},
      {R"("\u0000")", R"("\u0000")"},
      {"[ ]", "[]"},
      {"{ }", "{}"},
      {"[1, [2, [3]], {}]", "[1,[2,[3]],{}]"},
      {R"({"b":1,"a":{"d":[],"c":null}})", R"({"a":{"c":null,"d":[]},"b":1})"},
      {R"({"a":1,"A":2,"":3,"aa":4})", R"({"":3,"A":2,"a":1,"aa":4})"},
      {R"([{"b":{"y":1,"x":2},"a":[{"d":1,"c":2}]}])",
       R"([{"a":[{"c":2,"d":1}],"b":{"x":2,"y":1}}])"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(CanonicalizeJson(c.input), IsOkAndHolds(c.expected)) << c.input;
  }
}

// UTF-16 order puts U+E000..U+FFFF after supplementary characters, which UTF-8 byte order
// (code point order) puts first.
TEST(CanonicalizeJsonTest, SortsKeysByUtf16CodeUnitsNotUtf8Bytes) {
  const std::string smiley = "\xF0\x9F\x98\x82";   // U+1F602 = D83D DE02
  const std::string private_use = "\xEE\x80\x80";  // U+E000
  const std::string fb33 = "\xEF\xAC\xB3";         // U+FB33
  const std::string euro = "\xE2\x82\xAC";         // U+20AC
  const std::string input = "{\"" + fb33 + "\":1,\"" + private_use + "\":2,\"" + smiley +
                            "\":3,\"" + euro + "\":4,\"a" + smiley + "\":5,\"a" + fb33 + "\":6}";
  const std::string expected = "{\"a" + smiley + "\":5,\"a" + fb33 + "\":6,\"" + euro + "\":4,\"" +
                               smiley + "\":3,\"" + private_use + "\":2,\"" + fb33 + "\":1}";
  EXPECT_THAT(CanonicalizeJson(input), IsOkAndHolds(expected));
}

// Reference: encode as UTF-16 and compare code units lexicographically.
std::u16string ToUtf16(const std::u32string& cps) {
  std::u16string out;
  for (char32_t cp : cps) {
    if (cp >= 0x10000) {
      out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
      out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

std::string ToUtf8(const std::u32string& cps) {
  std::string out;
  for (char32_t cp : cps) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

TEST(JsonKeyLessTest, AgreesWithUtf16ReferenceOnRandomKeys) {
  // Code points chosen around every boundary where UTF-8 and UTF-16 orders could diverge.
  const char32_t kPool[] = {0x0,     0x41,    0x7F,    0x80,     0x7FF,    0x800,   0xD7FF,
                            0xE000,  0xEFFF,  0xF000,  0xFB33,   0xFFFF,   0x10000, 0x1F602,
                            0x1FFFF, 0x20000, 0xFFFFF, 0x100000, 0x10FFFF, 0x20AC,  0x61};
  std::mt19937 rng(8785);
  std::vector<std::u32string> keys;
  for (int i = 0; i < 400; ++i) {
    std::u32string k;
    const int len = static_cast<int>(rng() % 4);
    for (int j = 0; j < len; ++j) k += kPool[rng() % std::size(kPool)];
    keys.push_back(k);
  }
  int checked = 0;
  for (const auto& a : keys) {
    for (const auto& b : keys) {
      ASSERT_EQ(JsonKeyLess(ToUtf8(a), ToUtf8(b)), ToUtf16(a) < ToUtf16(b))
          << "a=" << ToUtf8(a) << " b=" << ToUtf8(b);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 160000);
}

TEST(CanonicalizeJsonTest, EscapedAndLiteralKeysCompareByValue) {
  EXPECT_THAT(CanonicalizeJson(R"({"\u0062":1,"a":2})"), IsOkAndHolds(R"({"a":2,"b":1})"));
}

struct ErrorCase {
  std::string input;
  std::string message;  // the full message after "json: "
};

TEST(CanonicalizeJsonTest, RejectsInvalidInputNamingLineAndColumn) {
  const ErrorCase cases[] = {
      {"", "line 1, column 1: empty input"},
      {"  \n ", "line 2, column 2: no value (only whitespace)"},
      {"\xEF\xBB\xBF{}", "line 1, column 1: byte order mark (U+FEFF) before the value"},
      {"{\"a\":1,\n \"a\":2}", "line 2, column 2: duplicate object key \"a\""},
      {R"({"a":1,"\u0061":2})", "line 1, column 8: duplicate object key \"a\""},
      {R"(["\uD800"])",
       "line 1, column 3: lone high surrogate \\uD800 (not followed by a \\u low surrogate)"},
      {R"(["\uD800\u0041"])",
       "line 1, column 3: lone high surrogate \\uD800 (followed by \\u0041)"},
      {R"(["\uDC00"])", "line 1, column 3: lone low surrogate \\uDC00"},
      {R"(["\uD800\uD800"])",
       "line 1, column 3: lone high surrogate \\uD800 (followed by \\uD800)"},
      {"[\"\xED\xA0\x80\"]", "line 1, column 3: invalid UTF-8 in string"},      // encoded surrogate
      {"[\"\xC0\xAF\"]", "line 1, column 3: invalid UTF-8 in string"},          // overlong '/'
      {"[\"\xE0\x80\xAF\"]", "line 1, column 3: invalid UTF-8 in string"},      // overlong
      {"[\"\xF4\x90\x80\x80\"]", "line 1, column 3: invalid UTF-8 in string"},  // > U+10FFFF
      {"[\"a\x80\"]", "line 1, column 4: invalid UTF-8 in string"},             // lone continuation
      {"[\"\xE2\x82\"]", "line 1, column 3: invalid UTF-8 in string"},          // truncated
      {"[\"\xFF\"]", "line 1, column 3: invalid UTF-8 in string"},
      {"[\"a\\u00e9\xC3\"]", "line 1, column 10: invalid UTF-8 in string"},  // slow path
      {"\xC3\xA9", "line 1, column 1: expected a value, found byte 0xc3"},
      {"[1e400]",
       "line 1, column 2: number 1e400 is outside the range of a double (overflow, or underflow to "
       "0)"},
      {"[-1e400]",
       "line 1, column 2: number -1e400 is outside the range of a double (overflow, or underflow "
       "to 0)"},
      {"[1e-400]",
       "line 1, column 2: number 1e-400 is outside the range of a double (overflow, or underflow "
       "to 0)"},
      {"NaN", "line 1, column 1: expected a value, found 'N'"},
      {"[Infinity]", "line 1, column 2: expected a value, found 'I'"},
      {"[-Infinity]", "line 1, column 3: expected a digit in number, found 'I'"},
      {"tru", "line 1, column 1: invalid literal 'tru' (expected true)"},
      {"[nul]", "line 1, column 2: invalid literal 'nul' (expected null)"},
      {"True", "line 1, column 1: expected a value, found 'T'"},
      {"undefined", "line 1, column 1: expected a value, found 'u'"},
      {"{} x", "line 1, column 4: unexpected 'x' after the JSON value"},
      {"1 2", "line 1, column 3: unexpected '2' after the JSON value"},
      {"[1]]", "line 1, column 4: unexpected ']' after the JSON value"},
      {std::string("{}\0", 3), "line 1, column 3: unexpected byte 0x00 after the JSON value"},
      {"01", "line 1, column 1: leading zero in number"},
      {"-", "line 1, column 2: expected a digit in number, found end of input"},
      {"1.", "line 1, column 3: expected a digit after '.' in number, found end of input"},
      {".5", "line 1, column 1: expected a value, found '.'"},
      {"1e", "line 1, column 3: expected a digit in exponent, found end of input"},
      {"1e+", "line 1, column 4: expected a digit in exponent, found end of input"},
      {"+1", "line 1, column 1: expected a value, found '+'"},
      {"0x10", "line 1, column 2: unexpected 'x' after the JSON value"},
      {"[1,]", "line 1, column 4: expected a value, found ']'"},
      {"[1 2]", "line 1, column 4: expected ',' or ']', found '2'"},
      {"[", "line 1, column 2: expected a value, found end of input"},
      {"[1", "line 1, column 3: expected ',' or ']', found end of input"},
      {"{\"a\":1,}", "line 1, column 8: expected a string key, found '}'"},
      {"{\"a\" 1}", "line 1, column 6: expected ':' after object key, found '1'"},
      {"{\"a\":1 \"b\":2}", "line 1, column 8: expected ',' or '}', found '\"'"},
      {"{a:1}", "line 1, column 2: expected a string key, found 'a'"},
      {"{1:1}", "line 1, column 2: expected a string key, found '1'"},
      {"[}", "line 1, column 2: expected a value, found '}'"},
      {"{\"a\":1]", "line 1, column 7: expected ',' or '}', found ']'"},
      {"\"abc", "line 1, column 1: unterminated string"},
      {"\"ab\\", "line 1, column 1: unterminated string"},
      {"\"a\tb\"", "line 1, column 3: unescaped control character byte 0x09 in string"},
      {"\"a\\nb\nc\"", "line 1, column 6: unescaped control character byte 0x0a in string"},
      {R"("\x41")", "line 1, column 2: invalid escape '\\x' in string"},
      {R"("\u12")", "line 1, column 4: truncated \\u escape"},
      {R"("\u12G4")", "line 1, column 6: bad hex digit 'G' in \\u escape"},
      {"\"\\u12", "line 1, column 4: truncated \\u escape"},
      {"// c\n{}", "line 1, column 1: expected a value, found '/'"},
      {"[1,\n2,\n\f3]", "line 3, column 1: expected a value, found byte 0x0c"},
      {"'a'", "line 1, column 1: expected a value, found '''"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(CanonicalizeJson(c.input),
                StatusIs(StatusCode::kInvalidArgument, "json: " + c.message))
        << "input: " << c.input;
  }
}

TEST(CanonicalizeJsonTest, DuplicateKeyMessageIsEscapedAndTruncated) {
  const std::string key(100, 'k');
  const std::string input = "{\"" + key + "\":1,\"" + key + "\":2}";
  EXPECT_THAT(CanonicalizeJson(input),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("duplicate object key \"" + std::string(40, 'k') + "...\"")));
  EXPECT_THAT(CanonicalizeJson("{\"\\n\":1,\"\\n\":2}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate object key \"\\n\"")));
}

TEST(CanonicalizeJsonTest, DuplicateKeysInNestedObjectsAreRejected) {
  EXPECT_THAT(CanonicalizeJson(R"({"a":{"x":1},"b":[{"y":1,"z":2,"y":3}]})"),
              StatusIs(StatusCode::kInvalidArgument,
                       "json: line 1, column 32: duplicate object key \"y\""));
  // Same key in different objects is fine.
  EXPECT_THAT(CanonicalizeJson(R"({"a":{"a":1},"b":{"a":2}})"),
              IsOkAndHolds(R"({"a":{"a":1},"b":{"a":2}})"));
}

TEST(CanonicalizeJsonTest, AcceptsNestingUpToTheLimit) {
  const std::string arrays = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_THAT(CanonicalizeJson(arrays), IsOkAndHolds(arrays));
  std::string objects;
  for (int i = 0; i < kMaxJsonDepth - 1; ++i) objects += "{\"k\":";
  objects += "{}";
  objects += std::string(kMaxJsonDepth - 1, '}');
  EXPECT_THAT(CanonicalizeJson(objects), IsOkAndHolds(objects));
}

TEST(CanonicalizeJsonTest, RejectsNestingBeyondTheLimitWithoutRecursion) {
  const std::string too_deep = std::string(kMaxJsonDepth + 1, '[');
  EXPECT_THAT(CanonicalizeJson(too_deep),
              StatusIs(StatusCode::kInvalidArgument,
                       "json: line 1, column 513: nesting deeper than 512 levels"));
  // A hostile 10 MB of '[' fails at the limit, not with a stack overflow.
  EXPECT_THAT(CanonicalizeJson(std::string(10'000'000, '[')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 512")));
  EXPECT_THAT(CanonicalizeJson(std::string(10'000'000, '{')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a string key")));
}

TEST(CanonicalizeJsonTest, ColumnsCountBytesAndLinesCountNewlines) {
  EXPECT_THAT(CanonicalizeJson("{\r\n  \"\xC3\xA9\": x}"),
              StatusIs(StatusCode::kInvalidArgument,
                       "json: line 2, column 9: expected a value, found 'x'"));
}

TEST(CanonicalizeJsonTest, LargeFlatArrayRoundTrips) {
  std::string input = "[";
  std::string expected = "[";
  for (int i = 0; i < 100000; ++i) {
    if (i > 0) {
      input += ", ";
      expected += ',';
    }
    input += std::to_string(i) + ".0";
    expected += std::to_string(i);
  }
  input += "]";
  expected += "]";
  EXPECT_THAT(CanonicalizeJson(input), IsOkAndHolds(expected));
}

// Builds prefix + n copies of c + suffix (operator+ on temporaries trips GCC 12's -Wrestrict).
std::string Repeat(std::string_view prefix, size_t n, char c, std::string_view suffix = "") {
  std::string s(prefix);
  s.append(n, c);
  s.append(suffix);
  return s;
}

TEST(CanonicalizeJsonTest, LongNumberLiteralsRoundToTheNearestDouble) {
  EXPECT_THAT(CanonicalizeJson(Repeat("1.", 100000, '0', "1")), IsOkAndHolds("1"));
  EXPECT_THAT(CanonicalizeJson("0.1000000000000000055511151231257827"), IsOkAndHolds("0.1"));
  EXPECT_THAT(CanonicalizeJson(Repeat("1", 300, '0')), IsOkAndHolds("1e+300"));
  EXPECT_THAT(CanonicalizeJson(Repeat("1", 400, '0')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("outside the range of a double")));
  EXPECT_THAT(CanonicalizeJson(Repeat("0.", 400, '0', "1")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("outside the range of a double")));
  EXPECT_THAT(CanonicalizeJson(Repeat("0.", 400, '0')), IsOkAndHolds("0"));
  EXPECT_THAT(CanonicalizeJson("1e-99999999999999999999"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("outside the range of a double")));
  EXPECT_THAT(CanonicalizeJson("0e99999999999999999999"), IsOkAndHolds("0"));
}

TEST(AppendJsonStringTest, EscapesOnlyWhatRfc8785Requires) {
  std::string out;
  AppendJsonString(&out, std::string("a\"\\/\x01\x1f\x7f\xC3\xA9\0", 10));
  EXPECT_EQ(out, "\"a\\\"\\\\/\\u0001\\u001f\x7f\xC3\xA9\\u0000\"");
}

TEST(IsValidUtf8Test, AcceptsUnicodeAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("abc\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x82\xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(IsValidUtf8(std::string("\0", 1)));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // overlong U+FFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
}

}  // namespace
}  // namespace detente::base
