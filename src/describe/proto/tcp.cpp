#include "wire/tcp.h"
#include "app/messages.h"
#include "describe/proto/context.h"
#include "dissect/fast_text.h"
#include "wire/checksum.h"

#include <optional>

namespace ps::proto {

namespace {

using namespace wire::tcpflag;

// Info-column flag names in tshark's order (lowest bit first).
void flag_names(fmt::memory_buffer& out, uint16_t flags) {
  static constexpr std::pair<uint16_t, std::string_view> kNames[] = {
      {kFin, "FIN"}, {kSyn, "SYN"}, {kRst, "RST"}, {kPsh, "PSH"}, {kAck, "ACK"},
      {kUrg, "URG"}, {kEce, "ECE"}, {kCwr, "CWR"}, {kAe, "AE"},   {kReserved, "Reserved"}};
  bool first = true;
  for (auto [bit, name] : kNames) {
    if (!(flags & bit)) continue;
    if (!first) fast::append(out, ", ");
    fast::append(out, name);
    first = false;
  }
  if (first) fast::append(out, "<None>");
}

// tcp.flags.str: 12 positions, bit 11 first, '·' where clear.
std::string_view flags_str(Record& r, uint16_t flags) {
  static constexpr char kLetters[] = "RRRACEUAPRSF";
  std::string s;
  for (int i = 0; i < 12; ++i) {
    if (flags & (1u << (11 - i)))
      s += kLetters[i];
    else
      s += "\xc2\xb7";
  }
  return r.save(s);
}

struct Options {
  int mss = -1;
  bool sack_perm = false;
  bool has_ts = false;
  uint32_t tsval = 0, tsecr = 0;
  int wscale = -1;
  uint32_t sack_blocks = 0;
  std::pair<uint32_t, uint32_t> sack[4];
  uint8_t info_order[20] = {}; // option kinds in header order, for the Info column
  uint8_t info_count = 0;
  void seen(uint8_t kind) {
    if (info_count < sizeof info_order) info_order[info_count++] = kind;
  }
};

std::string_view option_kind_name(uint8_t k) {
  switch (k) {
  case 0:
    return "End of Option List";
  case 1:
    return "No-Operation";
  case 2:
    return "Maximum Segment Size";
  case 3:
    return "Window Scale";
  case 4:
    return "SACK Permitted";
  case 5:
    return "SACK";
  case 8:
    return "Time Stamp Option";
  case 19:
    return "TCP MD5 Signature Option";
  case 28:
    return "User Timeout";
  case 29:
    return "TCP Authentication Option";
  case 30:
    return "Multipath TCP";
  case 34:
    return "TCP Fast Open Cookie";
  default:
    return "Unknown";
  }
}

// Walks the options; in tree mode emits the Options subtree. Stops at the first malformed option.
// raw_ack: the segment's acknowledgment number when its ACK flag is set (a SACK's first block below it,
// or inside the second block, is a D-SACK, RFC 2883).
Options walk_options(Ctx& c, wire::Bytes opts, uint32_t base, uint32_t rel_base,
                     std::optional<uint32_t> raw_ack) {
  Options o;
  Record& r = c.rec;
  bool tree = r.tree();
  fmt::memory_buffer summary;
  if (tree && !opts.empty()) r.push(F::TCP_OPTIONS, base, static_cast<uint32_t>(opts.size()));
  size_t header_item = tree && !opts.empty() ? r.items().size() - 1 : 0;
  auto note = [&](std::string_view name) {
    if (tree) fmt::format_to(std::back_inserter(summary), ", {}", name);
  };
  size_t i = 0;
  while (i < opts.size()) {
    uint8_t kind = opts[i];
    uint32_t at = base + static_cast<uint32_t>(i);
    if (kind == 0 || kind == 1) {
      F f = kind == 0 ? F::TCP_OPTIONS_EOL : F::TCP_OPTIONS_NOP;
      std::string_view name = kind == 0 ? "End of Option List (EOL)" : "No-Operation (NOP)";
      if (tree) {
        r.push(f, at, 1).text = r.format("TCP Option - {}", name);
        r.add(F::TCP_OPTION_KIND, at, 1, kind).text = r.format("Kind: {} ({})", option_kind_name(kind), kind);
        r.pop();
      }
      note(name);
      ++i;
      if (kind == 0) break;
      continue;
    }
    if (i + 1 >= opts.size() || opts[i + 1] < 2 || i + opts[i + 1] > opts.size()) {
      if (tree)
        r.text(r.format("[Malformed TCP option (kind {}): length runs past the header]", kind), at, 1);
      break;
    }
    uint8_t len = opts[i + 1];
    const uint8_t* p = &opts[i];
    auto head = [&](F f, std::string_view text) {
      r.push(f, at, len).text = text;
      r.add(F::TCP_OPTION_KIND, at, 1, kind).text = r.format("Kind: {} ({})", option_kind_name(kind), kind);
      r.add(F::TCP_OPTION_LEN, at + 1, 1, len).text = r.format("Length: {}", len);
    };
    if (kind == 2 && len == 4) {
      o.mss = wire::be16(p + 2);
      o.seen(kind);
      if (tree) {
        head(F::TCP_OPTIONS_MSS, r.format("TCP Option - Maximum segment size: {} bytes", o.mss));
        r.add(F::TCP_OPTIONS_MSS_VAL, at + 2, 2, static_cast<uint64_t>(o.mss)).text =
            r.format("MSS Value: {}", o.mss);
        r.pop();
      } else if (r.want(F::TCP_OPTIONS_MSS_VAL)) {
        r.add(F::TCP_OPTIONS_MSS_VAL, at + 2, 2, static_cast<uint64_t>(o.mss));
      }
      note("Maximum segment size");
    } else if (kind == 3 && len == 3) {
      o.wscale = p[2];
      o.seen(kind);
      uint32_t mult = 1u << (p[2] > 14 ? 14 : p[2]);
      if (tree) {
        head(F::TCP_OPTIONS_WSCALE, r.format("TCP Option - Window scale: {} (multiply by {})", p[2], mult));
        r.add(F::TCP_OPTIONS_WSCALE_SHIFT, at + 2, 1, p[2]).text = r.format("Shift count: {}", p[2]);
        Item& m = r.add(F::TCP_OPTIONS_WSCALE_MULTIPLIER, at + 2, 1, mult);
        m.generated = true;
        m.text = r.format("Multiplier: {}", mult);
        r.pop();
      } else {
        if (r.want(F::TCP_OPTIONS_WSCALE_SHIFT)) r.add(F::TCP_OPTIONS_WSCALE_SHIFT, at + 2, 1, p[2]);
        if (r.want(F::TCP_OPTIONS_WSCALE_MULTIPLIER))
          r.add(F::TCP_OPTIONS_WSCALE_MULTIPLIER, at + 2, 1, mult);
      }
      note("Window scale");
    } else if (kind == 4 && len == 2) {
      o.sack_perm = true;
      o.seen(kind);
      if (tree) {
        head(F::TCP_OPTIONS_SACK_PERM, "TCP Option - SACK permitted");
        r.pop();
      } else if (r.want(F::TCP_OPTIONS_SACK_PERM)) {
        r.add(F::TCP_OPTIONS_SACK_PERM, at, len);
      }
      note("SACK permitted");
    } else if (kind == 8 && len == 10) {
      o.has_ts = true;
      o.seen(kind);
      o.tsval = wire::be32(p + 2);
      o.tsecr = wire::be32(p + 6);
      if (tree) {
        head(F::TCP_OPTIONS_TIME_STAMP,
             r.format("TCP Option - Timestamps: TSval {}, TSecr {}", o.tsval, o.tsecr));
        r.add(F::TCP_OPTIONS_TIMESTAMP_TSVAL, at + 2, 4, o.tsval).text =
            r.format("Timestamp value: {}", o.tsval);
        r.add(F::TCP_OPTIONS_TIMESTAMP_TSECR, at + 6, 4, o.tsecr).text =
            r.format("Timestamp echo reply: {}", o.tsecr);
        r.pop();
      } else {
        if (r.want(F::TCP_OPTIONS_TIMESTAMP_TSVAL)) r.add(F::TCP_OPTIONS_TIMESTAMP_TSVAL, at + 2, 4, o.tsval);
        if (r.want(F::TCP_OPTIONS_TIMESTAMP_TSECR)) r.add(F::TCP_OPTIONS_TIMESTAMP_TSECR, at + 6, 4, o.tsecr);
      }
      note("Timestamps");
    } else if (kind == 5 && len >= 2 && (len - 2) % 8 == 0) {
      uint32_t n = (len - 2) / 8u;
      o.sack_blocks = n;
      // RFC 2883: the first block is a duplicate when below the cumulative ACK or inside the second block.
      bool dsack = false;
      if (n >= 1 && raw_ack) {
        const uint32_t le1 = wire::be32(p + 2), re1 = wire::be32(p + 6);
        dsack = static_cast<int32_t>(le1 - *raw_ack) < 0;
        if (!dsack && n >= 2) {
          const uint32_t le2 = wire::be32(p + 10), re2 = wire::be32(p + 14);
          dsack = static_cast<int32_t>(le1 - le2) >= 0 && static_cast<int32_t>(re2 - re1) >= 0;
        }
      }
      o.seen(kind);
      if (tree) {
        fmt::memory_buffer t;
        fmt::format_to(std::back_inserter(t), "TCP Option - SACK");
        for (uint32_t k = 0; k < n; ++k)
          fmt::format_to(std::back_inserter(t), "{} {}-{}", k ? "" : "", wire::be32(p + 2 + 8 * k) - rel_base,
                         wire::be32(p + 6 + 8 * k) - rel_base);
        head(F::TCP_OPTIONS_SACK, r.save({t.data(), t.size()}));
        for (uint32_t k = 0; k < n; ++k) {
          uint32_t le = wire::be32(p + 2 + 8 * k) - rel_base, re = wire::be32(p + 6 + 8 * k) - rel_base;
          r.add(F::TCP_OPTIONS_SACK_LE, at + 2 + 8 * k, 4, le).text = r.format("left edge = {}", le);
          r.add(F::TCP_OPTIONS_SACK_RE, at + 6 + 8 * k, 4, re).text = r.format("right edge = {}", re);
        }
        Item& cnt = r.add(F::TCP_OPTIONS_SACK_COUNT, at, 0, n);
        cnt.generated = true;
        cnt.text = r.format("TCP SACK Count: {}", n);
        if (dsack) {
          const uint32_t le = wire::be32(p + 2) - rel_base, re = wire::be32(p + 6) - rel_base;
          Item& l = r.add(F::TCP_OPTIONS_SACK_DSACK_LE, at + 2, 4, le);
          l.generated = true;
          l.text = r.format("D-SACK Left Edge = {}", le);
          Item& rr = r.add(F::TCP_OPTIONS_SACK_DSACK_RE, at + 6, 4, re);
          rr.generated = true;
          rr.text = r.format("D-SACK Right Edge = {}", re);
          r.push(F::TCP_OPTIONS_SACK_DSACK, at + 2, 8).text = "D-SACK Sequence";
          expert_item(r, "Warning", "Sequence", "D-SACK Sequence");
          r.pop();
        }
        r.pop();
      } else {
        if (r.want(F::TCP_OPTIONS_SACK)) r.add(F::TCP_OPTIONS_SACK, at, len);
        for (uint32_t k = 0; k < n; ++k) {
          if (r.want(F::TCP_OPTIONS_SACK_LE))
            r.add(F::TCP_OPTIONS_SACK_LE, at + 2 + 8 * k, 4, wire::be32(p + 2 + 8 * k) - rel_base);
          if (r.want(F::TCP_OPTIONS_SACK_RE))
            r.add(F::TCP_OPTIONS_SACK_RE, at + 6 + 8 * k, 4, wire::be32(p + 6 + 8 * k) - rel_base);
        }
        if (r.want(F::TCP_OPTIONS_SACK_COUNT)) r.add(F::TCP_OPTIONS_SACK_COUNT, at, 0, n).generated = true;
        if (dsack && r.want(F::TCP_OPTIONS_SACK_DSACK_LE))
          r.add(F::TCP_OPTIONS_SACK_DSACK_LE, at + 2, 4, wire::be32(p + 2) - rel_base).generated = true;
        if (dsack && r.want(F::TCP_OPTIONS_SACK_DSACK_RE))
          r.add(F::TCP_OPTIONS_SACK_DSACK_RE, at + 6, 4, wire::be32(p + 6) - rel_base).generated = true;
        if (dsack && r.want(F::TCP_OPTIONS_SACK_DSACK)) r.add(F::TCP_OPTIONS_SACK_DSACK, at + 2, 8);
      }
      for (uint32_t k = 0; k < n && k < 4; ++k)
        o.sack[k] = {wire::be32(p + 2 + 8 * k), wire::be32(p + 6 + 8 * k)};
      note("SACK");
    } else {
      if (tree) {
        head(F::TCP_OPTIONS_UNKNOWN, r.format("TCP Option - {} ({} bytes)", option_kind_name(kind), len));
        r.pop();
      }
      note(option_kind_name(kind));
    }
    i += len;
  }
  if (tree && !opts.empty()) {
    r.items()[header_item].text =
        r.format("Options: ({} bytes){}", opts.size(), std::string_view{summary.data(), summary.size()});
    r.pop();
  }
  return o;
}

void rel_time(Record& r, F f, int64_t ns, std::string_view label) {
  Item& it = r.add(f, 0, 0, static_cast<uint64_t>(ns));
  it.generated = true;
  if (r.tree()) {
    uint64_t a = static_cast<uint64_t>(ns < 0 ? -ns : ns);
    it.text =
        r.format("{}: {}{}.{:09} seconds", label, ns < 0 ? "-" : "", a / 1'000'000'000, a % 1'000'000'000);
  }
}

// tshark 4.0's label for tcp.completeness.
std::string completeness_str(uint8_t v) {
  constexpr uint8_t kEst = kCompletenessSyn | kCompletenessSynAck | kCompletenessAck;
  const uint8_t rest = v & static_cast<uint8_t>(~kEst);
  std::string_view name;
  if (v == kCompletenessSyn)
    name = "Incomplete, SYN_SENT";
  else if (v == (kCompletenessSyn | kCompletenessSynAck))
    name = "Incomplete, CLIENT_ESTABLISHED";
  else if (v == kEst)
    name = "Incomplete, ESTABLISHED";
  else if (v == (kEst | kCompletenessData))
    name = "Incomplete, DATA";
  else if ((v & kEst) == kEst && (rest & (kCompletenessFin | kCompletenessRst)))
    name = rest & kCompletenessData ? "Complete, WITH_DATA" : "Complete, NO_DATA";
  else
    name = "Incomplete";
  return fmt::format("{} ({})", name, v);
}

struct AnalysisFlag {
  uint32_t bit;
  F field;
  std::string_view severity, message; // tshark's expert item in the tree (none: a plain line)
};

// Flag fields in the order the reference emits them; a fast or spurious retransmission is also a
// retransmission, noted after it.
constexpr AnalysisFlag kAnalysisFlags[] = {
    {kFastRetransmission, F::TCP_ANALYSIS_FAST_RETRANSMISSION, "Note",
     "This frame is a (suspected) fast retransmission"},
    {kSpuriousRetransmission, F::TCP_ANALYSIS_SPURIOUS_RETRANSMISSION, "Note",
     "This frame is a (suspected) spurious retransmission"},
    {kRetransmission, F::TCP_ANALYSIS_RETRANSMISSION, "Note", "This frame is a (suspected) retransmission"},
    {kOutOfOrder, F::TCP_ANALYSIS_OUT_OF_ORDER, "Warning",
     "This frame is a (suspected) out-of-order segment"},
    {kLostSegment, F::TCP_ANALYSIS_LOST_SEGMENT, "Warning",
     "Previous segment(s) not captured (common at capture start)"},
    {kAckLostSegment, F::TCP_ANALYSIS_ACK_LOST_SEGMENT, "Warning",
     "ACKed segment that wasn't captured (common at capture start)"},
    {kWindowUpdate, F::TCP_ANALYSIS_WINDOW_UPDATE, "Chat", "TCP window update"},
    {kWindowFull, F::TCP_ANALYSIS_WINDOW_FULL, "Warning",
     "TCP window specified by the receiver is now completely full"},
    {kKeepAlive, F::TCP_ANALYSIS_KEEP_ALIVE, "Note", "TCP keep-alive segment"},
    {kKeepAliveAck, F::TCP_ANALYSIS_KEEP_ALIVE_ACK, "Note", "ACK to a TCP keep-alive segment"},
    {kDuplicateAck, F::TCP_ANALYSIS_DUPLICATE_ACK, "", ""},
    {kZeroWindowProbe, F::TCP_ANALYSIS_ZERO_WINDOW_PROBE, "Note", "TCP Zero Window Probe"},
    {kZeroWindow, F::TCP_ANALYSIS_ZERO_WINDOW, "Warning", "TCP Zero Window segment"},
    {kZeroWindowProbeAck, F::TCP_ANALYSIS_ZERO_WINDOW_PROBE_ACK, "Note", "ACK to a TCP Zero Window Probe"},
    {kPortReuse, F::TCP_ANALYSIS_REUSED_PORTS, "Note",
     "A new tcp session is started with the same ports as an earlier session in this trace"},
};

// Info-column prefixes: each one is put in front of the previous ones, so the last noted
// comes first. This is that final left-to-right order.
constexpr std::pair<uint32_t, std::string_view> kInfoPrefixes[] = {
    {kZeroWindowProbeAck, "TCP ZeroWindowProbeAck"},
    {kZeroWindow, "TCP ZeroWindow"},
    {kZeroWindowProbe, "TCP ZeroWindowProbe"},
    {kDuplicateAck, ""}, // "[TCP Dup ACK <frame>#<n>] "
    {kKeepAliveAck, "TCP Keep-Alive ACK"},
    {kKeepAlive, "TCP Keep-Alive"},
    {kWindowFull, "TCP Window Full"},
    {kWindowUpdate, "TCP Window Update"},
    {kAckLostSegment, "TCP ACKed unseen segment"},
    {kLostSegment, "TCP Previous segment not captured"},
    {kOutOfOrder, "TCP Out-Of-Order"},
    {kSpuriousRetransmission, "TCP Spurious Retransmission"},
    {kFastRetransmission, "TCP Fast Retransmission"},
    {kRetransmission, "TCP Retransmission"},
    {kPortReuse, "TCP Port numbers reused"},
};

void analysis_info_prefix(fmt::memory_buffer& info, const TcpMeta& m) {
  if (!m.analysis) return;
  for (auto [bit, text] : kInfoPrefixes) {
    if (!(m.analysis & bit)) continue;
    if (bit == kDuplicateAck) { // "[TCP Dup ACK <frame>#<n>] "
      fast::append(info, "[TCP Dup ACK ");
      fast::append_uint(info, m.dup_ack_frame);
      info.push_back('#');
      fast::append_uint(info, m.dup_ack_num);
      fast::append(info, "] ");
    } else {
      info.push_back('[');
      fast::append(info, text);
      fast::append(info, "] ");
    }
  }
}

void generated(Record& r, F f, uint64_t v, std::string_view text) {
  Item& it = r.add(f, 0, 0, v);
  it.generated = true;
  if (r.tree()) it.text = text;
}

void analysis(Ctx& c, const TcpMeta& m) {
  Record& r = c.rec;
  bool any =
      m.analysis || m.acks_frame || m.ack_rtt_ns >= 0 || m.initial_rtt_ns >= 0 || m.bytes_in_flight >= 0;
  if (!any) return;
  if (r.tree()) {
    Item& it = r.push(F::TCP_ANALYSIS, 0, 0);
    it.generated = true;
    it.text = "SEQ/ACK analysis";
  } else if (r.want(F::TCP_ANALYSIS)) {
    r.add(F::TCP_ANALYSIS, 0, 0).generated = true;
  }
  if (m.acks_frame && r.want(F::TCP_ANALYSIS_ACKS_FRAME))
    generated(r, F::TCP_ANALYSIS_ACKS_FRAME, m.acks_frame,
              r.tree() ? r.format("This is an ACK to the segment in frame: {}", m.acks_frame) : "");
  if (m.acks_frame && m.ack_rtt_ns >= 0 && r.want(F::TCP_ANALYSIS_ACK_RTT))
    rel_time(r, F::TCP_ANALYSIS_ACK_RTT, m.ack_rtt_ns, "The RTT to ACK the segment was");
  if (m.initial_rtt_ns >= 0 && r.want(F::TCP_ANALYSIS_INITIAL_RTT))
    rel_time(r, F::TCP_ANALYSIS_INITIAL_RTT, m.initial_rtt_ns, "iRTT");
  if (m.bytes_in_flight >= 0) {
    auto bif = static_cast<uint64_t>(m.bytes_in_flight), push = static_cast<uint64_t>(m.push_bytes_sent);
    if (r.want(F::TCP_ANALYSIS_BYTES_IN_FLIGHT))
      generated(r, F::TCP_ANALYSIS_BYTES_IN_FLIGHT, bif,
                r.tree() ? r.format("Bytes in flight: {}", bif) : "");
    if (m.push_bytes_sent >= 0 && r.want(F::TCP_ANALYSIS_PUSH_BYTES_SENT))
      generated(r, F::TCP_ANALYSIS_PUSH_BYTES_SENT, push,
                r.tree() ? r.format("Bytes sent since last PSH flag: {}", push) : "");
  }
  if (m.analysis) {
    if (r.tree()) {
      r.push(F::TCP_ANALYSIS_FLAGS, 0, 0).generated = true;
      r.items().back().text = "TCP Analysis Flags";
    } else if (r.want(F::TCP_ANALYSIS_FLAGS)) {
      r.add(F::TCP_ANALYSIS_FLAGS, 0, 0);
    }
    // Fast and spurious retransmissions are also (expert) retransmissions.
    const uint32_t any_retrans = kRetransmission | kFastRetransmission | kSpuriousRetransmission;
    for (const auto& af : kAnalysisFlags) {
      bool set = af.bit == kRetransmission ? (m.analysis & any_retrans) != 0 : (m.analysis & af.bit) != 0;
      if (!set || !r.want(af.field)) continue;
      if (af.message.empty() || !r.tree()) {
        generated(r, af.field, 1, r.tree() ? "This is a TCP duplicate ack" : "");
        continue;
      }
      // The flag's item is tshark's expert item: "[Expert Info (Note/Sequence): ...]" and its lines.
      generated(r, af.field, 1, r.format("Expert Info ({}/Sequence): {}", af.severity, af.message));
      r.open_last();
      r.text(af.message).generated = true;
      r.text(r.format("Severity level: {}", af.severity)).generated = true;
      r.text("Group: Sequence").generated = true;
      r.pop();
    }
    if (r.tree()) r.pop();
    if (m.analysis & kDuplicateAck) {
      if (r.want(F::TCP_ANALYSIS_DUPLICATE_ACK_NUM))
        generated(r, F::TCP_ANALYSIS_DUPLICATE_ACK_NUM, m.dup_ack_num,
                  r.tree() ? r.format("Duplicate ACK #: {}", m.dup_ack_num) : "");
      if (r.want(F::TCP_ANALYSIS_DUPLICATE_ACK_FRAME))
        generated(r, F::TCP_ANALYSIS_DUPLICATE_ACK_FRAME, m.dup_ack_frame,
                  r.tree() ? r.format("Duplicate to the ACK in frame: {}", m.dup_ack_frame) : "");
      // tshark's expert item under it is a second tcp.analysis.duplicate_ack ("1,1" with occurrence=a).
      if (r.want(F::TCP_ANALYSIS_DUPLICATE_ACK)) {
        if (r.tree()) r.open_last();
        std::string_view msg = r.tree() ? r.format("Duplicate ACK (#{})", m.dup_ack_num) : "";
        generated(r, F::TCP_ANALYSIS_DUPLICATE_ACK, 1,
                  r.tree() ? r.format("Expert Info (Note/Sequence): {}", msg) : "");
        if (r.tree()) {
          r.open_last();
          r.text(msg).generated = true;
          r.text("Severity level: Note").generated = true;
          r.text("Group: Sequence").generated = true;
          r.pop();
          r.pop();
        }
      }
    }
  }
  if (r.tree()) r.pop();
}

// "<notes>80 → 51234 [ACK] Seq=1 Ack=2 Win=3 Len=4 <options>", written by hand: it is built for
// every TCP packet of a summary run.
void info_column(Ctx& c, const wire::TcpView& t, const TcpMeta& m, const Options& opts, uint32_t seq,
                 uint32_t ack, uint32_t window, uint32_t seglen, bool bad_checksum,
                 fmt::memory_buffer& info) {
  auto num = [&info](std::string_view label, uint64_t v) {
    fast::append(info, label);
    fast::append_uint(info, v);
  };
  analysis_info_prefix(info, m);
  if (c.opt.resolve_ports) {
    fast::append(info, port_str(c, t.src_port(), true));
    fast::append(info, " \xe2\x86\x92 ");
    fast::append(info, port_str(c, t.dst_port(), true));
  } else {
    num("", t.src_port());
    num(" \xe2\x86\x92 ", t.dst_port());
  }
  fast::append(info, " [");
  flag_names(info, t.flags());
  num("] Seq=", seq);
  if (t.has(kAck)) num(" Ack=", ack);
  num(" Win=", window);
  if (bad_checksum) fast::append(info, " [TCP CHECKSUM INCORRECT]");
  num(" Len=", seglen);
  if (t.has(kUrg)) num(" Urg=", t.urgent());
  // Options appear in the Info column in header order.
  for (uint8_t i = 0; i < opts.info_count; ++i) {
    switch (opts.info_order[i]) {
    case 2:
      num(" MSS=", static_cast<uint64_t>(opts.mss));
      break;
    case 4:
      fast::append(info, " SACK_PERM");
      break;
    case 5:
      for (uint32_t k = 0; k < opts.sack_blocks && k < 4; ++k) {
        uint32_t base = m.valid && t.has(kAck) && !c.opt.absolute_seq ? t.ack() - m.ack : 0;
        num(" SLE=", opts.sack[k].first - base);
        num(" SRE=", opts.sack[k].second - base);
      }
      break;
    case 8:
      num(" TSval=", opts.tsval);
      num(" TSecr=", opts.tsecr);
      break;
    case 3:
      num(" WS=", 1u << (opts.wscale > 14 ? 14 : opts.wscale));
      break;
    default:
      break;
    }
  }
}

} // namespace

void describe_tcp(Ctx& c, const LayerSpan& l) {
  Record& r = c.rec;
  wire::Bytes b = c.bytes(l);
  wire::TcpView t(b);
  const uint32_t o = l.offset;
  const TcpMeta& m = c.meta.tcp;
  const bool rel = m.valid && !c.opt.absolute_seq;
  const uint16_t flags = t.flags();
  const uint32_t seglen = c.pkt.payload_len + c.pkt.payload_missing;
  const uint32_t seq = rel ? m.seq : t.seq();
  // Without the ACK flag tshark shows the raw field (noting when it is not zero).
  const uint32_t ack = t.has(kAck) && rel ? m.ack : t.ack();
  const uint32_t nxtseq = rel ? m.nxtseq : t.seq() + seglen + (t.has(kSyn) ? 1 : 0) + (t.has(kFin) ? 1 : 0);
  const uint32_t window = m.valid ? m.window_size : t.window();

  if (r.tree()) {
    fmt::memory_buffer h;
    fmt::format_to(std::back_inserter(h),
                   "Transmission Control Protocol, Src Port: {}, Dst Port: {}, Seq: {}",
                   port_str(c, t.src_port(), true), port_str(c, t.dst_port(), true), seq);
    if (t.has(kAck)) fmt::format_to(std::back_inserter(h), ", Ack: {}", ack);
    fmt::format_to(std::back_inserter(h), ", Len: {}", seglen);
    r.push(F::TCP, o, static_cast<uint32_t>(t.header_len())).text = r.save({h.data(), h.size()});
  } else if (r.want(F::TCP)) {
    r.add(F::TCP, o, static_cast<uint32_t>(t.header_len()));
  }
  auto add = [&](F f, uint32_t off, uint32_t len, uint64_t v) -> Item* {
    if (!r.want(f)) return nullptr;
    return &r.add(f, o + off, len, v);
  };
  if (Item* it = add(F::TCP_SRCPORT, 0, 2, t.src_port()); it && r.tree())
    it->text = r.format("Source Port: {}", port_str(c, t.src_port(), true));
  if (Item* it = add(F::TCP_DSTPORT, 2, 2, t.dst_port()); it && r.tree())
    it->text = r.format("Destination Port: {}", port_str(c, t.dst_port(), true));
  if (r.want(F::TCP_PORT)) { // either direction, hidden as in tshark
    r.add(F::TCP_PORT, o, 2, t.src_port()).hidden = true;
    r.add(F::TCP_PORT, o + 2, 2, t.dst_port()).hidden = true;
  }
  if (m.valid && r.want(F::TCP_STREAM)) {
    Item& it = r.add(F::TCP_STREAM, o, 0, m.stream);
    it.generated = true;
  }
  if (m.valid && r.want(F::TCP_COMPLETENESS)) {
    Item& it = r.add(F::TCP_COMPLETENESS, o, 0, m.completeness);
    it.generated = true;
    if (r.tree()) it.text = r.format("Conversation completeness: {}", completeness_str(m.completeness));
  }
  if (Item* it = add(F::TCP_LEN, 0, 0, seglen)) it->generated = true;
  if (Item* it = add(F::TCP_SEQ, 4, 4, seq); it && r.tree())
    it->text = rel ? r.format("Sequence Number: {}    (relative sequence number)", seq)
                   : r.format("Sequence Number: {}", seq);
  add(F::TCP_SEQ_RAW, 4, 4, t.seq());
  if (Item* it = add(F::TCP_NXTSEQ, 0, 0, nxtseq)) {
    it->generated = true;
    if (r.tree())
      it->text = rel ? r.format("Next Sequence Number: {}    (relative sequence number)", nxtseq)
                     : r.format("Next Sequence Number: {}", nxtseq);
  }
  if (!t.has(kAck) && ack && r.tree()) {
    r.push(F::TCP_ACK, o + 8, 4).num = ack;
    r.items().back().text = r.format("Acknowledgment Number: {}", ack);
    expert_item(r, "Note", "Protocol",
                "The acknowledgment number field is nonzero while the ACK flag is not set");
    r.pop();
  } else if (Item* it = add(F::TCP_ACK, 8, 4, ack); it && r.tree()) {
    it->text = rel && t.has(kAck) ? r.format("Acknowledgment Number: {}    (relative ack number)", ack)
                                  : r.format("Acknowledgment Number: {}", ack);
  }
  add(F::TCP_ACK_RAW, 8, 4, t.ack());
  if (Item* it = add(F::TCP_HDR_LEN, 12, 1, t.header_len()); it && r.tree())
    it->text = r.format("{} = Header Length: {} bytes ({})", bit_pattern(r, b[12], 8, 0xf0), t.header_len(),
                        t.header_len() / 4);
  if (r.tree()) {
    fmt::memory_buffer names;
    flag_names(names, flags);
    r.push(F::TCP_FLAGS, o + 12, 2).num = flags;
    r.items().back().text =
        r.format("Flags: 0x{:03x} ({})", flags, std::string_view{names.data(), names.size()});
    struct Bit {
      uint16_t mask;
      F field;
      std::string_view name;
    };
    static constexpr Bit kBits[] = {{kReserved, F::TCP_FLAGS_RES, "Reserved"},
                                    {kAe, F::TCP_FLAGS_AE, "Accurate ECN"},
                                    {kCwr, F::TCP_FLAGS_CWR, "Congestion Window Reduced"},
                                    {kEce, F::TCP_FLAGS_ECE, "ECN-Echo"},
                                    {kUrg, F::TCP_FLAGS_URG, "Urgent"},
                                    {kAck, F::TCP_FLAGS_ACK, "Acknowledgment"},
                                    {kPsh, F::TCP_FLAGS_PUSH, "Push"},
                                    {kRst, F::TCP_FLAGS_RESET, "Reset"},
                                    {kSyn, F::TCP_FLAGS_SYN, "Syn"},
                                    {kFin, F::TCP_FLAGS_FIN, "Fin"}};
    for (const Bit& bit : kBits) {
      bool set = flags & bit.mask;
      Item& it = r.add(bit.field, o + 12, 2, set);
      it.text = r.format("{} = {}: {}", bit_pattern(r, flags, 12, bit.mask), bit.name, set_str(set));
      // tshark's expert items under the SYN, FIN and RST bits.
      std::string_view msg, severity = "Chat";
      if (set && bit.mask == kSyn)
        msg = flags & kAck
                  ? r.format("Connection establish acknowledge (SYN+ACK): server port {}", t.src_port())
                  : r.format("Connection establish request (SYN): server port {}", t.dst_port());
      else if (set && bit.mask == kFin)
        msg = "Connection finish (FIN)";
      else if (set && bit.mask == kRst)
        msg = "Connection reset (RST)", severity = "Warning";
      if (msg.empty()) continue;
      r.open_last();
      expert_item(r, severity, "Sequence", msg);
      r.pop();
    }
    Item& s = r.add_str(F::TCP_FLAGS_STR, o + 12, 2, flags_str(r, flags));
    s.generated = true;
    s.text = r.format("TCP Flags: {}", s.str);
    if ((flags & kFin) && m.valid) {
      r.open_last();
      expert_item(r, "Note", "Sequence",
                  m.peer_fin ? "This frame undergoes the connection closing"
                             : "This frame initiates the connection closing");
      r.pop();
    }
    r.pop();
  } else {
    add(F::TCP_FLAGS, 12, 2, flags);
    static constexpr std::pair<F, uint16_t> kBitFields[] = {
        {F::TCP_FLAGS_RES, kReserved}, {F::TCP_FLAGS_AE, kAe},     {F::TCP_FLAGS_CWR, kCwr},
        {F::TCP_FLAGS_ECE, kEce},      {F::TCP_FLAGS_URG, kUrg},   {F::TCP_FLAGS_ACK, kAck},
        {F::TCP_FLAGS_PUSH, kPsh},     {F::TCP_FLAGS_RESET, kRst}, {F::TCP_FLAGS_SYN, kSyn},
        {F::TCP_FLAGS_FIN, kFin}};
    for (auto [f, mask] : kBitFields) add(f, 12, 2, (flags & mask) != 0);
    if (r.want(F::TCP_FLAGS_STR)) r.add_str(F::TCP_FLAGS_STR, o + 12, 2, flags_str(r, flags));
  }
  add(F::TCP_WINDOW_SIZE_VALUE, 14, 2, t.window());
  if (Item* it = add(F::TCP_WINDOW_SIZE, 14, 2, window)) it->generated = true;
  if (m.valid && !t.has(kSyn) && r.want(F::TCP_WINDOW_SIZE_SCALEFACTOR)) {
    Item& it = r.add(F::TCP_WINDOW_SIZE_SCALEFACTOR, o + 14, 2,
                     static_cast<uint64_t>(int64_t{m.window_scalefactor}));
    it.generated = true;
    if (r.tree()) {
      if (m.window_scalefactor == -1)
        it.text = "Window size scaling factor: -1 (unknown)";
      else if (m.window_scalefactor == -2)
        it.text = "Window size scaling factor: -2 (no window scaling used)";
      else
        it.text = r.format("Window size scaling factor: {}", m.window_scalefactor);
    }
  }
  uint8_t status = 2; // the checksum's: 1 good, 0 bad, 2 unverified
  if (r.want(F::TCP_CHECKSUM) || r.want(F::TCP_CHECKSUM_STATUS) || r.want(F::TCP_CHECKSUM_CALCULATED) ||
      r.columns_wanted()) {
    uint16_t computed = 0;
    if (c.opt.check_checksums && c.pkt.payload_missing == 0 && !c.pkt.ip_fragment) {
      const LayerSpan* ipl = nullptr;
      for (int i = c.pkt.l4_layer - 1; i >= 0; --i) {
        const LayerSpan& cand = c.pkt.layers[static_cast<size_t>(i)];
        if (cand.kind == Layer::Ipv4 || cand.kind == Layer::Ipv6) {
          ipl = &cand;
          break;
        }
      }
      if (ipl) {
        const uint8_t* ip = c.bytes(*ipl).data();
        uint32_t pseudo = ipl->kind == Layer::Ipv4
                              ? wire::pseudo_header_v4(ip + 12, ip + 16, 6, static_cast<uint32_t>(b.size()))
                              : wire::pseudo_header_v6(ip + 8, ip + 24, 6, static_cast<uint32_t>(b.size()));
        computed = wire::expected_checksum(pseudo, b, 16);
        status = computed == t.checksum() ? 1 : 0;
      }
    }
    checksum_items(c, F::TCP_CHECKSUM, F::TCP_CHECKSUM_STATUS, F::TCP_CHECKSUM_CALCULATED, o + 16,
                   t.checksum(), computed, status, "Checksum Status");
  }
  add(F::TCP_URGENT_POINTER, 18, 2, t.urgent());
  Options opts;
  bool need_opts = r.tree() || r.columns_wanted();
  // Any tcp.options* field (they are declared in one run in tcp.def).
  for (auto f = static_cast<size_t>(F::TCP_OPTIONS);
       !need_opts && f <= static_cast<size_t>(F::TCP_OPTIONS_UNKNOWN); ++f)
    need_opts = r.want(static_cast<F>(f));
  if (need_opts) {
    uint32_t peer_base = m.valid && t.has(kAck) ? t.ack() - m.ack : 0;
    opts = walk_options(c, t.options(), o + 20, c.opt.absolute_seq ? 0 : peer_base,
                        t.has(kAck) ? std::optional<uint32_t>(t.ack()) : std::nullopt);
  }
  if (m.valid && r.tree()) {
    Item& ts = r.push(F::TEXT, 0, 0);
    ts.generated = true;
    ts.text = "Timestamps";
    rel_time(r, F::TCP_TIME_RELATIVE, m.time_relative_ns, "Time since first frame in this TCP stream");
    rel_time(r, F::TCP_TIME_DELTA, m.time_delta_ns, "Time since previous frame in this TCP stream");
    r.pop();
  } else if (m.valid) {
    if (r.want(F::TCP_TIME_RELATIVE)) rel_time(r, F::TCP_TIME_RELATIVE, m.time_relative_ns, "");
    if (r.want(F::TCP_TIME_DELTA)) rel_time(r, F::TCP_TIME_DELTA, m.time_delta_ns, "");
  }
  if (m.valid) analysis(c, m);
  if (c.pkt.payload_len && r.want(F::TCP_PAYLOAD)) {
    Item& it = r.add_str(F::TCP_PAYLOAD, c.pkt.payload_offset, c.pkt.payload_len,
                         {reinterpret_cast<const char*>(c.pkt.payload().data()), c.pkt.payload_len});
    if (r.tree()) it.text = r.format("TCP payload ({} bytes)", c.pkt.payload_len + c.pkt.payload_missing);
  }
  if (c.app && c.app->segment_bytes && r.want(F::TCP_SEGMENT_DATA)) {
    // The part of the payload that went into a PDU reassembled over several segments.
    uint32_t n = std::min<uint32_t>(c.app->segment_bytes, c.pkt.payload_len);
    Item& it = r.add_str(F::TCP_SEGMENT_DATA, c.pkt.payload_offset + c.pkt.payload_len - n, n,
                         {reinterpret_cast<const char*>(c.pkt.payload().data()) + c.pkt.payload_len - n, n});
    if (r.tree()) it.text = r.format("TCP segment data ({} bytes)", n);
  }
  if (r.tree()) r.pop();

  if (r.columns_wanted()) {
    Columns& col = r.cols();
    col.protocol = "TCP";
    col.info.clear();
    info_column(c, t, m, opts, seq, ack, window, seglen, status == 0, col.info);
  }
}

} // namespace ps::proto
