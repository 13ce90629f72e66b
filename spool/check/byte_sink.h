// Where the checking pass's bytes go besides the check (the spool's archive copy): each byte
// given once, in order, so that a file is read once whatever else needs it.
#pragma once

#include <span>

namespace rbgate::check {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // The next bytes; `last` ends the input.
  virtual void Write(std::span<const char> bytes, bool last) = 0;
};

}  // namespace rbgate::check
