#!/usr/bin/env python3
"""Resource-limit flags: each limit, when reached, costs what it says, is reported on stderr in one
'portscope: limit reached: ...' line naming its flag, and the run still succeeds; unreached limits
print nothing; bad values are refused with one line and exit 2 (docs/errors.md, "Limits").

usage: test_limits.py --bin PATH_TO_portscope --data tests/data
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
from e2e_util import Tally, parse_args, run  # noqa: E402

LIMIT_LINE = re.compile(r"^portscope: limit reached: (\d+) (.*)$")  # count, what, (flag ...)


def limit_lines(err):
    """{flag named in the line: count} for every summary line; other stderr lines must not exist."""
    found = {}
    for line in err.splitlines():
        m = LIMIT_LINE.match(line)
        if m:
            flag = re.search(r"\((--[a-z-]+)", m.group(2))
            found[flag.group(1) if flag else "?"] = int(m.group(1))
    return found


def main():
    a = parse_args()
    t = Tally()
    b = a.bin
    many = os.path.join(a.data, "http-many-clients.pcap")  # 159 HTTP connections, up to 30 at once
    basic = os.path.join(a.data, "http-basic.pcap")
    dns = os.path.join(a.data, "dns.pcap")

    # Defaults: nothing reached on the shipped captures, stderr stays empty.
    for args in (["read", many], ["read", many, "-V"], ["conns", "-q", many], ["follow", many, "--stream", "3"],
                 ["log", "http", many], ["log", "dns", dns]):
        rc, _, err = run(b, *args)
        t.check(rc == 0 and err == "", f"{' '.join(args[:1])}: no limit reached by default (rc {rc}, {err!r})")

    # --max-connections: 159 connections through tables of 5 entries.
    for cmd in (["read", many], ["read", many, "-T", "fields", "-e", "tcp.stream"], ["conns", "-q", many],
                ["conns", "-q", many, "--stream"], ["follow", many, "--stream", "3"], ["log", "http", many]):
        rc, out, err = run(b, *cmd, "--max-connections", "5")
        hits = limit_lines(err)
        t.check(rc == 0 and out != "", f"{cmd[0]} --max-connections 5: succeeds (rc {rc})")
        t.check(hits.get("--max-connections", 0) > 0, f"{' '.join(cmd)}: evictions reported ({err!r})")
        t.check(all(k in ("--max-connections",) for k in hits), f"{' '.join(cmd)}: only that limit ({err!r})")
    rc, out, err = run(b, "conns", "-q", many, "--max-connections", "5", "--stream", "--format", "ndjson")
    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
    t.check(rc == 0 and len(rows) >= 159, f"conns --stream with 5 slots: every connection still reported ({len(rows)})")
    rc, _, err = run(b, "read", many, "--max-connections", "5")
    t.check("application analyses ended early" in err, f"read --max-connections 5: HTTP analyses cut short, said so ({err!r})")
    # 30 open at once (plus closed ones, which make room without a count) fit in 40: nothing reported.
    for cmd in (["conns", "-q", many], ["read", many]):
        rc, _, err = run(b, *cmd, "--max-connections", "40")
        t.check(rc == 0 and err == "", f"{cmd[0]} --max-connections 40: enough room ({err!r})")

    with tempfile.TemporaryDirectory(prefix="portscope-limits-") as tmp:
        # --reassembly-limit / --reassembly-total: 200 segments of 1000 bytes behind a hole. (conns
        # decides this connection's service from its port without buffering: nothing to report there.)
        ooo = os.path.join(tmp, "ooo.pcap")
        with open(ooo, "wb") as f:
            f.write(b"".join(cg.out_of_order(200, 1000)))
        for flag, value in (("--reassembly-limit", "16k"), ("--reassembly-total", "16k")):
            for cmd in (["read", ooo], ["follow", ooo, "--stream", "0"], ["log", "http", ooo]):
                rc, _, err = run(b, *cmd, flag, value)
                hits = limit_lines(err)
                t.check(rc == 0 and hits.get("--reassembly-limit", 0) > 0,
                        f"{cmd[0]} {flag} {value}: dropped bytes reported (rc {rc}, {err!r})")
                t.check("16KiB" in err, f"{cmd[0]} {flag} {value}: the line shows the limit ({err!r})")
        rc, _, err = run(b, "follow", ooo, "--stream", "0")
        t.check(rc == 0 and err == "", f"follow: 200 KB out of order fit in the default limits ({err!r})")
        # The dropped bytes are no more than were sent after the hole.
        rc, _, err = run(b, "follow", ooo, "--stream", "0", "--reassembly-limit", "16k")
        n = limit_lines(err).get("--reassembly-limit", 0)
        t.check(0 < n <= 200 * 1000, f"follow --reassembly-limit 16k: {n} bytes dropped, within what was sent")

        # --fragment-limit: 200 incomplete 1400-byte datagrams (280 KB) against 64 KiB of room.
        frag = os.path.join(tmp, "frag.pcap")
        with open(frag, "wb") as f:
            f.write(b"".join(cg.fragments(200, 1400)))
        for cmd in (["read", frag], ["conns", "-q", frag], ["follow", frag, "--stream", "0"], ["log", "dns", frag]):
            rc, _, err = run(b, *cmd)
            t.check(rc == 0 and err == "", f"{cmd[0]}: 280 KB of fragments fit in the default limit ({err!r})")
            rc, _, err = run(b, *cmd, "--fragment-limit", "64k")
            n = limit_lines(err).get("--fragment-limit", 0)
            # 64 KiB holds 46 datagrams of 1400 bytes: the other 154 (at least) went, oldest first.
            t.check(rc == 0 and 150 <= n <= 200 and "64KiB" in err,
                    f"{cmd[0]} --fragment-limit 64k: {n} incomplete datagrams reported dropped ({err!r})")
        # The fragmented SYN at the end still completes: one TCP stream.
        rc, out, _ = run(b, "read", frag, "--fragment-limit", "64k", "-T", "fields", "-e", "tcp.stream")
        t.check(rc == 0 and out.split() == ["0"], f"read --fragment-limit 64k: the last datagram still reassembled ({out.split()[-3:]})")

        # --max-transactions: log keeps N rows per kind and counts the rest.
        rc, out, err = run(b, "log", "http", many, "--max-transactions", "3", "--format", "ndjson")
        rows = [l for l in out.splitlines() if l.strip()]
        hits = limit_lines(err)
        t.check(rc == 0 and len(rows) == 3, f"log http --max-transactions 3: 3 rows ({len(rows)})")
        full = [l for l in run(b, "log", "http", many, "--format", "ndjson")[1].splitlines() if l.strip()]
        t.check(hits.get("--max-transactions") == len(full) - 3,
                f"log http: {len(full) - 3} transactions reported as not logged ({err!r})")
        rc, out, err = run(b, "log", "dns", dns, "--max-transactions", "2", "--format", "ndjson")
        full = [l for l in run(b, "log", "dns", dns, "--format", "ndjson")[1].splitlines() if l.strip()]
        t.check(rc == 0 and len(out.splitlines()) == 2 and limit_lines(err).get("--max-transactions") == len(full) - 2,
                f"log dns --max-transactions 2: 2 rows, the rest counted ({err!r})")

    # --max-message: a request header section longer than 16 bytes stops the HTTP analysis.
    rc, out, err = run(b, "read", basic, "--max-message", "16")
    t.check(rc == 0 and limit_lines(err).get("--max-message", 0) >= 1,
            f"read --max-message 16: the oversize message is reported ({err!r})")
    t.check("[Malformed Packet" in out, "read --max-message 16: the frame shows the violation")
    rc, out, err = run(b, "log", "http", basic, "--max-message", "16", "--format", "ndjson")
    t.check(rc == 0 and out.strip() == "" and "--max-message" in err, f"log http --max-message 16: nothing parsed, said so")
    rc, out, err = run(b, "read", basic, "--max-message", "64k")
    t.check(rc == 0 and err == "" and "[Malformed" not in out, "read --max-message 64k: headers fit")

    # Bad values: one line, exit 2.
    for flag, value in (("--max-connections", "0"), ("--max-connections", "-1"), ("--max-connections", "lots"),
                        ("--reassembly-limit", "0"), ("--reassembly-limit", "4X"), ("--reassembly-total", "-5"),
                        ("--max-message", ""), ("--fragment-limit", "0"), ("--fragment-limit", "1Q"),
                        ("--max-transactions", "0")):
        cmd = ["log", "http", basic] if flag == "--max-transactions" else ["read", basic]
        rc, out, err = run(b, *cmd, flag, value)
        lines = err.strip().splitlines()
        t.check(rc == 2 and len(lines) == 1 and lines[0].startswith("portscope: ") and flag in lines[0] and out == "",
                f"{flag} {value!r}: one-line usage error, exit 2 (rc {rc}, {err!r})")
    rc, _, err = run(b, "read", basic, "--max-transactions", "3")
    t.check(rc == 2, f"--max-transactions belongs to log only (rc {rc})")
    t.finish()


if __name__ == "__main__":
    main()
