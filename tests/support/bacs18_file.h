// Small Standard 18 files built by hand for tests, and a helper that runs the parser and
// validator over them. The base file is valid: every test mutates one thing.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/bacs18/standard18.h"
#include "parsers/diagnostic.h"
#include "schemas/bacs18/validator.h"
#include "schemas/modulus.h"

namespace rbgate::testing {

inline std::string Pad(std::string s, std::size_t n) {
  s.resize(n, ' ');
  return s;
}

// Overwrites `text` at 1-based position `pos` of `line`.
inline void Put(std::string& line, std::size_t pos, std::string_view text) {
  line.replace(pos - 1, text.size(), text);
}

inline std::string DataRecord(std::string_view sort, std::string_view account,
                              std::string_view code, std::uint64_t amount, std::string_view ref,
                              std::string_view name, std::string_view orig_sort = "118765",
                              std::string_view orig_account = "64371389") {
  return fmt::format("{}{}0{}{}{}    {:011}{}{}{}", sort, account, code, orig_sort, orig_account,
                     amount, Pad("BOROUGH COUNCIL", 18), Pad(std::string(ref), 18),
                     Pad(std::string(name), 18));
}

// Lines of a valid single-day file created Monday 2026-11-23 (26327) for processing on
// Wednesday 2026-11-25 (26329): two collections, a first collection, an instruction and
// the contra. Accounts are Vocalink's published valid test accounts.
struct File {
  std::vector<std::string> lines;
  enum Line {
    kVol1,
    kHdr1,
    kHdr2,
    kUhl1,
    kItem1,
    kItem2,
    kInstruction,
    kContra,
    kEof1,
    kEof2,
    kUtl1
  };

  static File Valid() {
    File f;
    f.lines = {
        Pad(Pad("VOL1000042", 41) + "123456", 79) + "1",
        Pad("HDR1A123456S   123456000042"
            "00010001       26327 26327 000000",
            80),
        Pad(Pad("HDR2F0200000100", 50) + "00", 80),
        Pad("UHL1 26329999999    000000001 DAILY  001       AUDIT01", 80),
        DataRecord("089999", "66374958", "17", 12000, "CT0000000001", "A SMITH"),
        DataRecord("107999", "88837491", "01", 8550, "CT0000000002", "B JONES"),
        DataRecord("202959", "63748472", "0N", 0, "CT0000000003", "C PATEL"),
        DataRecord("118765", "64371389", "99", 20550, "CONTRA", "BOROUGH COUNCIL"),
        "",
        "",
        Pad(fmt::format("UTL1{:013}{:013}{:07}{:07}", 20550, 20550, 2, 1), 80),
    };
    f.lines[kEof1] = "EOF1" + f.lines[kHdr1].substr(4);
    f.lines[kEof2] = "EOF2" + f.lines[kHdr2].substr(4);
    return f;
  }

  std::string Join(std::string_view eol = "\r\n") const {
    std::string out;
    for (const auto& l : lines) {
      out += l;
      out += eol;
    }
    return out;
  }
};

inline const schemas::ModulusChecker& TestModulus() {
  static const schemas::ModulusChecker m =
      schemas::ModulusChecker::LoadDirectory(RBGATE_MODULUS_CACHE);
  return m;
}

struct Outcome {
  parsers::DiagnosticCollector diagnostics{1000};
  parsers::bacs18::ParseSummary summary;
  schemas::bacs18::Facts facts;

  bool Has(std::string_view rule) const { return diagnostics.Count(rule) > 0; }
  const parsers::Diagnostic* First(std::string_view rule) const {
    for (const auto& d : diagnostics.diagnostics()) {
      if (d.rule->id == rule) return &d;
    }
    return nullptr;
  }
  std::string Rules() const {
    std::string out;
    for (const auto& d : diagnostics.diagnostics()) {
      out += std::string(d.rule->id) + "@" + std::to_string(d.line) + ":" +
             std::to_string(d.column) + " " + d.message + "\n";
    }
    return out;
  }
};

// Parses and validates `bytes`, fed in windows of `window` bytes (0: all at once).
inline Outcome Check(std::string_view bytes, schemas::bacs18::ValidatorOptions options = {},
                     std::size_t window = 0, bool with_modulus = true) {
  Outcome out;
  if (with_modulus && options.modulus == nullptr) options.modulus = &TestModulus();
  schemas::bacs18::Validator validator(options, out.diagnostics);
  parsers::bacs18::Parser parser(validator, out.diagnostics);
  parsers::bacs18::ParseBuffer(parser, bytes, window);
  validator.Finish();
  out.summary = parser.summary();
  out.facts = validator.facts();
  return out;
}

}  // namespace rbgate::testing
