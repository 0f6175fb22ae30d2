#!/usr/bin/env python3
"""Application-layer fields vs tshark, cell by cell, on every tests/data/*.fields.tsv.

Compares every http.*, ftp.*, ftp-data.*, smtp.*, pop.*, telnet.* column of the references with
`portscope read -T fields`, plus _ws.col.Protocol and _ws.col.Info on the frames whose top layer is
an application protocol portscope analyzes (or that tshark marks as a segment of a reassembled PDU).
Known, documented differences are listed in KNOWN and not counted as failures. Then, against live
tshark, http.request.line / http.response.line under -E occurrence=f/l/a/2 on the HTTP captures.
usage: test_app_fields.py --bin PORTSCOPE --data DIR
"""
import argparse, glob, os, subprocess, sys

APP_PREFIXES = ("http.", "ftp.", "ftp-data.", "smtp.", "pop.", "telnet.")
APP_PROTOCOLS = {"HTTP", "HTTP/JSON", "FTP", "FTP-DATA", "SMTP", "SMTP/IMF", "POP", "TELNET"}
SEGMENT_NOTE = "[TCP segment of a reassembled PDU]"
# (protocol, column) pairs whose Info text tshark builds from sub-dissectors portscope does not have
# (IMF renders the message body into Info). Protocol is still compared there.
KNOWN_INFO = {"SMTP/IMF"}


def table(text):
    return [line.split("\t") for line in text.split("\n") if line != ""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    passed = failed = 0
    for ref_path in sorted(glob.glob(os.path.join(a.data, "*.fields.tsv"))):
        base = ref_path[: -len(".fields.tsv")]
        cap = next((base + e for e in (".pcap", ".pcapng") if os.path.exists(base + e)), None)
        if not cap:
            continue
        with open(ref_path, encoding="utf-8") as fh:
            ref = table(fh.read())
        header = ref[0]
        app_cols = [f for f in header if f.startswith(APP_PREFIXES)]
        want = app_cols + ["_ws.col.Protocol", "_ws.col.Info"]
        idx = [header.index(f) for f in want]
        args = [a.bin, "read", cap, "-n", "-T", "fields", "-E", "occurrence=f"]
        for f in want:
            args += ["-e", f]
        r = subprocess.run(args, capture_output=True, timeout=120)
        name = os.path.basename(cap)
        if r.returncode != 0:
            print(f"FAIL {name}: exit {r.returncode}: {r.stderr.decode()[:200]}")
            failed += 1
            continue
        out = table(r.stdout.decode("utf-8", "replace"))
        rows = ref[1:]
        cells = bad = 0
        shown = 0
        if len(out) != len(rows):
            print(f"FAIL {name}: {len(out)} rows, tshark {len(rows)}")
            failed += 1
            continue
        for i, (rr, oo) in enumerate(zip(rows, out)):
            rr = rr + [""] * (len(header) - len(rr))
            oo = oo + [""] * (len(want) - len(oo))
            t_proto, o_proto = rr[header.index("_ws.col.Protocol")], oo[len(app_cols)]
            t_info = rr[header.index("_ws.col.Info")]
            app_frame = t_proto in APP_PROTOCOLS or o_proto in APP_PROTOCOLS or SEGMENT_NOTE in t_info
            for j, f in enumerate(want):
                t, o = rr[idx[j]], oo[j]
                if f.startswith("_ws.col."):
                    if not app_frame or (f == "_ws.col.Info" and t_proto in KNOWN_INFO):
                        continue
                elif t == "" and o == "":
                    continue
                cells += 1
                if t != o:
                    bad += 1
                    if shown < int(os.environ.get("SHOW", "5")):
                        print(f"  {name}#{i + 1} {f}: tshark={t!r} portscope={o!r}")
                        shown += 1
        status = "ok" if bad == 0 else "FAIL"
        print(f"{status} {name}: {cells - bad}/{cells} cells agree")
        if bad:
            failed += 1
        else:
            passed += 1
    p, f = live_header_lines(a)
    passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


LINE_FIELDS = ["http.request.line", "http.response.line"]
# portscope verifies checksums by default: tshark with the same preferences as the references.
CHECKSUMS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]


def live_header_lines(a):
    """http.request.line / http.response.line (one value per header line) against live tshark, under
    every -E occurrence, on the HTTP captures and SSDP."""
    import shutil
    if not shutil.which("tshark"):
        return 0, 0
    passed = failed = 0
    caps = sorted(glob.glob(os.path.join(a.data, "http-*.pcap*")))
    caps.append(os.path.join(a.data, "app", "ssdp.pcap"))  # HTTP over UDP
    for cap in caps:
        ef = sum((["-e", f] for f in ["frame.number", *LINE_FIELDS]), [])
        for occ in ("f", "l", "a", "2"):
            want = subprocess.run(["tshark", "-n", *CHECKSUMS, "-r", cap, "-T", "fields", "-E", f"occurrence={occ}", *ef],
                                  capture_output=True, timeout=120).stdout
            got = subprocess.run([a.bin, "read", cap, "-n", "-T", "fields", "-E", f"occurrence={occ}", *ef],
                                 capture_output=True, timeout=120).stdout
            bad = [(w, g) for w, g in zip(want.split(b"\n"), got.split(b"\n")) if w != g]
            if bad or len(want) != len(got):
                failed += 1
                print(f"FAIL {os.path.relpath(cap, a.data)} header lines, occurrence={occ}: first "
                      f"{bad[:1]}")
            else:
                passed += 1
    print(f"header lines: {passed} checks as tshark")
    return passed, failed


if __name__ == "__main__":
    sys.exit(main())
