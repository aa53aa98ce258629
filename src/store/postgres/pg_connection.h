// store/postgres/pg_connection.h: internal: the PostgreSQL (libpq) backend of
// store::Connection. Conventions (placeholders, types, error mapping, transactions, COPY) are
// in ../../../docs/formats/storage.md, section "PostgreSQL".
// Tested by tests/store/pg_connection_test.cc and the backend-parametrized store tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace detente::store::postgres {

// Opens a libpq connection to `options.url` (a "postgresql://" or "postgres://" URI; libpq
// parses it). Sets lock_timeout = options.busy_timeout_ms, synchronous_commit = on when
// options.synchronous is kFull (else the server default), default_transaction_read_only
// when options.read_only; options.create is ignored.
// Errors: kUnavailable (cannot connect or authenticate: the message names host and port but
// never the password), kInvalidArgument (malformed URI).
Result<std::unique_ptr<Connection>> Open(const Options& options);

// The URL with its password (if any) replaced by "****", for messages and logs.
std::string RedactUrl(std::string_view url);

}  // namespace detente::store::postgres
