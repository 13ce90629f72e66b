#include "parsers/json/syntax.h"

#include <fmt/format.h>

#include <cctype>
#include <tuple>
#include <utility>
#include <vector>

#include "parsers/utf8.h"

namespace rbgate::parsers::json {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The 1-based line and column (in characters) of byte `offset`; a byte order mark is no
// character.
std::pair<std::uint32_t, std::uint32_t> Position(std::string_view text, std::size_t offset) {
  std::uint32_t line = 1, column = 1;
  const std::size_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (std::size_t i = start; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

// What a character that cannot start a value or a name looks like to someone editing JSON.
std::string Unexpected(std::string_view s, std::size_t p, std::string_view wanted) {
  const std::string_view rest = s.substr(p);
  if (rest.substr(0, 2) == "//" || rest.substr(0, 2) == "/*")
    return "a comment: JSON has none; remove it";
  for (std::string_view q : {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99"}) {
    if (rest.substr(0, 3) == q) {
      return fmt::format(
          "'{}' is a typographic quote (a word processor's): JSON needs straight double quotes "
          "(\")",
          q);
    }
  }
  if (rest[0] == '\'') return "a single quote: JSON strings and names need double quotes (\")";
  if (Utf8Length(s.substr(p)) == 0) return "bytes that are not UTF-8: save the file as UTF-8";
  const std::size_t n = Utf8Length(s.substr(p));
  return fmt::format("'{}' where {} should be", rest.substr(0, n), wanted);
}

struct Scanner {
  std::string_view s;
  std::size_t p = 0;
  std::optional<SyntaxError> error;

  bool Fail(std::size_t at, std::string message) {
    error = SyntaxError{at, 1, 1, std::move(message)};
    return false;
  }
  void SkipSpace() {
    while (p < s.size() && IsSpace(s[p])) ++p;
  }

  bool String() {  // s[p] == '"'
    const std::size_t open = p++;
    while (p < s.size()) {
      const char c = s[p];
      if (c == '"') {
        ++p;
        return true;
      }
      if (c == '\\') {
        if (p + 1 >= s.size()) break;
        const char e = s[p + 1];
        if (e == 'u') {
          for (std::size_t i = 2; i < 6; ++i) {
            if (p + i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[p + i])))
              return Fail(p, "'\\u' needs four hex digits (\\u00A3 for £)");
          }
          p += 6;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return Fail(p, fmt::format("'\\{}' is not a JSON escape (a backslash itself is "
                                     "written \\\\)",
                                     e));
        }
        p += 2;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Fail(p, c == '\n' || c == '\r'
                           ? "a line break inside a string: the string opened here needs its "
                             "closing \" on the same line (or write \\n)"
                           : "a control character inside a string (write it as \\u00XX)");
      }
      const std::size_t n = Utf8Length(s.substr(p));
      if (n == 0) return Fail(p, "bytes that are not UTF-8: save the file as UTF-8");
      p += n;
    }
    return Fail(open, "a string that is never closed: a \" is missing");
  }

  bool Number() {
    const std::size_t start = p;
    if (s[p] == '-') ++p;
    if (p >= s.size() || !IsDigit(s[p])) return Fail(start, "a number needs a digit after '-'");
    if (s[p] == '0' && p + 1 < s.size() && IsDigit(s[p + 1]))
      return Fail(start, "a number cannot start with 0 (write it as a string to keep the zeros)");
    while (p < s.size() && IsDigit(s[p])) ++p;
    if (p < s.size() && s[p] == '.') {
      ++p;
      if (p >= s.size() || !IsDigit(s[p])) return Fail(start, "a number needs digits after '.'");
      while (p < s.size() && IsDigit(s[p])) ++p;
    }
    if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
      ++p;
      if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
      if (p >= s.size() || !IsDigit(s[p]))
        return Fail(start, "a number needs digits after its exponent");
      while (p < s.size() && IsDigit(s[p])) ++p;
    }
    return true;
  }

  bool Literal() {
    const std::size_t start = p;
    while (p < s.size() && std::isalnum(static_cast<unsigned char>(s[p]))) ++p;
    const std::string_view word = s.substr(start, p - start);
    if (word == "true" || word == "false" || word == "null") return true;
    if (word.empty()) {
      p = start;
      return Fail(start, Unexpected(s, start, "a value"));
    }
    return Fail(start, fmt::format("'{}' is not a JSON value: text needs double quotes; true, "
                                   "false and null are written in lower case",
                                   word));
  }

  // One scalar at s[p]; containers are opened by the caller.
  bool Scalar() {
    const char c = s[p];
    if (c == '"') return String();
    if (c == '-' || IsDigit(c)) return Number();
    if (c == '+' || c == '.')
      return Fail(p, "a number starts with a digit or '-' (no '+', no leading '.')");
    return Literal();
  }

  void Run() {
    if (s.substr(0, 3) == "\xEF\xBB\xBF") p = 3;
    struct Open {
      char kind;  // '{' or '['
      std::size_t at;
    };
    std::vector<Open> stack;
    enum class Want { kValue, kName, kNameOrEnd, kColon, kCommaOrEnd, kValueOrEnd, kNothing };
    Want want = Want::kValue;
    std::size_t last_comma = 0;
    while (true) {
      SkipSpace();
      if (p >= s.size()) {
        if (want == Want::kNothing) return;
        if (stack.empty()) {
          Fail(p, "the file has no JSON in it");
          return;
        }
        const Open& o = stack.back();
        Fail(o.at, fmt::format("the {} opened here is never closed: a '{}' is missing",
                               o.kind == '{' ? "object" : "list", o.kind == '{' ? '}' : ']'));
        return;
      }
      const char c = s[p];
      switch (want) {
        case Want::kNothing:
          Fail(p, c == '}' || c == ']'
                      ? fmt::format("an extra '{}': everything was closed before it", c)
                      : "more after the end of the JSON (two objects? the file holds one)");
          return;
        case Want::kName:
        case Want::kNameOrEnd:
          if (c == '}' && want == Want::kNameOrEnd) {
            stack.pop_back();
            ++p;
            want = stack.empty() ? Want::kNothing : Want::kCommaOrEnd;
            break;
          }
          if (c == '}') {
            Fail(last_comma, "a comma after the last member: JSON allows none before '}'");
            return;
          }
          if (c != '"') {
            Fail(p, std::isalpha(static_cast<unsigned char>(c)) || c == '_'
                        ? "a name without quotes: names are written in double quotes (\"name\")"
                        : Unexpected(s, p, "a name in double quotes"));
            return;
          }
          if (!String()) return;
          want = Want::kColon;
          break;
        case Want::kColon:
          if (c != ':') {
            Fail(p, Unexpected(s, p, "a ':' after the name"));
            return;
          }
          ++p;
          want = Want::kValue;
          break;
        case Want::kCommaOrEnd: {
          const char close = stack.back().kind == '{' ? '}' : ']';
          if (c == ',') {
            last_comma = p++;
            want = stack.back().kind == '{' ? Want::kName : Want::kValue;
          } else if (c == close) {
            stack.pop_back();
            ++p;
            want = stack.empty() ? Want::kNothing : Want::kCommaOrEnd;
          } else if (c == '}' || c == ']') {
            const auto [line, column] = Position(s, stack.back().at);
            Fail(p,
                 fmt::format("'{}' closes the {} opened at line {}, column {}, which needs '{}'", c,
                             stack.back().kind == '{' ? "object" : "list", line, column, close));
            return;
          } else if (c == '"' || c == '{' || c == '[' || IsDigit(c) || c == '-' ||
                     std::isalpha(static_cast<unsigned char>(c))) {
            Fail(p, "a missing comma before this");
            return;
          } else {
            Fail(p, Unexpected(s, p, fmt::format("',' or '{}'", close)));
            return;
          }
          break;
        }
        case Want::kValue:
        case Want::kValueOrEnd:
          if (c == ']' && want == Want::kValueOrEnd) {
            stack.pop_back();
            ++p;
            want = stack.empty() ? Want::kNothing : Want::kCommaOrEnd;
            break;
          }
          if (c == ']' && !stack.empty() && stack.back().kind == '[') {
            Fail(last_comma, "a comma after the last item: JSON allows none before ']'");
            return;
          }
          if (c == '{' || c == '[') {
            stack.push_back({c, p++});
            want = c == '{' ? Want::kNameOrEnd : Want::kValueOrEnd;
            break;
          }
          if (!Scalar()) return;
          want = stack.empty() ? Want::kNothing : Want::kCommaOrEnd;
          break;
      }
    }
  }
};

}  // namespace

std::optional<SyntaxError> FindSyntaxError(std::string_view text) {
  Scanner scanner{text};
  scanner.Run();
  if (!scanner.error) return std::nullopt;
  SyntaxError e = *scanner.error;
  std::tie(e.line, e.column) = Position(text, e.offset);
  return e;
}

std::string Describe(const SyntaxError& e) {
  return fmt::format("line {}, column {}: {}", e.line, e.column, e.message);
}

std::string WhyNotJson(std::string_view text, std::string_view parser_says, std::uint32_t* line,
                       std::uint32_t* column) {
  const auto e = FindSyntaxError(text);
  if (!e) return std::string(parser_says);
  if (line != nullptr) *line = e->line;
  if (column != nullptr) *column = e->column;
  return Describe(*e);
}

std::size_t ClosingBracket(std::string_view text, std::size_t pos) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = pos; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0 && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace rbgate::parsers::json
