#include "gateway/collect/remote.h"

#include <fmt/format.h>
#include <simdjson.h>

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

// One file downloaded on `h` into `file`, hashed: `begin(x, errbuf)` sets the request's options;
// `answered()`, after the transfer, says whether what came back is the file (HTTP's status).
template <class Begin, class Answered>
RemoteResult Download(CURL* h, const std::string& what, std::FILE* file, std::string& sha256,
                      std::uint64_t& bytes, const std::atomic<bool>& stop, Begin begin,
                      Answered answered) {
  check::Sha256 hash;
  Exchange x;
  x.stop = &stop;
  x.hash = &hash;
  x.out = file;
  char errbuf[CURL_ERROR_SIZE] = {};
  begin(x, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, curl::KeepBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_WRITE_ERROR) return {false, "spool", "could not write the file here"};
  if (rc != CURLE_OK) return From(curl::Failed(rc, errbuf, what, x));
  if (RemoteResult bad = answered(); !bad.ok) return bad;
  curl_off_t got = 0;
  curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &got);
  bytes = static_cast<std::uint64_t>(got);
  sha256 = hash.HexDigest();
  return {true, "fetched", fmt::format("{} bytes", bytes)};
}

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

  void Refine(RemoteEntry& e) override {
    std::atomic<bool> never{false};
    Exchange x;
    x.stop = &never;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_ + Escaped(e.name));
    curl_easy_setopt(h_.get(), CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h_.get(), CURLOPT_FILETIME, 1L);
    if (curl_easy_perform(h_.get()) != CURLE_OK) return;
    curl_off_t t = -1;
    if (curl_easy_getinfo(h_.get(), CURLINFO_FILETIME_T, &t) != CURLE_OK || t < 0) return;
    e.mtime = spool::IsoFromUnixMs(static_cast<std::int64_t>(t) * 1000);
  }

  RemoteResult Fetch(const std::string& name, std::FILE* file, std::string& sha256,
                     std::uint64_t& bytes, const std::atomic<bool>& stop) override {
    return Download(
        h_.get(), "fetch " + base_ + name, file, sha256, bytes, stop,
        [&](Exchange& x, char* errbuf) { Begin(x, errbuf, base_ + Escaped(name)); },
        [] {
          return RemoteResult{true, "fetched", ""};
        });
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

class HttpsFolder final : public RemoteFolder {
 public:
  explicit HttpsFolder(ForwardOptions o) : o_(std::move(o)), h_(curl_easy_init()) {
    listing_ = !o_.url.empty() && o_.url.back() == '/';
    if (!listing_) {  // one file: its name is the url's last part
      base_ = o_.url.substr(0, o_.url.rfind('/') + 1);
      name_ = Unescaped(o_.url.substr(base_.size()));
    } else {
      base_ = o_.url;
    }
  }

  RemoteResult List(std::vector<RemoteEntry>& out, const std::atomic<bool>& stop) override {
    out.clear();
    if (!listing_) {
      RemoteEntry e;
      e.name = name_;
      const RemoteResult r = Head(name_, e);
      if (r.ok) out.push_back(std::move(e));
      if (!r.ok && r.reason == "http-404") return {true, "listed", "nothing there"};
      return r;
    }
    std::string body;
    Exchange x;
    x.stop = &stop;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc != CURLE_OK) return From(curl::Failed(rc, errbuf, "list " + base_, x));
    if (RemoteResult bad = Status("list " + base_); !bad.ok) return bad;
    std::string why;
    if (!ParseJsonListing(body, out, why)) {
      return {false, "listing", "list " + base_ + ": " + why};
    }
    return {true, "listed", fmt::format("{} files", out.size())};
  }

  void Refine(RemoteEntry& e) override {
    if (!listing_ || (e.size > 0 && !e.mtime.empty())) return;  // the listing said
    RemoteEntry seen;
    if (!Head(e.name, seen).ok) return;
    e.size = seen.size;
    e.mtime = seen.mtime;
  }

  RemoteResult Fetch(const std::string& name, std::FILE* file, std::string& sha256,
                     std::uint64_t& bytes, const std::atomic<bool>& stop) override {
    return Download(
        h_.get(), "fetch " + Url(name), file, sha256, bytes, stop,
        [&](Exchange& x, char* errbuf) { Begin(x, errbuf, Url(name)); },
        [&] { return Status("fetch " + Url(name)); });
  }

  RemoteResult Delete(const std::string& name) override {
    std::atomic<bool> never{false};
    Exchange x;
    x.stop = &never;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, Url(name));
    curl_easy_setopt(h_.get(), CURLOPT_CUSTOMREQUEST, "DELETE");
    std::string ignored;
    curl_easy_setopt(h_.get(), CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEDATA, &ignored);
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc != CURLE_OK) return From(curl::Failed(rc, errbuf, "delete " + Url(name), x));
    long code = 0;
    curl_easy_getinfo(h_.get(), CURLINFO_RESPONSE_CODE, &code);
    if (code == 404 || code == 410)
      return {true, "done", "delete " + Url(name) + " (gone already)"};
    return Status("delete " + Url(name)).ok ? RemoteResult{true, "done", "delete " + Url(name)}
                                            : Status("delete " + Url(name));
  }

  RemoteResult Move(const std::string&, const std::string&) override {
    return {false, "config", "an https source cannot move files on the server"};
  }

 private:
  static std::size_t Append(char* buf, std::size_t size, std::size_t n, void* p) {
    auto* text = static_cast<std::string*>(p);
    if (text->size() > (64u << 20)) return 0;
    text->append(buf, size * n);
    return size * n;
  }
  static std::size_t Header(char* buf, std::size_t size, std::size_t n, void* p) {
    auto* e = static_cast<RemoteEntry*>(p);
    std::string_view line(buf, size * n);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string key(line.substr(0, colon));
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
        value.remove_suffix(1);
      }
      // The version a server gives: its ETag, else its Last-Modified.
      if (key == "etag") e->mtime = "etag " + curl::OneLine(value, 200);
      if (key == "last-modified" && e->mtime.rfind("etag ", 0) != 0) {
        e->mtime = curl::OneLine(value, 100);
      }
    }
    return size * n;
  }

  std::string Url(const std::string& name) {
    char* e = curl_easy_escape(h_.get(), name.c_str(), static_cast<int>(name.size()));
    std::string out = base_ + (e != nullptr ? e : name);
    curl_free(e);
    return out;
  }
  std::string Unescaped(const std::string& s) {
    int n = 0;
    char* u = curl_easy_unescape(h_.get(), s.c_str(), static_cast<int>(s.size()), &n);
    std::string out = u != nullptr ? std::string(u, static_cast<std::size_t>(n)) : s;
    curl_free(u);
    return out;
  }

  void Begin(Exchange& x, char* errbuf, const std::string& url) {
    curl_easy_reset(h_.get());
    curl::HttpsOptions(h_.get(), o_, x, errbuf, url);
    headers_ = curl::Slist();
    if (!o_.token.empty()) {
      headers_.Add("Authorization: Bearer " + o_.token);
      curl_easy_setopt(h_.get(), CURLOPT_HTTPHEADER, headers_.get());
    }
  }

  // After a request that reached the server: its status said as a result.
  RemoteResult Status(const std::string& what) {
    long code = 0;
    curl_easy_getinfo(h_.get(), CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) return {true, "ok", what};
    return {false, fmt::format("http-{}", code), fmt::format("{}: HTTP {}", what, code)};
  }

  // The file's size and version (ETag or Last-Modified) from a HEAD request.
  RemoteResult Head(const std::string& name, RemoteEntry& e) {
    std::atomic<bool> never{false};
    Exchange x;
    x.stop = &never;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, Url(name));
    curl_easy_setopt(h_.get(), CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h_.get(), CURLOPT_HEADERFUNCTION, Header);
    curl_easy_setopt(h_.get(), CURLOPT_HEADERDATA, &e);
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc != CURLE_OK) return From(curl::Failed(rc, errbuf, "look at " + Url(name), x));
    if (RemoteResult bad = Status("look at " + Url(name)); !bad.ok) return bad;
    curl_off_t length = -1;
    curl_easy_getinfo(h_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length < 0) return {false, "listing", "look at " + Url(name) + ": no Content-Length"};
    e.size = static_cast<std::uint64_t>(length);
    return {true, "ok", ""};
  }

  ForwardOptions o_;
  std::unique_ptr<CURL, CurlFree> h_;
  curl::Slist headers_;
  std::string base_, name_;
  bool listing_ = true;
};

}  // namespace

bool ParseJsonListing(std::string_view json, std::vector<RemoteEntry>& out, std::string& why) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err) {
    why = std::string("not JSON: ") + simdjson::error_message(err);
    return false;
  }
  simdjson::dom::array files;
  if (doc.get_array().get(files)) {
    why = "not a JSON array of files";
    return false;
  }
  for (simdjson::dom::element f : files) {
    RemoteEntry e;
    std::string_view name;
    if (!f.get_string().get(name)) {
      e.name = std::string(name);
      out.push_back(std::move(e));
      continue;
    }
    if (f["name"].get_string().get(name)) {
      why = "a file without a \"name\"";
      return false;
    }
    e.name = std::string(name);
    std::uint64_t size = 0;
    if (!f["size"].get_uint64().get(size)) e.size = size;
    std::string_view modified;
    if (!f["modified"].get_string().get(modified)) e.mtime = curl::OneLine(modified, 100);
    out.push_back(std::move(e));
  }
  return true;
}

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
  if (o.type == "https") return std::make_unique<HttpsFolder>(o);
  return nullptr;
}

}  // namespace rbgate::gateway
