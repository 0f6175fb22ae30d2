#!/usr/bin/env python3
"""Rebuild the seed's example packet (docs/seed.txt) byte for byte as a one-frame pcap.

The seed prints: 192.168.1.21:4773 -> 192.168.1.200:80, seq 1935801179, ack 2272844446, header length 20,
flags PSH+ACK, window 17520, checksum 0xf4e3 (correct), next sequence number 1935801513 (so 334 bytes of
HTTP request). The request text is ours; two characters of a Cookie value are chosen so that the TCP
checksum comes out as exactly 0xf4e3 and is correct.

usage: make_seed_pcap.py OUT.pcap
"""
import itertools
import string
import struct
import sys

SRC, DST = bytes([192, 168, 1, 21]), bytes([192, 168, 1, 200])
SPORT, DPORT, SEQ, ACK, WIN, CHECKSUM, PAYLOAD_LEN = 4773, 80, 1935801179, 2272844446, 17520, 0xF4E3, 334
SAFE = (string.ascii_letters + string.digits).encode()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def request(pad, filler=b"x"):
    head = (b"GET / HTTP/1.1\r\n"
            b"Accept: image/gif, image/x-xbitmap, image/jpeg, image/pjpeg, */*\r\n"
            b"Accept-Language: en-us\r\n"
            b"Accept-Encoding: gzip, deflate\r\n"
            b"User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)\r\n"
            b"Host: 192.168.1.200\r\n"
            b"Connection: Keep-Alive\r\n"
            b"Cookie: session=")
    tail = b"\r\n\r\n"
    fill = PAYLOAD_LEN - len(head) - len(tail) - len(pad)
    assert fill > 0, fill
    return head + filler * fill + pad + tail


def tcp_header(checksum):
    return struct.pack("!HHIIBBHHH", SPORT, DPORT, SEQ, ACK, 5 << 4, 0x18, WIN, checksum, 0)


def main():
    out = sys.argv[1]
    pseudo = SRC + DST + struct.pack("!BBH", 0, 6, 20 + PAYLOAD_LEN)
    for filler, a, b in itertools.product(SAFE, SAFE, SAFE):
        payload = request(bytes([a, b]), bytes([filler]))
        if csum(pseudo + tcp_header(CHECKSUM) + payload) == 0xFFFF:
            break
    else:
        sys.exit("no padding gives checksum 0x%04x" % CHECKSUM)
    tcp = tcp_header(CHECKSUM) + payload
    total = 20 + len(tcp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0x1E3A, 0x4000, 128, 6, 0, SRC, DST)
    ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
    eth = bytes.fromhex("0200c0a801c8") + bytes.fromhex("0200c0a80115") + b"\x08\x00"
    frame = eth + ip + tcp
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("<IIII", 1041379200, 0, len(frame), len(frame)))  # 2003-01-01 00:00:00 UTC
        f.write(frame)


if __name__ == "__main__":
    main()
