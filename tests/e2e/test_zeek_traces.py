#!/usr/bin/env python3
"""Zeek's public TLS and SSH traces (zeek/zeek testing/btest/Traces/tls and ssh) vs a live tshark.

Runs only when the traces are present: PORTSCOPE_ZEEK_TRACES names a directory holding tls/ and ssh/
(tools/zeek_traces.sh extracts them from a zeek checkout); otherwise the test is skipped (77). For each
trace, every TLS/SSH field of tools/make_tls_refs.sh is compared cell by cell (occurrence=a) with
`tshark -T fields` on the frames tshark decodes as TLS or SSH; portscope must also exit 0 (or 1 for a
damaged file, as tshark) on every trace. Traces whose handshake tshark decodes differently by design
are listed in SKIP: DTLS, SSH over UDP and WebRTC (not analyzed by portscope), SSLv2-format hellos
(ssl-v2, ssl.v3), TLS 1.3 drafts before 22 (their ServerHello differs), XMPP STARTTLS (no XMPP
analyzer), OCSP over HTTP (certificates outside TLS), the server-side-only SSH capture (tshark does not
frame its packets; portscope does), and a heartbleed trace whose server keeps sending after the client's
RST (portscope's application layer stops at a RST, tshark does not), and the traces whose ServerHello
carries SCTs (tshark lists the SCT signatures' algorithms as tls.handshake.sig_hash_alg). Fields tshark also takes from inside certificate
extensions (SCT signatures, countries in extensions) are compared only on TLS's own messages: see KNOWN.
usage: test_zeek_traces.py --bin PORTSCOPE --data DIR
"""
import argparse, glob, os, re, shutil, subprocess, sys

SKIP = re.compile(r"dtls|ssl-v2|ssl\.v3|ssh-over-udp|webrtc|quic|tls13draft1[0-9]|draft19|xmpp|imap|ocsp-re|half-duplex|heartbleed-encrypted-success|signed_certificate_timestamp\.|signed_certificate_timestamp-2", re.I)
# (trace, frame) tshark decodes and portscope does not, by design.
KNOWN_FRAMES = {
    # TLS records on 8118 whose handshake the capture lacks: tshark's heuristic, portscope needs the handshake.
    ("ssh/ssh.pcap", 904): "TLS application data", ("ssh/ssh.pcap", 906): "TLS alert",
}
# tshark also dissects X.509 extensions: SCT lists (more sig_hash_alg values), names inside extensions
# (more CountryName/printableString values). portscope decodes issuer and subject only.
SUBSET = {"tls.handshake.sig_hash_alg", "x509af.version", "x509af.serialNumber"}
KNOWN = {"x509sat.CountryName", "x509sat.printableString", "x509sat.uTF8String", "x509sat.IA5String"}
FIELDS_FROM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "make_tls_refs.sh")


def fields():
    text = open(FIELDS_FROM, encoding="utf-8").read()
    body = text[text.index("FIELDS=(") + 8: text.index(")", text.index("FIELDS=("))]
    return [f for f in body.split() if f.startswith(("tls.", "ssh.", "x509"))]


def table(text):
    return [l.split("\t") for l in text.split("\n") if l != ""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    root = os.environ.get("PORTSCOPE_ZEEK_TRACES")
    if not root or not os.path.isdir(root):
        print("skipped: PORTSCOPE_ZEEK_TRACES is not set to a directory of Zeek's tls/ and ssh/ traces")
        return 77
    if not shutil.which("tshark"):
        print("skipped: no tshark")
        return 77
    fl = ["frame.number"] + fields()
    traces = sorted(glob.glob(os.path.join(root, "tls", "*.pcap*")) + glob.glob(os.path.join(root, "ssh", "*.pcap*")))
    failed = total = 0
    for cap in traces:
        name = os.path.relpath(cap, root)
        if SKIP.search(name):
            continue
        args = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-n"]
        for f in fl:
            args += ["-e", f]
        t = subprocess.run(["tshark", "-r", cap] + args, capture_output=True, timeout=120)
        p = subprocess.run([a.bin, "read", cap] + args, capture_output=True, timeout=120)
        if p.returncode not in (0, 1) or (p.returncode == 1) != (t.returncode != 0 and b"cut short" in t.stderr):
            if p.returncode not in (0, 1):
                print(f"FAIL {name}: portscope exit {p.returncode}: {p.stderr.decode()[:200]}")
                failed += 1
                continue
        tr, pr = table(t.stdout.decode("utf-8", "replace")), table(p.stdout.decode("utf-8", "replace"))
        cells = bad = shown = 0
        for i, trow in enumerate(tr):
            trow = trow + [""] * (len(fl) - len(trow))
            if not any(trow[1:]) or (name, i + 1) in KNOWN_FRAMES:
                continue  # tshark found no TLS/SSH here, or a documented difference
            prow = pr[i] + [""] * (len(fl) - len(pr[i])) if i < len(pr) else [""] * len(fl)
            for j in range(1, len(fl)):
                if trow[j] == "" and prow[j] == "":
                    continue
                if fl[j] in KNOWN and prow[j] and trow[j].startswith(prow[j].rstrip(",")[:60]):
                    continue  # portscope's values are tshark's first ones
                if fl[j] in SUBSET and all(trow[j].split(",").count(v) >= prow[j].split(",").count(v)
                                           for v in prow[j].split(",")):
                    continue  # tshark adds values from inside certificates (SCTs, stapled OCSP)
                cells += 1
                if trow[j] != prow[j]:
                    bad += 1
                    if shown < 3:
                        print(f"  {name}#{i + 1} {fl[j]}: tshark={trow[j][:70]!r} portscope={prow[j][:70]!r}")
                        shown += 1
        total += 1
        print(f"{'ok' if not bad else 'FAIL'} {name}: {cells - bad}/{cells} cells agree")
        failed += bad > 0
    print(f"{total - failed}/{total} traces agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
