#include <fmt/format.h>

#include "spool/check/report.h"
#include "spool/ledger.h"

namespace rbgate::spool {

using check::JsonQuoted;

std::string FileJson(const FileRecord& f) {
  return fmt::format(
      "{{\"id\":{},\"name\":{},\"route\":{},\"size\":{},\"sha256\":{},\"feed\":{},\"state\":{},"
      "\"outcome\":{},\"reason\":{},\"records\":{},\"errors\":{},\"warnings\":{},"
      "\"received_at\":{},\"updated_at\":{},\"dropped_by\":{},\"schema_version\":{},"
      "\"schema_sha256\":{}}}",
      check::JsonQuoted(f.id), check::JsonQuoted(f.name), check::JsonQuoted(f.route), f.size,
      check::JsonQuoted(f.sha256), check::JsonQuoted(f.feed), check::JsonQuoted(f.state),
      check::JsonQuoted(f.outcome), check::JsonQuoted(f.reason), f.records, f.errors, f.warnings,
      check::JsonQuoted(f.received_at), check::JsonQuoted(f.updated_at),
      check::JsonQuoted(f.dropped_by), check::JsonQuoted(f.schema_version),
      check::JsonQuoted(f.schema_sha256));
}

}  // namespace rbgate::spool
