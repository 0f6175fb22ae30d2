#!/usr/bin/env python3
"""The seed's packet (docs/seed.txt), printed as the seed shows it: layers, values and their order."""
from e2e_util import Tally, parse_args, run


def in_order(text, needles):
    pos = 0
    for n in needles:
        i = text.find(n, pos)
        if i < 0:
            return n
        pos = i + len(n)
    return None


def main():
    a = parse_args()
    t = Tally()
    cap = f"{a.data}/seed-http.pcap"
    rc, out, err = run(a.bin, "read", cap, "-V", "--absolute-seq")
    t.check(rc == 0, f"read -V --absolute-seq exit {rc}: {err}")
    missing = in_order(out, [
        "Ethernet II",
        "Internet Protocol Version 4, Src: 192.168.1.21, Dst: 192.168.1.200",
        "Transmission Control Protocol, Src Port: 4773, Dst Port: 80 (http), Seq: 1935801179, Ack: 2272844446",
        "    Source Port: 4773\n",
        "    Destination Port: 80 (http)\n",
        "    Sequence Number: 1935801179\n",
        "    [Next Sequence Number: 1935801513]\n",
        "    Acknowledgment Number: 2272844446\n",
        "    0101 .... = Header Length: 20 bytes (5)\n",
        "    Flags: 0x018 (PSH, ACK)\n",
        "    Window: 17520\n",
        "    Checksum: 0xf4e3 [correct]\n",
        "Hypertext Transfer Protocol\n",
        "    GET / HTTP/1.1\\r\\n\n",
        "        Request Method: GET\n",
        "    Host: 192.168.1.200\\r\\n\n",
    ])
    t.check(missing is None, f"absolute tree: missing or out of order: {missing!r}")

    rc, out, err = run(a.bin, "read", cap, "-V")
    t.check(rc == 0, f"read -V exit {rc}")
    missing = in_order(out, [
        "Seq: 1, Ack: 1, Len: 334",
        "    Sequence Number: 1    (relative sequence number)\n",
        "    Sequence Number (raw): 1935801179\n",
        "    [Next Sequence Number: 335    (relative sequence number)]\n",
        "    Acknowledgment Number: 1    (relative ack number)\n",
        "    Acknowledgment number (raw): 2272844446\n",
    ])
    t.check(missing is None, f"relative tree: missing or out of order: {missing!r}")

    rc, out, err = run(a.bin, "read", cap, "-n", "-V")
    t.check("Destination Port: 80\n" in out and "(http)" not in out.split("Hypertext")[0],
            "-n shows bare port numbers")

    rc, out, err = run(a.bin, "read", cap)
    t.check(rc == 0 and out.startswith("    1   0.000000 192.168.1.21 → 192.168.1.200 HTTP 388 GET / HTTP/1.1"),
            f"summary line: {out!r}")

    rc, out, err = run(a.bin, "read", cap, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq",
                       "-e", "tcp.nxtseq", "-e", "tcp.ack", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e",
                       "tcp.hdr_len", "-e", "tcp.flags", "-e", "tcp.window_size_value", "-e", "tcp.checksum", "-e",
                       "tcp.checksum.status")
    t.check(out == "4773\t80\t1\t335\t1\t1935801179\t2272844446\t20\t0x0018\t17520\t0xf4e3\t1\n", f"fields: {out!r}")

    rc, out, err = run(a.bin, "read", cap, "-S", "-T", "fields", "-e", "tcp.seq", "-e", "tcp.nxtseq", "-e", "tcp.ack")
    t.check(out == "1935801179\t1935801513\t2272844446\n", f"absolute fields: {out!r}")
    t.finish()


if __name__ == "__main__":
    main()
