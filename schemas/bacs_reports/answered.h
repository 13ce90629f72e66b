// What an input report says of each user file it answers, for matching against the
// submission the gateway sent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rbgate::schemas::bacs_reports {

// One user file as the report describes it. Counts and values are of all the day's debit or
// credit records, contras included, as UTL1 counts them (INFERRED: the notes do not say).
struct AnsweredUserFile {
  std::string report_type, report_date;  // Header@reportType, ProcessingDate@date
  std::string submission_reference;      // SubmissionInformation@submissionReferenceNumber
  std::string sun, serial, user_file_number;
  std::string processing_day;  // ISO; empty when the report gives none
  std::uint64_t debit_count = 0, debit_value = 0, credit_count = 0, credit_value = 0;  // pence
  std::uint64_t error_items = 0, error_value = 0;  // Errors/Error/ErrorItem, pence
  std::uint64_t index = 0;                         // position within its submission, from 0
  std::uint64_t line = 0;                          // of its UserFileInformation
};

// Told what an input report answers, once it has been read (the Bacs store's session).
class AnswerSink {
 public:
  virtual ~AnswerSink() = default;
  virtual void OnAnswers(const std::vector<AnsweredUserFile>& answers) = 0;
};

}  // namespace rbgate::schemas::bacs_reports
