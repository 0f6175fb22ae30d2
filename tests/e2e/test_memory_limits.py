#!/usr/bin/env python3
"""Peak memory on hostile traffic stays bounded (see docs/errors.md, "Limits").

usage: test_memory_limits.py --bin PATH_TO_portscope --data tests/data [--scale 1.0]

Three captures are generated at test time and piped to portscope on standard input (a pipe: nothing
is written to disk, and RSS measures portscope's own memory):
  syn-flood:   1,000,000 SYNs from distinct addresses/ports, none answered (1M half-open connections).
               Bounds: `read` 64 MiB + 768 B per half-open connection, `conns` (which keeps every
               connection's record for its report) 64 MiB + 2.5 KiB per connection; with
               --max-connections 100000, `read` 64 MiB + 1.5 KiB and `conns --stream` 64 MiB + 2.5 KiB per
               allowed connection, and the run says on stderr that the limit was reached.
  out-of-order: one connection whose sender never fills the first hole: 120,000 segments of 1000
               bytes, always ahead of the next expected sequence number (~114 MiB of payload nobody
               can deliver in order). Bound: 96 MiB, whatever the amount of stuck data.
  fragments:   150,000 first fragments of 1400-byte IPv4 datagrams that never complete (~200 MiB held
               if nothing were dropped), then one TCP SYN in two fragments that must still be
               reassembled. Bound: 128 MiB (64 MiB of incomplete datagrams by default, plus their
               bookkeeping).
`read -T fields -e tcp.stream`, `read` (every stage) and `conns` run under /usr/bin/time -f %M. Under
AddressSanitizer the flood has 250,000 SYNs (and the cap 25,000), the bounds are multiplied by 3
(redzones, shadow memory) and the quarantine is capped.
Prints one line per failure and a final 'N passed, M failed'; exits non-zero on failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
import hostile_common as hc  # noqa: E402

MIB = 1 << 20
CAP = 100_000  # --max-connections of the capped runs
SYN_FLOOD = 1_000_000
OOO_SEGMENTS = 120_000
OOO_PAYLOAD = 1000
FRAGMENTS = 150_000
FRAGMENT_PAYLOAD = 1400


def is_asan(binary):
    with open(binary, "rb") as f:
        return b"AddressSanitizer" in f.read()


def measure(args, chunks, tmp):
    """Runs ARGS under /usr/bin/time with the generated capture on a pipe: (rc, peak KiB, stderr, s)."""
    tfile = os.path.join(tmp, "time.out")
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16:detect_leaks=0").lstrip(":")
    t0 = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-o", tfile, "-f", "%M", *args], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out_tail = []

    def drain():
        last = b""
        for block in iter(lambda: p.stdout.read(1 << 16), b""):
            last = (last + block)[-4096:]
        out_tail.append(last)

    err_holder = []
    t_out = threading.Thread(target=drain)
    t_err = threading.Thread(target=lambda: err_holder.append(p.stderr.read()))
    t_out.start()
    t_err.start()
    try:
        for c in chunks:
            p.stdin.write(c)
        p.stdin.close()
    except BrokenPipeError:
        pass
    try:
        rc = p.wait(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    t_out.join()
    t_err.join()
    peak = None
    try:
        m = re.search(r"(\d+)\s*$", open(tfile).read())
        peak = int(m.group(1)) if m else None
    except OSError:
        pass
    return rc, peak, (err_holder[0] if err_holder else b"").decode("utf-8", "replace"), \
        (out_tail[0] if out_tail else b"").decode("utf-8", "replace"), time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the packet counts (quick runs)")
    a = ap.parse_args()
    if not os.access("/usr/bin/time", os.X_OK):
        print("note: /usr/bin/time missing (apt-get install time): memory limits not checked")
        return hc.summary()
    binary = os.path.abspath(a.bin)
    asan = is_asan(binary)
    factor = 3 if asan else 1
    n_syn = int(SYN_FLOOD * a.scale / (4 if asan else 1))
    n_ooo = int(OOO_SEGMENTS * a.scale)
    n_frag = int(FRAGMENTS * a.scale)
    has_conns = re.search(r"^\s+conns\b", subprocess.run([binary, "--help"], capture_output=True, text=True).stdout,
                          re.M) is not None
    cap = CAP if not asan else CAP // 4
    # (name, generator, [(label, args, bound in bytes, TCP streams expected or None, the flag the summary
    # line must name, or None: no limit reached, no summary line)])
    syn_runs = [("read -T fields -e tcp.stream", ["read", "-", "-T", "fields", "-e", "tcp.stream"],
                 64 * MIB + 768 * n_syn, n_syn, None),
                ("read", ["read", "-"], 64 * MIB + 768 * n_syn, None, None),
                (f"read --max-connections {cap}", ["read", "-", "--max-connections", str(cap)],
                 64 * MIB + 1536 * cap, None, "--max-connections")]
    ooo_runs = [("read -T fields -e tcp.stream", ["read", "-", "-T", "fields", "-e", "tcp.stream"], 96 * MIB, 1,
                 None),
                ("read", ["read", "-"], 96 * MIB, None, "--reassembly-limit")]
    if has_conns:
        syn_runs += [("conns", ["conns", "-q", "-"], 64 * MIB + 2560 * n_syn, None, None),
                     (f"conns --stream --max-connections {cap}",
                      ["conns", "-q", "--stream", "-", "--max-connections", str(cap)], 64 * MIB + 2560 * cap, None,
                      "--max-connections")]
        # conns decides services from in-order bytes too: the stuck bytes reach the reassembly limit.
        ooo_runs += [("conns", ["conns", "-q", "-"], 96 * MIB, None, "--reassembly-limit")]
    frag_runs = [("read -T fields -e tcp.stream", ["read", "-", "-T", "fields", "-e", "tcp.stream"], 128 * MIB, 1,
                  "--fragment-limit"),
                 ("read", ["read", "-"], 128 * MIB, None, "--fragment-limit"),
                 ("read --fragment-limit 8M", ["read", "-", "--fragment-limit", "8M"], 48 * MIB, None,
                  "--fragment-limit")]
    if has_conns:
        frag_runs += [("conns", ["conns", "-q", "-"], 128 * MIB, None, "--fragment-limit")]
    cases = [("syn-flood", lambda: cg.syn_flood(n_syn), syn_runs),
             ("out-of-order", lambda: cg.out_of_order(n_ooo, OOO_PAYLOAD), ooo_runs),
             ("fragments", lambda: cg.fragments(n_frag, FRAGMENT_PAYLOAD), frag_runs)]
    with tempfile.TemporaryDirectory(prefix="portscope-mem-") as tmp:
        for name, gen, runs in cases:
            chunks = list(gen())  # generated once, piped to each command
            for label, args, bound, streams, flag in runs:
                bound *= factor
                rc, peak_kib, err, tail, secs = measure([binary, *args], chunks, tmp)
                why = hc.crash_reason(rc, err)
                hc.check(f"{name} [{label}]: exits 0", why is None and rc == 0, f"rc={rc} {why or ''} {err[-300:]!r}")
                if streams is not None:
                    last = tail.strip().splitlines()[-1] if tail.strip() else ""
                    hc.check(f"{name} [{label}]: {streams} TCP streams", last == str(streams - 1), f"last line {last!r}")
                lines = [l for l in err.splitlines() if l.startswith("portscope: limit reached:")]
                if flag:
                    hc.check(f"{name} [{label}]: says {flag} was reached", any(f"({flag} " in l for l in lines),
                             f"stderr {err[-300:]!r}")
                else:
                    hc.check(f"{name} [{label}]: no limit reached", not lines, f"stderr {err[-300:]!r}")
                ok = peak_kib is not None and peak_kib * 1024 <= bound
                print(f"{name} [{label}]: peak RSS {peak_kib} KiB (bound {bound // 1024} KiB), {secs:.1f} s")
                hc.check(f"{name} [{label}]: peak RSS under {bound // MIB} MiB", ok, f"peak {peak_kib} KiB")
    return hc.summary()


if __name__ == "__main__":
    sys.exit(main())
