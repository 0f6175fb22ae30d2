#!/usr/bin/env python3
"""End-to-end test of connection tracking and TCP sequence analysis against stored tshark output.

usage: test_conn_fields.py --bin PATH_TO_portscope --data tests/data

For every capture X in the data directory with a reference X.fields.tsv (made by tshark 4.0 with
relative sequence numbers and sequence analysis on), runs `portscope read X -T fields` with the
connection fields that reference contains (stream indexes, relative seq/ack, windows, RTTs, bytes
in flight, every tcp.analysis.* flag) and compares them cell by cell. The Info column is compared
only for its "[TCP ...] " analysis prefixes. tshark is not needed at test time.
Prints one line per failing capture (with a few differing cells) and a final 'N passed, M failed'.
"""
import argparse
import csv
import os
import re
import subprocess
import sys

CONN_FIELDS = [
    "tcp.stream", "udp.stream", "tcp.seq", "tcp.ack", "tcp.nxtseq", "tcp.window_size",
    "tcp.window_size_scalefactor", "tcp.analysis.flags", "tcp.analysis.acks_frame", "tcp.analysis.ack_rtt",
    "tcp.analysis.initial_rtt", "tcp.analysis.bytes_in_flight", "tcp.analysis.push_bytes_sent",
    "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order", "tcp.analysis.lost_segment", "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack", "tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame",
    "tcp.analysis.zero_window", "tcp.analysis.zero_window_probe", "tcp.analysis.zero_window_probe_ack",
    "tcp.analysis.window_full", "tcp.analysis.window_update", "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
]
INFO = "_ws.col.Info"
PREFIX = re.compile(r"^(?:\[TCP [^\]]*\] )*")
CAPTURE_EXT = (".pcap", ".pcapng")


def read_tsv(text):
    return [row for row in csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)]


def capture_for(data, stem):
    for ext in CAPTURE_EXT:
        path = os.path.join(data, stem + ext)
        if os.path.exists(path):
            return path
    return None


def compare(binary, cap, ref_rows):
    header = ref_rows[0]
    fields = [f for f in CONN_FIELDS if f in header]
    want_info = INFO in header
    asked = fields + ([INFO] if want_info else [])
    if not asked:
        return None
    args = [binary, "read", cap, "-n", "-T", "fields", "-E", "occurrence=f"]
    for f in asked:
        args += ["-e", f]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return [f"exit {p.returncode}: {p.stderr.strip()[:200]}"]
    ours = read_tsv(p.stdout)
    ref = ref_rows[1:]
    problems = []
    if len(ours) != len(ref):
        problems.append(f"{len(ours)} rows, reference has {len(ref)}")
    cols = [header.index(f) for f in asked]
    for i in range(min(len(ours), len(ref))):
        r = ref[i] + [""] * (len(header) - len(ref[i]))
        o = ours[i] + [""] * (len(asked) - len(ours[i]))
        for j, f in enumerate(asked):
            want, got = r[cols[j]], o[j]
            if f == INFO:
                want, got = PREFIX.match(want).group(0), PREFIX.match(got).group(0)
            if want != got:
                problems.append(f"frame {i + 1} {f}: tshark={want!r} portscope={got!r}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    passed = failed = 0
    for name in sorted(os.listdir(a.data)):
        if not name.endswith(".fields.tsv"):
            continue
        stem = name[: -len(".fields.tsv")]
        cap = capture_for(a.data, stem)
        if cap is None:
            continue
        with open(os.path.join(a.data, name), encoding="utf-8") as fh:
            ref_rows = read_tsv(fh.read())
        problems = compare(a.bin, cap, ref_rows)
        if problems is None:
            continue
        if problems:
            failed += 1
            print(f"FAIL {stem}: {len(problems)} differences")
            for line in problems[:5]:
                print("    " + line)
        else:
            passed += 1
    if passed + failed == 0:
        print("FAIL no capture with a reference found")
        failed = 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
