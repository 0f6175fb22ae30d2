"""Small shared helpers for the end-to-end tests (argument parsing, running portscope, tallying)."""
import argparse
import os
import subprocess
import sys


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}")
        return ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    return ap.parse_args()


def skip_without_tshark():
    """Exit 77 (skipped) when tshark is not installed."""
    import shutil
    if not shutil.which("tshark"):
        print("skip: tshark not installed")
        sys.exit(77)


def run(binary, *args, timeout=120, stdin=None):
    r = subprocess.run([binary, *args], capture_output=True, timeout=timeout, input=stdin)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    rows = [l.split("\t") for l in lines[1:] if l != ""]
    return header, rows


# Under AddressSanitizer every run is several times slower: the suites that loop over every capture take
# this covering subset instead (Ethernet, SLL2, pcapng, IPv6, fragments, every application protocol,
# impaired TCP, a gap, TSO, a tunnel).
ASAN_CAPTURES = {"dns.pcap", "frag-tcp.pcap", "ftp-active.pcap", "http-any-sll2.pcap", "http-gap.pcap",
                 "http-ipv6.pcap", "http-keepalive-pipelined.pcap", "http-pcapng.pcapng", "pop3.pcap",
                 "smtp-tso.pcapng", "tcp-impaired-http.pcap", "tcp-reset-and-refused.pcap", "telnet.pcap",
                 "tunnel-gre.pcap", "tunnel-vxlan.pcap"}


def is_asan(binary):
    with open(binary, "rb") as f:
        return b"AddressSanitizer" in f.read()


def captures_for(binary, paths):
    """`paths` (names or paths of captures), or the ASan subset of them for a sanitizer build."""
    if not is_asan(binary):
        return list(paths)
    return [p for p in paths if os.path.basename(p) in ASAN_CAPTURES]
