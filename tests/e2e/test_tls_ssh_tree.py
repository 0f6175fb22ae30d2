#!/usr/bin/env python3
"""TLS and SSH trees vs tshark's -V on tests/data/tls/*.pcap (stored X.verbose.txt, tshark 4.0).

For every frame, each line portscope prints under "Transport Layer Security" / "SSH Protocol" must be a
line of tshark's subtree, with the same indentation and in the same order (tshark prints more: X.509
extensions, key shares, padding, ...: those lines portscope leaves out are counted, not failed). The
only allowed extra line is portscope's [JA4: ...] (tshark 4.0 has no JA4).
usage: test_tls_ssh_tree.py --bin PORTSCOPE --data DIR
"""
import argparse, glob, os, re, subprocess, sys

TOPS = ("Transport Layer Security", "SSH Protocol")
EXTRA_OK = re.compile(r"^\s*\[JA4: t[0-9a-z]{9}_[0-9a-f]{12}_[0-9a-f]{12}\]$")


def frames(text):
    out, cur = {}, None
    for line in text.split("\n"):
        m = re.match(r"^Frame (\d+):", line)
        if m:
            cur = int(m.group(1))
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def subtrees(lines):
    res, on = [], False
    for line in lines:
        if line and not line.startswith(" "):
            on = line.startswith(TOPS)
        if on and line.strip():
            res.append(line)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    failed = 0
    for ref in sorted(glob.glob(os.path.join(a.data, "tls", "*.verbose.txt"))):
        cap = ref[: -len(".verbose.txt")] + ".pcap"
        name = os.path.basename(cap)
        t = frames(open(ref, encoding="utf-8").read())
        extra = []  # no decode-as: SSH on 2222 is found by content (tshark needed -d)
        r = subprocess.run([a.bin, "read", cap, "-n", "-V"] + extra, capture_output=True, timeout=60)
        if r.returncode != 0:
            print(f"FAIL {name}: exit {r.returncode}")
            failed += 1
            continue
        p = frames(r.stdout.decode("utf-8", "replace"))
        shown = bad = tshark_lines = 0
        for n in sorted(t):
            tl, pl = subtrees(t[n]), subtrees(p.get(n, []))
            tshark_lines += len(tl)
            if tl and not pl:
                bad += 1
                print(f"  {name}#{n}: no TLS/SSH tree (tshark has {len(tl)} lines)")
                continue
            i = 0
            for line in pl:
                j = i
                while j < len(tl) and tl[j] != line:
                    j += 1
                if j < len(tl):
                    i = j + 1
                    shown += 1
                elif not EXTRA_OK.match(line):
                    bad += 1
                    print(f"  {name}#{n}: not in tshark's tree (or out of order): {line[:140]!r}")
        print(f"{'ok' if not bad else 'FAIL'} {name}: {shown} lines as tshark's, {bad} differ "
              f"(tshark's subtrees: {tshark_lines} lines)")
        failed += bad > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
