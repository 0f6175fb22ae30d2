#!/usr/bin/env python3
"""TLS and SSH fields vs tshark, cell by cell, on tests/data/tls/*.pcap (tools/make_tls_captures.sh).

Every column of X.fields.tsv (made by tools/make_tls_refs.sh with tshark 4.0: occurrence=a,
aggregator=,) is compared with `portscope read -T fields` on the same capture, the Protocol and Info
columns included. JA4 (not in tshark 4.0) is recomputed here from tshark's own ClientHello fields
following the FoxIO specification and compared with portscope's tls.handshake.ja4.
usage: test_tls_ssh.py --bin PORTSCOPE --data DIR
"""
import argparse, glob, hashlib, os, subprocess, sys

# Columns whose text tshark builds from dissectors portscope does not have, with the reason.
KNOWN = {}


def table(text):
    return [line.split("\t") for line in text.split("\n") if line != ""]


def ja4_from_tshark(row, h):
    """JA4 of a ClientHello from tshark's field values (FoxIO JA4 spec, TCP)."""
    def vals(name):
        v = row[h.index(name)]
        return [x for x in v.split(",") if x] if v else []
    grease = lambda x: (x & 0x0F0F) == 0x0A0A and (x >> 8) == (x & 0xFF)
    ciphers = [int(x, 16) for x in vals("tls.handshake.ciphersuite") if not grease(int(x, 16))]
    exts = [int(x) for x in vals("tls.handshake.extension.type") if not grease(int(x))]
    versions = [int(x, 16) for x in vals("tls.handshake.extensions.supported_version") if not grease(int(x, 16))]
    version = max(versions) if versions else int(vals("tls.handshake.version")[0], 16)
    ver = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3"}.get(version, "00")
    sni = "d" if vals("tls.handshake.extensions_server_name") else "i"
    alpn = vals("tls.handshake.extensions_alpn_str")
    a_alpn = (alpn[0][0] + alpn[0][-1]) if alpn else "00"
    sigs = vals("tls.handshake.sig_hash_alg")
    a = f"t{ver}{sni}{min(len(ciphers), 99):02d}{min(len(exts), 99):02d}{a_alpn}"
    h12 = lambda s: hashlib.sha256(s.encode()).hexdigest()[:12] if s else "0" * 12
    b = ",".join(f"{c:04x}" for c in sorted(ciphers))
    c = ",".join(f"{e:04x}" for e in sorted(e for e in exts if e not in (0, 16)))
    if sigs:
        c += "_" + ",".join(s[2:] for s in sigs)
    return f"{a}_{h12(b)}_{h12(c)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    failed = 0
    refs = sorted(glob.glob(os.path.join(a.data, "tls", "*.fields.tsv")))
    if not refs:
        print("FAIL: no references in tests/data/tls")
        return 1
    for ref_path in refs:
        cap = ref_path[: -len(".fields.tsv")] + ".pcap"
        with open(ref_path, encoding="utf-8") as fh:
            ref = table(fh.read())
        header = ref[0]
        args = [a.bin, "read", cap, "-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
        for f in header + ["tls.handshake.ja4"]:
            args += ["-e", f]
        r = subprocess.run(args, capture_output=True, timeout=60)
        name = os.path.basename(cap)
        if r.returncode != 0:
            print(f"FAIL {name}: exit {r.returncode}: {r.stderr.decode()[:200]}")
            failed += 1
            continue
        out = table(r.stdout.decode("utf-8", "replace"))
        rows = ref[1:]
        if len(out) != len(rows):
            print(f"FAIL {name}: {len(out)} rows, tshark {len(rows)}")
            failed += 1
            continue
        cells = bad = shown = ja4s = 0
        for i, (rr, oo) in enumerate(zip(rows, out)):
            rr = rr + [""] * (len(header) - len(rr))
            oo = oo + [""] * (len(header) + 1 - len(oo))
            for j, f in enumerate(header):
                t, o = rr[j], oo[j]
                if f in KNOWN or (t == "" and o == ""):
                    continue
                cells += 1
                if t != o:
                    bad += 1
                    if shown < int(os.environ.get("SHOW", "8")):
                        print(f"  {name}#{i + 1} {f}: tshark={t[:90]!r} portscope={o[:90]!r}")
                        shown += 1
            if rr[header.index("tls.handshake.type")].split(",")[0] == "1":
                ja4s += 1
                cells += 1
                want = ja4_from_tshark(rr, header)
                if oo[len(header)] != want:
                    bad += 1
                    print(f"  {name}#{i + 1} ja4: expected {want} portscope={oo[len(header)]!r}")
        print(f"{'ok' if bad == 0 else 'FAIL'} {name}: {cells - bad}/{cells} cells agree ({ja4s} JA4)")
        if bad:
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
