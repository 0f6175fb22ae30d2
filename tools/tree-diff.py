#!/usr/bin/env python3
"""How many of tshark's -V tree lines portscope reproduces, per top-level protocol, on any captures.

usage: tree-diff.py --bin PORTSCOPE [--show 5] [--protocol PREFIX] [--max-frames N] [--cache DIR]
                    [--per-capture] CAPTURE_OR_DIR...

For every frame both trees are split into their top-level blocks (a line starting in column 0 opens a
block, named by its first words: "Hypertext Transfer Protocol", "Transmission Control Protocol", ...).
A tshark line counts as reproduced when portscope prints the same line (same indentation) in the same
frame's block of the same name (lines compared as multisets, so order is not judged). Hex dumps (any offset width) are
left out. Prints per-block agreement, a few missing lines, and last a line
"tree lines P% (A/T lines, N captures, E errors)". --cache DIR keeps tshark's trees between runs (keyed
by capture path, size, mtime, -c and --names); --names m compares the trees with MAC vendor names
(tshark -N m, portscope -N m) instead of without names (-n); --per-capture prints "capture P% A/T" for every capture.
"""
import argparse, collections, hashlib, os, re, subprocess, sys

PREFS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]
CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".dmp")
HEX = re.compile(r"^[0-9a-f]{4,}  ")


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in sorted(files):
                    if f.endswith(CAPTURE_EXT):
                        yield os.path.join(root, f)
        else:
            yield p


def block_name(line):
    name = re.sub(r"\d+", "N", line.lstrip("["))
    name = re.split(r",|:| \(", name, maxsplit=1)[0].strip()
    return name or line[:30]


def frames(text):
    """{frame number: {block name: Counter(lines)}}"""
    out, cur, blk = {}, None, None
    for line in text.split("\n"):
        m = re.match(r"^Frame (\d+): ", line)
        if m:
            cur = out.setdefault(int(m.group(1)), {})
        if cur is None or not line or HEX.match(line):
            continue
        if not line.startswith(" "):
            blk = cur.setdefault(block_name(line), collections.Counter())
        blk[line] += 1
    return out


def tshark_tree(cap, limit, timeout, cache, names=("-n",)):
    """tshark's -V text for cap, or None when tshark cannot read it."""
    path = None
    if cache:
        st = os.stat(cap)
        key = f"{os.path.abspath(cap)}|{st.st_size}|{st.st_mtime_ns}|{limit}"
        if list(names) != ["-n"]:
            key += f"|{' '.join(names)}"
        path = os.path.join(cache, hashlib.sha1(key.encode()).hexdigest() + ".txt")
        if os.path.exists(path):
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
    t = subprocess.run(["tshark", *names, "-r", cap, *PREFS, "-V", *limit], capture_output=True, timeout=timeout)
    if t.returncode != 0:
        return None
    if path:
        os.makedirs(cache, exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(t.stdout)
        os.replace(path + ".tmp", path)
    return t.stdout.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--show", type=int, default=3)
    ap.add_argument("--protocol", help="only blocks whose name starts with this")
    ap.add_argument("--max-frames", type=int, default=0, help="compare only the first N frames (-c N)")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--cache", help="directory keeping tshark's trees between runs")
    ap.add_argument("--patterns", type=int, default=0,
                    help="also print the N most frequent missing lines per block, digits as N, with counts")
    ap.add_argument("--per-capture", action="store_true", help="print each capture's agreement")
    ap.add_argument("--names", help="names both tools show, as tshark's -N (m: MAC address vendors); "
                    "default none (-n)")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    agree, total = collections.Counter(), collections.Counter()
    missing = collections.defaultdict(collections.Counter)
    n = errors = 0
    limit = ["-c", str(a.max_frames)] if a.max_frames else []
    names = ["-N", a.names] if a.names else ["-n"]
    for cap in captures(a.paths):
        try:
            ttext = tshark_tree(cap, limit, a.timeout, a.cache, names)
        except subprocess.TimeoutExpired:
            continue
        if ttext is None:
            continue
        n += 1
        try:
            p = subprocess.run([a.bin, "read", cap, *names, "-V", *limit], capture_output=True, timeout=a.timeout)
        except subprocess.TimeoutExpired:
            errors += 1
            print(f"TIMEOUT {cap}")
            continue
        if p.returncode not in (0, 1):
            errors += 1
            print(f"ERROR {cap}: exit {p.returncode}")
        tf = frames(ttext)
        pf = frames(p.stdout.decode("utf-8", "replace"))
        cap_agree = cap_total = 0
        for num, blocks in tf.items():
            mine = pf.get(num, {})
            for name, lines in blocks.items():
                if a.protocol and not name.startswith(a.protocol):
                    continue
                have = mine.get(name, collections.Counter())
                for line, k in lines.items():
                    total[name] += k
                    ok = min(k, have.get(line, 0))
                    agree[name] += ok
                    cap_total += k
                    cap_agree += ok
                    if ok < k:
                        missing[name][(line, os.path.basename(cap), num)] += k - ok
        if a.per_capture:
            print(f"{cap} {100.0 * cap_agree / max(cap_total, 1):.2f}% {cap_agree}/{cap_total}")
    for name in sorted(total, key=lambda x: -total[x]):
        pct = 100.0 * agree[name] / total[name]
        print(f"{pct:6.1f}%  {agree[name]:8d}/{total[name]:<8d} {name}")
        shown = 0
        seen = set()
        for (line, cap, num), _ in missing[name].most_common():
            key = re.sub(r"\d+", "N", line)
            if key in seen:
                continue
            seen.add(key)
            print(f"           missing in {cap}#{num}: {line.strip()[:150]}")
            shown += 1
            if shown >= a.show:
                break
        if a.patterns:
            pat = collections.Counter()
            for (line, cap, num), k in missing[name].items():
                pat[re.sub(r"\d+", "N", line)[:150]] += k
            for line, k in pat.most_common(a.patterns):
                print(f"        {k:7d}  {line}")
    A, T = sum(agree.values()), sum(total.values())
    print(f"tree lines {100.0 * A / max(T, 1):.2f}% ({A}/{T} lines, {n} captures, {errors} errors)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
