#include "output/out_buffer.h"

#include <cerrno>
#include <unistd.h>

namespace ps {

void OutBuffer::flush() {
  if (fd_ == kMemory) return;
  const char* p = buf_.data();
  size_t n = buf_.size();
  while (ok_ && n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      ok_ = false;
      errno_ = errno;
      break;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  buf_.clear();
}

} // namespace ps
