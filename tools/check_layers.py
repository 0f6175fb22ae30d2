#!/usr/bin/env python3
"""Fails when a source file includes a header of a layer its library may not use.

usage: check_layers.py LAYERS_TABLE SRC_DIR

LAYERS_TABLE has one line per layer, "name: dep dep ...", as CMakeLists.txt declares the libraries
(src/<name>/ is that layer). A file under src/<name>/ may include "<name>/..." and "<dep>/..." only.
Prints one line per violation and exits 1; silent and 0 when the layers hold.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)


def main():
    table, src = sys.argv[1], sys.argv[2]
    allowed = {}
    with open(table, encoding="utf-8") as f:
        for line in f:
            if ":" in line:
                name, deps = line.split(":", 1)
                allowed[name.strip()] = set(deps.replace(";", " ").split()) | {name.strip()}
    bad = 0
    for layer in sorted(allowed):
        root = os.path.join(src, layer)
        for dirpath, _, files in os.walk(root):
            for fn in sorted(files):
                path = os.path.join(dirpath, fn)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    target = m.group(1)
                    if target in allowed and target not in allowed[layer]:
                        line = text.count("\n", 0, m.start()) + 1
                        print(f"{os.path.relpath(path, os.path.dirname(src))}:{line}: layer '{layer}' includes "
                              f"'{target}/', which it may not use (it may use: "
                              f"{' '.join(sorted(allowed[layer] - {layer})) or 'nothing'})")
                        bad += 1
    known = set(allowed)
    for entry in sorted(os.listdir(src)):
        if os.path.isdir(os.path.join(src, entry)) and entry not in known:
            print(f"src/{entry}/ belongs to no layer: declare it in CMakeLists.txt (portscope_layer)")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
