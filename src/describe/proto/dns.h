// DNS describer: the "Domain Name System" tree, dns.* fields and the DNS Info column.
#pragma once

#include <cstdint>
#include <span>

#include "describe/proto/context.h"
#include "dns/message.h"

namespace ps::proto {

// Hook after the UDP layer: describes the payload as DNS when it is on port 53 or 5353 (MDNS), or on
// another port when dns::looks_like_dns() accepts it. Returns true when it claimed the payload.
bool describe_dns_udp(Ctx& c);

// Describes one complete DNS message. `msg` is the message without any TCP length prefix;
// `frame_off` is where it starts in the frame (byte ranges only); `stream` is the udp/tcp stream used
// to match queries and responses. For DNS over TCP pass tcp = true: the tree gains "Length: N".
void describe_dns_message(Ctx& c, std::span<const uint8_t> msg, uint32_t frame_off, bool tcp, uint32_t stream,
                          bool mdns = false);

namespace dns_detail {
// Questions and resource-record sections (dns_rr.cpp).
void questions(Ctx& c, const dns::Message& m, uint32_t base, bool mdns);
void records(Ctx& c, std::span<const uint8_t> msg, const dns::Message& m, uint32_t base, bool mdns);
// The Info text of the questions and records: " A www.corp.test A 192.168.1.200 OPT".
void info_sections(Ctx& c, const dns::Message& m);
} // namespace dns_detail

} // namespace ps::proto
