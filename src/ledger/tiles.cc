// ledger/tiles.cc: tile paths, entry bundles and in-tile hashes. Tested by
// tests/ledger/tiles_test.cc.
#include "ledger/tiles.h"

#include <string>

namespace detente::ledger {
namespace {

Result<uint64_t> ParseSmallDecimal(std::string_view s, std::string_view what, uint64_t max) {
  if (s.empty() || s.size() > 20) {
    return base::InvalidArgumentError("tile path: bad " + std::string(what));
  }
  if (s.size() > 1 && s[0] == '0') {
    return base::InvalidArgumentError("tile path: " + std::string(what) + " has a leading zero");
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return base::InvalidArgumentError("tile path: " + std::string(what) + " is not a number");
    }
    if (v > (max - static_cast<uint64_t>(c - '0')) / 10) {
      return base::InvalidArgumentError("tile path: " + std::string(what) + " out of range");
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) {
    return base::InvalidArgumentError("tile path: " + std::string(what) + " out of range");
  }
  return v;
}

}  // namespace

std::string FormatTileIndex(uint64_t index) {
  std::vector<int> groups;
  do {
    groups.push_back(static_cast<int>(index % 1000));
    index /= 1000;
  } while (index > 0);
  std::string s;
  for (size_t i = groups.size(); i-- > 0;) {
    if (i > 0) s += 'x';
    char buf[4];
    buf[0] = static_cast<char>('0' + groups[i] / 100);
    buf[1] = static_cast<char>('0' + groups[i] / 10 % 10);
    buf[2] = static_cast<char>('0' + groups[i] % 10);
    buf[3] = 0;
    s += buf;
    if (i > 0) s += '/';
  }
  return s;
}

std::string FormatTilePath(const TileCoord& c) {
  std::string s = "tile/";
  s += c.entries ? std::string("entries") : std::to_string(c.level);
  s += '/';
  s += FormatTileIndex(c.index);
  if (c.width < kTileWidth) s += ".p/" + std::to_string(c.width);
  return s;
}

Result<TileCoord> ParseTilePath(std::string_view path) {
  if (path.size() > 128) return base::InvalidArgumentError("tile path: too long");
  std::vector<std::string_view> parts;
  while (true) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (parts.size() < 3 || parts[0] != "tile") {
    return base::InvalidArgumentError("tile path: must start with tile/<L>/ or tile/entries/");
  }
  TileCoord c;
  if (parts[1] == "entries") {
    c.entries = true;
  } else {
    ASSIGN_OR_RETURN(uint64_t level, ParseSmallDecimal(parts[1], "level", kMaxTileLevel));
    c.level = static_cast<int>(level);
  }
  size_t end = parts.size();
  // A partial tile ends in "<last>.p/<W>".
  if (end >= 4 && parts[end - 2].size() > 2 &&
      parts[end - 2].substr(parts[end - 2].size() - 2) == ".p") {
    ASSIGN_OR_RETURN(uint64_t w, ParseSmallDecimal(parts[end - 1], "width", kTileWidth - 1));
    if (w == 0) return base::InvalidArgumentError("tile path: width must be 1..255");
    c.width = static_cast<uint32_t>(w);
    parts[end - 2].remove_suffix(2);
    --end;
  }
  if (end - 2 > 7) return base::InvalidArgumentError("tile path: index has too many groups");
  uint64_t index = 0;
  for (size_t i = 2; i < end; ++i) {
    std::string_view g = parts[i];
    bool last = i + 1 == end;
    if (!last) {
      if (g.empty() || g[0] != 'x') {
        return base::InvalidArgumentError("tile path: index group \"" + std::string(g) +
                                          "\" must start with 'x'");
      }
      g.remove_prefix(1);
    }
    if (g.size() != 3 || g.find_first_not_of("0123456789") != std::string_view::npos) {
      return base::InvalidArgumentError("tile path: index group \"" + std::string(parts[i]) +
                                        "\" must be three digits");
    }
    auto group = static_cast<uint64_t>((g[0] - '0') * 100 + (g[1] - '0') * 10 + (g[2] - '0'));
    if (index > (UINT64_MAX - group) / 1000) {
      return base::InvalidArgumentError("tile path: index out of range");
    }
    index = index * 1000 + group;
  }
  c.index = index;
  // "x000/001" is not canonical: only the first group may be all that is left.
  if (FormatTileIndex(c.index).size() != 5 * (end - 2) - 2) {
    return base::InvalidArgumentError("tile path: index has a leading zero group");
  }
  return c;
}

uint32_t TileWidthAt(int level, uint64_t tile_index, uint64_t tree_size) {
  int shift = kTileHeight * level;
  if (shift >= 64) return 0;
  uint64_t nodes = tree_size >> shift;  // complete nodes at tree level 8*level
  uint64_t first = tile_index << kTileHeight;
  if ((first >> kTileHeight) != tile_index || nodes <= first) return 0;
  uint64_t w = nodes - first;
  return w >= kTileWidth ? kTileWidth : static_cast<uint32_t>(w);
}

void AppendBundleEntry(Bytes* bundle, base::ByteView entry) {
  bundle->push_back(static_cast<uint8_t>(entry.size() >> 8));
  bundle->push_back(static_cast<uint8_t>(entry.size()));
  bundle->insert(bundle->end(), entry.begin(), entry.end());
}

Result<std::vector<base::ByteView>> ParseEntryBundle(base::ByteView bundle,
                                                     base::StatusCode error_code) {
  std::vector<base::ByteView> out;
  size_t pos = 0;
  while (pos < bundle.size()) {
    if (out.size() == kTileWidth) {
      return Status(error_code, "entry bundle: more than 256 entries");
    }
    if (bundle.size() - pos < 2) {
      return Status(error_code,
                    "entry bundle: entry " + std::to_string(out.size()) + " length truncated");
    }
    size_t n = (size_t{bundle[pos]} << 8) | bundle[pos + 1];
    pos += 2;
    if (bundle.size() - pos < n) {
      return Status(error_code, "entry bundle: entry " + std::to_string(out.size()) +
                                    " truncated");
    }
    out.push_back(bundle.subspan(pos, n));
    pos += n;
  }
  return out;
}

size_t TileInnerOffset(uint32_t width, int k) {
  size_t off = 0;
  for (int j = 1; j < k; ++j) off += width >> j;
  return off;
}

Bytes TileInnerHashes(std::span<const Hash> bottom) {
  Bytes out;
  std::vector<Hash> row(bottom.begin(), bottom.end());
  for (int k = 1; k < kTileHeight; ++k) {
    std::vector<Hash> next;
    next.reserve(row.size() / 2);
    for (size_t i = 0; i + 1 < row.size(); i += 2) next.push_back(HashChildren(row[i], row[i + 1]));
    for (const Hash& h : next) out.insert(out.end(), h.begin(), h.end());
    row = std::move(next);
  }
  return out;
}

}  // namespace detente::ledger
