#!/usr/bin/env python3
"""Link layers and encapsulations on other implementations' captures (tests/data/tcpdump-tests/: PPP,
PPP in HDLC framing, PPPoE, Cisco HDLC, NFLOG, PKTAP, ERSPAN I/II/III, radiotap + 802.11, Linux ARCNET,
IP over InfiniBand, Solaris ipnet, Frame Relay, and past
tcpdump crashers of those parsers), against live tshark:

1. -T fields: the link, tunnel and inner IP/transport fields, first occurrence, cell by cell.
2. -V: every line of the top-level blocks these parsers own (PPP, PPPoE, Cisco HDLC, NFLOG, PKTAP,
   ERSPAN, GRE, LLC), frame by frame.
3. -x, -x -V, -x -P: the hex dump blocks exactly as tshark prints them (frames and reassembled
   datagrams), on these captures and on the IP fragment captures.
4. Hostile inputs: exit 0, every frame printed.
Skips (77) without tshark."""
import os
import re
import shutil
import subprocess
import sys

from e2e_util import Tally, parse_args, run

# Zeek's test traces of these encapsulations (tests/data/zeek-encap/), compared the same way.
ZEEK = ("gre-aruba-amsdu.pcap", "gre-aruba-ccmp.pcap", "snap-tcp.pcap", "nflog-http.pcap", "pppoe.pcap",
        "erspanI.pcap", "erspanII.pcap", "erspanIII.pcap", "gre-erspan3-dot1q.pcap", "ayiya-large-identity.pcap",
        "radiotap.pcap", "wlanmon.pcap", "pbb.pcap", "arp-who-has-radiotap.pcap")
CAPTURES = ("pppoe.pcap", "pppoes.pcap", "HDLC.pcap", "mpls-traceroute.pcap", "nflog.pcap", "LINKTYPE_PKTAP.pcap",
            "erspan-type-i-1.pcap", "erspan-type-ii-2.pcap", "erspan-type-iii-ft-0.pcap", "ieee802.11_htc.pcap",
            "ppp-invalid-lengths.pcap", "arcnet-rfc1051-arp-icmp-http.pcap", "arcnet-rfc1201-arp-icmp-http.pcap",
            "ipoib.pcap", "e1000g.pcap", "OSPFv3_NBMA_adjacencies.pcap", "icmp-icmp_print-oobr-2.pcap",
            "arp-oobr-fixed-header.pcap")
HOSTILE = ("ppp_ip_udp_dns.pcap", "radiotap-heapoverflow.pcap", "chdlc-slarp-short.pcap", "hoobr_chdlc_print.pcap",
           "heapoverflow-ppp_hdlc_if_print.pcap", "erspan-type-iii-pb-1.pcap")
FIELDS = (
    "frame.len frame.cap_len eth.src eth.dst eth.type vlan.id ip.src ip.dst ip.proto ip.len ip.ttl ipv6.src ipv6.dst "
    "tcp.srcport tcp.dstport udp.srcport udp.dstport udp.length icmp.type "
    "ppp.address ppp.control ppp.protocol pppoe.version pppoe.type pppoe.code pppoe.session_id pppoe.payload_length "
    "chdlc.address chdlc.control chdlc.protocol llc.dsap llc.ssap llc.control llc.oui llc.type "
    "gre.proto gre.sequence_number erspan.version erspan.vlan erspan.cos erspan.encap erspan.bso erspan.truncated "
    "erspan.spanid erspan.index erspan.timestamp erspan.sgt erspan.ft erspan.hw erspan.direction erspan.gra erspan.o "
    "nflog.family nflog.version nflog.res_id nflog.tlv_length nflog.tlv_type nflog.protocol nflog.hook "
    "nflog.ifindex_indev nflog.prefix pktap.hdrlen pktap.rectype pktap.dlt pktap.ifname pktap.flags pktap.pfamily "
    "pktap.llhdrlen pktap.pid pktap.svc_class pktap.epid radiotap.version radiotap.pad radiotap.length "
    "wlan.fc.type_subtype wlan.fc wlan.fc.ds wlan.duration wlan.ra wlan.ta wlan.da wlan.sa wlan.bssid wlan.frag "
    "wlan.seq wlan.qos "
    "arcnet.src arcnet.dst arcnet.offset arcnet.protID arcnet.split_flag arcnet.sequence arp.src.proto_ipv4 "
    "arp.dst.proto_ipv4 arp.src.hw ipoib.daddr.qpn ipoib.dgid ipoib.grh.ipver ipoib.grh.tclass ipoib.grh.flowlabel "
    "ipoib.grh.sqpn ipoib.grh.sgid ipoib.type ipoib.reserved ipnet.version ipnet.family ipnet.htype ipnet.pktlen "
    "ipnet.ifindex ipnet.grifindex ipnet.zsrc ipnet.zdst fr.upper_dlci fr.cr fr.ea fr.second_dlci fr.fecn fr.becn "
    "fr.de fr.lower_dlci fr.dc fr.dlci fr.chdlctype arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode"
).split()
OWN = ("Point-to-Point Protocol", "PPP-over-Ethernet", "Cisco HDLC", "Linux Netfilter NFLOG", "PKTAP packet header",
       "Encapsulated Remote Switch Packet ANalysis", "Generic Routing Encapsulation", "Logical-Link Control", "AYIYA",
       "Fiber Distributed Data Interface", "ARCNET", "IP over Infiniband", "Solaris IPNET", "Frame Relay",
       "Address Resolution Protocol")
HEX = re.compile(r"^([0-9a-f]{4,8}  |Frame \(\d+ bytes\):|Reassembled IPv[46] \(\d+ bytes\):)")


def tshark(*args):
    r = subprocess.run(["tshark", "-n", *args], capture_output=True)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def rows(text):
    return [l.split("\t") for l in text.split("\n") if l != ""]


def blocks(text):
    """{frame: {heading: [lines]}} for the blocks in OWN."""
    out, frame, cur = {}, 0, None
    for line in text.split("\n"):
        m = re.match(r"^Frame (\d+): ", line)
        if m:
            frame, cur = int(m.group(1)), None
            out[frame] = {}
            continue
        if line and not line.startswith(" "):
            cur = None
            if line.startswith(OWN):
                cur = out[frame].setdefault(line, [])
            continue
        if cur is not None and line.strip():
            cur.append(line)
    return out


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        sys.exit(77)
    t = Tally()
    d = os.path.join(a.data, "tcpdump-tests")
    ef = [x for f in FIELDS for x in ("-e", f)]
    for path in [os.path.join(d, c) for c in CAPTURES] + [os.path.join(a.data, "zeek-encap", c) for c in ZEEK]:
        c = os.path.basename(path)
        rc, ref = tshark("-r", path, "-T", "fields", "-E", "occurrence=f", *ef)
        rc2, out, err = run(a.bin, "read", path, "-n", "-T", "fields", "-E", "occurrence=f", *ef)
        if not t.check(rc2 == 0, f"{c}: fields exit {rc2}: {err.strip()[:200]}"):
            continue
        want, got = rows(ref), rows(out)
        t.check(len(want) == len(got), f"{c}: {len(got)} rows, tshark {len(want)}")
        bad = []
        for n, (w, g) in enumerate(zip(want, got), 1):
            for j, f in enumerate(FIELDS):
                x, y = (w[j] if j < len(w) else ""), (g[j] if j < len(g) else "")
                if x != y:
                    bad.append(f"frame {n} {f}: tshark={x!r} portscope={y!r}")
        t.check(not bad, f"{c}: {len(bad)} cells differ: {bad[:4]}")

        _, ref = tshark("-r", path, "-V")
        rc2, out, err = run(a.bin, "read", path, "-n", "-V")
        want, got = blocks(ref), blocks(out)
        bad = []
        for n, bl in want.items():
            for head, lines in bl.items():
                have = got.get(n, {}).get(head)
                if have is None:
                    bad.append(f"frame {n}: no block {head!r}")
                elif have != lines:
                    diff = next((f"{x!r} vs tshark {y!r}" for x, y in zip(have + [""] * len(lines), lines) if x != y), "")
                    bad.append(f"frame {n} {head[:30]}: {diff}")
        t.check(not bad, f"{c}: -V blocks differ: {bad[:3]}")

    # -x as tshark prints it: alone, after the tree, after the summary line (the dump parts).
    hexcaps = [os.path.join(d, c) for c in CAPTURES] + [os.path.join(a.data, c) for c in ("frag-udp.pcap", "frag-tcp.pcap")]
    hexcaps += [os.path.join(a.data, c) for c in ("tunnel-pppoe-qinq.pcap", "tunnel-erspan.pcap")]
    # Frames whose dump shows a data source portscope does not keep (tshark's "Reassembled TCP",
    # "De-chunked entity body", ...) are left out of the comparison and counted.
    untested = 0
    for path in hexcaps:
        c = os.path.basename(path)
        _, ref = tshark("-r", path, "-x")
        rc2, out, err = run(a.bin, "read", path, "-n", "-x")
        want, got = ref.split("\n\n"), out.split("\n\n")
        t.check(rc2 == 0 and len(want) == len(got), f"{c}: read -x: {len(got)} frames, tshark {len(want)}")
        keep = [i for i, w in enumerate(want) if not re.search(r"^(?!Frame|Reassembled IPv)[A-Z].*bytes\):$", w, re.M)]
        untested += len(want) - len(keep)
        t.check(all(i < len(got) and got[i] == want[i] for i in keep), f"{c}: read -x differs from tshark -x")
        if len(keep) != len(want):
            continue
        for extra in (["-V"], ["-P"]):
            _, ref = tshark("-r", path, "-x", *extra)
            rc2, out, err = run(a.bin, "read", path, "-n", "-x", *extra)
            pick = lambda s: [l for l in s.split("\n") if HEX.match(l)]
            t.check(rc2 == 0 and pick(out) == pick(ref) and out.count("\n\n") == ref.count("\n\n"),
                    f"{c}: read -x {extra[0]}: dump or separators differ from tshark")
    print(f"-x: {untested} frames with a reassembled TCP or HTTP body source not compared")
    rc, out, err = run(a.bin, "read", os.path.join(d, CAPTURES[0]), "-x", "-T", "fields", "-e", "frame.number")
    t.check(rc == 2 and err.count("\n") == 1, f"-x with -T fields: exit {rc} {err!r}")

    # Past crashers: every frame printed, exit 0, malformed or cut frames marked.
    for c in HOSTILE:
        path = os.path.join(d, c)
        _, ref = tshark("-r", path)
        rc, out, err = run(a.bin, "read", path, "-n", "-V")
        rc2, summary, _ = run(a.bin, "read", path, "-n")
        t.check(rc == 0 and rc2 == 0, f"{c}: exit {rc}/{rc2}: {err.strip()[:200]}")
        t.check(len(summary.splitlines()) == len(ref.splitlines()), f"{c}: {len(summary.splitlines())} frames")
        if "ERSPAN" in ref or "Packet size limited" in ref:
            t.check("size limited" in out or "Malformed" in out, f"{c}: the cut frame is not marked")
    t.finish()


if __name__ == "__main__":
    main()
