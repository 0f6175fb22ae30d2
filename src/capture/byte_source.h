// Internal to src/capture: the bytes of a capture, through a buffer refilled by read(), whatever the
// input (file, pipe, standard input). For a file this is also the cheapest way through it once: the
// kernel's copy lands in a buffer that is still in cache when it is parsed, where a mapping takes a
// page fault and a first touch from memory for every page (measured in docs/decisions.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ps::capture_detail {

// Alignment-safe native-order loads plus optional byte swap.
inline uint16_t load16(const uint8_t* p, bool swap) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return swap ? __builtin_bswap16(v) : v;
}
inline uint32_t load32(const uint8_t* p, bool swap) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swap ? __builtin_bswap32(v) : v;
}
inline uint64_t load64(const uint8_t* p, bool swap) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return swap ? __builtin_bswap64(v) : v;
}

class ByteSource {
public:
  // Opens `path` ("-" is standard input). Throws CaptureOpenError (cannot open, directory).
  static ByteSource open(const std::string& path);
  // Uses an already open descriptor; `owned` says whether the source closes it.
  static ByteSource from_fd(int fd, const std::string& display_name, bool owned);

  ByteSource(ByteSource&& other) noexcept;
  ByteSource& operator=(ByteSource&&) = delete;
  ByteSource(const ByteSource&) = delete;
  ~ByteSource();

  // Makes at least `n` bytes readable at cur(); false if the input ends first (then avail() says
  // how many there are). Pointers from cur() stay valid until the next ensure()/skip().
  bool ensure(size_t n) {
    if (end_ - pos_ >= n) return true;
    return refill(n);
  }
  const uint8_t* cur() const { return data_ + pos_; }
  size_t avail() const { return end_ - pos_; }
  void advance(size_t n) { pos_ += n; }
  // Discards `n` bytes without buffering them all; false if the input ends first.
  bool skip(uint64_t n);
  // Byte offset of cur() from the start of the input.
  uint64_t offset() const { return base_offset_ + pos_; }

  // "'x.pcap'" or "standard input": ready to start or end a message.
  const std::string& name() const { return name_; }

private:
  ByteSource() = default;
  bool refill(size_t n);
  void init_from_fd(int fd);

  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
  bool eof_ = false;
  std::vector<uint8_t> buf_;
  const uint8_t* data_ = nullptr;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_offset_ = 0; // input offset of data_[0]
};

std::string quote_name(const std::string& path);

} // namespace ps::capture_detail
