// The keys of Frictionless descriptors (Data Resource, Table Schema, field, constraints, CSV
// Dialect, foreign keys; v1 and v2), so that a misspelt key is never silently ignored: the
// specifications permit custom properties, so an unknown key is kept, but one within a typo
// of a known key ("tpye", "constraint", "primarykey") is taken for the typo it is.
#pragma once

#include <simdjson.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/table/schema.h"

namespace rbgate::schemas::table {

// What the descriptor objects are.
enum class KeyContext {
  kPackage,
  kResource,
  kTableSchema,
  kField,
  kConstraints,
  kDialect,
  kForeignKey,
  kReference
};

// Every key a context knows (the specifications' and rbgate's own "rbgate").
std::span<const std::string_view> KnownKeys(KeyContext context) noexcept;

// Edit distance with adjacent transpositions counted once (optimal string alignment).
std::size_t EditDistance(std::string_view a, std::string_view b);

// The known key `key` is taken for a typo of, or empty: the same but for letter case, one
// edit away, or two edits away from a known key of five letters or more.
std::string_view TypoOf(std::string_view key, std::span<const std::string_view> known);

// Walks a descriptor (a Data Package, a Data Resource or a bare Table Schema; not into "rbgate",
// whose keys the loader checks) and reports each unknown key: an error (in `errors`) when it is a
// typo of a known one, with "did you mean"; else a warning. Dialects and constraints are closed:
// there every unknown key is an error, as rbgate cannot honour one.
void AuditKeys(simdjson::dom::element root, std::vector<SchemaIssue>& errors,
               std::vector<SchemaIssue>& warnings);

}  // namespace rbgate::schemas::table
