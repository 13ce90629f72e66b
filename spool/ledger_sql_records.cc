#include "spool/ledger_sql_records.h"

#include <fmt/format.h>
#include <zstd.h>

#include <charconv>
#include <map>

namespace rbgate::spool::ledger_sql {
namespace {

constexpr std::uint64_t kMaxFrame = 1ull << 32;  // bytes a frame may hold when read back

StatusOr<std::string> Compress(std::string_view raw, int level) {
  std::string packed(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t n = ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return Error(Code::kInternal, "ledger: cannot compress a feed's records");
  packed.resize(n);
  return packed;
}

// The bytes of a frame this ledger wrote; nullopt when it is not one (damaged).
std::optional<std::string> Decompress(std::string_view packed) {
  const auto size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxFrame) {
    return std::nullopt;
  }
  std::string raw(size, '\0');
  const std::size_t n = ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != size) return std::nullopt;
  return raw;
}

schemas::StoredFile StoredOf(Stmt& s) {
  FileRecord f = ReadFile(s);
  return {std::move(f.id), std::move(f.name), std::move(f.received_at), std::move(f.business_key)};
}

}  // namespace

Status Records::VisitBlocks(Stmt& s, int k, const schemas::StoredFile& file,
                            const schemas::FeedRecords::ItemVisitor& visit) {
  const std::string day = s.Text(k);
  const auto text = Decompress(s.Blob(k + 1));
  if (!text) return Status::Ok();  // not ours: a damaged block reads as no items
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    const auto tab = line.find('\t');
    schemas::ItemView item;
    item.day = day;
    const std::string_view number = line.substr(0, tab);
    std::from_chars(number.data(), number.data() + number.size(), item.line);
    item.text = tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1);
    visit(file, item);
  }
  return Status::Ok();
}

Status Records::VisitAcceptedItems(std::string_view kind, const std::string& from,
                                   const std::string& to,
                                   const schemas::FeedRecords::ItemVisitor& visit) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         fmt::format("SELECT {}, i.day, i.items FROM items i JOIN files f ON f.rowid = i.file_no "
                     "WHERE i.kind = ?1 AND f.state IN {} AND (?2 = '' OR i.day >= ?2) AND "
                     "(?3 = '' OR i.day <= ?3) ORDER BY i.day, f.received_at, f.id, i.first_line",
                     Prefixed(kFileColumns, "f."), AcceptedStatesSql()));
  s.Bind(1, kind).Bind(2, from).Bind(3, to);
  sql::StepResult rc;
  while ((rc = s.Step()) == sql::kRow) {
    if (Status st = VisitBlocks(s, kAfterFileColumns, StoredOf(s), visit); !st.ok()) return st;
  }
  return rc == sql::kDone ? Status::Ok() : s.Why("read items");
}

Status Records::VisitItemsOf(const std::string& file_id, std::string_view kind,
                             const schemas::FeedRecords::ItemVisitor& visit) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         fmt::format("SELECT {}, i.day, i.items FROM items i JOIN files f ON f.rowid = i.file_no "
                     "WHERE f.id = ? AND i.kind = ? ORDER BY i.day, i.first_line",
                     Prefixed(kFileColumns, "f.")));
  s.Bind(1, file_id).Bind(2, kind);
  sql::StepResult rc;
  while ((rc = s.Step()) == sql::kRow) {
    if (Status st = VisitBlocks(s, kAfterFileColumns, StoredOf(s), visit); !st.ok()) return st;
  }
  return rc == sql::kDone ? Status::Ok() : s.Why("read items");
}

std::vector<schemas::StoredFile> Records::AcceptedWithKeyPrefix(const std::string& prefix) {
  Db::Use use(d_);
  Stmt s(d_.c(), fmt::format("SELECT {} FROM files WHERE substr(business_key, 1, length(?1)) = ?1 "
                             "AND state IN {} ORDER BY received_at, id",
                             kFileColumns, AcceptedStatesSql()));
  s.Bind(1, prefix);
  std::vector<schemas::StoredFile> out;
  while (s.Step() == sql::kRow) out.push_back(StoredOf(s));
  return out;
}

namespace {
constexpr const char* kStateColumns = "seq, family, key, file_id, summary, state, recorded_at";

StatusOr<schemas::StoredState> ReadState(Stmt& s, bool with_state) {
  schemas::StoredState r;
  r.seq = s.Int(0);
  r.family = s.Text(1);
  r.key = s.Text(2);
  r.file_id = s.Text(3);
  r.summary = s.Text(4);
  if (with_state) {
    auto raw = Decompress(s.Blob(5));
    if (!raw) {
      return Error(Code::kDataLoss, fmt::format("ledger: the {} state {} of file {} is damaged",
                                                r.family, r.key, r.file_id));
    }
    r.state = std::move(*raw);
  }
  r.recorded_at = s.Text(6);
  return r;
}
}  // namespace

StatusOr<std::optional<schemas::StoredState>> Records::LatestState(std::string_view family,
                                                                   const std::string& key,
                                                                   bool with_state) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         fmt::format("SELECT {} FROM feed_states WHERE family = ? AND key = ? ORDER BY seq DESC "
                     "LIMIT 1",
                     kStateColumns));
  s.Bind(1, family).Bind(2, key);
  const sql::StepResult rc = s.Step();
  if (rc == sql::kDone) return std::optional<schemas::StoredState>();
  if (rc != sql::kRow) return s.Why("read a feed's state");
  auto state = ReadState(s, with_state);
  if (!state.ok()) return state.status();
  return std::optional<schemas::StoredState>(std::move(state).value());
}

StatusOr<std::vector<schemas::StoredState>> Records::LatestStates(std::string_view family) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         fmt::format("SELECT {} FROM feed_states WHERE seq IN (SELECT max(seq) FROM feed_states "
                     "WHERE family = ?1 GROUP BY key) ORDER BY key",
                     kStateColumns));
  s.Bind(1, family);
  std::vector<schemas::StoredState> out;
  sql::StepResult rc;
  while ((rc = s.Step()) == sql::kRow) out.push_back(ReadState(s, false).value());
  if (rc != sql::kDone) return s.Why("read feeds' states");
  return out;
}

Status Records::AddItems(const std::string& id, const ItemBatch& items, bool first) {
  Db::Use use(d_);
  return d_.Txn("record items", [&] {
    Stmt file(d_.c(), "SELECT rowid FROM files WHERE id = ?");
    file.Bind(1, id);
    if (file.Step() != sql::kRow) return Error(Code::kFailedPrecondition, "ledger: no file " + id);
    const std::uint64_t file_no = file.Int(0);
    file.Reset();
    if (first) {
      Stmt del(d_.c(), "DELETE FROM items WHERE file_no = ?");
      if (Status st = del.Bind(1, file_no).Run("record items"); !st.ok()) return st;
    }
    return InsertBlocks(file_no, items);
  });
}

Status Records::InsertBlocks(std::uint64_t file_no, const ItemBatch& items) {
  Stmt add(d_.c(),
           "INSERT INTO items (file_no, kind, day, first_line, count, items) "
           "VALUES (?,?,?,?,?,?)");
  for (const auto& block : items.blocks()) {
    auto packed = Compress(block.lines, 1);
    if (!packed.ok()) return packed.status();
    if (Status st = add.Bind(1, file_no)
                        .Bind(2, block.kind)
                        .Bind(3, block.day)
                        .Bind(4, block.first_line)
                        .Bind(5, block.count)
                        .BindBlob(6, *packed)
                        .Run("record items");
        !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

StatusOr<std::map<std::string, std::uint64_t>> Records::PurgeItems(const std::string& before) {
  Db::Use use(d_);
  std::map<std::string, std::uint64_t> gone;
  Status st = d_.Txn("purge items", [&] {
    Stmt count(d_.c(), "SELECT kind, sum(count) FROM items WHERE day < ? GROUP BY kind");
    count.Bind(1, before);
    while (count.Step() == sql::kRow) gone[count.Text(0)] = count.Int(1);
    count.Reset();
    Stmt del(d_.c(), "DELETE FROM items WHERE day < ?");
    return del.Bind(1, before).Run("purge items");
  });
  if (!st.ok()) return st;
  return gone;
}

Status Records::AddStates(const std::string& id, const std::vector<schemas::StoredState>& states,
                          const std::string& now) {
  Stmt add(d_.c(),
           "INSERT INTO feed_states (family, key, file_id, summary, state, recorded_at) "
           "VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& s : states) {
    auto packed = Compress(s.state, 3);
    if (!packed.ok()) return packed.status();
    if (Status st = add.Bind(1, s.family)
                        .Bind(2, s.key)
                        .Bind(3, id)
                        .Bind(4, s.summary)
                        .BindBlob(5, *packed)
                        .Bind(6, now)
                        .Run("record a feed's state");
        !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

Status Records::MoveVersion1Tables() {
  // Version 1 kept each feed's records in tables of their own. Their rows move here as the
  // feeds' stores write them today: a payment file's item blocks unchanged (their lines were
  // already 'line TAB text'), returned items packed into blocks of their report day, and
  // lists keyed by tax and billing authority with their entries' frame unwrapped.
  if (d_.HasTable("submitted_items")) {
    if (Status st = d_.Exec(
            "INSERT INTO items (file_no, kind, day, first_line, count, items) SELECT file_no, "
            "'sent', printf('%04d-%02d-%02d', day / 10000, day / 100 % 100, day % 100), "
            "first_line, count, items FROM submitted_items; DROP TABLE submitted_items;");
        !st.ok()) {
      return st;
    }
  }
  if (d_.HasTable("returned_items")) {
    Stmt rows(d_.c(),
              "SELECT f.id, r.report_day, r.line, r.original_day || char(9) || "
              "replace(r.reference, char(9), ' ') || char(9) || r.code || char(9) || "
              "r.return_code || char(9) || replace(r.description, char(9), ' ') || char(9) || "
              "r.payer_sort || char(9) || r.payer_account || char(9) || r.amount || char(9) || "
              "r.credit FROM returned_items r JOIN files f ON f.id = r.file_id "
              "ORDER BY f.rowid, r.line");
    // By file, in line order.
    std::map<std::string, ItemBatch> batches;
    while (rows.Step() == sql::kRow) {
      batches[rows.Text(0)].Add("returned", rows.Int(2), rows.Text(1), rows.Text(3));
    }
    rows.Reset();
    for (const auto& [file_id, batch] : batches) {
      Stmt file(d_.c(), "SELECT rowid FROM files WHERE id = ?");
      file.Bind(1, file_id);
      if (file.Step() != sql::kRow) continue;
      const std::uint64_t file_no = file.Int(0);
      file.Reset();
      // Within the migration's transaction: AddItems' own would nest.
      if (Status st = InsertBlocks(file_no, batch); !st.ok()) return st;
    }
    if (Status st = d_.Exec("DROP TABLE returned_items"); !st.ok()) return st;
  }
  if (d_.HasTable("voa_states")) {
    if (Status st = d_.Exec(
            "INSERT INTO feed_states (family, key, file_id, summary, state, recorded_at) "
            "SELECT 'voa-list', tax || '/' || ba, file_id, kind || char(9) || number || "
            "char(9) || date || char(9) || entries || char(9) || total || char(9) || bands, "
            "substr(CAST(state AS BLOB), 5), recorded_at FROM voa_states ORDER BY seq; "
            "DROP TABLE voa_states;");
        !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

}  // namespace rbgate::spool::ledger_sql

namespace rbgate::spool {

void ItemBatch::Add(std::string_view kind, std::uint64_t line, std::string_view day,
                    std::string_view text) {
  Block* block = nullptr;
  for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
    if (it->kind == kind && it->day == day && it->count < kMaxBlock) {
      block = &*it;
      break;
    }
  }
  if (block == nullptr) {
    block = &blocks_.emplace_back();
    block->kind = kind;
    block->day = day;
    block->first_line = line;
  }
  char number[24];
  block->lines.append(number, std::to_chars(number, number + sizeof number, line).ptr);
  block->lines += '\t';
  if (text.find('\n') == std::string_view::npos) {
    block->lines += text;
  } else {
    for (char c : text) block->lines += c == '\n' ? ' ' : c;  // one line an item, always
  }
  block->lines += '\n';
  ++block->count;
  ++size_;
}

}  // namespace rbgate::spool
