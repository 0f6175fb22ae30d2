#include "dissect/frame_decoder.h"

#include "wire/ipv4.h"
#include "wire/ipv6.h"

namespace ps {

namespace {

// The fragment in the first IP header of `d`; false when it cannot be reassembled (not wholly captured).
bool fragment_of(const Decoded& d, IpFragment& f) {
  const LayerSpan& l = d.layers[static_cast<size_t>(d.ip_layer)];
  const wire::Bytes b = d.bytes(l);
  f.frame = d.frame->number;
  f.src = d.src_ip;
  f.dst = d.dst_ip;
  if (l.kind == Layer::Ipv4) {
    const wire::Ipv4View ip(b);
    if (ip.payload_missing()) return false;
    f.ip_version = 4;
    f.proto = ip.protocol();
    f.id = ip.id();
    f.offset = ip.frag_offset() * 8u;
    f.more = ip.mf();
    f.payload = ip.payload();
    return true;
  }
  if (l.kind != Layer::Ipv6 || b.size() < 40 || b.size() != 40u + wire::Ipv6View(b).payload_len())
    return false;
  wire::Ipv6ExtWalker walk(b);
  wire::Ipv6Ext e;
  while (walk.next(e)) {
    if (e.type != 44) continue;
    const uint16_t off_flags = wire::be16(&b[e.offset + 2]);
    f.ip_version = 6;
    f.proto = e.next;
    f.id = wire::be32(&b[e.offset + 4]);
    f.offset = off_flags & 0xfff8u;
    f.more = off_flags & 1u;
    f.payload = b.subspan(e.offset + e.length);
    return true;
  }
  return false;
}

} // namespace

void FrameDecoder::defragment(Decoded& out) {
  IpFragment f;
  if (out.malformed || out.ip_layer < 0 || !fragment_of(out, f)) return;
  if (const IpReassembly* dg = defrag_.add(f)) decode_reassembled(out, dg->proto, dg->data, dg);
}

} // namespace ps
