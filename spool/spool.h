// The durable spool: files land in incoming/<route>/, are claimed by rename into work/<id>,
// checked, and end in exactly one of archive/ (then outbound/<destination>/ and delivered)
// or quarantine/<id>/. Every transition is in the ledger before the next step on disk begins,
// so a crash at any point resumes from the last recorded state (Recover).
//
// Durability: a sync (GroupSync, shared by every worker waiting) comes before each step that
// cannot be undone: the ledger row before a file leaves incoming/; the archive, the outbound
// links and every delivery before the work and outbound copies go. Other transitions are
// progress markers that ride on the next sync (Record); recovery redoes a lost step.
//
//   root/ledger.db               the ledger (SQLite, WAL), unless it is in PostgreSQL
//   root/incoming/<route>/       drop folders
//   root/work/<id>               claimed originals
//   root/quarantine/<id>/        original, report.json, meta.json
//   root/archive/yyyy/mm/dd/<id>.zst
//   root/outbound/<destination>/ outputs waiting for delivery
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "spool/check/check.h"
#include "spool/durability.h"
#include "spool/fsio.h"
#include "spool/ledger.h"
#include "spool/openpgp.h"
#include "spool/status.h"

namespace rbgate::spool {

// When a file in a drop folder is complete enough to claim.
struct SettleRule {
  // Names ending so are still being written (never claimed). Hidden names never are either.
  std::vector<std::string> ignore_suffixes{".part", ".tmp"};
  // If set (e.g. ".done"), FILE is claimed only once FILE + done_marker exists; the marker is
  // removed after the claim. Size and mtime are then not watched.
  std::string done_marker;
  // Size and mtime unchanged for this long.
  int stable_seconds = 2;
};

struct RouteOptions {
  std::string name;  // the drop folder is incoming/<name>
  std::string feed;  // empty: detect from content
  std::vector<std::string> destinations;
  SettleRule settle;
  // "csv" or "jsonl": a feed with a transform is delivered with its rows (<output name>.csv or
  // .jsonl), written in the checking pass. Empty: the file as it came, alone.
  std::string transform;
  // Four eyes: an accepted file waits, archived, in awaiting-approval until an officer other
  // than the one who dropped or released it approves (Spool::Approve).
  bool approval = false;
  // OpenPGP ([route.openpgp], with SpoolOptions::openpgp_home). The original as it came (the
  // ciphertext) is what is hashed, archived and quarantined; its content is made in work/ only
  // (work/<id>.plain), checked there and delivered, and goes with the work copies. A file
  // that does not meet these is quarantined with an openpgp.* finding.
  struct OpenPgp {
    // "required": only files encrypted to the keyring's secret key are taken; "optional":
    // encrypted ones are decrypted, others taken as they are; empty: not decrypted.
    std::string decrypt;
    // Fingerprints (primary keys) of the senders whose signature a file must carry (one good
    // signature by one of them); empty: a signature is not required (any there is verified).
    std::vector<std::string> signed_by;
    bool any() const { return !decrypt.empty() || !signed_by.empty(); }
  } openpgp;
};

// Where outputs go. A `directory` destination delivers by atomic rename (or a synced copy
// across filesystems) into a local folder, in the same step. Any other type (sftp, https) is
// a network destination: its outputs wait in outbound/<name>/ with a queue row each, and the
// gateway's forwarders deliver them (TakeDelivery ... FinishDelivery).
struct DestinationOptions {
  std::string name;
  std::string type = "directory";
  std::string path;  // directory only
  // OpenPGP: each output is encrypted to these keys (fingerprints in the keyring) and signed
  // with `sign_with` (a secret key; empty: unsigned) as it is put in outbound/, and goes as
  // <name>.pgp. Empty: sent as it is.
  std::vector<std::string> encrypt_to;
  std::string sign_with;
  bool network() const { return type != "directory"; }
  bool encrypts() const { return !encrypt_to.empty(); }
};

struct SpoolOptions {
  std::string root;
  LedgerLocation ledger;  // default: SQLite at root/ledger.db
  // Several nodes on one spool: this one's name. A node claims a file by renaming it aside
  // first (incoming/<route>/.rbgate-claim+<node>+<name>), so that one node takes it.
  std::string node;
  std::vector<RouteOptions> routes;
  std::vector<DestinationOptions> destinations;
  check::CheckSettings check;
  std::uint64_t max_file_bytes = std::uint64_t{16} << 30;
  // Below this much free space the spool takes no new work (and says so).
  std::int64_t min_free_bytes = std::int64_t{64} << 20;
  std::string user;  // who acts, for the ledger (the OS user)
  // The OpenPGP keyring (GNUPGHOME) routes and destinations use; empty: gpg's default.
  std::string openpgp_home;
  // What the feeds' stores are told (schemas/feed_store.h): the billing authorities whose
  // records are kept from files covering several (empty: every one's; a country's list then
  // costs ~16 bytes an entry in the ledger, compressed).
  schemas::StoreSettings store;
};

// A file in a drop folder that has settled and may be claimed.
struct Candidate {
  std::string route;
  std::string name;
  NodeKind kind = NodeKind::kRegular;
};

// What a scan saw: candidates ready now, and how many others are still settling.
struct ScanResult {
  std::vector<Candidate> ready;
  std::size_t settling = 0;
  // Routes not looked at: their feed's schema has never loaded (Spool::FeedServes).
  std::vector<std::string> held_routes;
};

// What waits in one drop folder, for monitoring.
struct RouteBacklog {
  std::string route;
  std::size_t waiting = 0;  // files not yet claimed, settling ones included (not temporaries)
  std::int64_t oldest_mtime_ns = 0;  // the oldest one's modification time; 0 when none
};

// Where the archive copy of `f` lives under spool `root`: archive/yyyy/mm/dd/<id>.zst, by the
// day it was received.
std::string ArchivePath(const std::string& root, const FileRecord& f);

class Spool {
 public:
  // Creates the layout under options.root if needed and opens the ledger.
  static StatusOr<std::unique_ptr<Spool>> Open(SpoolOptions options);

  // Reconciles the ledger with the folders after a crash: finishes every unfinished file,
  // sweeps temporaries. Returns the first error that needs attention (others continue).
  Status Recover();
  // Several nodes: files a node renamed aside to claim, put back under their names when
  // `restore(node)` says so (this node's at recovery; nodes whose lease ran out, before their
  // files are adopted), to be claimed again or resumed from `claiming`.
  // `keep`: names left as they are (a row still `claiming` them).
  void RestoreClaims(const std::function<bool(const std::string& node)>& restore,
                     const std::set<std::string>& keep = {});
  // Several nodes: this node's claims left aside in doubt (the ledger went away as it recorded
  // one, so whether it kept the row was not known) and not being claimed now (`busy(route +
  // "/" + name)`): those whose row the ledger has are returned, to resume; the others go back
  // under their names. kUnavailable while the ledger does not answer.
  StatusOr<std::vector<std::string>> SettleClaims(
      const std::function<bool(const std::string& key)>& busy);
  // An adopted file still `claiming`: the claim its dead node (`dead(node)`) made, renamed to
  // this node's, where resuming it looks.
  void TakeOverClaim(const FileRecord& f, const std::function<bool(const std::string& node)>& dead);

  // Looks at the drop folders. Settling is judged across calls (size and mtime seen last
  // time), so call it periodically; `now_ms` is a monotonic clock in milliseconds.
  ScanResult Scan(std::int64_t now_ms);

  // Claims a candidate: a ledger row, then rename into work/<id> (or, for something that is
  // not a regular file, into quarantine/<id>/original, refused). kNotFound if it vanished.
  Status Claim(const Candidate& c, std::string& id);

  // Takes a claimed file to a final state, resuming from whatever state the ledger holds.
  // kUnavailable (disk full) leaves it where it is, to be resumed later. The final state is
  // committed but made durable only by the next sync point: call Flush before relying on it
  // (the daemon does when it goes idle and when it stops), or use ProcessDurably.
  Status Process(const std::string& id);
  Status ProcessDurably(const std::string& id);

  // Makes every commit and file written so far durable.
  Status Flush();

  // Takes one step (one state transition) towards a final state; `final` says the file is
  // already in one. Process is Step until final; tests use Step to stop between any two.
  Status Step(const std::string& id, bool& final);

  // OK when `feed` can judge files now: built in, detected (empty), or a schema-file feed with a
  // version serving. kFailedPrecondition, with the schema's fault, when it has none.
  Status FeedServes(const std::string& feed) const;

  // True when free space is below the threshold: take no new work.
  bool LowOnSpace() const;
  // Free bytes on the spool's file system; -1 when it cannot be told.
  std::int64_t FreeSpace() const;
  // What waits in each route's drop folder. Reads the folders; changes nothing.
  std::vector<RouteBacklog> Backlog() const;

  // Operator actions, each recorded with the user and reason. `user`: who acts (the web
  // console's signed-in officer); empty: options().user, the OS user.
  Status Release(const std::string& id, const std::string& reason, bool force_duplicate,
                 const std::string& user = {});
  Status Reject(const std::string& id, const std::string& reason, const std::string& user = {});
  Status Reprocess(const std::string& id, const std::string& reason, const std::string& user = {});
  // The second officer's approval of a file awaiting it; refused (kPermissionDenied) to the
  // person who dropped the file or released or reprocessed it. The file then goes on its way.
  Status Approve(const std::string& id, const std::string& reason, const std::string& user = {});

  // The outbound queue, for the forwarders. The next item due for `destination`, marked sending,
  // with the path of the copy to send (outbound/<destination>/<name>, made again from the
  // archive if a crash lost it); nullopt when none is due (or on a ledger error, in `status`).
  std::optional<OutboundItem> TakeDelivery(const std::string& destination, std::int64_t now_ms,
                                           std::string& path, Status& status);
  // Records how an attempt ended and what follows: delivered, the outbound copy goes once no
  // other item needs it; refused, the file goes to quarantine with the destination's reason.
  // `file_state`: the file's new state when this attempt changed it (delivered when it was its
  // last item; quarantined when its refusal sent the file there), else empty.
  Status FinishDelivery(const OutboundItem& item, const AttemptResult& r, std::string& file_state);
  // An operator's retry now, or cancellation, of a queued item, on record with the reason.
  Status RetryDelivery(std::uint64_t id, const std::string& reason, const std::string& user = {});
  Status CancelDelivery(std::uint64_t id, const std::string& reason, const std::string& user = {});

  // Checks the file at `path` as the spool does: CheckFile, then what its feed's store says of
  // it against the records (an input report against the submission it answers; a report
  // whose returned items are on record under `id` against the items sent and earlier
  // returns). Nothing is recorded.
  std::unique_ptr<check::FileReport> CheckAsSpool(const std::string& path, const std::string& feed,
                                                  const std::string& id = {});

  Ledger& ledger() { return *ledger_; }
  std::uint64_t syncs() const { return sync_->syncs(); }
  std::uint64_t sync_requests() const { return sync_->requests(); }
  double sync_seconds() const { return sync_->sync_seconds(); }
  const SpoolOptions& options() const { return options_; }
  std::string QuarantineDir(const std::string& id) const;
  // incoming/<route>/.rbgate-claim+<node>+<name>: a file `node` renamed aside to claim.
  std::string ClaimPath(const std::string& route, const std::string& node,
                        const std::string& name) const;
  std::string WorkPath(const std::string& id) const;
  std::string ArchivePath(const FileRecord& f) const;
  // The name a file's output gets: its content hash and its (sanitised) original name.
  static std::string OutputName(const FileRecord& f);
  // What a file is delivered as: its original under OutputName, then, when its route
  // transforms its feed, the rows under OutputName + ".csv" or ".jsonl".
  struct Output {
    std::string work;  // where it waits in work/
    std::string name;  // its name in outbound/ and at each destination
  };
  std::vector<Output> Outputs(const FileRecord& f) const;
  // An output's name in outbound/<destination>/ and at the destination: <name>.pgp when the
  // destination encrypts.
  static std::string NameAt(const DestinationOptions& d, const Output& o);
  // work/<id>.plain: a file's content, decrypted, on a route with OpenPGP.
  std::string PlainPath(const std::string& id) const;
  // A name made safe for a file system and a log: no separators, controls or non-ASCII.
  static std::string SanitiseName(const std::string& name);

 private:
  // The session of `feed`'s store, or null when its feed keeps no records beyond the file.
  std::unique_ptr<schemas::FeedSession> OpenSession(const std::string& feed) const;
  // Runs `step`, which may add findings to `report`, and keeps the findings in order.
  static Status AddFindings(check::FileReport& report, const std::function<Status()>& step);
  explicit Spool(SpoolOptions options) : options_(std::move(options)) {}
  const RouteOptions* FindRoute(const std::string& name) const;
  const DestinationOptions* FindDestination(const std::string& name) const;
  std::string NewId();

  Status Check(FileRecord& f);
  Status Quarantine(const FileRecord& f);
  // The steps after acceptance. With `batch`, each appends its transition there instead of
  // committing it, and DeliverStep commits them all with its own.
  Status Step(const std::string& id, bool& final, bool in_one_go);
  Status ArchiveStep(const FileRecord& f, std::vector<StateChange>* batch);
  Status OutboundStep(const FileRecord& f, std::vector<StateChange>* batch);
  Status RestoreWorkCopy(const FileRecord& f, const Output& o, bool& restored);
  // The work copies go: the outputs, then the original (its absence says they all went).
  Status RemoveWorkCopies(const FileRecord& f);
  // OpenPGP: the route's, or null when it has none.
  const RouteOptions::OpenPgp* OpenPgpOf(const FileRecord& f) const;
  // Decrypts and verifies `from` (the original) into PlainPath(f.id) (written aside, then
  // renamed); a file the route need not have had encrypted is linked as it is. kUnavailable
  // when gpg cannot run or the disk fails; the other failures are findings (Judge).
  Status Unwrap(const FileRecord& f, const std::string& from, openpgp::Decrypted& d,
                Status& verdict);
  // The findings (openpgp.*) that `verdict` and `d` give against the route's requirements.
  static void Judge(const RouteOptions::OpenPgp& p, const Status& verdict,
                    const openpgp::Decrypted& d, parsers::DiagnosticCollector& findings);
  // Puts `from` in outbound/ as `out` for `d`: a hard link, or, when `d` encrypts, an
  // encrypted copy written aside and renamed into place.
  Status MakeOutboundCopy(const DestinationOptions& d, const std::string& from,
                          const std::string& out);
  bool NeedsApproval(const FileRecord& f) const;
  // The network destinations and names a file's outputs were delivered to.
  std::set<std::pair<std::string, std::string>> SentOver(const std::string& id);
  Status RemoveOutboundCopy(const OutboundItem& item);
  Status DeliverStep(const FileRecord& f, std::vector<StateChange>* batch);
  Status Note(const FileRecord& f, std::vector<StateChange>* batch, std::string_view to,
              std::string detail);
  Status WriteQuarantineFiles(const FileRecord& f, const std::string& report_json);
  // The rows extension `route` gives `feed` (empty: none), and a file's rows made again from the
  // original in work/ (after a crash lost them).
  std::string RowsExtension(const std::string& route, std::string_view feed) const;
  Status WriteRows(const FileRecord& f, const std::string& to);
  // Makes everything written so far durable (group commit), before the next step relies on it.
  Status Durable();
  // `s`, made durable when it is a success (a ledger commit).
  Status Commit(const Status& s);
  // A ledger transition, made durable before returning.
  Status Transition(const std::string& id, std::string_view to, std::string_view detail,
                    std::string_view outcome = {});
  // A ledger transition that is a progress marker, committed without a sync of its own. Fine
  // wherever losing it in a power cut only means the step is done again: the sync points are
  // before what cannot be undone (moving a file out of incoming/, removing a work or outbound
  // copy) and before what an officer or a caller is told is done.
  Status Record(const std::string& id, std::string_view to, std::string_view detail,
                std::string_view outcome = {});

  SpoolOptions options_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<GroupSync> sync_;
  // Serialises "is this a duplicate?" with "accept it", so two copies processed at once
  // cannot both be accepted.
  std::mutex accept_mu_;
  struct Seen {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t stable_since_ms = 0;
  };
  // Serialises bringing back a file's work copy from the archive (forwarders of several
  // destinations may want the same file's copy after a crash).
  std::mutex restore_mu_;
  std::mutex scan_mu_;
  std::map<std::string, Seen> seen_;  // by route/name
};

}  // namespace rbgate::spool
