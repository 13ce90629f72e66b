// A council's own Direct Debit instructions: what its online sign-up form exports, one
// Instruction element per mandate, to be lodged with Bacs through AUDDIS. Checked against
// dd_instructions.xsd and the rules below in one pass; its transform gives the rows the R&B
// system imports. Everything this feed is lives in this folder (README.md says the format).
#include <fmt/format.h>

#include <array>
#include <optional>
#include <string>
#include <unordered_map>

#include "schemas/bacs18/validator.h"
#include "schemas/dates.h"
#include "schemas/values.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::dd_instructions {

extern const std::string_view kDdInstructionsXsd;  // generated from dd_instructions.xsd

namespace rules {
using parsers::Rule;
using parsers::Severity;
inline constexpr Rule kReference{"dd-instructions.reference", Severity::kError,
                                 "an instruction's reference breaks Bacs's reference rules",
                                 "Bacs rejects it through AUDDIS; correct the reference at the "
                                 "sign-up form and send the instruction again"};
inline constexpr Rule kModulus{"dd-instructions.modulus", Severity::kError,
                               "the sort code and account number fail UK modulus checking",
                               "the account number is probably mistyped; confirm it with the "
                               "payer before the instruction is lodged"};
inline constexpr Rule kModulusUnchecked{
    "dd-instructions.modulus.unchecked", Severity::kWarning,
    "the account could not be modulus checked",
    "the sort code is in no modulus range, or no modulus tables were loaded"};
inline constexpr Rule kSigned{"dd-instructions.signed", Severity::kError,
                              "a new instruction is unsigned, or signed after the file was made",
                              "a new instruction (0N) needs the day the payer signed it, on or "
                              "before the file's created date"};
inline constexpr Rule kDuplicate{"dd-instructions.duplicate", Severity::kError,
                                 "a second instruction for the same account and reference",
                                 "lodging both would set up or cancel the mandate twice; the "
                                 "message names the first"};
inline constexpr Rule kCount{"dd-instructions.count", Severity::kError,
                             "the file's count differs from the instructions it holds",
                             "the file may be cut short; ask for it again"};
constexpr const Rule* kAll[] = {&kReference, &kModulus,   &kModulusUnchecked,
                                &kSigned,    &kDuplicate, &kCount};
}  // namespace rules

namespace {

using parsers::xml::Attribute;
using parsers::xml::AttributeValue;

class Validator final : public XmlFeedValidator {
 public:
  Validator(parsers::DiagnosticSink& diagnostics, const CheckOptions& options)
      : XmlFeedValidator(diagnostics), modulus_(options.modulus) {}

  void StartElement(std::string_view name, std::span<const Attribute> a,
                    std::uint64_t line) override {
    if (name == "DDInstructions") {
      created_ = ParseIsoDate(AttributeValue(a, "created"));
      declared_ = AttributeValue(a, "count");
      root_line_ = line;
    } else if (name == "Instruction") {
      Instruction(a, line);
    }
  }
  void EndElement(std::string_view name, std::uint64_t line) override {
    if (name != "DDInstructions") return;
    if (declared_ != std::to_string(instructions_)) {
      Report(rules::kCount, root_line_, "count",
             fmt::format("the file says {} instructions and holds {} (it ends at line {})",
                         declared_, instructions_, line));
    }
  }
  std::uint64_t records() const override { return instructions_; }

 private:
  void Instruction(std::span<const Attribute> a, std::uint64_t line) {
    ++instructions_;
    const std::string_view code = AttributeValue(a, "code");
    const std::string_view reference = AttributeValue(a, "reference");
    AssignSortCode(sort_, AttributeValue(a, "sortCode"));
    const std::string& sort = sort_;
    const std::string_view account = AttributeValue(a, "accountNumber");
    if (const std::string why = bacs18::AuddisReferenceProblem(reference); !why.empty()) {
      Report(rules::kReference, line, "reference", fmt::format("the reference {}", why));
    }
    if (sort.size() == 6 && account.size() == 8) {
      switch (modulus_ != nullptr ? modulus_->Check(sort, account) : ModulusResult::kUnchecked) {
        case ModulusResult::kValid:
          break;
        case ModulusResult::kInvalid:
          Report(rules::kModulus, line, "accountNumber",
                 fmt::format("the account number at sort code {} fails modulus checking ({})", sort,
                             modulus_->version()));
          break;
        case ModulusResult::kUnchecked:
          if (modulus_ != nullptr) {
            Report(
                rules::kModulusUnchecked, line, "sortCode",
                fmt::format("sort code {} is in no modulus range ({})", sort, modulus_->version()));
          } else if (!said_no_tables_) {
            said_no_tables_ = true;
            Report(rules::kModulusUnchecked, line, "sortCode",
                   "no modulus tables were loaded: no account in this file was checked");
          }
          break;
      }
    }
    const std::string_view signed_text = AttributeValue(a, "signed");
    const auto signed_day = ParseIsoDate(signed_text);
    if (code == "0N" && signed_text.empty()) {
      Report(rules::kSigned, line, "signed", "a new instruction (0N) gives no signed date");
    } else if (signed_day && created_ && *signed_day > *created_) {
      Report(rules::kSigned, line, "signed",
             fmt::format("signed {}, after the file was created ({})", signed_text,
                         FormatIsoDate(*created_)));
    }
    const std::string key = fmt::format("{}/{}/{}", sort, account, reference);
    const auto [first, added] = seen_.try_emplace(key, line);
    if (!added) {
      Report(rules::kDuplicate, line, "reference",
             fmt::format("the same account and reference as the instruction at line {}",
                         first->second));
    }
  }

  const ModulusChecker* modulus_;
  std::optional<Day> created_;
  std::string declared_;
  std::string sort_;  // the instruction's sort code as six digits
  std::uint64_t root_line_ = 0, instructions_ = 0;
  bool said_no_tables_ = false;
  std::unordered_map<std::string, std::uint64_t> seen_;  // sort/account/reference: first line
};

constexpr std::array<std::string_view, 8> kColumns = {
    "sun", "created", "code", "reference", "sort_code", "account_number", "account_name", "signed"};

// A row per instruction, with the file's SUN and created date.
class Rows final : public parsers::xml::XmlSink {
 public:
  explicit Rows(RowWriter& w) : w_(w) {}
  void StartElement(std::string_view name, std::span<const Attribute> a, std::uint64_t) override {
    if (name == "DDInstructions") {
      w_[0] = AttributeValue(a, "sun");
      w_[1] = AttributeValue(a, "created");
    } else if (name == "Instruction") {
      w_[2] = AttributeValue(a, "code");
      w_[3] = AttributeValue(a, "reference");
      AssignSortCode(w_[4], AttributeValue(a, "sortCode"));
      w_[5] = AttributeValue(a, "accountNumber");
      w_[6] = AttributeValue(a, "accountName");
      w_[7] = AttributeValue(a, "signed");
      w_.Write();
    }
  }
  void EndElement(std::string_view, std::uint64_t) override {}

 private:
  RowWriter& w_;
};

}  // namespace

void RegisterFeeds(FeedCatalogue& catalogue) {
  XmlFeed::Definition d;
  d.name = "dd-instructions";
  d.origin = "built in (C++, schemas/dd_instructions/dd_instructions.xsd)";
  d.xsd_name = "dd_instructions.xsd";
  d.xsd = kDdInstructionsXsd;
  d.rules = rules::kAll;
  d.root = "DDInstructions";
  d.validator = [](parsers::DiagnosticSink& diagnostics, const CheckOptions& options,
                   const FeedSinks&) -> std::unique_ptr<XmlFeedValidator> {
    return std::make_unique<Validator>(diagnostics, options);
  };
  d.columns = kColumns;
  d.rows = [](RowWriter& w) -> std::unique_ptr<parsers::xml::XmlSink> {
    return std::make_unique<Rows>(w);
  };
  catalogue.Add(std::make_unique<XmlFeed>(d));
}

}  // namespace rbgate::schemas::dd_instructions
