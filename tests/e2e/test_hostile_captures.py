#!/usr/bin/env python3
"""Hostile-capture tests: every capture in tests/data, damaged in many deterministic ways.

usage: test_hostile_captures.py --bin PATH_TO_portscope --data tests/data [--quick]

For every capture (the big ones cut to their first records), mutated copies are generated with a fixed
seed: truncation at record/block boundaries and inside records, bit flips, record and block length
fields set to 0 / 0xffff / 0xffffffff, caplen fields of packet blocks, snap length tiny and huge,
unknown link types, duplicated and reordered records/blocks. Each copy is run through `read -T fields`
and `read -V` (also with tiny resource limits: --max-connections 2, --reassembly-limit 1k, --max-message 64),
and through `conns`, `follow` and `log` when the binary has them, and must:
  - not crash: no signal, no abort/segv exit code, no sanitizer report on stderr;
  - exit 0 or 1, and on 1 explain itself in a 'portscope: ' line;
  - finish within a time limit proportional to the input size;
  - print every undamaged frame before the first damage exactly as the unmutated capture does, and
    (where the damage is a clean cut) print nothing more.
Prints one line per failure and a final 'N passed, M failed'; exits non-zero on failure.
"""
import argparse
import concurrent.futures as cf
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
import e2e_util  # noqa: E402
import hostile_common as hc  # noqa: E402

# Arguments a command takes before the capture path (`log KIND FILE`).
LEADING_ARGS = {"log": ["http"]}

FIELDS = ["frame.number", "frame.len", "frame.cap_len", "eth.type", "ip.src", "ip.dst", "ip.len", "tcp.srcport",
          "tcp.dstport", "tcp.stream", "tcp.seq", "tcp.ack", "tcp.len", "tcp.analysis.flags", "udp.stream",
          "_ws.col.Protocol", "_ws.col.Info"]
MAX_BASE = 24 * 1024  # bigger captures are cut to their first records
FRAME_RE = re.compile(rb"^Frame \d+: ", re.M)


class Mutation:
    def __init__(self, label, data, intact=None, frames=None, rc=None):
        self.label = label
        self.data = data
        self.intact = intact  # frames before the first damage (must print as in the clean run)
        self.frames = frames  # exact frame count expected, when known
        self.rc = rc          # exact exit code expected, when known


def put32(raw, off, value, endian):
    return raw[:off] + struct.pack(endian + "I", value & 0xFFFFFFFF) + raw[off + 4:]


def flip(raw, rng, lo, hi, count):
    b = bytearray(raw)
    for _ in range(count):
        i = rng.randrange(lo, hi)
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def sample(seq, n, rng):
    seq = list(seq)
    if len(seq) <= n:
        return seq
    step = len(seq) / n
    return sorted({seq[int(i * step)] for i in range(n)} | {seq[0], seq[-1]})


def pcap_base(raw):
    p = cg.Pcap(raw)
    if len(raw) <= MAX_BASE:
        return raw
    end = 24
    for off, rec in zip(p.offsets, p.records):
        if off + 16 + rec[2] > MAX_BASE:
            break
        end = off + 16 + rec[2]
    return raw[:end]


def pcap_mutations(raw, rng):
    p = cg.Pcap(raw)
    e, n = p.endian, len(p.records)
    ends = [off + 16 + r[2] for off, r in zip(p.offsets, p.records)]
    out = []
    # Truncation at record boundaries (a clean end: exit 0, exactly the frames before the cut).
    for k in sample(range(n + 1), 12, rng):
        cut = 24 if k == 0 else ends[k - 1]
        out.append(Mutation(f"cut at record boundary {k}", raw[:cut], k, k, 0))
    # Truncation inside a record header or its data: exit 1 after the whole frames.
    for k in sample(range(n), 8, rng):
        cut = p.offsets[k] + rng.randrange(1, 16 + p.records[k][2])
        out.append(Mutation(f"cut inside record {k} at {cut}", raw[:cut], k, k, 1))
    # Truncation at random offsets, the file header included.
    for _ in range(5):
        cut = rng.randrange(0, len(raw))
        k = sum(1 for x in ends if x <= cut)
        rc = 1 if cut < 24 or (k < n and cut != (ends[k - 1] if k else 24)) else 0
        out.append(Mutation(f"cut at random offset {cut}", raw[:cut], k if cut >= 24 else None, k if cut >= 24 else 0,
                            rc))
    # Bit flips inside one record (header or data), and anywhere.
    for k in sample(range(n), 8, rng):
        end = ends[k]
        out.append(Mutation(f"bit flips in record {k}", flip(raw, rng, p.offsets[k], end, rng.randint(1, 6)), k))
    for i in range(4):
        out.append(Mutation(f"random bit flips #{i}", flip(raw, rng, 0, len(raw), 1 + 4 * i)))
    # Length fields of one record: caplen (+8) and wire length (+12).
    for k in sample(range(n), 2, rng):
        for field, rel in (("caplen", 8), ("wirelen", 12)):
            for v in (0, 0xFFFF, 0xFFFFFFFF):
                out.append(Mutation(f"record {k} {field}={v:#x}", put32(raw, p.offsets[k] + rel, v, e), k))
    # File header: snap length tiny and huge, unknown / user link types, odd versions, the FCS bits.
    for v in (0, 1, 0xFFFF, 0xFFFFFFFF):
        out.append(Mutation(f"snaplen={v:#x}", put32(raw, 16, v, e), n, n, 0))
    for v in (147, 0xFFFF, 0x1234, 0xFFFFFFFF, 1 | (0x3 << 28)):
        out.append(Mutation(f"linktype={v:#x}", put32(raw, 20, v, e), 0))
    out.append(Mutation("version 0.0", raw[:4] + b"\0\0\0\0" + raw[8:], 0))
    # Duplicated and reordered records.
    recs = [raw[off:end] for off, end in zip(p.offsets, ends)]
    if n >= 2:
        for k in sample(range(n), 3, rng):
            dup = raw[:24] + b"".join(recs[:k + 1] + [recs[k]] + recs[k + 1:])
            out.append(Mutation(f"record {k} duplicated", dup, k + 1, n + 1, 0))
        k = rng.randrange(n - 1)
        swapped = recs[:k] + [recs[k + 1], recs[k]] + recs[k + 2:]
        out.append(Mutation(f"records {k} and {k + 1} swapped", raw[:24] + b"".join(swapped), k, n, 0))
        out.append(Mutation("records reversed", raw[:24] + b"".join(reversed(recs)), 0, n, 0))
        shuffled = recs[:]
        rng.shuffle(shuffled)
        out.append(Mutation("records shuffled", raw[:24] + b"".join(shuffled), 0, n, 0))
    # Two files glued together: the second file header is read as a record header.
    out.append(Mutation("capture appended to itself", raw + raw, n))
    return out


def pcapng_mutations(raw, rng):
    blocks = list(cg.pcapng_blocks(raw))
    packet = [t in (2, 3, 6) for _, t, _, _ in blocks]
    before = [sum(packet[:j]) for j in range(len(blocks) + 1)]
    total = before[-1]
    out = []
    for j in range(len(blocks) + 1):
        cut = blocks[j][0] if j < len(blocks) else len(raw)
        if j <= 12 or j == len(blocks):
            out.append(Mutation(f"cut at block boundary {j}", raw[:cut], before[j], before[j], 0 if cut else 1))
    for j in sample(range(len(blocks)), 8, rng):
        off, _, blen, _ = blocks[j]
        cut = off + rng.randrange(1, blen)
        out.append(Mutation(f"cut inside block {j} at {cut}", raw[:cut], before[j], before[j], 1))
    for j in sample(range(len(blocks)), 10, rng):
        off, _, blen, _ = blocks[j]
        out.append(Mutation(f"bit flips in block {j}", flip(raw, rng, off, off + blen, rng.randint(1, 6)), before[j]))
    for i in range(4):
        out.append(Mutation(f"random bit flips #{i}", flip(raw, rng, 0, len(raw), 1 + 4 * i)))
    for j in sample(range(len(blocks)), 3, rng):
        off, btype, blen, e = blocks[j]
        for v in (0, 0xFFFF, 0xFFFFFFFF):
            out.append(Mutation(f"block {j} length={v:#x}", put32(raw, off + 4, v, e), before[j]))
            out.append(Mutation(f"block {j} trailer={v:#x}", put32(raw, off + blen - 4, v, e), before[j]))
            if btype == 6:
                out.append(Mutation(f"block {j} caplen={v:#x}", put32(raw, off + 20, v, e), before[j]))
                out.append(Mutation(f"block {j} interface={v:#x}", put32(raw, off + 8, v, e), before[j]))
    for off, btype, blen, e in blocks:
        if btype == 1:
            for v in (0, 1, 0xFFFF, 0xFFFFFFFF):
                out.append(Mutation(f"interface snaplen={v:#x}", put32(raw, off + 12, v, e), 0))
            for v in (147, 0xFFFF):
                out.append(Mutation(f"interface linktype={v:#x}",
                                    raw[:off + 8] + struct.pack(e + "H", v) + raw[off + 10:], 0))
            break
    chunks = [raw[o:o + l] for o, _, l, _ in blocks]
    pk = [j for j, isp in enumerate(packet) if isp]
    if len(pk) >= 2:
        for j in sample(pk, 3, rng):
            dup = b"".join(chunks[:j + 1] + [chunks[j]] + chunks[j + 1:])
            out.append(Mutation(f"block {j} duplicated", dup, before[j] + 1, total + 1, 0))
        a, b = pk[0], pk[-1]
        swapped = chunks[:]
        swapped[a], swapped[b] = swapped[b], swapped[a]
        out.append(Mutation(f"blocks {a} and {b} swapped", b"".join(swapped), 0, total, 0))
        # The interface block moved after the first packet block: that packet names no interface.
        idb = next((j for j, (_, t, _, _) in enumerate(blocks) if t == 1), None)
        if idb is not None and idb < pk[0]:
            moved = chunks[:idb] + chunks[idb + 1:pk[0] + 1] + [chunks[idb]] + chunks[pk[0] + 1:]
            out.append(Mutation("interface block after the first packet", b"".join(moved), 0, 0, 1))
    out.append(Mutation("section repeated (two sections)", raw + raw, total, 2 * total, 0))
    return out


def split_frames_verbose(out):
    starts = [m.start() for m in FRAME_RE.finditer(out)]
    return [out[a:b] for a, b in zip(starts, starts[1:] + [len(out)])]


class Runner:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.extra = self.optional_commands()

    def optional_commands(self):
        """`conns`, `follow`, `log` when the binary has them: name -> argument list builder."""
        p = subprocess.run([self.binary, "--help"], capture_output=True, text=True)
        found = {}
        for cmd in ("conns", "follow", "log"):
            if re.search(rf"^\s+{cmd}\b", p.stdout, re.M):
                found[cmd] = None  # arguments settled on the first clean capture
        return found

    def settle(self, path):
        """Finds, for each optional command, arguments that run cleanly on an undamaged capture."""
        for cmd, args in list(self.extra.items()):
            if args is not None:
                continue
            for cand in ([], ["-s", "0"], ["0"], ["--stream", "0"]):
                rc, _, _, _ = hc.run([self.binary, cmd, *LEADING_ARGS.get(cmd, []), path, *cand], 60)
                if rc == 0:
                    self.extra[cmd] = cand
                    break
            else:
                print(f"note: '{cmd}' exists but no argument form ran on a clean capture; not covered")
                del self.extra[cmd]

    def commands(self, path, full):
        cmds = {"fields": [self.binary, "read", path, "-T", "fields", *sum((["-e", f] for f in FIELDS), [])]}
        if full:
            cmds["verbose"] = [self.binary, "read", "-V", path]
            # The same with tiny resource limits: eviction, reassembly drops and oversize messages on damage.
            cmds["limited"] = [self.binary, "read", "-V", path, "--max-connections", "2", "--reassembly-limit", "1k",
                               "--reassembly-total", "2k", "--max-message", "64"]
            for cmd, args in self.extra.items():
                cmds[cmd] = [self.binary, cmd, *LEADING_ARGS.get(cmd, []), path, *args]
        return cmds

    def run_all(self, path, size, full):
        # A hang detector, generous for sanitizer builds on loaded machines: 30 s + 1 s per 2 KiB.
        limit = 30 + size / 2048
        return {k: hc.run(v, limit) for k, v in self.commands(path, full).items()}


def check_mutation(name, m, res, clean):
    label = f"{name}: {m.label}"
    for kind, (rc, out, err, secs) in res.items():
        why = hc.crash_reason(rc, err)
        if not hc.check(f"{label} [{kind}] no crash", why is None, f"{why}; input {len(m.data)} bytes"):
            continue
        if kind not in ("fields", "verbose"):
            hc.check(f"{label} [{kind}] exit 0/1/2", rc in (0, 1, 2), f"rc={rc}")
            continue
        hc.check(f"{label} [{kind}] exit 0 or 1", rc in (0, 1), f"rc={rc} stderr={err[:200]!r}")
        if rc == 1:
            lines = err.strip().splitlines()
            hc.check(f"{label} [{kind}] one 'portscope:' line", len(lines) == 1 and lines[0].startswith("portscope: "),
                     repr(err[:300]))
        if m.rc is not None:
            hc.check(f"{label} [{kind}] exit {m.rc}", rc == m.rc, f"rc={rc} stderr={err.strip()[:200]!r}")
        got = out.splitlines() if kind == "fields" else split_frames_verbose(out)
        ref = clean[kind]
        if m.frames is not None:
            hc.check(f"{label} [{kind}] {m.frames} frames", len(got) == m.frames, f"got {len(got)}")
        if m.intact:
            k = min(m.intact, len(ref))
            same = got[:k] == ref[:k]
            detail = ""
            if not same:
                i = next((i for i in range(k) if i >= len(got) or got[i] != ref[i]), k)
                detail = f"frame {i + 1} of the {k} undamaged ones differs or is missing"
            hc.check(f"{label} [{kind}] undamaged frames unchanged", same, detail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--quick", action="store_true", help="fewer captures (smoke run)")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    a = ap.parse_args()

    names = e2e_util.captures_for(a.bin, sorted(f for f in os.listdir(a.data) if f.endswith((".pcap", ".pcapng"))))
    if a.quick:
        names = names[:4]
    with tempfile.TemporaryDirectory(prefix="portscope-hostile-") as tmp:
        runner = Runner(a.bin, tmp)
        jobs = []
        for name in names:
            raw = open(os.path.join(a.data, name), "rb").read()
            rng = random.Random(zlib.crc32(name.encode()))
            if name.endswith(".pcapng"):
                base, muts = raw, pcapng_mutations(raw, rng)
            else:
                base = pcap_base(raw)
                muts = pcap_mutations(base, rng)
            base_path = os.path.join(tmp, name)
            with open(base_path, "wb") as f:
                f.write(base)
            runner.settle(base_path)
            clean_res = runner.run_all(base_path, len(base), True)
            ok = all(r[0] == 0 for r in clean_res.values())
            if not hc.check(f"{name}: clean copy runs", ok, str({k: (r[0], r[2][:200]) for k, r in clean_res.items()})):
                continue
            clean = {"fields": clean_res["fields"][1].splitlines(),
                     "verbose": split_frames_verbose(clean_res["verbose"][1])}
            for i, m in enumerate(muts):
                path = os.path.join(tmp, f"{name}.{i}")
                with open(path, "wb") as f:
                    f.write(m.data)
                # -V and the other commands on every other mutation keep the run under two minutes.
                jobs.append((name, m, path, clean, i % 2 == 0))
        with cf.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            futures = [(j, pool.submit(runner.run_all, j[2], len(j[1].data), j[4])) for j in jobs]
            for (name, m, path, clean, _), fut in futures:
                check_mutation(name, m, fut.result(), clean)
                os.unlink(path)
        print(f"{len(jobs)} mutated captures from {len(names)} originals")
    return hc.summary()


if __name__ == "__main__":
    sys.exit(main())
