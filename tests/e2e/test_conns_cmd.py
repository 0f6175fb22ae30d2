#!/usr/bin/env python3
"""End-to-end tests for `portscope conns` (connection table, Zeek conn.log, tshark conversations).

usage: test_conns_cmd.py --bin PATH_TO_portscope --data tests/data

--conv is compared byte for byte with every tshark reference X.conv.txt; payload byte counts are compared
with the tcp.len values tshark wrote into X.fields.tsv. Prints one line per failure and a final
'N passed, M failed' line; exits non-zero when anything failed.
"""
import argparse
import collections
import csv
import glob
import io
import json
import os
import subprocess
import sys

PASSED = 0
FAILED = 0


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def run(binary, *args, stdin=None, cmd="conns"):
    p = subprocess.run([binary, cmd, *args], capture_output=True, timeout=120,
                       stdin=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ndjson(binary, *args):
    rc, out, err = run(binary, "--format", "ndjson", *args)
    return rc, ([json.loads(l) for l in out.splitlines()] if rc == 0 else []), err


def capture_for(ref):
    base = ref[: -len(".conv.txt")]
    for ext in (".pcap", ".pcapng"):
        if os.path.exists(base + ext):
            return base + ext
    return None


def tshark_payload_by_stream(fields_tsv):
    """{stream: {(src_ip, src_port): payload bytes}} from tshark's tcp.len column."""
    out = collections.defaultdict(lambda: collections.defaultdict(int))
    with open(fields_tsv, newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        col = {name: i for i, name in enumerate(header)}
        for r in rows:
            if len(r) <= col["tcp.len"] or r[col["tcp.stream"]] == "":
                continue
            src = r[col["ip.src"]] or r[col.get("ipv6.src", col["ip.src"])]
            out[int(r[col["tcp.stream"]])][(src, int(r[col["tcp.srcport"]]))] += int(r[col["tcp.len"]] or 0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    b, d = a.bin, a.data

    # 1. --conv against every tshark conversation table.
    refs = sorted(glob.glob(os.path.join(d, "*.conv.txt")))
    check("conv references exist", len(refs) >= 10, str(len(refs)))
    for ref in refs:
        cap = capture_for(ref)
        if not cap:
            continue
        rc, out, err = run(b, "--conv", cap)
        want = open(ref).read()
        check(f"conv {os.path.basename(cap)}", rc == 0 and out == want,
              f"rc={rc} err={err.strip()} first diff line: " +
              next((f"{x!r} != {y!r}" for x, y in zip(out.splitlines(), want.splitlines()) if x != y), "length"))

    # 2. JSON on http-basic: one SF connection, Zeek's names, payload bytes equal tshark's tcp.len sums.
    rc, out, err = run(b, "--format", "json", os.path.join(d, "http-basic.pcap"))
    recs = json.loads(out) if rc == 0 else []
    check("http-basic json one conn", len(recs) == 1, out[:200])
    if recs:
        r = recs[0]
        for k in ("ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
                  "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts",
                  "resp_ip_bytes", "missed_bytes", "stream", "orig_frame_bytes", "resp_frame_bytes"):
            check(f"http-basic json has {k}", k in r)
        check("http-basic SF", r.get("conn_state") == "SF", r.get("conn_state"))
        check("http-basic history", r.get("history") == "ShADadFf", r.get("history"))
        check("http-basic client", (r["id.orig_h"], r["id.orig_p"]) == ("192.168.1.21", 60558))
        check("http-basic server", (r["id.resp_h"], r["id.resp_p"], r["service"]) == ("192.168.1.200", 80, "http"))
        # tshark conv: <- (server to client) 5 frames 2130 bytes, -> 7 frames 557 bytes.
        check("http-basic frames", (r["orig_pkts"], r["orig_frame_bytes"], r["resp_pkts"], r["resp_frame_bytes"])
              == (7, 557, 5, 2130), str(r))
        pay = tshark_payload_by_stream(os.path.join(d, "http-basic.fields.tsv"))[0]
        check("http-basic orig_bytes = tshark tcp.len sum", r["orig_bytes"] == pay[("192.168.1.21", 60558)])
        check("http-basic resp_bytes = tshark tcp.len sum", r["resp_bytes"] == pay[("192.168.1.200", 80)])

    # 3. Payload bytes vs tshark for every SF TCP connection of the mixed capture (no loss there).
    rc, out, err = run(b, "--format", "ndjson", os.path.join(d, "mixed.pcap"))
    recs = [json.loads(l) for l in out.splitlines()] if rc == 0 else []
    pay = tshark_payload_by_stream(os.path.join(d, "mixed.fields.tsv"))
    sf = [r for r in recs if r["proto"] == "tcp" and r["conn_state"] == "SF"]
    check("mixed has SF tcp conns", len(sf) > 20, str(len(sf)))
    bad = [r["stream"] for r in sf
           if r["orig_bytes"] != pay[r["stream"]][(r["id.orig_h"], r["id.orig_p"])]
           or r["resp_bytes"] != pay[r["stream"]][(r["id.resp_h"], r["id.resp_p"])]]
    check("mixed payload bytes = tshark tcp.len sums", not bad, f"streams {bad[:5]}")
    check("mixed uids unique", len({r["uid"] for r in recs}) == len(recs))
    check("mixed sorted by first packet", [r["ts"] for r in recs] == sorted(r["ts"] for r in recs))

    # 4. Reset and refused: the aborted one is RSTR (the server sent the RST), the refused one REJ.
    rc, out, err = run(b, "--format", "zeek", os.path.join(d, "tcp-reset-and-refused.pcap"))
    lines = out.splitlines()
    check("zeek header", lines[:1] == ["#separator \\x09"] and any(l.startswith("#fields\tts\tuid\tid.orig_h")
                                                                   for l in lines), "\n".join(lines[:8]))
    fields = next((l.split("\t")[1:] for l in lines if l.startswith("#fields")), [])
    types = next((l.split("\t")[1:] for l in lines if l.startswith("#types")), [])
    check("zeek fields and types align", len(fields) == len(types) == 22, f"{len(fields)} {len(types)}")
    check("zeek parent_uid column", fields[-1:] == ["parent_uid"] and types[-1:] == ["string"], str(fields[-2:]))
    rows = [dict(zip(fields, l.split("\t"))) for l in lines if not l.startswith("#")]
    states = {r["id.resp_p"]: r["conn_state"] for r in rows}
    check("8081 aborted by the server: RSTR", states.get("8081") == "RSTR", str(states))
    check("81 refused: REJ", states.get("81") == "REJ", str(states))
    check("zeek close line", lines[-1].startswith("#close\t"))

    # 5. Table (default) and -n.
    rc, out, err = run(b, os.path.join(d, "http-basic.pcap"))
    tl = out.splitlines()
    check("table header", rc == 0 and tl[0].split()[:4] == ["Proto", "Client", "Server", "State"], tl[:1])
    check("table row", len(tl) == 2 and tl[1].split()[:5] == ["tcp", "192.168.1.21:60558", "192.168.1.200:80",
                                                              "SF", "http"], tl[1:2])
    rc, out, err = run(b, "-n", os.path.join(d, "http-basic.pcap"))
    check("-n drops service names", "http" not in out and "Service" not in out, out)

    # 6. --servers on http-many-clients: one server, 159 connections, one client, 30 at once (ab -c 30).
    rc, out, err = run(b, "--servers", os.path.join(d, "http-many-clients.pcap"))
    sl = out.splitlines()
    check("servers one row", rc == 0 and len(sl) == 2, out)
    if len(sl) == 2:
        c = sl[1].split()
        check("servers endpoint", c[:3] == ["tcp", "192.168.1.200:80", "http"], c)
        check("servers 159 conns, 1 client, 30 at once", c[3:6] == ["159", "1", "30"], c)

    # 7. --at: mid-transfer in http-basic the connection is established on both sides; before it, nothing.
    rc, out, err = run(b, "--at", "0.1915", os.path.join(d, "http-basic.pcap"))
    al = out.splitlines()
    check("--at open connection", rc == 0 and len(al) == 3 and al[2].split()[3:5] == ["ESTABLISHED", "ESTABLISHED"],
          out)
    rc, out, err = run(b, "--at", "0.1", os.path.join(d, "http-basic.pcap"))
    check("--at before the connection", rc == 0 and "(0 connections)" in out and len(out.splitlines()) == 2, out)
    rc, out, err = run(b, "--at", "2026-11-26T09:24:45.1185", os.path.join(d, "http-basic.pcap"))
    check("--at absolute time", rc == 0 and "ESTABLISHED" in out, out + err)
    rc, out, err = run(b, "--at", "1795685085.1185", os.path.join(d, "http-basic.pcap"))
    check("--at epoch seconds", rc == 0 and "ESTABLISHED" in out, out + err)
    rc, out, err = run(b, "--at", "0.006", os.path.join(d, "http-many-clients.pcap"))
    check("--at many clients: 30 open", rc == 0 and "(30 connections)" in out, out.splitlines()[:1])

    # 8. Standard input, and errors: one line, 'portscope: ', exit 1 for data and 2 for usage.
    with open(os.path.join(d, "http-basic.pcap"), "rb") as f:
        rc, out, err = run(b, "-r", "-", "--format", "ndjson", stdin=f)
    check("stdin", rc == 0 and len(out.splitlines()) == 1 and '"conn_state":"SF"' in out, err)
    for args, want in ((["/nonexistent.pcap"], 1), ([os.path.join(d, "README.md")], 1),
                       (["--at", "soon", os.path.join(d, "http-basic.pcap")], 2),
                       (["--format", "xml", os.path.join(d, "http-basic.pcap")], 2), ([], 2)):
        rc, out, err = run(b, *args)
        check(f"error {args}", rc == want and err.startswith("portscope: ") and err.count("\n") == 1 and out == "",
              f"rc={rc} err={err!r}")
    # No progress output when stderr is not a terminal.
    rc, out, err = run(b, os.path.join(d, "mixed.pcap"))
    check("no progress on a pipe", rc == 0 and err == "", err[:100])

    # 9. Services from the application layer: by content, by the user's decode-as, ftp-data by expectation.
    rc, recs, err = ndjson(b, os.path.join(d, "http-port-2222.pcap"))
    r2222 = [r for r in recs if r["id.resp_p"] == 2222]
    check("port 2222 is http by content", len(r2222) == 1 and r2222[0].get("service") == "http"
          and r2222[0].get("service_source") == "content", str(r2222))
    rc, recs, err = ndjson(b, os.path.join(d, "tcp-reset-and-refused.pcap"))
    by_port = {r["id.resp_p"]: r for r in recs}
    check("8081 without -d: not user", by_port.get(8081, {}).get("service_source") != "user", str(by_port.get(8081)))
    rc, recs, err = ndjson(b, "-d", "tcp.port==8081,http", os.path.join(d, "tcp-reset-and-refused.pcap"))
    by_port = {r["id.resp_p"]: r for r in recs}
    r8081 = by_port.get(8081, {})
    check("-d tcp.port==8081,http: http by user", (r8081.get("service"), r8081.get("service_source")) ==
          ("http", "user"), str(r8081))
    check("-d leaves port 81 alone", by_port.get(81, {}).get("service_source") != "user", str(by_port.get(81)))
    rc, out, err = run(b, "--decode-as", "tcp.port==81,http", "-d", "tcp.port==8081,ssh", "-F", "csv",
                       os.path.join(d, "tcp-reset-and-refused.pcap"))
    rows = list(csv.DictReader(io.StringIO(out)))
    check("-d repeatable (refused connection too)", rc == 0 and
          {(r["id.resp_p"], r["service"], r["service_source"]) for r in rows} ==
          {("81", "http", "user"), ("8081", "ssh", "user")}, out)
    rc, out, err = run(b, "-d", "tcp.port=8081,http", os.path.join(d, "tcp-reset-and-refused.pcap"))
    check("bad -d: usage error", rc == 2 and err.startswith("portscope: ") and out == "", f"rc={rc} {err!r}")

    for name, n_data in (("ftp-active", 3), ("ftp-passive", 4)):
        cap = os.path.join(d, name + ".pcap")
        rc, recs, err = ndjson(b, cap)
        control = [r for r in recs if r.get("service") == "ftp"]
        data = [r for r in recs if r.get("service") == "ftp-data"]
        check(f"{name}: one ftp control connection", len(control) == 1 and control[0]["id.resp_p"] == 21,
              str([(r.get("service"), r["id.resp_p"]) for r in recs]))
        check(f"{name}: {n_data} ftp-data connections", len(data) == n_data, str(len(data)))
        if control:
            check(f"{name}: data connections' parent is the control connection",
                  all(r.get("parent_uid") == control[0]["uid"] and r.get("service_source") == "expected"
                      for r in data), str([(r.get("parent_uid"), r.get("service_source")) for r in data]))
            check(f"{name}: control has no parent", "parent_uid" not in control[0], str(control[0]))
        rc, out, err = run(b, "-F", "csv", cap)
        rows = list(csv.DictReader(io.StringIO(out)))
        check(f"{name}: csv parent_uid", control and sorted(r["parent_uid"] for r in rows) ==
              sorted([""] * (len(rows) - n_data) + [control[0]["uid"]] * n_data), out[:300])
        rc, out, err = run(b, "-F", "zeek", cap)
        lines = out.splitlines()
        fields = next((l.split("\t")[1:] for l in lines if l.startswith("#fields")), [])
        zrows = [dict(zip(fields, l.split("\t"))) for l in lines if not l.startswith("#")]
        check(f"{name}: zeek parent_uid", control and
              all(r["parent_uid"] == (control[0]["uid"] if r["service"] == "ftp-data" else "-") for r in zrows),
              out[-400:])
        rc, out, err = run(b, cap)
        tl = out.splitlines()[1:]
        ctl = next((l for l in tl if l.split()[4:5] == ["ftp"]), "")
        notes = [l for l in tl if " ftp-data " in l]
        check(f"{name}: table names the parent", ctl and len(notes) == n_data and
              all(l.endswith(f"parent: tcp {ctl.split()[1]} > {ctl.split()[2]}") for l in notes), out)
        # The ftp log's uid is the control connection's uid in conns.
        rc, out, err = run(b, "ftp", cap, "--format", "ndjson", cmd="log")
        log_uids = {json.loads(l)["uid"] for l in out.splitlines()} if rc == 0 else set()
        check(f"{name}: ftp log uid = conns uid", control and log_uids == {control[0]["uid"]}, str(log_uids))

    # Log uids equal conns uids for HTTP (TCP) and DNS (UDP) too.
    for kind in ("http", "dns"):
        cap = os.path.join(d, "mixed.pcap")
        rc, recs, err = ndjson(b, cap)
        conn_uid = {(r["proto"], r["id.orig_h"], r["id.orig_p"], r["id.resp_h"], r["id.resp_p"]): r["uid"]
                    for r in recs}
        rc, out, err = run(b, kind, cap, "--format", "ndjson", cmd="log")
        rows = [json.loads(l) for l in out.splitlines()] if rc == 0 else []
        bad = [x for x in rows if conn_uid.get((x.get("proto", "tcp"), x["id.orig_h"], x["id.orig_p"],
                                                x["id.resp_h"], x["id.resp_p"])) != x["uid"]]
        check(f"{kind} log uids are conns uids", rows and not bad, f"{len(bad)} of {len(rows)}: {bad[:1]}")

    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
