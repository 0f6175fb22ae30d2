// Capture-file readers (pcap in both byte orders with micro/nanosecond stamps, pcapng).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/frame.h"

namespace ps {

// Thrown by open_capture when the file cannot be used at all (missing, unreadable, not a capture).
// what() is one line, names the file, and is ready to print after "portscope: ".
class CaptureOpenError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Damage found while reading: every whole frame before it has been delivered.
struct CaptureError {
  std::string message; // one line naming the file and the byte offset
  uint64_t offset = 0; // byte offset of the damage in the file
};

// One capture interface (pcap: the file itself; pcapng: an interface description block).
struct InterfaceInfo {
  uint32_t link_type = kLinkEthernet;
  uint32_t snaplen = 0; // 0: unknown or unlimited
  // Timestamp resolution coded as pcapng's if_tsresol: 10^-n seconds, or 2^-(n & 0x7f) with bit 7 set.
  // pcap: 6 (microseconds) or 9 (nanoseconds).
  uint8_t tsresol = 6;
  uint32_t section = 0;       // index into CaptureReader::sections()
  uint32_t link_type_ext = 0; // pcap: the upper 16 bits of the header's link-type field (FCS length)
  std::string name;           // pcapng if_name (empty when absent)
  std::string description;    // pcapng if_description
  // pcapng interface statistics blocks: how many, and the last one's counters (when present).
  uint32_t stat_blocks = 0;
  std::optional<uint64_t> isb_ifrecv, isb_ifdrop, isb_osdrop;
};

// One pcapng section (a pcap file is one section without comments).
struct SectionInfo {
  std::vector<std::string> comments; // opt_comment of the section header block
};

class CaptureReader {
public:
  virtual ~CaptureReader() = default;
  // Fills `frame` with the next frame and returns true; returns false at the end of the file or at
  // damage (then error() is set). frame.data stays valid until the next call.
  virtual bool next(Frame& frame) = 0;
  const std::optional<CaptureError>& error() const { return error_; }
  // "pcap" or "pcapng".
  virtual const char* format_name() const = 0;
  // Link type of the first interface (pcap: the file's link type).
  virtual uint32_t link_type() const = 0;
  // Snapshot length of the file (pcapng: of the first interface); 0 when unknown or unlimited.
  virtual uint32_t snaplen() const { return 0; }
  // Every interface met so far, indexed by Frame::interface_id (pcapng: numbered across sections).
  // Known at open: the interfaces defined before the first packet; later ones are added while reading.
  virtual const std::vector<InterfaceInfo>& interfaces() const { return interfaces_; }
  // Every section met so far (at least one once the file is open).
  virtual const std::vector<SectionInfo>& sections() const { return sections_; }

protected:
  std::optional<CaptureError> error_;
  std::vector<InterfaceInfo> interfaces_;
  std::vector<SectionInfo> sections_;
};

// Opens `path` ("-" reads standard input) and detects the format from its magic number.
std::unique_ptr<CaptureReader> open_capture(const std::string& path);

// Same as open_capture on an already open descriptor (a pipe, a socket, a file), which it does not
// close; `display_name` is the name used in messages ("-" shows as "standard input").
std::unique_ptr<CaptureReader> open_capture_fd(int fd, const std::string& display_name);

} // namespace ps
