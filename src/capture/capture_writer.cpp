// pcap and pcapng writers. Both write in the host's byte order (the magic numbers say which), as
// libpcap and Wireshark do.
#include "capture/capture_writer.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace ps {

namespace {

__extension__ typedef unsigned __int128 u128;

constexpr uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr uint32_t kDefaultSnaplen = 262144; // libpcap's MAXIMUM_SNAPLEN, for "unknown"

constexpr uint32_t kShb = 0x0A0D0D0A;
constexpr uint32_t kIdb = 1;
constexpr uint32_t kEpb = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kOptIfName = 2;
constexpr uint16_t kOptIfDescription = 3;
constexpr uint16_t kOptTsresol = 9;
constexpr uint16_t kOptShbUserAppl = 4;

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return r;
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// True when the resolution is finer than a microsecond.
bool finer_than_micro(uint8_t tsresol) {
  return (tsresol & 0x80) ? (tsresol & 0x7f) > 19 : tsresol > 6; // 2^20 > 10^6
}

size_t option_size(size_t value_len) {
  return 4 + ((value_len + 3) & ~size_t{3});
}

// ------------------------------------------------------------------------------------------------ pcap
class PcapWriter final : public CaptureWriter {
public:
  bool start(CaptureWriteError& err) {
    const auto& ifs = source_->interfaces();
    link_type_ = ifs.empty() ? source_->link_type() : ifs[0].link_type;
    uint32_t snaplen = 0;
    for (const InterfaceInfo& i : ifs) {
      if (i.link_type != link_type_) {
        err = several_link_types(i.link_type);
        return false;
      }
      snaplen = std::max(snaplen, i.snaplen);
      nano_ |= finer_than_micro(i.tsresol);
    }
    put32(nano_ ? kPcapMagicNano : kPcapMagicMicro);
    put16(2);
    put16(4);
    put32(0); // thiszone
    put32(0); // sigfigs
    put32(snaplen == 0 ? kDefaultSnaplen : snaplen);
    put32(link_type_ | (ifs.empty() ? 0 : ifs[0].link_type_ext));
    return true;
  }

  bool write(const Frame& f) override {
    if (failed()) return false;
    if (f.link_type != link_type_) [[unlikely]] {
      CaptureWriteError e = several_link_types(f.link_type);
      return fail(std::move(e.message), e.exit_code);
    }
    // pcap seconds are unsigned 32-bit: 1970..2106.
    const int64_t sec = std::clamp<int64_t>(f.ts.sec, 0, UINT32_MAX);
    const uint32_t caplen = static_cast<uint32_t>(f.data.size());
    uint32_t hdr[4] = {static_cast<uint32_t>(sec), nano_ ? f.ts.nsec : f.ts.nsec / 1000, caplen, f.wire_len};
    put(hdr, sizeof hdr);
    put(f.data.data(), caplen);
    ++frames_;
    return !failed();
  }

private:
  CaptureWriteError several_link_types(uint32_t other) const {
    return CaptureWriteError{
        fmt::format("cannot write {} as pcap: the capture has frames of link types {} and {}, and pcap holds "
                    "only one (write pcapng instead)",
                    display_name(), link_type_, other),
        2};
  }

  uint32_t link_type_ = 0;
  bool nano_ = false;
};

// ---------------------------------------------------------------------------------------------- pcapng
class PcapngWriter final : public CaptureWriter {
public:
  bool start(CaptureWriteError&) {
    const auto& secs = source_->sections();
    begin_section(0, secs.empty() ? nullptr : &secs[0]);
    // The interfaces defined before the first packet, as the input has them (also when no frame
    // passes, so the output describes the same capture).
    const auto& ifs = source_->interfaces();
    while (written_ < ifs.size() && ifs[written_].section == 0) write_idb(ifs[written_++]);
    return !failed();
  }

  bool write(const Frame& f) override {
    if (failed()) return false;
    const auto& ifs = source_->interfaces();
    if (f.interface_id >= ifs.size()) [[unlikely]]
      return fail(
          fmt::format("cannot write {}: frame {} has no interface description", display_name(), f.number), 1);
    const InterfaceInfo& ifc = ifs[f.interface_id];
    if (ifc.section != section_) [[unlikely]] {
      // A new input section (its interfaces are numbered from 0 again): start one in the output too.
      uint32_t first = f.interface_id;
      while (first > 0 && ifs[first - 1].section == ifc.section) --first;
      const auto& secs = source_->sections();
      begin_section(ifc.section, ifc.section < secs.size() ? &secs[ifc.section] : nullptr);
      section_first_ = first;
      written_ = first;
    }
    while (written_ <= f.interface_id) write_idb(ifs[written_++]);

    const uint32_t caplen = static_cast<uint32_t>(f.data.size());
    const size_t padded = (size_t{caplen} + 3) & ~size_t{3};
    const size_t opts = f.comment.empty() ? 0 : option_size(f.comment.size()) + 4;
    const uint32_t len = static_cast<uint32_t>(32 + padded + opts);
    const uint64_t t = units(f.ts, ifc.tsresol);
    uint32_t hdr[7] = {kEpb,
                       len,
                       f.interface_id - section_first_,
                       static_cast<uint32_t>(t >> 32),
                       static_cast<uint32_t>(t),
                       caplen,
                       f.wire_len};
    put(hdr, sizeof hdr);
    put(f.data.data(), caplen);
    pad4(caplen);
    if (!f.comment.empty()) {
      option(kOptComment, f.comment);
      put32(0); // end of options
    }
    put32(len);
    ++frames_;
    return !failed();
  }

private:
  // The interface's timestamp count for `ts`; the reader's conversion of it gives `ts` back.
  static uint64_t units(Timestamp ts, uint8_t tsresol) {
    if (ts.sec < 0) return 0; // pcapng counts from 1970 (if_tsoffset aside)
    const u128 sec = static_cast<u128>(ts.sec);
    if (tsresol & 0x80) {
      const uint32_t n = tsresol & 0x7f;
      // The smallest count whose nanoseconds (rounded down, as read) are ts.nsec.
      const u128 frac = ((u128{ts.nsec} << n) + 999'999'999u) / 1'000'000'000u;
      return static_cast<uint64_t>((n >= 64 ? 0 : sec << n) + frac);
    }
    u128 per_sec = 1;
    for (uint8_t i = 0; i < tsresol; ++i) per_sec *= 10;
    u128 frac;
    if (tsresol <= 9) {
      u128 div = 1;
      for (uint8_t i = tsresol; i < 9; ++i) div *= 10;
      frac = ts.nsec / div;
    } else {
      frac = u128{ts.nsec} * (per_sec / 1'000'000'000u);
    }
    return static_cast<uint64_t>(sec * per_sec + frac);
  }

  void option(uint16_t code, std::string_view value) {
    const size_t n = std::min<size_t>(value.size(), 0xffff);
    put16(code);
    put16(static_cast<uint16_t>(n));
    put(value.data(), n);
    pad4(n);
  }

  void begin_section(uint32_t section, const SectionInfo* info) {
    section_ = section;
    section_first_ = 0;
    written_ = 0;
    static constexpr std::string_view kUserAppl = "portscope 0.1.0";
    size_t opts = option_size(kUserAppl.size()) + 4;
    if (info)
      for (const std::string& c : info->comments) opts += option_size(std::min<size_t>(c.size(), 0xffff));
    const uint32_t len = static_cast<uint32_t>(28 + opts);
    put32(kShb);
    put32(len);
    put32(kByteOrderMagic);
    put16(1);
    put16(0);
    put64(UINT64_MAX); // section length: not given
    if (info)
      for (const std::string& c : info->comments) option(kOptComment, c);
    option(kOptShbUserAppl, kUserAppl);
    put32(0);
    put32(len);
  }

  void write_idb(const InterfaceInfo& i) {
    size_t opts = 0;
    if (!i.name.empty()) opts += option_size(std::min<size_t>(i.name.size(), 0xffff));
    if (!i.description.empty()) opts += option_size(std::min<size_t>(i.description.size(), 0xffff));
    if (i.tsresol != 6) opts += option_size(1);
    if (opts) opts += 4;
    const uint32_t len = static_cast<uint32_t>(20 + opts);
    put32(kIdb);
    put32(len);
    put16(static_cast<uint16_t>(i.link_type));
    put16(0);
    put32(i.snaplen);
    if (!i.name.empty()) option(kOptIfName, i.name);
    if (!i.description.empty()) option(kOptIfDescription, i.description);
    if (i.tsresol != 6) option(kOptTsresol, std::string_view(reinterpret_cast<const char*>(&i.tsresol), 1));
    if (opts) put32(0);
    put32(len);
  }

  uint32_t section_ = 0;
  uint32_t section_first_ = 0; // global interface id of the current section's interface 0
  size_t written_ = 0;         // global interface ids below this have their IDB in the output
};

std::string errno_text(int e) {
  return std::strerror(e);
}

} // namespace

std::optional<CaptureFormat> capture_format_named(std::string_view name) {
  if (name == "pcap") return CaptureFormat::Pcap;
  if (name == "pcapng") return CaptureFormat::Pcapng;
  return std::nullopt;
}

CaptureFormat capture_format_for_path(std::string_view path) {
  const std::string l = lower(path);
  return ends_with(l, ".pcapng") || ends_with(l, ".ntar") ? CaptureFormat::Pcapng : CaptureFormat::Pcap;
}

const char* capture_format_name(CaptureFormat f) {
  return f == CaptureFormat::Pcap ? "pcap" : "pcapng";
}

std::unique_ptr<CaptureWriter> CaptureWriter::open(const std::string& path, CaptureFormat format,
                                                   const CaptureReader& source, CaptureWriteError& err) {
  std::unique_ptr<CaptureWriter> w;
  if (format == CaptureFormat::Pcap)
    w.reset(new PcapWriter);
  else
    w.reset(new PcapngWriter);
  w->source_ = &source;
  w->display_ = path == "-" ? "standard output" : fmt::format("'{}'", path);
  w->buf_.reserve(kBufferSize);
  // The header first, in memory: a capture pcap cannot hold is refused before any file exists.
  const bool started = format == CaptureFormat::Pcap ? static_cast<PcapWriter&>(*w).start(err)
                                                     : static_cast<PcapngWriter&>(*w).start(err);
  if (!started) return nullptr;
  if (!w->open_output(path, err)) return nullptr;
  return w;
}

bool CaptureWriter::open_output(const std::string& path, CaptureWriteError& err) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    return true;
  }
  std::string target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Write through the link, as opening it would: the renamed file replaces its target.
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) != nullptr) target = resolved;
  }
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    // A device (/dev/null, /dev/full), a FIFO, a terminal: written directly, nothing to rename.
    fd_ = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) {
      err = CaptureWriteError{fmt::format("cannot open {} for writing: {}", display_, errno_text(errno)), 1};
      return false;
    }
    own_fd_ = true;
    return true;
  }
  std::string tmpl = target + ".partial-XXXXXX";
  fd_ = ::mkstemp(tmpl.data());
  if (fd_ < 0) {
    err = CaptureWriteError{fmt::format("cannot create {}: {}", display_, errno_text(errno)), 1};
    return false;
  }
  own_fd_ = true;
  temp_path_ = tmpl;
  target_ = target;
  // mkstemp makes the file private; give it the mode the file has, or a new file would get.
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  (void)::fchmod(fd_, mode);
  return true;
}

CaptureWriter::~CaptureWriter() {
  if (!committed_) discard();
}

bool CaptureWriter::fail(std::string message, int exit_code) {
  if (!error_) error_ = CaptureWriteError{std::move(message), exit_code};
  buf_.clear();
  return false;
}

bool CaptureWriter::write_all(const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(fmt::format("cannot write {}: {}", display_, errno_text(errno)), 1);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void CaptureWriter::spill(const void* p, size_t n) {
  if (failed() || fd_ < 0) {
    // Before the output is open (the header) or after a failure: only buffer (or drop).
    if (!failed())
      buf_.insert(buf_.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    return;
  }
  if (!flush()) return;
  if (n >= kBufferSize)
    write_all(static_cast<const uint8_t*>(p), n);
  else
    buf_.insert(buf_.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
}

bool CaptureWriter::flush() {
  if (failed()) return false;
  const bool ok = write_all(buf_.data(), buf_.size());
  buf_.clear();
  return ok;
}

bool CaptureWriter::commit() {
  if (committed_) return true;
  if (!flush()) {
    discard();
    return false;
  }
  if (own_fd_) {
    const int fd = fd_;
    fd_ = -1;
    own_fd_ = false;
    if (::close(fd) != 0) {
      fail(fmt::format("cannot write {}: {}", display_, errno_text(errno)), 1);
      discard();
      return false;
    }
  }
  if (!temp_path_.empty()) {
    if (::rename(temp_path_.c_str(), target_.c_str()) != 0) {
      fail(fmt::format("cannot rename {} to {}: {}", temp_path_, display_, errno_text(errno)), 1);
      discard();
      return false;
    }
    temp_path_.clear();
  }
  committed_ = true;
  return true;
}

void CaptureWriter::discard() {
  if (own_fd_) {
    ::close(fd_);
    own_fd_ = false;
  }
  fd_ = -1;
  if (!temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
  buf_.clear();
}

} // namespace ps
