// `rbgate check -`: standard input as a file the checker can map window by window.
#pragma once

#include <string>

namespace rbgate::gateway {

// Standard input itself when it is a regular file (`< file`); otherwise (a pipe, a socket) a
// copy in a temporary file that is unlinked at once, so nothing is left behind whatever
// happens. The copy lives until this object goes. Throws std::runtime_error when standard
// input cannot be read or the copy cannot be written (the reason in the message).
class StdinFile {
 public:
  StdinFile();
  ~StdinFile();
  StdinFile(const StdinFile&) = delete;
  StdinFile& operator=(const StdinFile&) = delete;

  // A path that opens the bytes read (/proc/self/fd/N).
  const std::string& path() const { return path_; }

 private:
  int copy_ = -1;
  std::string path_;
};

}  // namespace rbgate::gateway
