#include "parsers/invariant.h"

#include <atomic>

namespace rbgate {
namespace {
std::atomic<std::uint64_t> failures{0};
std::atomic<InvariantListener> listener{nullptr};
}  // namespace

InvariantListener SetInvariantListener(InvariantListener l) noexcept {
  return listener.exchange(l);
}

std::uint64_t InvariantFailures() noexcept { return failures.load(std::memory_order_relaxed); }

void ReportInvariantFailure(const InvariantFailure& failure) noexcept {
  failures.fetch_add(1, std::memory_order_relaxed);
  if (InvariantListener l = listener.load()) {
    try {
      l(failure);
    } catch (...) {  // a listener that throws must not turn a report into a crash
    }
  }
}

}  // namespace rbgate
