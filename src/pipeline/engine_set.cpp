#include "pipeline/engine_set.h"

#include <algorithm>

namespace ps {

EngineSet::EngineSet(const EngineOptions& eo, unsigned jobs) {
  jobs = std::max(1u, jobs);
  for (unsigned k = 0; k < jobs; ++k) {
    EngineOptions o = eo;
    if (jobs > 1) o.shard = Shard{static_cast<uint16_t>(k), static_cast<uint16_t>(jobs)};
    engines_.push_back(std::make_unique<Engine>(std::move(o)));
  }
}

RunResult EngineSet::run(CaptureReader& reader, const RunLimits& limits, const ParallelHooks& hooks) {
  if (engines_.size() == 1) return engines_[0]->run(reader, limits);
  std::vector<Engine*> e;
  for (auto& p : engines_) e.push_back(p.get());
  return run_parallel(reader, e, limits, hooks);
}

void EngineSet::finish() {
  for (auto& e : engines_) e->finish();
}

LimitHits EngineSet::limit_hits() const {
  if (engines_.size() == 1) return engines_[0]->limit_hits();
  LimitHits h;
  for (size_t k = 0; k < engines_.size(); ++k) add_worker_limit_hits(h, engines_[k]->limit_hits(), k == 0);
  return h;
}

namespace {

// Merges one kind: entries of every worker ordered by tag (a worker's own order breaks ties).
template <class T>
void merge_kind(const EngineSet& set, std::vector<T>& out, const std::vector<T>& (*entries)(const Engine&),
                const std::vector<EmitTag>& (*tags)(const Engine&)) {
  struct Ref {
    const EmitTag* tag;
    unsigned worker;
    size_t index;
  };
  std::vector<Ref> refs;
  for (unsigned k = 0; k < set.size(); ++k) {
    const auto& v = entries(set[k]);
    const auto& t = tags(set[k]);
    for (size_t i = 0; i < v.size() && i < t.size(); ++i) refs.push_back({&t[i], k, i});
  }
  std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) {
    if (*a.tag != *b.tag) return *a.tag < *b.tag;
    return a.worker < b.worker;
  });
  out.reserve(refs.size());
  for (const Ref& r : refs) out.push_back(entries(set[r.worker])[r.index]);
}

} // namespace

app::Transactions merge_transactions(const EngineSet& set) {
  if (set.size() == 1) return set[0].transactions();
  app::Transactions t;
  merge_kind<app::HttpTxn>(
      set, t.http, [](const Engine& e) -> const auto& { return e.transactions().http; },
      [](const Engine& e) -> const auto& { return e.transaction_tags().http; });
  merge_kind<app::FtpTxn>(
      set, t.ftp, [](const Engine& e) -> const auto& { return e.transactions().ftp; },
      [](const Engine& e) -> const auto& { return e.transaction_tags().ftp; });
  merge_kind<app::SmtpTxn>(
      set, t.smtp, [](const Engine& e) -> const auto& { return e.transactions().smtp; },
      [](const Engine& e) -> const auto& { return e.transaction_tags().smtp; });
  merge_kind<app::Pop3Txn>(
      set, t.pop3, [](const Engine& e) -> const auto& { return e.transactions().pop3; },
      [](const Engine& e) -> const auto& { return e.transaction_tags().pop3; });
  merge_kind<app::SslTxn>(
      set, t.ssl, [](const Engine& e) -> const auto& { return e.transactions().ssl; },
      [](const Engine& e) -> const auto& { return e.transaction_tags().ssl; });
  merge_kind<app::SshTxn>(
      set, t.ssh, [](const Engine& e) -> const auto& { return e.transactions().ssh; },
      [](const Engine& e) -> const auto& { return e.transaction_tags().ssh; });
  // Each worker kept its first max_per_kind of a kind; one engine keeps the first max_per_kind of all.
  t.max_per_kind = set[0].transactions().max_per_kind;
  for (unsigned k = 0; k < set.size(); ++k) t.dropped += set[k].transactions().dropped;
  auto cap = [&t](auto& v) {
    if (v.size() <= t.max_per_kind) return;
    t.dropped += v.size() - t.max_per_kind;
    v.resize(t.max_per_kind);
  };
  cap(t.http);
  cap(t.ftp);
  cap(t.smtp);
  cap(t.pop3);
  cap(t.ssl);
  cap(t.ssh);
  return t;
}

} // namespace ps
