// pcap_floor: the cheapest possible pass over a capture with libpcap -- open it, pull every record
// with pcap_next_ex and count packets and bytes. It is the floor the other readers are measured
// against in bench/run.sh: nothing that reads a pcap through libpcap can be faster than this.
//
//   pcap_floor FILE
#include <pcap/pcap.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (p == nullptr) {
    std::fprintf(stderr, "pcap_floor: %s\n", err);
    return 1;
  }
  std::uint64_t packets = 0;
  std::uint64_t caplen = 0;
  std::uint64_t wirelen = 0;
  std::uint32_t sink = 0; // touch the first byte so the data is really read
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    ++packets;
    caplen += h->caplen;
    wirelen += h->len;
    if (h->caplen > 0) sink += data[0];
  }
  if (rc == PCAP_ERROR) {
    std::fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_close(p);
  std::printf("%" PRIu64 " packets, %" PRIu64 " bytes captured, %" PRIu64 " bytes on wire (%u)\n", packets,
              caplen, wirelen, sink & 0xffu);
  return 0;
}
