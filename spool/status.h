// The spool's use of rbgate's Status (parsers/status.h), and the one mapping from errno.
#pragma once

#include <string>

#include "parsers/status.h"

namespace rbgate::spool {

using rbgate::Code;
using rbgate::Error;
using rbgate::Status;
using rbgate::StatusOr;

// A Status from errno after a failed system call on `what` (a path, usually):
// ENOSPC/EDQUOT/EAGAIN/EINTR/EBUSY are kUnavailable, ENOENT kNotFound, the rest kInternal.
Status FromErrno(int err, const std::string& what, const char* call);

}  // namespace rbgate::spool
