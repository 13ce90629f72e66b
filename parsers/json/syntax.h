// Where a JSON text stops being JSON, for people who edit JSON by hand (schema files): the
// line, the column and what the mistake looks like (a comma after the last member, a comment,
// a typographic quote, a missing brace). simdjson says only that a text is not JSON; this
// runs after it has said so. Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rbgate::parsers::json {

struct SyntaxError {
  std::size_t offset = 0;    // 0-based byte offset of the mistake
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, in characters (UTF-8 code points)
  std::string message;       // plain English, with what to do
};

// The first place `text` departs from JSON (RFC 8259), or nullopt when it is JSON. A leading
// UTF-8 byte order mark is skipped. Never recurses: any depth costs one pass and a stack of
// one byte a level.
std::optional<SyntaxError> FindSyntaxError(std::string_view text);

// "line L, column C: message".
std::string Describe(const SyntaxError& e);

// Why `text`, which a JSON parser refused with `parser_says`, is not JSON: Describe of the
// first mistake, or `parser_says` when the text is JSON after all (too deep for the parser,
// say).
// `line` and `column` are set to the mistake's when one is found, else left alone.
std::string WhyNotJson(std::string_view text, std::string_view parser_says,
                       std::uint32_t* line = nullptr, std::uint32_t* column = nullptr);

// Where the object or array that opens at `text[pos]` closes: the offset just past its closing
// bracket, counting nesting (strings skipped, so a brace inside one is text) without checking
// that the brackets pair up; npos when it does not close within `text`. Used on text a JSON
// parser has read or will read, to find a value's extent in one pass.
std::size_t ClosingBracket(std::string_view text, std::size_t pos) noexcept;

}  // namespace rbgate::parsers::json
