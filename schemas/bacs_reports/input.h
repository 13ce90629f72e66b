// The Bacs input report: what Bacs accepted from a submission. Its rules beyond the XSD: a
// contra's part cannot exceed the total it belongs to; each item Bacs rejected, amended or
// returned is a finding; and each user file must say which processing day it answers. What it
// answers (SUN, serial, day, counts and values per user file) is collected for the spool to
// match against the submission the gateway sent (spool/reconcile.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/bacs_reports/answered.h"
#include "schemas/bacs_reports/report_rules.h"

namespace rbgate::schemas::bacs_reports {

namespace rules {
inline constexpr parsers::Rule kInputContra{
    "input.contra.exceeds", parsers::Severity::kError,
    "a Contra's count or value is larger than the total it is part of",
    "the bank's report is inconsistent; ask the bank to re-send"};
inline constexpr parsers::Rule kInputItemError{
    "input.item.error", parsers::Severity::kWarning,
    "Bacs rejected, amended or returned an item of the submission",
    "the item will not be paid as sent: correct it in the R&B system before the processing day"};
inline constexpr parsers::Rule kInputDayMissing{
    "input.user-file.day", parsers::Severity::kError,
    "a user file gives no processing day (neither uhl1ProcessingDate nor a day section's)",
    "without it the report cannot be matched to the submission; ask the bank"};
inline constexpr parsers::Rule kInputUnknownSubmission{
    "input.submission.unknown", parsers::Severity::kError,
    "the report answers a submission the gateway did not send",
    "a file reached Bacs another way, or this is another spool's report: find out before the "
    "processing day"};
inline constexpr parsers::Rule kInputDay{
    "input.submission.day", parsers::Severity::kError,
    "the submission the gateway sent has no user file for this processing day",
    "Bacs will process on another day than intended: find out before the processing day"};
inline constexpr parsers::Rule kInputTotals{
    "input.submission.totals", parsers::Severity::kError,
    "Bacs's counts or values differ from the submission the gateway sent",
    "some items were not accepted as sent: compare the report's errors with the file before "
    "the processing day"};
}  // namespace rules

class InputReportValidator final : public XmlFeedValidator {
 public:
  // `answers`, if given, is told the user files once the document has been read.
  explicit InputReportValidator(parsers::DiagnosticSink& diagnostics, AnswerSink* answers = nullptr)
      : XmlFeedValidator(diagnostics), sink_(answers) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute> attributes,
                    std::uint64_t line) override;
  void EndElement(std::string_view name, std::uint64_t line) override;
  void Text(std::string_view text) override {
    if (in_message_ && message_.size() < 200) message_ += text;
  }

  // The user files, complete once the document has been read.
  const std::vector<AnsweredUserFile>& answers() const { return answers_; }

  std::uint64_t records() const override { return answers_.size(); }
  void Finish(FeedFacts&) override {
    if (sink_ != nullptr) sink_->OnAnswers(answers_);
  }

 private:
  AnswerSink* sink_;
  std::vector<AnsweredUserFile> answers_;
  std::string report_type_, report_date_, submission_reference_, serial_;
  std::uint64_t in_submission_ = 0;  // user files so far in this submission
  bool in_user_file_ = false;
  // The Credit or Debit being read (for its Contra), and the error being read.
  std::uint64_t totals_count_ = 0, totals_value_ = 0;
  bool in_debit_ = false;
  std::string error_value_, message_;
  std::uint64_t error_line_ = 0;
  bool in_message_ = false;
  std::string message_type_;
};

}  // namespace rbgate::schemas::bacs_reports
