// Bounding a table by forgetting its least recently active entries, in one pass over the table.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ps {

// How many entries stay after a table reached its limit: a tenth is freed at once, so the O(n) pass
// runs once per limit/10 insertions (amortized O(1) per entry).
inline size_t entries_kept_after_eviction(size_t limit) {
  return limit - std::max<size_t>(1, limit / 10);
}

// Erases from `map` the entries with the oldest `last_active(value)` until `keep` remain; returns how
// many were erased. `on_evict(key, value)` runs just before each erase.
template <class Map, class LastActive, class OnEvict>
size_t evict_least_recent(Map& map, size_t keep, LastActive last_active, OnEvict on_evict) {
  if (map.size() <= keep) return 0;
  const size_t drop = map.size() - keep;
  std::vector<int64_t> times;
  times.reserve(map.size());
  for (const auto& kv : map) times.push_back(last_active(kv.second));
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(drop - 1), times.end());
  const int64_t cutoff = times[drop - 1];
  size_t erased = 0;
  // Strictly older first, then as many entries active exactly at the cutoff as still needed.
  for (bool ties : {false, true}) {
    for (auto it = map.begin(); it != map.end() && erased < drop;) {
      const int64_t t = last_active(it->second);
      if (t < cutoff || (ties && t == cutoff)) {
        on_evict(it->first, it->second);
        it = map.erase(it);
        ++erased;
      } else {
        ++it;
      }
    }
  }
  return erased;
}

} // namespace ps
