// What went wrong, coded by what the caller should do next (after Abseil's status codes):
// retry later, fix something first, or give up on this input.
#pragma once

#include <string>
#include <utility>

namespace rbgate::spool {

enum class Code {
  kOk,
  kUnavailable,         // transient (disk full, busy): retry later, lose nothing
  kNotFound,            // the thing is gone (a file removed while being claimed)
  kFailedPrecondition,  // the spool or ledger is not as expected: alert, fix first
  kInvalidArgument,     // this input cannot be used: quarantine or refuse it
  kPermissionDenied,    // this person may not do this (four eyes)
  kDataLoss,            // bytes did not survive (an archive that does not verify)
  kInternal,
};

struct [[nodiscard]] Status {
  Code code = Code::kOk;
  std::string message;

  bool ok() const noexcept { return code == Code::kOk; }
  static Status Ok() { return {}; }
};

inline Status Error(Code code, std::string message) { return {code, std::move(message)}; }

// A Status from errno after a failed system call on `what` (a path, usually):
// ENOSPC/EDQUOT/EAGAIN/EINTR/EBUSY are kUnavailable, ENOENT kNotFound, the rest kInternal.
Status FromErrno(int err, const std::string& what, const char* call);

}  // namespace rbgate::spool
