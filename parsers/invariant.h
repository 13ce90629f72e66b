// Internal invariants: conditions the code relies on that no input, however bad, can break.
// When one fails anyway (a bug), rbgate must not stop a Monday morning's run nor carry on as if
// nothing happened: the failure is counted, handed to whoever listens (the daemon logs it at
// error level and /metrics shows rbgate_invariant_failures_total) and the caller takes the safe
// path it names, usually refusing the one file or step at hand with an internal error.
//
//   if (!RBGATE_INVARIANT(used <= window.size(), "a feed's check used more than its window")) {
//     return Error(Code::kInternal, "...");
//   }
//
// The layers below the gateway do no I/O: they only report, through the listener the program
// installs.
#pragma once

#include <cstdint>
#include <string_view>

namespace rbgate {

struct InvariantFailure {
  std::string_view file;
  int line = 0;
  std::string_view condition;  // as written
  std::string_view detail;     // what it means, in words
};
using InvariantListener = void (*)(const InvariantFailure& failure);

// Replaces the listener (null: none); returns the one before. Set once, at start-up.
InvariantListener SetInvariantListener(InvariantListener listener) noexcept;
// Failures since the program started.
std::uint64_t InvariantFailures() noexcept;
// Counts the failure and tells the listener. Never throws.
void ReportInvariantFailure(const InvariantFailure& failure) noexcept;

}  // namespace rbgate

// True when `condition` holds; else reports it (ReportInvariantFailure) and is false.
#define RBGATE_INVARIANT(condition, detail) \
  ((condition)                              \
       ? true                               \
       : (::rbgate::ReportInvariantFailure({__FILE__, __LINE__, #condition, detail}), false))
