// What went wrong, coded by what the caller should do next (after Abseil's status codes):
// retry later, fix something first, or give up on this input. Every layer returns these;
// exceptions are for the edges only (the command line, configuration and schema loading).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "parsers/invariant.h"

namespace rbgate {

enum class Code {
  kOk,
  kUnavailable,         // transient (disk full, busy): retry later, lose nothing
  kNotFound,            // the thing is gone (a file removed while being claimed)
  kFailedPrecondition,  // the spool or ledger is not as expected: alert, fix first
  kInvalidArgument,     // this input cannot be used: quarantine or refuse it
  kPermissionDenied,    // this person may not do this (four eyes)
  kDataLoss,            // bytes did not survive (an archive that does not verify)
  kAborted,  // another node holds it now (adopted when this one's lease ran out): leave it
  kInternal,
};

struct [[nodiscard]] Status {
  Code code = Code::kOk;
  std::string message;

  bool ok() const noexcept { return code == Code::kOk; }
  static Status Ok() { return {}; }
};

inline Status Error(Code code, std::string message) { return {code, std::move(message)}; }

// A value, or why there is none.
template <class T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // REQUIRES: !status.ok()
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (!RBGATE_INVARIANT(!status_.ok(), "a StatusOr made from an OK status holds no value")) {
      status_ = Error(Code::kInternal, "StatusOr made from an OK status");
    }
  }

  bool ok() const noexcept { return value_.has_value(); }
  const Status& status() const noexcept { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace rbgate
