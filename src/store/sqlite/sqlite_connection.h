// store/sqlite/sqlite_connection.h: internal: the SQLite backend of store::Connection.
// Conventions (placeholders, types, pragmas) are in ../../../docs/formats/storage.md.
// Tested by tests/store/sqlite_connection_test.cc and friends.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace detente::store::sqlite {

// Opens `path` (a file path or ":memory:") with `options` (options.url is ignored). Sets
// extended result codes, busy_timeout, foreign_keys=ON, journal_mode=WAL (files, not
// read-only) and synchronous per options.
// Errors: kNotFound (file missing and !options.create), kDataLoss (not a database or
// corrupt), kUnavailable (cannot open, locked past the busy timeout), kFailedPrecondition
// (WAL mode refused by the file system).
Result<std::unique_ptr<Connection>> Open(const std::string& path, const Options& options);

}  // namespace detente::store::sqlite
