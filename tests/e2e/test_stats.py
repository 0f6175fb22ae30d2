#!/usr/bin/env python3
"""`portscope stats` against tshark's -z statistics (references in tests/data/stats/, written by
tools/make_stats_refs.sh with tshark 4.0.17): protocol hierarchy, the five endpoint tables and io,stat
with several intervals and filter columns, http,tree and http_req,tree, byte for byte on every capture.
-z expert (and its severity forms) and -z dns,tree are compared with tshark run live (through
tests/tools/refcache)."""
import glob
import os
import re
import shutil
import subprocess

from e2e_util import Tally, captures_for, parse_args, run

# Where portscope's own dissection differs from tshark's, so the hierarchy cannot agree (the rest of
# these captures' statistics is still compared).
PHS_KNOWN = {
    "frag-udp.pcap": "IPv6 fragments carrying unclaimed data: tshark files them under the reassembled datagram",
    "tcp-impaired-http.pcap": "tshark marks one frame _ws.malformed that portscope decodes",
}
ENDPOINT_TITLES = {"eth": "Ethernet Endpoints", "ip": "IPv4 Endpoints", "ipv6": "IPv6 Endpoints",
                   "tcp": "TCP Endpoints", "udp": "UDP Endpoints"}
IO_KINDS = ["io,0.01", "io,0", "io,1", "io,0.1,tcp,,udp.port==53"]
# Expert items tshark emits that portscope does not (its dissection differs there): (capture, protocol,
# summary) -> reason. The test takes these rows out of tshark's table (and its totals); the rest must agree.
EXPERT_KNOWN = {
    ("tcp-impaired-http.pcap", "TCP", "New fragment overlaps old data (retransmission?)"):
        "tshark's reassembly rejects one retransmission with different bytes; portscope keeps the first copy",
    ("http-snaplen96.pcap", "HTTP", "Illegal characters found in header name"):
        "tshark parses the captured head of two truncated continuation frames as header lines",
}
# The severity-filtered forms, on captures that have items of several severities.
EXPERT_LEVEL_CAPS = ["mixed.pcap", "tcp-impaired-upload.pcap", "tcp-impaired-http.pcap", "tcp-zero-window.pcap"]


def tshark_z(cap, z):
    r = subprocess.run(["tshark", "-n", "-q", "-r", cap, "-z", z], capture_output=True, timeout=300)
    return r.stdout.decode("utf-8", "replace")


def drop_known_expert(name, text):
    """tshark's -z expert text without the EXPERT_KNOWN rows of this capture (totals and empty sections
    mended)."""
    out = []
    for sec in re.split(r"(?=\n[A-Z][a-z]+ \(\d+\)\n=+\n)", text):
        m = re.match(r"\n([A-Z][a-z]+) \((\d+)\)\n(=+\n[^\n]*\n)(.*)", sec, re.S)
        if not m:
            out.append(sec)
            continue
        rows, total = [], 0
        for line in m.group(4).splitlines(keepends=True):
            f = re.match(r"\s*(\d+)\s+(.{10}) (.{18})  (.*)\n", line)
            if f and (name, f.group(3).strip(), f.group(4)) in EXPERT_KNOWN:
                continue
            rows.append(line)
            total += int(f.group(1)) if f else 0
        if rows:
            out.append(f"\n{m.group(1)} ({total})\n{m.group(3)}{''.join(rows)}")
    return "".join(out)


def endpoint_blocks(text):
    """{title: block} from tshark's concatenated endpoint tables."""
    blocks = {}
    for m in re.finditer(r"=+\n([A-Za-z0-9]+ Endpoints)\n.*?\n=+\n", text, re.S):
        blocks[m.group(1)] = m.group(0)
    return blocks


def io_blocks(text):
    return re.findall(r"\n=+\n\| IO Statistics.*?\n=+\n", text, re.S)


def main():
    a = parse_args()
    t = Tally()
    caps = sorted(glob.glob(os.path.join(a.data, "*.pcap")) + glob.glob(os.path.join(a.data, "*.pcapng")))
    for cap in captures_for(a.bin, caps):
        name = os.path.basename(cap)
        ref = os.path.join(a.data, "stats", name)
        if not os.path.exists(ref + ".phs.txt"):
            continue
        with open(ref + ".phs.txt", encoding="utf-8") as f:
            want = f.read()
        code, out, err = run(a.bin, "stats", cap, "phs", "-q")
        if name in PHS_KNOWN:
            print(f"skip phs {name}: {PHS_KNOWN[name]}")
        else:
            t.check(code == 0 and out == want, f"{name}: stats phs differs from tshark -z io,phs\n{out}{err}")
        with open(ref + ".endpoints.txt", encoding="utf-8") as f:
            blocks = endpoint_blocks(f.read())
        for kind, title in ENDPOINT_TITLES.items():
            code, out, err = run(a.bin, "stats", cap, "endpoints," + kind, "-q")
            t.check(code == 0 and out == blocks.get(title), f"{name}: stats endpoints,{kind} differs\n{out}{err}")
        with open(ref + ".io.txt", encoding="utf-8") as f:
            ios = io_blocks("\n" + f.read())
        t.check(len(ios) == len(IO_KINDS), f"{name}: {len(ios)} io,stat tables in the reference")
        for kind, block in zip(IO_KINDS, ios):
            code, out, err = run(a.bin, "stats", cap, kind, "-q")
            t.check(code == 0 and out == block, f"{name}: stats {kind} differs\n{out}{err}")
        with open(ref + ".http.txt", encoding="utf-8") as f:
            want_http = f.read()
        _, out1, _ = run(a.bin, "stats", cap, "http,tree", "-q")
        _, out2, _ = run(a.bin, "stats", cap, "http_req,tree", "-q")
        t.check(out1 + out2 == want_http, f"{name}: stats http,tree / http_req,tree differ\n{out1}{out2}")
    # -z expert and -z dns,tree, with tshark run live.
    if not shutil.which("tshark"):
        print("skip expert: tshark not installed")
    else:
        for (cap_name, proto, summary), why in EXPERT_KNOWN.items():
            print(f"known expert difference {cap_name} {proto} '{summary}': {why}")
        for cap in captures_for(a.bin, caps):
            name = os.path.basename(cap)
            levels = ["expert"] + (["expert,error", "expert,warn", "expert,note", "expert,chat"]
                                   if name in EXPERT_LEVEL_CAPS else [])
            for z in levels:
                want = drop_known_expert(name, tshark_z(cap, z))
                code, out, err = run(a.bin, "stats", cap, z, "-q")
                t.check(code == 0 and out == want, f"{name}: stats {z} differs from tshark -z {z}\n{out}{err}")
            # dns,tree (every capture: the ones without DNS print tshark's empty tree)
            want = tshark_z(cap, "dns,tree")
            code, out, err = run(a.bin, "stats", cap, "dns" if name != "dns.pcap" else "dns,tree", "-q")
            t.check(code == 0 and out == want, f"{name}: stats dns differs from tshark -z dns,tree\n{out}{err}")
    # A pcapng packet comment (editcap -a): its own top-level tree in the hierarchy, a Comment item.
    if shutil.which("tshark") and shutil.which("editcap"):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            cm = os.path.join(tmp, "comment.pcapng")
            subprocess.run(["editcap", "-a", "2:hello there", os.path.join(a.data, "http-pcapng.pcapng"), cm],
                           capture_output=True, timeout=60)
            for z, kind in (("io,phs", "phs"), ("expert", "expert"), ("expert,comment", "expert,comment")):
                want = tshark_z(cm, z)
                code, out, err = run(a.bin, "stats", cm, kind, "-q")
                t.check(code == 0 and out == want and "omment" in want,
                        f"commented pcapng: stats {kind} differs from tshark -z {z}\n{out}{err}")
    # tshark's own spellings, and errors.
    mixed = os.path.join(a.data, "mixed.pcap")
    _, phs1, _ = run(a.bin, "stats", mixed, "phs", "-q")
    _, phs2, _ = run(a.bin, "stats", mixed, "io,phs", "-q")
    t.check(phs1 == phs2 and phs1, "io,phs is phs")
    _, io1, _ = run(a.bin, "stats", mixed, "io,stat,0.5,tcp", "-q")
    _, io2, _ = run(a.bin, "stats", mixed, "io,0.5,tcp", "-q")
    t.check(io1 == io2 and io1, "io,stat,0.5 is io,0.5")
    for bad in (["nosuch"], ["endpoints,sctp"], ["io"], ["io,abc"], ["io,1,tcp.port =="], ["expert,loud"], ["dns,list"]):
        code, out, err = run(a.bin, "stats", mixed, *bad)
        t.check(code == 2 and err.startswith("portscope:") and err.count("\n") == 1,
                f"stats {bad[0]}: exit {code}, stderr {err!r}")
    t.finish()


if __name__ == "__main__":
    main()
