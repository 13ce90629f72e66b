// SHA-256 (OpenSSL) of files and buffers, as lowercase hex; and the other digests a Data
// Resource's "hash" may name.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace rbgate::check {

// An incremental SHA-256, or (by OpenSSL's name: "md5", "sha1", "sha512") another digest.
class Sha256 {
 public:
  Sha256();
  // REQUIRES: OpenSSL knows `algorithm` (table::TableSchema::hash_algorithm's are known).
  explicit Sha256(const std::string& algorithm);
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string HexDigest();  // finishes; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-256 on a thread of its own, so that a large input is hashed while the caller does
// something else with the same bytes (checks them, compresses them, decompresses the next
// piece). Update hands over a piece and returns at once, once the previous piece is done; the
// piece must stay valid until the next Update, Wait or HexDigest.
class BackgroundSha256 {
 public:
  BackgroundSha256();
  ~BackgroundSha256();
  BackgroundSha256(const BackgroundSha256&) = delete;
  BackgroundSha256& operator=(const BackgroundSha256&) = delete;
  void Update(std::string_view bytes);
  void Wait();              // returns once the last piece is hashed
  std::string HexDigest();  // waits, then finishes; call once

 private:
  void Run();
  Sha256 hash_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string_view piece_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace rbgate::check
