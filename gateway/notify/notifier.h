// The notifier: what happens becomes notices for the channels that want them ([[notify]]),
// queued in the ledger and sent from threads of its own, so that a channel that cannot be
// reached delays its notices, loses none, and never holds up a file.
//
// Files' events (quarantined, approval waiting, a VOA schedule that does not balance) are read
// from the audit chain behind a cursor in the ledger, which the notices and the cursor's move
// share a commit with: a crash at any point neither loses nor repeats one, and with several
// nodes the node that leads reads the chain; that node also walks the whole chain daily (the
// first time five minutes after start) and says when it fails verification. Other events (a feed
// late, a destination failing, a schema refused, the audit chain failing verification) are raised
// by the part that sees them and queued at once.
//
// Each channel sends on its own thread: due notices one message each, or, with a digest, every
// notice gathered once the first has waited digest_seconds. A failed attempt is retried with
// backoff (30 s doubling to 30 min, with jitter) and the channel rests meanwhile; a notice not
// sent within a day is given up (expired, on record, logged). A notice sent is on record with
// its time and message id (rbgate notify list, rbgate ledger show). A notice can be sent twice
// only when the answer to a sent message was lost; the copies carry the same Message-ID or
// Idempotency-Key.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/admin/metrics.h"
#include "gateway/notify/notify.h"
#include "spool/ledger.h"

namespace rbgate::gateway {

// The notice a file's event in the audit chain gives: event and summary (rbgate's own words
// and the file's facts, never its contents); nullopt for a state no notice is about.
// `voa_unbalanced`: said instead of "quarantined" to a channel that asks for it.
struct ChainNotice {
  Notice notice;
  bool voa_unbalanced = false;
};
std::optional<ChainNotice> NoticeOfChainEvent(const spool::ChainEvent& e);

// The ledger rows `n` makes: one for each channel that wants it, due at once or when the
// channel's digest closes.
std::vector<spool::NoticeRecord> NoticeRows(const std::vector<ChannelOptions>& channels,
                                            const Notice& n, std::int64_t now_ms,
                                            bool voa_unbalanced = false);

// The audit-failed notice for a verdict that is not ok.
Notice AuditFailedNotice(const spool::AuditVerdict& v);

class Notifier {
 public:
  // `leads()`: whether this node reads the chain (the one that leads; always with one node).
  Notifier(spool::Ledger& ledger, std::vector<ChannelOptions> channels, Metrics& metrics,
           std::function<bool()> leads);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues again what this node was sending when it stopped, then starts the threads.
  void Start();
  // Stops the threads; an attempt in progress ends first (at most a channel's timeout).
  void Stop();
  // `rbgate run --once`: reads the chain and sends what is due now, once each channel, then
  // returns; the rest waits for the next run.
  void Drain();

  // An event that is not a file's transition. Queued now; if the ledger does not answer, kept
  // here (up to 1,000) and queued when it does.
  void Raise(const Notice& n);

 private:
  struct Channel;
  void Feed();             // the chain and raised notices into the ledger (one thread)
  void VerifyIfDue();      // the audit chain walked daily on the node that leads
  bool FeedOnce();         // one pass; true when there may be more
  void Send(Channel& ch);  // one channel's thread
  // One message for `ch` if one is due; false when nothing was.
  bool SendOnce(Channel& ch, std::int64_t now_ms);

  spool::Ledger& ledger_;
  std::vector<ChannelOptions> options_;
  Metrics& metrics_;
  std::function<bool()> leads_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::string host_;  // in message ids
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::int64_t next_verify_ms_ = 0;          // the feeding thread's
  bool woken_ = false;                       // guarded by mu_
  std::vector<spool::NoticeRecord> raised_;  // guarded by mu_: not yet in the ledger
};

}  // namespace rbgate::gateway
