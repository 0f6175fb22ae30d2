#!/usr/bin/env python3
"""Display filters (-Y): for every capture in tests/data and every filter below, the frames
`portscope read F -Y X` prints must be exactly the frames tshark's display-filter engine selects.

tshark starts slowly (~0.25 s), so its side runs once per capture: a Lua tap script registers one
listener per filter (a listener's filter is compiled and applied by the same engine as -Y) and prints
the matching frame numbers of each. A few (capture, filter) pairs are also run as plain `tshark -Y` to
check that the listeners select what -Y does. Filters tshark rejects must make portscope exit 2.
Exits 77 (skipped) when tshark is not installed."""
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import e2e_util  # noqa: E402
from e2e_util import Tally, parse_args, run

# As tests/data/README.md's reference files were made (portscope verifies checksums by default).
TSHARK_OPTS = ["-n", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
               "-o", "ip.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:TRUE",
               "-o", "tcp.analyze_sequence_numbers:TRUE"]

FILTERS = [
    # integers: decimal, hex, octal, every comparison operator and its word form
    'tcp.port == 80',
    'tcp.srcport eq 80 and tcp.len gt 0',
    'udp.port == 53',
    'tcp.dstport >= 1024 && tcp.dstport <= 0xffff',
    'tcp.port == 0120',
    'ip.ttl < 64',
    'ip.ttl le 63 or ip.ttl ge 128',
    'ip.proto == 17',
    'frame.len > 1000',
    'frame.len ne 66',
    'tcp.window_size_value == 0',
    'tcp.options.mss_val >= 1400',
    'tcp.options.wscale.shift == 10',
    'tcp.stream == 1',
    'udp.stream > 2',
    'frame.number <= 10 && frame.number >= 5',
    'icmp.type == 8 || icmpv6.type == 135',
    'dns.qry.type == 28',
    'ip.checksum.status == 1',
    'tcp.checksum.status == 0',
    # multiple occurrences: == any, != all, ~= any_ne, === all_eq
    'tcp.port != 80',
    'tcp.port ~= 80',
    'tcp.port === 80',
    'tcp.port all_ne 21',
    'tcp.port any_eq 21',
    'ip.addr != 192.168.1.21',
    # bitwise and
    'tcp.flags & 0x02',
    'tcp.flags & 0x11 == 0x11',
    'tcp.flags == 0x012',
    'ip.flags & 0x2',
    # sets and ranges
    'tcp.stream in {0..2}',
    'tcp.stream in {1, 3..4}',
    'tcp.dstport in {21, 25, 110}',
    'http.response.code in {200, 201}',
    'ip.addr in {192.168.1.21, 10.77.0.21}',
    'frame.len in {60..100, 1514}',
    'http.request.method in {"GET", "POST"}',
    # strings
    'http.request.method == "POST"',
    'http.request.method == GET',
    'http.request.uri contains "html"',
    'http.request.uri == "/index.html"',
    'http.response.code >= 400',
    r'http.host matches "^192\\.168"',
    'http.user_agent matches "(?i)CURL"',
    'http.server matches "NGINX"',
    'http.server matches "(?-i)NGINX"',
    r'dns.qry.name matches "corp\\.test$"',
    r'dns.qry.name matches "^www\\."',
    'dns.qry.name contains "example"',
    'dns.qry.name == "www.corp.test"',
    'ftp.request.command == "RETR"',
    'ftp.response.code == 227',
    'smtp.req.command == "MAIL"',
    'pop.request.command == "RETR"',
    'frame.protocols contains "icmp"',
    'frame.protocols == "eth:ethertype:arp"',
    'http.request.method == "\\x50OST"',
    "http.request.method contains 'P'",
    # addresses, subnets, IPv6, MAC, slices
    'ip.addr == 192.168.1.200',
    'ip.src == 192.168.1.21 && ip.dst == 192.168.1.200',
    'ip.addr == 10.0.0.0/8',
    'ip.dst == 192.168.1.0/24',
    'ip.src > 192.168.1.100',
    'ipv6.addr == fd00:77::200',
    'ipv6.src == fd00::/8',
    'ipv6.dst == ff02::/16',
    'ipv6.addr == fe80::/10 && icmpv6',
    'eth.addr == 02:00:c0:a8:01:c8',
    'eth.dst == ff:ff:ff:ff:ff:ff',
    'eth.src == 0200.c0a8.0115',
    'eth.src[0:3] == 02:00:c0',
    'eth.src[3-5] == a8:01:15',
    'eth.dst[:2] == 33-33',
    'eth.addr[5] == c8',
    'ip.src[0:2] == c0:a8',
    'dns.a == 192.168.1.200',
    'sll.src.eth == 02:00:c0:a8:01:15',
    # booleans
    'tcp.flags.syn == 1 && tcp.flags.ack == 0',
    'tcp.flags.reset == True',
    'ip.flags.df == False',
    'dns.flags.response == 1',
    'tcp.flags.fin',
    # times
    'frame.time_relative > 1.5',
    'frame.time_relative <= 0.001',
    'frame.time >= "2026-11-26 09:24:45"',
    'frame.time < "Nov 26, 2026 12:00:00"',
    'frame.time_delta > 0.2',
    'tcp.time_delta > 0.5',
    # existence of protocols and fields, analysis flags
    'http',
    'dns',
    'arp or icmp or icmpv6',
    'ftp-data',
    'telnet',
    'smtp || pop',
    'tcp.analysis.retransmission',
    'tcp.analysis.duplicate_ack || tcp.analysis.out_of_order',
    'tcp.analysis.zero_window',
    'tcp.analysis.keep_alive',
    'tcp.analysis.flags && !tcp.analysis.window_update',
    'ip.flags.mf == 1 || ip.frag_offset > 0',
    'http.request',
    # logic and parentheses
    'not tcp and not udp',
    '!(ip.addr == 192.168.1.21) && ip',
    '(tcp.port == 80 || tcp.port == 21) && !(tcp.len == 0)',
    'tcp.port == 80 or tcp.port == 21 and tcp.len > 0',
    'not (tcp.flags.syn == 1 or tcp.flags.fin == 1) and tcp.len == 0 and tcp',
    # frame, protocol and payload bytes
    'frame contains "GET"',
    'frame contains 47:45:54',
    r'frame matches "http/1\\.[01] 200"',
    'frame[0:2] == 02:00',
    'frame[12:2] == 08:06',
    'frame[-1] == 0x0a',
    'frame[:6] == ff:ff:ff:ff:ff:ff',
    'frame[70:] contains "Host"',
    'tcp.payload contains "HTTP/1.1"',
    'tcp.payload[0:4] == "POST"',
    'udp.payload[2:2] == 01:00',
    'tcp contains "USER"',
    'ip contains "nginx"',
    'tcp[13] == 12',
    'tcp[0:2] == 00:50',
    'len(tcp.payload) > 1000',
    'len(http.request.uri) > 10',
    'count(tcp.options.sack_le) >= 2',
    # field against field
    'tcp.srcport > tcp.dstport',
    'frame.cap_len == frame.len',
]

# Filters tshark 4.0 rejects: portscope must exit 2 with a one-line error.
REJECTED = [
    'tcp.port == ',
    'foo.bar',
    'tcp.port == 70000',
    'ip.src == "abc"',
    'tcp.port contains 80',
    'tcp.analysis.flags == 1',
    'tcp.port in {80,}',
    '(tcp.port == 80',
    'tcp.flags.syn == true',
    'frame.number == 1.5',
    'ip.addr == 192.168.1.0/33',
    'ip.addr == 192.168.1.300',
    'tcp xor udp',
    'http.request.method matches "("',
    'tcp.port = 80',
    '80 == tcp.port',
    'http.request.method matches "G\\.T"',
    'eth.src == 02:00',
    'tcp.port == 80 &&',
    'http.request.method == "GET',
]

# Real -Y runs that must agree with the listeners (capture, filter index).
CROSS_CHECK = [("http-basic.pcap", 'tcp.srcport eq 80 and tcp.len gt 0'), ("dns.pcap", r'dns.qry.name matches "^www\\."'),
               ("tcp-impaired-http.pcap", 'tcp.analysis.retransmission'), ("mixed.pcap", 'ip.addr != 192.168.1.21')]

LUA = r"""
local filters = dofile(%(list)s)
local hits, bad = {}, {}
for i, f in ipairs(filters) do
  local ok, l = pcall(Listener.new, "frame", f)
  if ok then
    hits[i] = {}
    l.packet = function(pinfo) table.insert(hits[i], pinfo.number) end
  else
    bad[i] = true
  end
end
local fin = Listener.new("frame", nil)
function fin.draw()
  for i = 1, #filters do
    if bad[i] then print("ERR " .. i) else print("OK " .. i .. " " .. table.concat(hits[i], " ")) end
  end
end
"""


def lua_string(s):
    eq = "="
    while f"]{eq}]" in s:
        eq += "="
    return f"[{eq}[{s}]{eq}]"


def tshark_batch(tshark, cap, script):
    r = subprocess.run([tshark, *TSHARK_OPTS, "-q", "-r", cap, "-X", f"lua_script:{script}"],
                       capture_output=True, timeout=120)
    res = {}
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("OK", "ERR"):
            i = int(parts[1]) - 1
            res[i] = None if parts[0] == "ERR" else set(int(x) for x in parts[2:])
    return res


def portscope_frames(binary, cap, flt):
    rc, out, err = run(binary, "read", cap, "-q", "-Y", flt, "-T", "fields", "-e", "frame.number")
    if rc != 0:
        return rc, None, err
    return rc, set(int(x) for x in out.split()), err


def main():
    a = parse_args()
    tshark = shutil.which("tshark")
    if not tshark:
        print("tshark not installed: skipped")
        sys.exit(77)
    t = Tally()
    caps = sorted(f for f in os.listdir(a.data) if ".pcap" in f and os.path.isfile(os.path.join(a.data, f)))
    t.check(len(caps) >= 20, f"expected the shipped captures, found {len(caps)}")
    caps = e2e_util.captures_for(a.bin, caps)
    allf = FILTERS + REJECTED
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "filters.lua")
        with open(lst, "w", encoding="utf-8") as f:
            f.write("return {\n" + ",\n".join(lua_string(x) for x in allf) + "\n}\n")
        script = os.path.join(tmp, "filters_tap.lua")
        with open(script, "w", encoding="utf-8") as f:
            f.write(LUA % {"list": lua_string(lst)})
        with ThreadPoolExecutor(max_workers=2) as ex:
            ref = dict(zip(caps, ex.map(lambda c: tshark_batch(tshark, os.path.join(a.data, c), script), caps)))
            jobs = [(c, i) for c in caps for i in range(len(FILTERS))]
            got = dict(zip(jobs, ex.map(lambda j: portscope_frames(a.bin, os.path.join(a.data, j[0]),
                                                                   FILTERS[j[1]]), jobs)))
            # The batch method selects what tshark -Y does.
            for cap, flt in CROSS_CHECK:
                if cap not in ref:
                    continue  # not in the sanitizer build's subset
                r = subprocess.run([tshark, *TSHARK_OPTS, "-r", os.path.join(a.data, cap), "-Y", flt, "-T",
                                    "fields", "-e", "frame.number"], capture_output=True, timeout=120)
                direct = set(int(x) for x in r.stdout.split())
                t.check(direct == ref[cap].get(FILTERS.index(flt)),
                        f"{cap}: tshark -Y {flt!r} and its listener disagree")
    # Every filter in FILTERS is valid for tshark; every one in REJECTED is not.
    first = ref[caps[0]]
    for i, flt in enumerate(allf):
        valid = first.get(i, "missing") is not None and first.get(i) != "missing"
        t.check(valid == (i < len(FILTERS)), f"tshark {'accepts' if valid else 'rejects'} {flt!r} "
                                             f"but the test expects otherwise")
    matched_somewhere = [False] * len(FILTERS)
    for cap in caps:
        for i, flt in enumerate(FILTERS):
            want = ref[cap].get(i)
            rc, frames, err = got[(cap, i)]
            if not t.check(rc == 0, f"{cap}: -Y {flt!r}: exit {rc}: {err.strip()[:200]}"):
                continue
            if want is None:
                continue
            matched_somewhere[i] |= bool(want)
            if frames != want:
                extra, missing = sorted(frames - want), sorted(want - frames)
                t.check(False, f"{cap}: -Y {flt!r}: portscope also {extra[:10]}, misses {missing[:10]} "
                               f"({len(frames)} vs tshark {len(want)})")
            else:
                t.check(True, "")
    # A filter no capture exercises tests little: list them (not a failure: some are negative tests).
    idle = [f for f, m in zip(FILTERS, matched_somewhere) if not m]
    if idle:
        print(f"note: {len(idle)} filters match no frame in any capture: {idle}")
    good = os.path.join(a.data, "http-basic.pcap")
    for flt in REJECTED:
        rc, out, err = run(a.bin, "read", good, "-q", "-Y", flt)
        lines = [l for l in err.splitlines() if l]
        t.check(rc == 2 and out == "" and len(lines) == 1 and "display filter" in lines[0],
                f"rejected filter {flt!r}: exit {rc}, stderr {err.strip()[:200]!r}")
    t.finish()


if __name__ == "__main__":
    main()
