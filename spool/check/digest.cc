#include "spool/check/digest.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "spool/check/mapped_input.h"

namespace rbgate::check {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}
Sha256::Sha256(const std::string& algorithm) : impl_(std::make_unique<Impl>()) {
  const EVP_MD* md = EVP_get_digestbyname(algorithm.c_str());
  EVP_DigestInit_ex(impl_->ctx, md != nullptr ? md : EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &n);
  std::string hex;
  hex.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

BackgroundSha256::BackgroundSha256() : thread_([this] { Run(); }) {}

BackgroundSha256::~BackgroundSha256() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundSha256::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return busy_ || stop_; });
    if (!busy_) return;
    const std::string_view piece = piece_;
    lock.unlock();
    hash_.Update(piece);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

void BackgroundSha256::Update(std::string_view bytes) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !busy_; });
  piece_ = bytes;
  busy_ = true;
  cv_.notify_all();
}

void BackgroundSha256::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !busy_; });
}

std::string BackgroundSha256::HexDigest() {
  Wait();
  return hash_.HexDigest();
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.HexDigest();
}

}  // namespace rbgate::check
