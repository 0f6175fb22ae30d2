#include "capture/ring_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace ps {

namespace {

bool parse_number(const std::string& s, double& v) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  char* end = nullptr;
  errno = 0;
  v = std::strtod(s.c_str(), &end);
  return errno == 0 && end && *end == '\0' && std::isfinite(v) && v > 0;
}

// The option as the message quotes it: control characters escaped, so the message stays one line.
std::string quoted(const std::string& s) {
  std::string q;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f)
      q += fmt::format("\\x{:02x}", c);
    else
      q += static_cast<char>(c);
  }
  return q;
}

} // namespace

bool parse_ring_option(const std::string& arg, RingOptions& o, std::string& err) {
  size_t start = 0;
  while (start <= arg.size()) {
    const size_t comma = arg.find(',', start);
    const std::string part =
        arg.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t colon = part.find(':');
    const std::string key = part.substr(0, colon);
    double v = 0;
    if (colon == std::string::npos || !parse_number(part.substr(colon + 1), v)) {
      err = fmt::format("bad -b option '{}' (filesize:MB, duration:SECONDS, files:N)", quoted(part));
      return false;
    }
    if (key == "filesize" && v <= 1e9) // at most a petabyte: the conversions below stay defined
      o.file_bytes = static_cast<uint64_t>(v * 1e6);
    else if (key == "duration" && v <= 1e9)
      o.duration_ns = static_cast<int64_t>(v * 1e9);
    else if (key == "files" && v == std::floor(v) && v <= 1e6)
      o.files = static_cast<uint32_t>(v);
    else {
      err = fmt::format("bad -b option '{}' (filesize:MB, duration:SECONDS, files:N)", quoted(part));
      return false;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

std::string ring_file_name(const std::string& path, uint32_t n, Timestamp ts) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
  const std::string stem = has_ext ? path.substr(0, dot) : path;
  const std::string ext = has_ext ? path.substr(dot) : "";
  const time_t t = static_cast<time_t>(ts.sec);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm);
  return fmt::format("{}_{:05}_{}{}", stem, n, when, ext);
}

std::unique_ptr<RingWriter> RingWriter::open(const std::string& path, CaptureFormat format,
                                             const CaptureReader& source, const RingOptions& ring,
                                             CaptureWriteError& err) {
  std::unique_ptr<RingWriter> w(new RingWriter());
  w->path_ = path;
  w->format_ = format;
  w->source_ = &source;
  w->ring_ = ring;
  if (ring.active() && path == "-") {
    err = CaptureWriteError{"-b needs a file name for -w, not '-'", 2};
    return nullptr;
  }
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  if (!w->start_file(Timestamp{now.tv_sec, static_cast<uint32_t>(now.tv_nsec)})) {
    err = *w->error_;
    return nullptr;
  }
  return w;
}

bool RingWriter::start_file(Timestamp ts) {
  ++number_;
  const std::string name = ring_.active() ? ring_file_name(path_, number_, ts) : path_;
  CaptureWriteError err;
  current_ = CaptureWriter::open(name, format_, *source_, err);
  if (!current_) {
    error_ = err;
    return false;
  }
  files_.push_back(name);
  bytes_ = 0;
  file_frames_ = 0;
  file_start_ = ts;
  return true;
}

bool RingWriter::write(const Frame& f) {
  if (error_) return false;
  const uint64_t size = (format_ == CaptureFormat::Pcap ? 16 : 32) + ((f.data.size() + 3) & ~size_t{3});
  if (ring_.active() && file_frames_ > 0) {
    const int64_t age = (f.ts.sec - file_start_.sec) * 1'000'000'000 +
                        (static_cast<int64_t>(f.ts.nsec) - static_cast<int64_t>(file_start_.nsec));
    const bool full = ring_.file_bytes != 0 && bytes_ + size > ring_.file_bytes;
    const bool old = ring_.duration_ns != 0 && age >= ring_.duration_ns;
    if (full || old) {
      if (!commit()) return false;
      while (ring_.files != 0 && files_.size() >= ring_.files) {
        if (::unlink(files_.front().c_str()) != 0 && errno != ENOENT) {
          error_ = CaptureWriteError{
              fmt::format("cannot remove '{}': {}", files_.front(), std::strerror(errno)), 1};
          return false;
        }
        files_.pop_front();
      }
      if (!start_file(f.ts)) return false;
    }
  }
  if (!current_->write(f)) {
    error_ = current_->error();
    return false;
  }
  bytes_ += size;
  ++file_frames_;
  ++frames_;
  return true;
}

bool RingWriter::commit() {
  if (error_) return false;
  if (!current_) return true;
  if (!current_->commit()) {
    error_ = current_->error();
    return false;
  }
  current_.reset();
  return true;
}

} // namespace ps
