#include "dissect/value_format.h"

#include <arpa/inet.h>

#include <ctime>

#include "dissect/fast_text.h"

namespace ps {

namespace {

unsigned hex_width(FieldType t) {
  switch (t) {
  case FieldType::UInt8:
    return 2;
  case FieldType::UInt16:
    return 4;
  case FieldType::UInt24:
    return 6;
  case FieldType::UInt32:
    return 8;
  case FieldType::UInt64:
    return 16;
  default:
    return 0;
  }
}

void seconds(int64_t ns, fmt::memory_buffer& out) {
  fast::append_seconds(out, ns);
}

} // namespace

void format_utc_date(int64_t ns, fmt::memory_buffer& out) {
  int64_t sec = ns / 1'000'000'000, frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --sec;
  }
  std::time_t t = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  fmt::format_to(std::back_inserter(out), "{} {:2}, {} {:02}:{:02}:{:02}.{:09} UTC", kMonths[tm.tm_mon % 12],
                 tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void format_value(const Item& item, fmt::memory_buffer& out) {
  const FieldInfo& fi = field_info(item.field);
  switch (fi.type) {
  case FieldType::Protocol:
  case FieldType::Text:
    return;
  case FieldType::None:
    out.push_back('1');
    return;
  case FieldType::Bool:
    out.push_back(item.num ? '1' : '0');
    return;
  case FieldType::UInt8:
  case FieldType::UInt16:
  case FieldType::UInt24:
  case FieldType::UInt32:
  case FieldType::UInt64:
    if (fi.base == Base::Hex || fi.base == Base::HexDec) {
      fast::append(out, "0x");
      fast::append_hex(out, item.num, hex_width(fi.type));
    } else {
      fast::append_uint(out, item.num);
    }
    return;
  case FieldType::Int32:
    fast::append_int(out, static_cast<int64_t>(item.num));
    return;
  case FieldType::FrameNum:
    fast::append_uint(out, item.num);
    return;
  case FieldType::Ether: {
    const auto* m = reinterpret_cast<const uint8_t*>(item.str.data());
    char text[17];
    if (item.str.size() == 6) out.append(text, fast::put_ether(text, m));
    return;
  }
  case FieldType::Ipv4: {
    const uint32_t a = static_cast<uint32_t>(item.num);
    const uint8_t bytes[4] = {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8), uint8_t(a)};
    char text[15];
    out.append(text, fast::put_ipv4(text, bytes));
    return;
  }
  case FieldType::Ipv6: {
    if (item.str.size() != 16) return;
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, item.str.data(), buf, sizeof buf);
    fast::append(out, buf);
    return;
  }
  case FieldType::String:
    out.append(item.str.data(), item.str.data() + item.str.size());
    return;
  case FieldType::Bytes: {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char ch : item.str) {
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
    return;
  }
  case FieldType::AbsTime:
    // Base::Dec marks epoch seconds (frame.time_epoch); otherwise a UTC date as tshark prints frame.time.
    if (fi.base == Base::Dec)
      seconds(static_cast<int64_t>(item.num), out);
    else
      format_utc_date(static_cast<int64_t>(item.num), out);
    return;
  case FieldType::RelTime:
    seconds(static_cast<int64_t>(item.num), out);
    return;
  case FieldType::Double:
    fmt::format_to(std::back_inserter(out), "{}", item.dbl);
    return;
  }
}

void json_escape(std::string_view s, fmt::memory_buffer& out) {
  for (unsigned char ch : s) {
    switch (ch) {
    case '"':
      out.append(std::string_view("\\\""));
      break;
    case '\\':
      out.append(std::string_view("\\\\"));
      break;
    case '\n':
      out.append(std::string_view("\\n"));
      break;
    case '\r':
      out.append(std::string_view("\\r"));
      break;
    case '\t':
      out.append(std::string_view("\\t"));
      break;
    default:
      if (ch < 0x20)
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", ch);
      else
        out.push_back(static_cast<char>(ch));
    }
  }
}

} // namespace ps
