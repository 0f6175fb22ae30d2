#include "dissect/record.h"

#include <cstring>

namespace ps {

char* Arena::alloc(size_t n) {
  while (true) {
    if (chunk_ < chunks_.size() && used_ + n <= sizes_[chunk_]) {
      char* p = chunks_[chunk_].get() + used_;
      used_ += n;
      return p;
    }
    if (chunk_ < chunks_.size() && used_ != 0) {
      ++chunk_;
      used_ = 0;
      continue;
    }
    if (chunk_ < chunks_.size() && n > sizes_[chunk_]) {
      // An oversized request: give this slot a chunk big enough.
      chunks_[chunk_] = std::make_unique<char[]>(n);
      sizes_[chunk_] = n;
      continue;
    }
    size_t size = n > kChunk ? n : kChunk;
    chunks_.push_back(std::make_unique<char[]>(size));
    sizes_.push_back(size);
    chunk_ = chunks_.size() - 1;
    used_ = 0;
  }
}

std::string_view Arena::copy(std::string_view s) {
  if (s.empty()) return {};
  char* p = alloc(s.size());
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

void Record::reset(bool tree, const std::bitset<kFieldCount>* wanted, bool columns) {
  items_.clear();
  arena_.reset();
  cols_.clear();
  tree_ = tree;
  wanted_ = wanted;
  columns_ = columns || tree;
  depth_ = 0;
  malformed = {};
  truncated = false;
  protocols_.clear();
  sources_.clear();
}

Item& Record::push(F f, uint32_t off, uint32_t len) {
  Item& it = add(f, off, len);
  ++depth_;
  return it;
}

Item& Record::add(F f, uint32_t off, uint32_t len, uint64_t num) {
  Item& it = items_.emplace_back();
  it.field = f;
  it.depth = depth_;
  it.offset = off;
  it.length = len;
  it.num = num;
  return it;
}

Item& Record::add_str(F f, uint32_t off, uint32_t len, std::string_view s) {
  Item& it = add(f, off, len);
  it.str = s;
  return it;
}

Item& Record::text(std::string_view s, uint32_t off, uint32_t len) {
  Item& it = add(F::TEXT, off, len);
  it.text = s;
  return it;
}

} // namespace ps
