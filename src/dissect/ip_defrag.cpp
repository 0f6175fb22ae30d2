#include "dissect/ip_defrag.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace ps {

IpDefragmenter::Key IpDefragmenter::key_of(const IpFragment& f) {
  Key k{};
  const size_t alen = f.ip_version == 4 ? 4 : 16;
  k[0] = f.ip_version;
  k[1] = f.ip_version == 4 ? f.proto : 0; // IPv6 fragments of one datagram share an id, not a header
  for (int i = 0; i < 4; ++i) k[4 + static_cast<size_t>(i)] = static_cast<uint8_t>(f.id >> (24 - 8 * i));
  std::memcpy(&k[8], f.src, alen);
  std::memcpy(&k[24], f.dst, alen);
  return k;
}

void IpDefragmenter::drop(List::iterator it) {
  ++counters_.dropped_datagrams;
  counters_.dropped_fragments += it->dg.fragments.size();
  counters_.pending_bytes -= it->dg.data.size();
  --counters_.pending_datagrams;
  index_.erase(it->key);
  pending_.erase(it);
}

bool IpDefragmenter::make_room(size_t growth, const Pending* keep) {
  while (counters_.pending_bytes + growth > opt_.max_pending_bytes) {
    auto victim = pending_.begin();
    if (victim != pending_.end() && &*victim == keep) ++victim;
    if (victim == pending_.end()) return false;
    drop(victim);
  }
  return true;
}

uint32_t IpDefragmenter::cover(Pending& p, const IpFragment& f) {
  const uint32_t b = f.offset, e = f.offset + static_cast<uint32_t>(f.payload.size());
  auto copy = [&](uint32_t from, uint32_t to) {
    std::memcpy(p.dg.data.data() + from, f.payload.data() + (from - b), to - from);
  };
  auto& c = p.covered;
  uint32_t repeated = 0, pos = b;
  for (const auto& [rb, re] : c) {
    if (re <= pos) continue;
    if (rb >= e) break;
    if (rb > pos) copy(pos, rb); // a hole this fragment fills
    repeated += std::min(re, e) - std::max(rb, pos);
    pos = re;
    if (pos >= e) break;
  }
  if (pos < e) copy(pos, e);
  // Merge [b, e) with every held range it overlaps or touches.
  auto first =
      std::lower_bound(c.begin(), c.end(), b, [](const auto& r, uint32_t v) { return r.second < v; });
  auto last = first;
  uint32_t nb = b, ne = e;
  for (; last != c.end() && last->first <= e; ++last) {
    nb = std::min(nb, last->first);
    ne = std::max(ne, last->second);
  }
  first = c.erase(first, last);
  c.insert(first, {nb, ne});
  return repeated;
}

bool IpDefragmenter::complete(const Pending& p) {
  return p.have_last && p.covered.size() == 1 && p.covered[0].first == 0 && p.covered[0].second == p.total;
}

const IpReassembly* IpDefragmenter::add(const IpFragment& f) {
  ++counters_.fragments;
  const uint64_t end = uint64_t{f.offset} + f.payload.size();
  if (end > opt_.max_datagram || (f.payload.empty() && f.more)) {
    ++counters_.dropped_fragments;
    return nullptr;
  }
  const Key key = key_of(f);
  List::iterator it;
  if (auto found = index_.find(key); found != index_.end()) {
    it = found->second;
  } else {
    if (opt_.max_pending_datagrams == 0) {
      ++counters_.dropped_fragments;
      return nullptr;
    }
    if (pending_.size() >= opt_.max_pending_datagrams) drop(pending_.begin());
    it = pending_.emplace(pending_.end());
    it->key = key;
    it->dg.ip_version = f.ip_version;
    it->dg.proto = f.ip_version == 4 ? f.proto : 0;
    index_.emplace(key, it);
    ++counters_.pending_datagrams;
  }
  Pending& p = *it;
  const uint32_t e = static_cast<uint32_t>(end);
  // A fragment past the known end, or a last fragment that disagrees with what is held: refused.
  const uint32_t held_end = p.covered.empty() ? 0 : p.covered.back().second;
  if ((p.have_last && e > p.total) || (!f.more && ((p.have_last && e != p.total) || held_end > e))) {
    ++counters_.dropped_fragments;
    return nullptr;
  }
  const size_t growth = e > p.dg.data.size() ? e - p.dg.data.size() : 0;
  if (!make_room(growth, &p)) { // this datagram alone would break the byte limit
    ++counters_.dropped_fragments;
    drop(it);
    return nullptr;
  }
  if (growth) {
    p.dg.data.reserve(e); // exactly: the byte count below is the memory held
    p.dg.data.resize(e);
    counters_.pending_bytes += growth;
  }
  if (!f.more) {
    p.have_last = true;
    p.total = e;
  }
  if (f.ip_version == 6 && f.offset == 0) p.dg.proto = f.proto;
  if (cover(p, f)) ++counters_.overlapping;
  auto& frags = p.dg.fragments;
  auto pos = std::upper_bound(frags.begin(), frags.end(), f.offset,
                              [](uint32_t off, const FragmentRef& r) { return off < r.offset; });
  frags.insert(pos, {f.frame, f.offset, static_cast<uint32_t>(f.payload.size())});
  if (!complete(p)) return nullptr;

  counters_.pending_bytes -= p.dg.data.size();
  --counters_.pending_datagrams;
  ++counters_.reassembled;
  done_ = std::move(p.dg);
  index_.erase(it->key);
  pending_.erase(it);
  return &done_;
}

} // namespace ps
