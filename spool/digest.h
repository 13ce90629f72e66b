// SHA-256 (OpenSSL) of files and buffers, as lowercase hex.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "spool/status.h"

namespace rbgate::spool {

// An incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string HexDigest();  // finishes; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);

// Hashes a file read window by window (bounded memory).
Status Sha256File(const std::string& path, std::string& hex, std::uint64_t* size = nullptr);

}  // namespace rbgate::spool
