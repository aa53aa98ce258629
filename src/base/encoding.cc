// base/encoding.cc: strict hex and base64 (RFC 4648 sections 4 and 5).
//
// Tested by tests/base/encoding_test.cc. Decoding is table-driven; every rejection names the
// byte offset, so a caller can point the user at the bad character.
#include "base/encoding.h"

#include <array>
#include <string>

namespace detente::base {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr int8_t kInvalid = -1;

constexpr std::array<int8_t, 256> MakeDecodeTable(const char* alphabet) {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kStdDecode = MakeDecodeTable(kStdAlphabet);
constexpr std::array<int8_t, 256> kUrlDecode = MakeDecodeTable(kUrlAlphabet);

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A printable description of byte `c` for error messages.
std::string Describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  std::string s = "byte 0x";
  s += kHexDigits[u >> 4];
  s += kHexDigits[u & 0xf];
  return s;
}

}  // namespace

std::string HexEncode(ByteView data) {
  std::string out;
  out.resize(data.size() * 2);
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 0xf];
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return InvalidArgumentError("hex: odd length " + std::to_string(hex.size()));
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0)
      return InvalidArgumentError("hex: bad digit " + Describe(hex[i]) + " at " +
                                  std::to_string(i));
    if (lo < 0) {
      return InvalidArgumentError("hex: bad digit " + Describe(hex[i + 1]) + " at " +
                                  std::to_string(i + 1));
    }
    out[i / 2] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string Base64Encode(ByteView data, Base64Alphabet alphabet, Base64Padding padding) {
  const char* abc = alphabet == Base64Alphabet::kUrlSafe ? kUrlAlphabet : kStdAlphabet;
  const bool pad = padding != Base64Padding::kNone;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    out += abc[v & 63];
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

Result<Bytes> Base64Decode(std::string_view text, Base64Alphabet alphabet, Base64Padding padding) {
  const auto& table = alphabet == Base64Alphabet::kUrlSafe ? kUrlDecode : kStdDecode;
  const char* name = alphabet == Base64Alphabet::kUrlSafe ? "base64url: " : "base64: ";
  auto error = [name](std::string what) { return InvalidArgumentError(name + std::move(what)); };

  // Split off the padding: at most two '=' at the very end. Characters are checked first so
  // that a stray byte is reported as such rather than as a length problem.
  size_t data_len = text.size();
  while (data_len > 0 && text[data_len - 1] == '=' && text.size() - data_len < 2) --data_len;
  Bytes out;
  out.reserve(data_len / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < data_len; ++i) {
    int8_t v = table[static_cast<unsigned char>(text[i])];
    if (v == kInvalid) {
      return error("invalid character " + Describe(text[i]) + " at " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  const size_t pad_len = text.size() - data_len;
  if (pad_len > 0) {
    if (padding == Base64Padding::kNone) {
      return error("unexpected padding '=' at " + std::to_string(data_len));
    }
    if (text.size() % 4 != 0)
      return error("bad padding: length " + std::to_string(text.size()) +
                   " is not a multiple of 4");
  }
  const size_t rem = data_len % 4;
  if (rem == 1)
    return error("truncated input: length " + std::to_string(data_len) +
                 " leaves a lone character");
  if (pad_len > 0 && pad_len != (4 - rem) % 4) {
    return error("bad padding: " + std::to_string(pad_len) + " '=' after " +
                 std::to_string(data_len) + " characters");
  }
  if (pad_len == 0 && rem != 0 && padding == Base64Padding::kRequired) {
    return error("missing padding: length " + std::to_string(data_len) + " is not a multiple of 4");
  }

  // RFC 4648 section 3.5: the unused low bits of the last character must be zero.
  if (bits > 0 && acc != 0) {
    return error("non-canonical encoding: non-zero trailing bits at " +
                 std::to_string(data_len - 1));
  }
  return out;
}

}  // namespace detente::base
