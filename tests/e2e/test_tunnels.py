#!/usr/bin/env python3
"""Tunnels (tests/data/tunnel-*.pcap, tests/data/tcpdump-tests/): every field below must come out of
`portscope read -T fields` as live tshark prints it, all occurrences (outer and inner headers);
connections are keyed by the inner addresses and name their tunnel; `log http` finds the request
carried through each tunnel. Skips (77) without tshark."""
import json
import os
import shutil
import subprocess
import sys

from e2e_util import Tally, parse_args, run

FIELDS = (
    "frame.len eth.src eth.dst eth.type vlan.id ip.src ip.dst ip.proto ip.len ip.ttl ip.checksum.status "
    "ipv6.src ipv6.dst ipv6.nxt tcp.srcport tcp.dstport tcp.len tcp.seq tcp.ack tcp.flags tcp.stream "
    "tcp.checksum.status udp.srcport udp.dstport udp.length udp.checksum.status "
    "gre.flags_and_version gre.flags.checksum gre.flags.routing gre.flags.key gre.flags.sequence_number "
    "gre.flags.version gre.proto gre.checksum gre.checksum.status gre.offset gre.key gre.sequence_number "
    "vxlan.flags vxlan.flag_i vxlan.flags_reserved vxlan.gbp vxlan.vni vxlan.reserved8 "
    "geneve.version geneve.option.length geneve.flags geneve.flags.oam geneve.flags.critical geneve.proto_type "
    "geneve.vni geneve.options geneve.option.class geneve.option.type geneve.option.unknown.data "
    "mpls.label mpls.exp mpls.bottom mpls.ttl gtp.flags gtp.flags.version gtp.flags.e gtp.message gtp.length "
    "gtp.teid ieee8021ad.id pppoe.version pppoe.type pppoe.code pppoe.session_id pppoe.payload_length "
    "ppp.protocol erspan.version erspan.vlan erspan.cos erspan.encap erspan.truncated erspan.spanid "
    "erspan.index dns.qry.name http.request.uri _ws.col.Protocol _ws.col.Info"
).split()
# The outer UDP flow of a VXLAN/Geneve tunnel is a connection of its own (its udp.stream, a conns row).
UDP_TUNNELS = ("vxlan", "geneve", "gtpu", "teredo")
PREFS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]


def transport_protocols(p):
    """frame.protocols up to the transport (portscope names no application protocol but DNS there)."""
    parts = p.split(":")
    for i, x in enumerate(parts):
        if x == "tcp":
            return ":".join(parts[: i + 1])
    return p


def rows(text):
    return [l.split("\t") for l in text.split("\n") if l != ""]


def compare(t, binary, cap, fields):
    name = os.path.basename(cap)
    ef = [x for f in fields for x in ("-e", f)]
    ref = subprocess.run(["tshark", "-n", "-r", cap, *PREFS, "-T", "fields", *ef], capture_output=True, text=True)
    if ref.returncode != 0:
        return
    rc, out, err = run(binary, "read", cap, "-n", "-T", "fields", *ef)
    if not t.check(rc == 0, f"{name}: exit {rc}: {err.strip()[:200]}"):
        return
    want, got = rows(ref.stdout), rows(out)
    t.check(len(want) == len(got), f"{name}: {len(got)} rows, tshark {len(want)}")
    bad = 0
    for n, (w, g) in enumerate(zip(want, got), 1):
        for j, f in enumerate(fields):
            a = w[j] if j < len(w) else ""
            b = g[j] if j < len(g) else ""
            if f == "frame.protocols":
                a, b = transport_protocols(a), transport_protocols(b)
            if a != b:
                bad += 1
                if bad <= 5:
                    print(f"  {name} frame {n} {f}: tshark={a!r} portscope={b!r}")
    t.check(bad == 0, f"{name}: {bad} cells differ from tshark")


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        sys.exit(77)
    t = Tally()
    caps = sorted(f for f in os.listdir(a.data) if f.startswith("tunnel-") and f.endswith(".pcap"))
    t.check(len(caps) >= 17, f"expected the 17 tunnel captures, found {len(caps)}")
    for c in caps:
        path = os.path.join(a.data, c)
        fields = FIELDS + ["frame.protocols", "udp.stream"]
        compare(t, a.bin, path, fields)

        # Connections: the inner endpoints, and (through an IP tunnel) the tunnel they came through.
        rc, out, err = run(a.bin, "conns", path, "--format", "json")
        if not t.check(rc == 0, f"{c}: conns exit {rc}: {err.strip()[:200]}"):
            continue
        every = json.loads(out)
        conns = [r for r in every if r["proto"] == "tcp"]
        if any(u in c for u in UDP_TUNNELS):  # the parent is the outer UDP connection's row
            uids = {r["uid"] for r in every}
            t.check(all(p in uids for r in conns for p in r.get("tunnel_parents", [])),
                    f"{c}: tunnel_parents name no connection of the run")
        t.check(len(conns) == 1, f"{c}: {len(conns)} TCP connections, want 1")
        for r in conns:
            t.check(r["id.orig_h"] in ("192.168.1.21", "fd00:77::21") and r["id.resp_p"] == 80,
                    f"{c}: TCP connection keyed by {r['id.orig_h']}:{r['id.orig_p']}, not the inner client")
            t.check(r.get("service") == "http", f"{c}: service {r.get('service')!r}")
            tunnelled = "mpls" not in c and "pppoe" not in c  # link layers, not tunnels, for Zeek
            t.check(("tunnel_parents" in r) == tunnelled, f"{c}: tunnel_parents {r.get('tunnel_parents')}")
        rc, out, err = run(a.bin, "conns", path, "--format", "zeek")
        body = [l.split("\t") for l in out.split("\n") if l and not l.startswith("#")]
        t.check(all(len(l) == 22 for l in body), f"{c}: zeek rows of {set(len(l) for l in body)} columns")

        # The inner TCP stream, as tshark follows it.
        ref = subprocess.run(["tshark", "-n", "-r", path, "-q", "-z", "follow,tcp,ascii,0"], capture_output=True)
        rc, out, err = run(a.bin, "follow", path, "-z", "follow,tcp,ascii,0")
        t.check(rc == 0 and out == ref.stdout.decode("utf-8", "replace"), f"{c}: follow differs from tshark's")

        # The HTTP request inside the tunnel.
        rc, out, err = run(a.bin, "log", "http", path)
        t.check(rc == 0 and "/index.html" in out and "200" in out,
                f"{c}: log http did not find the request: {out[:300]!r}")

    # Traces from tcpdump's test suite (other implementations' tunnels).
    more = os.path.join(a.data, "tcpdump-tests")
    for c in ("vxlan.pcap", "geneve.pcap", "gso-ipv4-vxlan-ipv4.pcap", "gso-ipv6-geneve-ipv6.pcap", "mpls-over-udp.pcap",
              "various_gre.pcap", "wccp_redirect_gre.pcap"):
        compare(t, a.bin, os.path.join(more, c), [f for f in FIELDS if not f.startswith(("tcp.seq", "tcp.ack", "_ws.col"))])
    t.finish()


if __name__ == "__main__":
    main()
