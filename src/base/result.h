// base/result.h: Result<T>, a value or a non-OK Status, shaped like absl::StatusOr<T>.
//
// Thread-safety: a value type; no internal synchronisation.
#pragma once

#include <cstdlib>
#include <cstdio>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/status.h"

namespace detente::base {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok(). An OK status without a value is a bug: it aborts.
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) {
      std::fputs("detente: Result constructed from an OK Status\n", stderr);
      std::abort();
    }
  }
  Result(const T& value) : value_(value) {}        // NOLINT: implicit by design
  Result(T&& value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok(). Aborts otherwise (a bug in the caller).
  const T& value() const& { Check(); return *value_; }
  T& value() & { Check(); return *value_; }
  T&& value() && { Check(); return std::move(*value_); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void Check() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "detente: Result::value() on error: %s\n", status_.ToString().c_str());
      std::abort();
    }
  }

  Status status_;  // OK when value_ holds a value.
  std::optional<T> value_;
};

}  // namespace detente::base

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a Result<T>); on error returns its Status,
// otherwise moves the value into `lhs` (which may be a declaration: `auto x`).
#define DETENTE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) \
  DETENTE_ASSIGN_OR_RETURN_IMPL(DETENTE_STATUS_CONCAT(detente_result_tmp_, __LINE__), lhs, expr)
