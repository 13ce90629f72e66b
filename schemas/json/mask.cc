#include "schemas/json/mask.h"

#include <re2/re2.h>

#include <cctype>
#include <optional>

#include "schemas/feed.h"

namespace rbgate::schemas::json {
namespace {

constexpr int kUnknown = -1;  // a value the schema does not describe

class Masker {
 public:
  Masker(const JsonSchema& schema, std::string_view line) : schema_(schema), in_(line) {}

  // The masked line, or nothing when the line is not one whole JSON value.
  std::optional<std::string> Run() {
    out_.assign(in_);
    Space();
    if (!Value(schema_.nodes.empty() ? kUnknown : 0, 0)) return std::nullopt;
    Space();
    if (pos_ != in_.size()) return std::nullopt;
    return std::move(out_);
  }

 private:
  static constexpr int kMaxDepth = 64;

  // The node a schema reference leads to.
  int Resolve(int node) const {
    for (int hops = 0; node >= 0 && schema_.nodes[node].ref >= 0 && hops < 32; ++hops) {
      node = schema_.nodes[node].ref;
    }
    return node;
  }
  bool Personal(int node) const {
    if (node < 0) return true;
    const Node& n = schema_.nodes[node];
    if (n.personal) return true;
    for (const int part : n.all_of) {
      const int r = Resolve(part);
      if (r >= 0 && schema_.nodes[r].personal) return true;
    }
    return false;
  }
  int PropertyNode(int node, std::string_view key) const {
    if (node < 0) return kUnknown;
    const Node& n = schema_.nodes[node];
    for (const auto& p : n.properties) {
      if (p.name == key) return Resolve(p.node);
    }
    for (const auto& p : n.pattern_properties) {
      if (p.pattern && RE2::PartialMatch(key, *p.pattern)) return Resolve(p.node);
    }
    return n.additional >= 0 ? Resolve(n.additional) : kUnknown;
  }
  int ItemNode(int node, std::size_t index) const {
    if (node < 0) return kUnknown;
    const Node& n = schema_.nodes[node];
    if (index < n.prefix_items.size()) return Resolve(n.prefix_items[index]);
    return n.items >= 0 ? Resolve(n.items) : kUnknown;
  }

  void Space() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    Space();
    if (pos_ < in_.size() && in_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A string at pos_: its contents' range [begin, end), past the closing quote.
  bool String(std::size_t& begin, std::size_t& end) {
    if (pos_ >= in_.size() || in_[pos_] != '"') return false;
    begin = ++pos_;
    while (pos_ < in_.size() && in_[pos_] != '"') {
      if (in_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    if (pos_ >= in_.size()) return false;
    end = pos_++;
    return true;
  }
  void Mask(std::size_t begin, std::size_t end) {
    const std::string masked = MaskEveryLetter(in_.substr(begin, end - begin));
    out_.replace(begin, end - begin, masked);  // the same length: letters and digits become *
  }

  bool Value(int node, int depth) {
    if (depth > kMaxDepth) return false;
    node = Resolve(node);
    Space();
    if (pos_ >= in_.size()) return false;
    const char c = in_[pos_];
    if (c == '{') {
      ++pos_;
      if (Eat('}')) return true;
      do {
        Space();
        std::size_t kb = 0, ke = 0;
        if (!String(kb, ke) || !Eat(':')) return false;
        if (!Value(PropertyNode(node, in_.substr(kb, ke - kb)), depth + 1)) return false;
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      ++pos_;
      if (Eat(']')) return true;
      std::size_t index = 0;
      do {
        if (!Value(ItemNode(node, index++), depth + 1)) return false;
      } while (Eat(','));
      return Eat(']');
    }
    std::size_t begin = pos_, end = 0;
    if (c == '"') {
      std::size_t sb = 0;
      if (!String(sb, end)) return false;
      begin = sb;
    } else {
      while (pos_ < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[pos_])) ||
                                   in_[pos_] == '-' || in_[pos_] == '+' || in_[pos_] == '.')) {
        ++pos_;
      }
      if (pos_ == begin) return false;
      end = pos_;
    }
    if (Personal(node)) Mask(begin, end);
    return true;
  }

  const JsonSchema& schema_;
  std::string_view in_;
  std::string out_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string MaskLine(const JsonSchema& schema, std::string_view line) {
  if (auto masked = Masker(schema, line).Run()) return std::move(*masked);
  return MaskEveryLetter(line);
}

}  // namespace rbgate::schemas::json
