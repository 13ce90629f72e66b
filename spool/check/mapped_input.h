// Reads a file of any size in bounded memory: maps one window at a time, read-only, and
// hands each window to a consumer that says how much of it it used. The next window
// starts where the consumer stopped, so records never straddle a window the consumer sees.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace rbgate::check {

struct InputError {
  std::string message;  // one line, names the file
};

// Called with consecutive windows; returns how many bytes of `window` it consumed.
// `offset` is window[0]'s position in the file; `last` says the window reaches the end.
using WindowConsumer =
    std::function<std::size_t(std::span<const char> window, std::uint64_t offset, bool last)>;

// Maps `path` window by window (`window_bytes`, rounded up to pages) and feeds `consume`
// until the file is used up. Regular files only: symlinks are followed, others refused.
// Returns false and fills `error` on an I/O problem. `progress`, if set, is called after
// each window with (bytes done, total).
bool ForEachWindow(const std::string& path, std::size_t window_bytes, const WindowConsumer& consume,
                   InputError& error,
                   const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

// Size of a regular file, or -1.
std::int64_t FileSize(const std::string& path);

}  // namespace rbgate::check
