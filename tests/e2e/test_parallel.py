#!/usr/bin/env python3
"""-j N prints exactly what -j 1 prints: every output mode of read, conns and log, with and without
filters and limits, on every test capture (crafted ones included), from a file and from a pipe, and on
a generated capture with thousands of connections (FTP data connections among them) when the
generator is built. Exit codes and standard output must be identical byte for byte."""
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, captures_for, is_asan, parse_args, run  # noqa: E402

FIELDS = ["-T", "fields", "-E", "header=y", "-e", "frame.number", "-e", "frame.time_delta", "-e", "tcp.stream",
          "-e", "udp.stream", "-e", "tcp.seq", "-e", "tcp.ack", "-e", "tcp.analysis.flags",
          "-e", "http.request.uri", "-e", "ftp-data.setup-frame", "-e", "frame.protocols"]

MODES = [
    ["read"],
    ["read", "-V"],
    ["read", "-T", "json"],
    ["read", "-T", "ndjson"],
    ["read", "-T", "ek"],
    ["read", *FIELDS],
    ["read", "-Y", "tcp.stream in {0..3} || udp", *FIELDS],
    ["read", "-Y", "http || ftp || dns"],
    ["read", "-c", "7"],
    ["conns", "--format", "zeek"],
    ["conns", "--format", "json"],
    ["conns", "--conv"],
    ["conns", "--servers"],
    ["conns", "--stream", "--format", "ndjson"],
    ["conns", "--at", "0.5"],
    ["conns", "-Y", "tcp.flags.reset == 1 || http.request", "--format", "ndjson"],
    ["conns", "-Y", 'conn.state == "SF"', "--format", "ndjson"],
    ["log", "http"],
    ["log", "ftp", "--format", "ndjson"],
    ["log", "smtp", "--format", "zeek"],
    ["log", "pop3"],
    ["log", "http", "-Y", "tcp.port == 80"],
]


def outputs_agree(t, binary, cap, mode, jobs, stdin_bytes=None):
    src = ["-r", "-"] if stdin_bytes is not None else [cap]
    rc1, out1, _ = run(binary, *mode, *src, "-q", "-j", "1", stdin=stdin_bytes, timeout=600)
    for j in jobs:
        rc, out, err = run(binary, *mode, *src, "-q", "-j", str(j), stdin=stdin_bytes, timeout=600)
        what = f"{os.path.basename(cap)} {' '.join(mode)} -j {j}{' (pipe)' if stdin_bytes is not None else ''}"
        if not t.check(rc == rc1 and out == out1, what):
            a, b = out1.splitlines(), out.splitlines()
            for i, (x, y) in enumerate(zip(a, b)):
                if x != y:
                    print(f"  line {i + 1}:\n   -j 1: {x[:200]}\n   -j {j}: {y[:200]}")
                    break
            else:
                print(f"  {len(a)} lines against {len(b)}; exit {rc1} against {rc}")
            if rc != rc1:
                print("  stderr: " + err[-3000:])


def main():
    a = parse_args()
    binary = a.bin
    t = Tally()
    caps = sorted(glob.glob(os.path.join(a.data, "*.pcap")) + glob.glob(os.path.join(a.data, "*.pcapng")) +
                  glob.glob(os.path.join(a.data, "crafted", "*.pcap*")))
    tsan = os.environ.get("PORTSCOPE_TSAN") == "1"
    sanitized = is_asan(binary) or tsan
    modes = MODES
    if tsan:  # every thread interaction, on a few captures: each run is many times slower
        keep = {"ftp-passive.pcap", "http-keepalive-pipelined.pcap", "mixed.pcap", "tcp-impaired-http.pcap",
                "frag-tcp.pcap"}
        caps = [c for c in caps if os.path.basename(c) in keep]
        modes = [MODES[i] for i in (0, 2, 5, 7, 8, 12, 14, 16, 17)]
    elif sanitized:
        caps = [c for c in caps if os.path.basename(c) in set(captures_for(binary, [os.path.basename(c) for c in caps]))
                or os.path.basename(c) in {"ftp-passive.pcap", "http-many-clients.pcap", "mixed.pcap"}]
    jobs = [2, 4] if not sanitized else [3]
    for cap in caps:
        for mode in modes:
            outputs_agree(t, binary, cap, mode, jobs)
    # A pipe: the reader's buffer is refilled from a pipe, in pieces of any size.
    for cap in caps[: 2 if tsan else 6]:
        with open(cap, "rb") as f:
            data = f.read()
        for mode in (MODES[1], MODES[4], MODES[8], MODES[16]):
            outputs_agree(t, binary, cap, mode, [2], stdin_bytes=data)
    # Thousands of connections: batches, table growth, FTP data steered to its control connection.
    gen = os.path.join(os.path.dirname(binary), "bench", "gen_capture")
    if os.path.exists(gen) and not sanitized:
        with tempfile.TemporaryDirectory() as d:
            cap = os.path.join(d, "many.pcap")
            subprocess.run([gen, "-o", cap, "--packets", "150000", "--connections", "3000", "--seed", "7"],
                           check=True, capture_output=True, timeout=300)
            rc, out, _ = run(binary, "conns", cap, "-q", "-j", "1", "--format", "ndjson", timeout=300)
            n = out.count("\n")
            t.check(rc == 0 and n > 2000, f"generated capture has thousands of connections ({n})")
            for mode in (["conns", "--format", "zeek"], ["read", *FIELDS], ["log", "http"], ["log", "ftp"],
                         ["log", "smtp"], ["read", "-T", "json", "-c", "20000"]):
                outputs_agree(t, binary, cap, mode, [2, 4])
    else:
        print("generated capture skipped (no bench/gen_capture beside the binary, or a sanitizer build)")
    t.finish()


if __name__ == "__main__":
    main()
