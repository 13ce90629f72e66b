#include "gateway/rules/explain.h"

#include <span>

#include "schemas/detect.h"
#include "schemas/feed.h"
#include "spool/openpgp.h"

namespace rbgate::gateway {

// The pages files, compiled in (gateway/CMakeLists.txt: rule_pages.cc).
std::span<const std::pair<std::string_view, std::string_view>> RulePageFiles() noexcept;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::vector<const parsers::Rule*> EveryRule() {
  std::vector<const parsers::Rule*> all{&schemas::kUnknownFeed};
  for (const auto* r : schemas::AllRules()) all.push_back(r);
  for (const auto* r : spool::openpgp::rules::All()) all.push_back(r);
  return all;
}

std::vector<RulePage> ParseRulePages(std::string_view text, const std::string& file) {
  std::vector<RulePage> pages;
  std::string* section = nullptr;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("## ", 0) == 0) {
      pages.push_back({std::string(Trim(line.substr(3))), file, {}});
      section = nullptr;
      continue;
    }
    if (pages.empty()) continue;
    if (line.rfind("**", 0) == 0) {
      const std::size_t close = line.find(".**", 2);
      if (close != std::string_view::npos) {
        section = &pages.back().sections[std::string(line.substr(2, close - 2))];
        *section = std::string(Trim(line.substr(close + 3)));
        continue;
      }
    }
    if (section != nullptr) {
      const std::string_view more = Trim(line);
      if (more.empty()) {
        if (!section->empty() && section->back() != '\n') *section += "\n";
      } else {
        if (!section->empty() && section->back() != '\n') *section += " ";
        *section += more;
      }
    }
  }
  for (auto& p : pages) {
    for (auto& [name, body] : p.sections) body = std::string(Trim(body));
  }
  return pages;
}

const std::map<std::string, RulePage>& RulePages() {
  static const std::map<std::string, RulePage> pages = [] {
    std::map<std::string, RulePage> out;
    for (const auto& [file, text] : RulePageFiles()) {
      for (auto& p : ParseRulePages(text, std::string(file))) out.emplace(p.id, std::move(p));
    }
    return out;
  }();
  return pages;
}

std::string RenderPage(const RulePage& page) {
  std::string out = page.id + "\n" + std::string(page.id.size(), '=') + "\n";
  for (const std::string_view name : kPageSections) {
    const auto it = page.sections.find(std::string(name));
    if (it == page.sections.end()) continue;
    out += "\n" + std::string(name) + "\n";
    // Wrapped at 80 columns, paragraphs kept.
    std::size_t column = 0;
    std::string word;
    const auto flush = [&] {
      if (word.empty()) return;
      if (column > 0 && column + 1 + word.size() > 80) {
        out += "\n";
        column = 0;
      }
      if (column == 0) {
        out += "  ";
        column = 2;
      } else {
        out += " ";
        ++column;
      }
      out += word;
      column += word.size();
      word.clear();
    };
    for (const char c : it->second) {
      if (c == ' ') {
        flush();
      } else if (c == '\n') {
        flush();
        out += "\n\n";
        column = 0;
      } else {
        word += c;
      }
    }
    flush();
    out += "\n";
  }
  return out;
}

}  // namespace rbgate::gateway
