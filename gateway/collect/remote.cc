#include "gateway/collect/remote.h"

#include <fmt/format.h>

#include "gateway/forward/curl_session.h"

namespace rbgate::gateway {
namespace {

using curl::CurlFree;
using curl::Exchange;
using curl::Slist;

// The fields of a listing line, the last one (the name) whatever it holds after its space.
std::vector<std::string_view> Fields(std::string_view line, std::size_t n) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (out.size() + 1 < n && i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t end = line.find(' ', i);
    if (end == std::string_view::npos) break;
    out.push_back(line.substr(i, end - i));
    i = end;
  }
  if (out.size() + 1 == n && i < line.size()) out.push_back(line.substr(i + 1));
  return out;
}

RemoteResult From(const spool::AttemptResult& r) { return {false, r.reason, r.detail}; }

class SftpFolder final : public RemoteFolder {
 public:
  explicit SftpFolder(ForwardOptions o) : o_(std::move(o)), h_(curl_easy_init()) {
    base_ = o_.url;
    if (base_.empty() || base_.back() != '/') base_ += '/';
    dir_ = curl::SftpFolder(base_);
  }

  RemoteResult List(std::vector<RemoteEntry>& out, const std::atomic<bool>& stop) override {
    Exchange x;
    x.stop = &stop;
    std::string text;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEDATA, &text);
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc != CURLE_OK) return From(curl::Failed(rc, errbuf, "list " + base_, x));
    out.clear();
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + at, end - at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (auto e = ParseListingLine(line)) out.push_back(std::move(*e));
      at = end + 1;
    }
    return {true, "listed", fmt::format("{} files", out.size())};
  }

  std::string ModifiedAt(const std::string& name) override {
    std::atomic<bool> never{false};
    Exchange x;
    x.stop = &never;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_ + Escaped(name));
    curl_easy_setopt(h_.get(), CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h_.get(), CURLOPT_FILETIME, 1L);
    if (curl_easy_perform(h_.get()) != CURLE_OK) return "";
    curl_off_t t = -1;
    if (curl_easy_getinfo(h_.get(), CURLINFO_FILETIME_T, &t) != CURLE_OK || t < 0) return "";
    return spool::IsoFromUnixMs(static_cast<std::int64_t>(t) * 1000);
  }

  RemoteResult Fetch(const std::string& name, std::FILE* file, std::string& sha256,
                     std::uint64_t& bytes, const std::atomic<bool>& stop) override {
    check::Sha256 hash;
    Exchange x;
    x.stop = &stop;
    x.hash = &hash;
    x.out = file;
    char errbuf[CURL_ERROR_SIZE] = {};
    const std::string url = base_ + Escaped(name);
    Begin(x, errbuf, url);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEFUNCTION, curl::KeepBody);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEDATA, &x);
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc == CURLE_WRITE_ERROR) return {false, "spool", "could not write the file here"};
    if (rc != CURLE_OK) return From(curl::Failed(rc, errbuf, "fetch " + base_ + name, x));
    curl_off_t got = 0;
    curl_easy_getinfo(h_.get(), CURLINFO_SIZE_DOWNLOAD_T, &got);
    bytes = static_cast<std::uint64_t>(got);
    sha256 = hash.HexDigest();
    return {true, "fetched", fmt::format("{} bytes", bytes)};
  }

  RemoteResult Delete(const std::string& name) override {
    return Quote({fmt::format("rm \"{}{}\"", dir_, name)}, "delete " + base_ + name, name, "");
  }

  RemoteResult Move(const std::string& name, const std::string& to) override {
    return Quote({fmt::format("rename \"{}{}\" \"{}{}\"", dir_, name, to, name)},
                 "move " + base_ + name + " to " + to, name, to);
  }

 private:
  static std::size_t Append(char* buf, std::size_t size, std::size_t n, void* p) {
    auto* text = static_cast<std::string*>(p);
    if (text->size() > (64u << 20)) return 0;  // a listing of more than 64 MiB: refused
    text->append(buf, size * n);
    return size * n;
  }

  std::string Escaped(const std::string& name) {
    char* e = curl_easy_escape(h_.get(), name.c_str(), static_cast<int>(name.size()));
    std::string out = e != nullptr ? e : name;
    curl_free(e);
    return out;
  }

  void Begin(Exchange& x, char* errbuf, const std::string& url) {
    curl_easy_reset(h_.get());
    curl::SftpOptions(h_.get(), o_, x, errbuf, url);
  }

  // Commands run on the server, on the folder (which is there after them). A command that
  // fails because its work is already done (the file gone; moved already) is done.
  RemoteResult Quote(const std::vector<std::string>& commands, const std::string& what,
                     const std::string& name, const std::string& to) {
    std::atomic<bool> never{false};
    Exchange x;
    x.stop = &never;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_);
    Slist cmds;
    for (const auto& c : commands) cmds.Add(c);
    curl_easy_setopt(h_.get(), CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h_.get(), CURLOPT_QUOTE, cmds.get());
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc == CURLE_OK) return {true, "done", what};
    const RemoteResult failed = From(curl::Failed(rc, errbuf, what, x));
    if (rc != CURLE_QUOTE_ERROR) return failed;
    // Already done? The file is no longer listed here (and, for a move, is listed there).
    std::vector<RemoteEntry> here;
    if (!List(here, never).ok) return failed;
    for (const auto& e : here) {
      if (e.name == name) return failed;
    }
    if (to.empty()) return {true, "done", what + " (gone already)"};
    return {true, "done", what + " (moved already)"};
  }

  ForwardOptions o_;
  std::unique_ptr<CURL, CurlFree> h_;
  std::string base_, dir_;
};

}  // namespace

std::optional<RemoteEntry> ParseListingLine(std::string_view line) {
  if (line.empty() || line[0] != '-') return std::nullopt;  // regular files only
  const auto f = Fields(line, 9);
  if (f.size() != 9) return std::nullopt;
  RemoteEntry e;
  for (const char c : f[4]) {
    if (c < '0' || c > '9' || e.size > (UINT64_MAX - 9) / 10) return std::nullopt;
    e.size = e.size * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (f[4].empty()) return std::nullopt;
  e.mtime = fmt::format("{} {} {}", f[5], f[6], f[7]);
  e.name = std::string(f[8]);
  return e;
}

bool ListedName(std::string_view name, std::string& why) {
  if (name.empty() || name.size() > 255) {
    why = "an empty name, or one longer than 255 bytes";
    return false;
  }
  if (name[0] == '.') {
    why = "a hidden name (a writer's temporary)";
    return false;
  }
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/' || c == '"' || c == '\\') {
      why = "a name holding '/', a quote, a backslash or a control character";
      return false;
    }
  }
  return true;
}

std::unique_ptr<RemoteFolder> RemoteFolder::Make(const ForwardOptions& o) {
  InitCurl();
  if (o.type == "sftp") return std::make_unique<SftpFolder>(o);
  return nullptr;
}

}  // namespace rbgate::gateway
