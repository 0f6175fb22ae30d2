// Turns a decoded packet (+ what the tracker knows) into the field record all outputs read.
#pragma once

#include "capture/frame.h"
#include "dissect/packet.h"
#include "dissect/record.h"
#include "flow/meta.h"

namespace ps::app {
struct AppFrame;
}

namespace ps {

struct DescribeOptions {
  bool resolve_ports = true;   // "80 (http)"; -n turns it off
  bool resolve_macs = true;    // "HonHaiPr_6e:8b:24 (00:16:ce:6e:8b:24)"; -n turns it off
  bool absolute_seq = false;   // --absolute-seq: raw TCP sequence numbers as tcp.seq / tcp.ack
  bool check_checksums = true; // verify IPv4/TCP/UDP/ICMP checksums
};

// Times the frame layer needs besides the frame itself.
struct FrameTimes {
  Timestamp first;    // first frame of the capture
  Timestamp previous; // previous captured frame
  // Previous displayed frame when a display filter hides some (frame.time_delta_displayed); null: every
  // frame is displayed, the previous one.
  const Timestamp* previous_displayed = nullptr;
};

// What describe() reads besides the decoded packet, for a record reset with these wants: lets the
// read loop skip the stages whose results no output shows.
struct DescribeNeeds {
  bool streams = true;  // FlowTracker: stream indexes, relative sequence numbers, scaled windows
  bool analysis = true; // FlowTracker's TCP sequence analysis: tcp.analysis.*, the Info column's notes
  bool app = true;      // AppEngine: reassembly and the application analyzers
};
DescribeNeeds describe_needs(bool tree, bool columns, const std::bitset<kFieldCount>* wanted);

// A link type as tshark names the frame's encapsulation: "Ethernet (1)", "Linux cooked-mode capture v2
// (210)".
std::string_view link_type_text(uint32_t link);

// The application protocols of a frame as frame.protocols names them ("http:data-text-lines"), appended
// to the record's protocol list; describe() calls it after the transport layer.
void append_app_protocols(const app::AppFrame& f, std::span<const uint8_t> payload, Record& rec);

void describe(const Decoded& pkt, const PacketMeta& meta, const DescribeOptions& opt, const FrameTimes& times,
              Record& rec, const app::AppFrame* app = nullptr);

} // namespace ps
