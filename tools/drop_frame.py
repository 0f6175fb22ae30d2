#!/usr/bin/env python3
"""drop_frame.py IN.pcap OUT.pcap N: copies a classic pcap file without its frame N (1-based).

Used to make a capture with a content gap (tests/data/README.md says which captures were edited)."""
import struct
import sys


def main() -> None:
    src, dst, drop = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(src, "rb").read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out = bytearray(data[:24])
    pos, n = 24, 0
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        n += 1
        if n != drop:
            out += data[pos:pos + 16 + incl]
        pos += 16 + incl
    if drop > n:
        sys.exit(f"drop_frame.py: {src} has only {n} frames")
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
