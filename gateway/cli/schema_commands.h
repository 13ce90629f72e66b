// `rbgate schema check` and `rbgate schema list`.
//
// `rbgate schema list`: the feeds rbgate knows, which version of each serves (its SHA-256 and
// since when), and what is wrong now: a refused file with the version serving in its place, a
// removed file, a feed held because no version of it has ever loaded.
#pragma once

#include <string>
#include <vector>

#include "schemas/registry.h"

namespace rbgate::gateway {

// Prints the listing as text or JSON ("text", "json"). Exit status: 0 all is well, 1 some
// schema file is refused or removed, or some feed is held.
int SchemaList(const schemas::SchemaRegistry& registry, const std::string& format);

// `rbgate schema check FILE...`: every problem of every file in one run (misspelt keys with
// "did you mean", each field's fault, JSON syntax with its line and column), and the keys
// kept as custom properties as warnings. Exit status: 0 all load (warnings allowed unless
// `strict`); 1 some file has an error (or, with `strict`, a warning); 2 a file cannot be read.
int SchemaCheck(const std::vector<std::string>& files, bool strict, const std::string& format);

// `rbgate schema infer DATA`: a draft Table Schema (a Data Resource) for a delimited file, on
// standard output (schemas/table/infer.h), from its first `rows` rows. Exit status: 0 drafted;
// 2 the file cannot be read or has no header.
int SchemaInfer(const std::string& data, std::size_t rows, const std::string& name);

// `rbgate schema export FEED`: a shipped schema file, to copy and adapt. Exit status: 0
// printed; 1 the feed has no schema file (a built-in C++ feed, or none of that name).
int SchemaExport(const std::string& feed);

}  // namespace rbgate::gateway
