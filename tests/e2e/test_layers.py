#!/usr/bin/env python3
"""The layer check the build runs (tools/check_layers.py): silent on the real tree; on a copy of it
with one upward include (dissect including the engine) it names the file, the line and the layer."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import Tally, parse_args  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def check(table, src):
    return subprocess.run([sys.executable, os.path.join(ROOT, "tools", "check_layers.py"), table, src],
                          capture_output=True, text=True, timeout=60)


def main():
    a = parse_args()
    t = Tally()
    table = os.path.join(os.path.dirname(os.path.abspath(a.bin)), "layers.txt")
    if not t.check(os.path.exists(table), f"the build wrote {table}"):
        t.finish()
    r = check(table, os.path.join(ROOT, "src"))
    t.check(r.returncode == 0 and r.stdout == "", f"the tree holds its layers: {r.stdout}")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        shutil.copytree(os.path.join(ROOT, "src"), src)
        with open(os.path.join(src, "dissect", "decode.cpp"), "a", encoding="utf-8") as f:
            f.write('#include "engine/engine.h"\n')
        r = check(table, src)
        t.check(r.returncode == 1 and "src/dissect/decode.cpp:" in r.stdout and "'engine/'" in r.stdout,
                f"an upward include fails the check: {r.returncode} {r.stdout!r}")
        os.makedirs(os.path.join(src, "stray"))
        r = check(table, src)
        t.check("src/stray/ belongs to no layer" in r.stdout, f"a directory outside the layers is named: {r.stdout!r}")
    t.finish()


if __name__ == "__main__":
    main()
