// Internal to src/capture: the bytes of a capture, either a buffer refilled by read() (any input; a
// regular file too, where this is the cheapest way through it once: the kernel's copy lands in a
// buffer that stays in cache) or, on request, a read-only private mapping of a regular file whose
// bytes stay valid for other threads (parallel runs).
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
    if (map_ && pos_ - released_ >= kReleaseStep + kKeepBehind) release_behind();
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
  bool mapped() const { return map_ != nullptr; }
  // Maps the rest of a regular file so that bytes at cur() and after stay valid until the source is
  // destroyed; false for pipes and when mmap is refused. Pointers from earlier cur() calls are void.
  bool map_rest();

private:
  // Mapped pages already read are handed back to the kernel every so often, so resident memory stays
  // small on multi-gigabyte files (frames are only valid until the next read, so nothing points there).
  static constexpr size_t kReleaseStep = size_t{32} << 20;
  static constexpr size_t kKeepBehind = size_t{16} << 20;
  void release_behind();

  ByteSource() = default;
  bool refill(size_t n);
  void init_from_fd(int fd);

  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
  bool eof_ = false;
  bool regular_ = false;    // a regular file: map_rest() may map it
  uint64_t file_start_ = 0; // offset in the file of input byte 0 (standard input read part-way)
  uint64_t file_size_ = 0;
  // Mapped mode: data_ is the mapping, [pos_, end_) the rest of the file.
  void* map_ = nullptr;
  size_t map_len_ = 0;
  // Stream mode: data_ is buf_.data(), [pos_, end_) the buffered unread bytes.
  std::vector<uint8_t> buf_;
  const uint8_t* data_ = nullptr;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_offset_ = 0; // input offset of data_[0]
  size_t released_ = 0;      // mapped mode: bytes of data_ before this were released
};

std::string quote_name(const std::string& path);

} // namespace ps::capture_detail
