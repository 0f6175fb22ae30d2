#include "capture/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "capture/reader.h"

namespace ps::capture_detail {

namespace {
// Stream mode: reads of 256 KiB, small enough that what the kernel copies is still in cache when read.
constexpr size_t kMinBuffer = size_t{256} << 10;
} // namespace

std::string quote_name(const std::string& path) {
  if (path == "-") return "standard input";
  return "'" + path + "'";
}

ByteSource ByteSource::open(const std::string& path) {
  if (path == "-") return from_fd(STDIN_FILENO, path, false);
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    throw CaptureOpenError(fmt::format("cannot open {}: {}", quote_name(path), std::strerror(errno)));
  return from_fd(fd, path, true);
}

ByteSource ByteSource::from_fd(int fd, const std::string& display_name, bool owned) {
  ByteSource src;
  src.name_ = quote_name(display_name);
  src.fd_ = fd;
  src.owned_ = owned;
  src.init_from_fd(fd); // on throw, src's destructor closes an owned fd
  return src;
}

void ByteSource::init_from_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw CaptureOpenError(fmt::format("cannot open {}: {}", name_, std::strerror(errno)));
  if (S_ISDIR(st.st_mode))
    throw CaptureOpenError(fmt::format("cannot open {}: {}", name_, std::strerror(EISDIR)));
  if (S_ISREG(st.st_mode)) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); // a larger read-ahead
  // Nothing is read until the first ensure().
}

ByteSource::ByteSource(ByteSource&& o) noexcept
    : name_(std::move(o.name_)), fd_(o.fd_), owned_(o.owned_), eof_(o.eof_), buf_(std::move(o.buf_)),
      data_(buf_.data()), pos_(o.pos_), end_(o.end_), base_offset_(o.base_offset_) {
  o.fd_ = -1;
  o.owned_ = false;
  o.data_ = nullptr;
  o.pos_ = o.end_ = 0;
}

ByteSource::~ByteSource() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

bool ByteSource::refill(size_t n) {
  if (eof_) return false;
  // Keep the unread bytes, at the front of the buffer.
  const size_t have = end_ - pos_;
  if (pos_ > 0) {
    if (have > 0) std::memmove(buf_.data(), buf_.data() + pos_, have);
    base_offset_ += pos_;
    pos_ = 0;
    end_ = have;
  }
  while (end_ < n && !eof_) {
    if (end_ == buf_.size()) {
      // Grow step by step (doubling) so a hostile length does not allocate before data arrives.
      size_t cap = std::max(kMinBuffer, buf_.size() * 2);
      cap = std::min(cap, std::max(n, kMinBuffer));
      buf_.resize(cap);
    }
    const ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (got < 0) {
      if (errno == EINTR) continue;
      eof_ = true; // read error: treated as the end of the input (the reader reports truncation)
      break;
    }
    if (got == 0) {
      eof_ = true;
      break;
    }
    end_ += static_cast<size_t>(got);
  }
  data_ = buf_.data();
  return end_ >= n;
}

bool ByteSource::skip(uint64_t n) {
  if (avail() >= n) {
    advance(static_cast<size_t>(n));
    return true;
  }
  if (eof_) {
    advance(avail());
    return false;
  }
  n -= avail();
  base_offset_ += end_;
  pos_ = end_ = 0;
  while (n > 0) {
    if (!refill(1)) return false;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n, avail()));
    advance(take);
    n -= take;
  }
  return true;
}

} // namespace ps::capture_detail
