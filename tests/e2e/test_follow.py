#!/usr/bin/env python3
"""`portscope follow` vs tshark's follow tap, byte for byte.

Always: every tests/data/X.follow0.txt (tshark -q -z follow,tcp,ascii,0). When tshark is installed,
also the hex and raw formats of stream 0, a UDP stream, and a stream that does not exist.
usage: test_follow.py --bin PORTSCOPE --data DIR
"""
import argparse, glob, os, shutil, subprocess, sys


def run(cmd):
    return subprocess.run(cmd, capture_output=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    passed = failed = 0

    def check(name, want, got):
        nonlocal passed, failed
        if want == got:
            passed += 1
            return
        failed += 1
        n = next((i for i in range(min(len(want), len(got))) if want[i] != got[i]), min(len(want), len(got)))
        print(f"FAIL {name}: first difference at byte {n}: tshark {want[n:n+40]!r} portscope {got[n:n+40]!r}")

    for ref in sorted(glob.glob(os.path.join(a.data, "*.follow0.txt"))):
        base = ref[: -len(".follow0.txt")]
        cap = next((base + e for e in (".pcap", ".pcapng") if os.path.exists(base + e)), None)
        if not cap:
            continue
        with open(ref, "rb") as fh:
            want = fh.read()
        r = run([a.bin, "follow", cap, "--stream", "0"])
        check(os.path.basename(ref), want, r.stdout if r.returncode == 0 else b"exit %d" % r.returncode)

    if shutil.which("tshark"):
        cases = []
        for cap in ("http-basic.pcap", "smtp.pcap", "telnet.pcap", "http-keepalive-pipelined.pcap",
                    "tcp-impaired-http.pcap", "ftp-passive.pcap"):
            for fmt in ("hex", "raw"):
                cases.append((cap, "tcp", fmt, 0))
        cases += [("dns.pcap", "udp", "ascii", 0), ("dns.pcap", "udp", "hex", 3), ("http-basic.pcap", "tcp", "ascii", 7)]
        for cap, proto, fmt, stream in cases:
            path = os.path.join(a.data, cap)
            if not os.path.exists(path):
                continue
            t = run(["tshark", "-n", "-r", path, "-q", "-z", f"follow,{proto},{fmt},{stream}"])
            args = [a.bin, "follow", path, "--stream", str(stream), "--format", fmt]
            if proto == "udp":
                args.append("--udp")
            p = run(args)
            check(f"{cap} {proto},{fmt},{stream}", t.stdout, p.stdout)
    else:
        print("tshark not installed: hex/raw/udp cases skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
