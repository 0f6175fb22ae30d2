#!/usr/bin/env python3
"""DNS over UDP: every dns.* column and _ws.col.Protocol/_ws.col.Info of the shipped tshark references
(dns.fields.tsv, mixed.fields.tsv) compared cell by cell with `portscope read -T fields`. When tshark
is installed, also compares the full list of dns.* fields portscope emits (all occurrences)."""
import argparse
import csv
import shutil
import subprocess
import sys
from pathlib import Path

ALL_FIELDS = [
    "dns.id", "dns.flags", "dns.flags.response", "dns.flags.opcode", "dns.flags.rcode",
    "dns.flags.authoritative", "dns.flags.truncated", "dns.flags.recdesired", "dns.flags.recavail",
    "dns.flags.z", "dns.flags.authenticated", "dns.flags.checkdisable", "dns.count.queries",
    "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr", "dns.qry.name", "dns.qry.type",
    "dns.qry.class", "dns.qry.name.len", "dns.count.labels", "dns.resp.name", "dns.resp.type",
    "dns.resp.class", "dns.resp.ttl", "dns.resp.len", "dns.a", "dns.aaaa", "dns.cname", "dns.ns",
    "dns.ptr.domain_name", "dns.mx.preference", "dns.mx.mail_exchange", "dns.txt", "dns.txt.length",
    "dns.srv.service", "dns.srv.proto", "dns.srv.name", "dns.srv.target", "dns.srv.port",
    "dns.srv.priority", "dns.srv.weight", "dns.soa.mname", "dns.soa.rname", "dns.soa.serial_number",
    "dns.rr.udp_payload_size", "dns.resp.ext_rcode", "dns.resp.edns0_version", "dns.resp.z",
    "dns.resp.z.do", "dns.opt.code", "dns.opt.len", "dns.opt.data", "dns.opt.cookie.client",
    "dns.opt.cookie.server", "dns.opt.ext_error.info_code", "dns.response_to", "dns.time",
    "_ws.col.Protocol", "_ws.col.Info",
]

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run_fields(cmd, fields, occurrence):
    args = list(cmd) + ["-T", "fields", "-E", "header=y", "-E", "separator=/t", "-E", f"occurrence={occurrence}"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return list(csv.DictReader(out.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def dns_udp_rows(tsv):
    with open(tsv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return {r["frame.number"]: r for r in rows if r["udp.srcport"] and r["_ws.col.Protocol"] == "DNS"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    data = Path(a.data)
    for cap in ["dns", "mixed"]:
        pcap, tsv = data / f"{cap}.pcap", data / f"{cap}.fields.tsv"
        ref = dns_udp_rows(tsv)
        check(len(ref) > 0, f"{cap}: reference has DNS-over-UDP frames")
        cols = [c for c in next(iter(ref.values())).keys() if c.startswith("dns.")] + ["_ws.col.Protocol", "_ws.col.Info"]
        got = {r["frame.number"]: r for r in run_fields([a.bin, "read", "-n", pcap], ["frame.number"] + cols, "f")}
        for num, want in ref.items():
            have = got.get(num)
            if have is None:
                check(False, f"{cap} frame {num}: missing from portscope output")
                continue
            for col in cols:
                check(have[col] == want[col], f"{cap} frame {num} {col}: portscope {have[col]!r} tshark {want[col]!r}")
        # Frames tshark did not call DNS must not be claimed by portscope either.
        with open(tsv, newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if r["udp.srcport"] and r["_ws.col.Protocol"] != "DNS":
                    check(got[r["frame.number"]]["_ws.col.Protocol"] != "DNS", f"{cap} frame {r['frame.number']} is not DNS")
        tshark = shutil.which("tshark")
        if tshark:
            mine = run_fields([a.bin, "read", "-n", pcap], ["frame.number", "udp.srcport"] + ALL_FIELDS, "a")
            theirs = run_fields([tshark, "-n", "-r", pcap], ["frame.number", "udp.srcport"] + ALL_FIELDS, "a")
            check(len(mine) == len(theirs), f"{cap}: frame counts")
            for m, t in zip(mine, theirs):
                if not t["udp.srcport"] or t["_ws.col.Protocol"] != "DNS":
                    continue
                for col in ALL_FIELDS:
                    check(m[col] == t[col], f"{cap} frame {t['frame.number']} {col} (live tshark): portscope {m[col]!r} tshark {t[col]!r}")
    # NetBIOS name service (UDP 137) is shaped like DNS, but tshark dissects it as NBNS: no dns.* field.
    nbns = data / "tcpdump-tests" / "eapon1.pcap"
    mine = run_fields([a.bin, "read", "-n", nbns], ["frame.number", "udp.srcport", "dns.id", "dns.qry.name"], "f")
    on_137 = [r for r in mine if r["udp.srcport"] == "137"]
    check(len(on_137) > 0, "eapon1: NetBIOS name service frames present")
    for r in on_137:
        check(not r["dns.id"] and not r["dns.qry.name"], f"eapon1 frame {r['frame.number']}: UDP 137 is not DNS")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
