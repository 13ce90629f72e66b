#include "gateway/gen/faults.h"

#include "gateway/gen/feeds.h"
#include "gateway/gen/reports.h"
#include "gateway/gen/voa.h"

namespace rbgate::gateway {

std::optional<std::span<const GenFault>> FaultsOf(std::string_view generator) noexcept {
  struct Entry {
    std::string_view generator;
    std::span<const GenFault> (*faults)() noexcept;
  };
  static constexpr Entry kAll[] = {
      {"bacs18", GenFaults},
      {"payments", PaymentsFaults},
      {"vep", VepFaults},
      {"shbe", ShbeFaults},
      {"atlas", AtlasFaults},
      {"rsl-rents", RslFaults},
      {"dd-instructions", DdInstructionsFaults},
      {"ndr-list", NdrListFaults},
      {"ct-list", CtListFaults},
      {"ndr-schedule", ScheduleFaults},
      {"ct-schedule", ScheduleFaults},
      {"ndr-smv", SmvFaults},
      {"ba-report", BaReportFaults},
      {"arudd", AruddFaults},
      {"ddic", DdicFaults},
      {"input", InputFaults},
      {"messaging", MessagingFaults},
  };
  for (const auto& e : kAll) {
    if (e.generator == generator) return e.faults();
  }
  return std::nullopt;
}

}  // namespace rbgate::gateway
