#!/usr/bin/env python3
"""Every frame/eth/vlan/ip/ipv6/arp/icmp/tcp/udp field in each capture's tshark reference (*.fields.tsv)
must come out of `portscope read -T fields` identically, cell by cell."""
import os

from e2e_util import Tally, parse_args, read_tsv, run

LAYERS = ("frame.", "eth.", "vlan.", "ip.", "ipv6.", "arp.", "icmp.", "icmpv6.", "tcp.", "udp.")
# Per-packet TCP analysis flags are compared by the connection tests; stream/seq/window here.
SKIP_PREFIX = ("tcp.analysis.",)


def main():
    a = parse_args()
    t = Tally()
    refs = sorted(f for f in os.listdir(a.data) if f.endswith(".fields.tsv"))
    t.check(len(refs) >= 16, f"expected the 16 shared references, found {len(refs)}")
    for ref in refs:
        base = ref[: -len(".fields.tsv")]
        cap = next((os.path.join(a.data, base + e) for e in (".pcap", ".pcapng")
                    if os.path.exists(os.path.join(a.data, base + e))), None)
        if cap is None:
            continue
        header, rows = read_tsv(os.path.join(a.data, ref))
        cols = [i for i, h in enumerate(header) if h.startswith(LAYERS) and not h.startswith(SKIP_PREFIX)]
        fields = [header[i] for i in cols]
        args = ["read", cap, "-n", "-T", "fields", "-E", "occurrence=f"]
        for f in fields:
            args += ["-e", f]
        rc, out, err = run(a.bin, *args)
        if not t.check(rc == 0, f"{base}: exit {rc}: {err.strip()[:200]}"):
            continue
        got = [l.split("\t") for l in out.split("\n") if l != ""]
        t.check(len(got) == len(rows), f"{base}: {len(got)} rows, tshark {len(rows)}")
        bad = 0
        for n, (want_row, got_row) in enumerate(zip(rows, got), 1):
            for j, i in enumerate(cols):
                w = want_row[i] if i < len(want_row) else ""
                g = got_row[j] if j < len(got_row) else ""
                if w != g:
                    bad += 1
                    if bad <= 5:
                        print(f"  {base} frame {n} {fields[j]}: tshark={w!r} portscope={g!r}")
        t.check(bad == 0, f"{base}: {bad} cells differ from tshark over {len(fields)} fields")
    t.finish()


if __name__ == "__main__":
    main()
