#!/usr/bin/env python3
"""End-to-end tests for `portscope ports` (IANA port/service lookup).

usage: test_ports_cmd.py --bin PATH_TO_portscope --data tests/data

Runs the binary, checks stdout/stderr/exit codes, prints one line per failure and a final
'N passed, M failed' line; exits non-zero when anything failed.
"""
import argparse
import csv
import io
import json
import re
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


def run(binary, *args):
    p = subprocess.run([binary, "ports", *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def table_rows(out):
    """Parses the table into dicts keyed by the header (columns are separated by 2+ spaces)."""
    lines = [l for l in out.splitlines() if l.strip()]
    if not lines:
        return []
    header = [h.lower() for h in re.split(r"\s{2,}", lines[0].strip())]
    rows = []
    for line in lines[1:]:
        cells = re.split(r"\s{2,}", line.strip(), maxsplit=len(header) - 1)
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells)))
    return rows


def has_row(rows, service, port, proto):
    return any(r["service"] == service and r["port"] == str(port) and proto in r["protocol"].split("/")
               for r in rows)


def one_line(s):
    return len(s.strip().splitlines()) == 1


def test_port_80(b):
    rc, out, err = run(b, "80")
    check("ports 80: exit 0", rc == 0, f"rc={rc} stderr={err!r}")
    rows = table_rows(out)
    check("ports 80: header", out.startswith("SERVICE") and "PORT" in out and "PROTOCOL" in out
          and "DESCRIPTION" in out, out[:200])
    check("ports 80: first row is http (tshark's name)", rows and rows[0]["service"] == "http", rows[:1])
    check("ports 80: http 80/tcp", has_row(rows, "http", 80, "tcp"), out)
    check("ports 80: http 80/udp", has_row(rows, "http", 80, "udp"), out)
    check("ports 80: http 80/sctp", has_row(rows, "http", 80, "sctp"), out)
    check("ports 80: www and www-http", has_row(rows, "www", 80, "tcp") and has_row(rows, "www-http", 80, "tcp"),
          out)
    check("ports 80: description", any(r["description"] == "World Wide Web HTTP" for r in rows), out)
    check("ports 80: only port 80", all(r["port"] == "80" for r in rows), out)
    check("ports 80: nothing on stderr", err == "", err)


def test_ftp(b):
    rc, out, err = run(b, "ftp")
    check("ports ftp: exit 0", rc == 0, f"rc={rc} stderr={err!r}")
    rows = table_rows(out)
    check("ports ftp: exact name first", rows and rows[0]["service"] == "ftp" and rows[0]["port"] == "21", rows[:1])
    for proto in ("tcp", "udp", "sctp"):
        check(f"ports ftp: ftp 21/{proto}", has_row(rows, "ftp", 21, proto), out)
        check(f"ports ftp: ftp-data 20/{proto}", has_row(rows, "ftp-data", 20, proto), out)
    check("ports ftp: ftps 990", has_row(rows, "ftps", 990, "tcp"), out)
    check("ports ftp: tftp is not related", not any(r["service"] == "tftp" for r in rows), out)

    rc, out2, _ = run(b, "FTP")
    check("ports FTP: case-insensitive", rc == 0 and out2 == out, out2[:300])


def test_dns_udp(b):
    rc, out, err = run(b, "53", "--udp")
    check("ports 53 --udp: exit 0", rc == 0, f"rc={rc} stderr={err!r}")
    rows = table_rows(out)
    check("ports 53 --udp: domain", has_row(rows, "domain", 53, "udp"), out)
    check("ports 53 --udp: udp only", rows and all(r["protocol"] == "udp" for r in rows), out)

    rc, out, _ = run(b, "53", "--tcp")
    rows = table_rows(out)
    check("ports 53 --tcp: domain/tcp only", rc == 0 and has_row(rows, "domain", 53, "tcp")
          and all(r["protocol"] == "tcp" for r in rows), out)

    rc, out, _ = run(b, "53", "--tcp", "--udp")
    rows = table_rows(out)
    check("ports 53 --tcp --udp: flags combine", rc == 0 and has_row(rows, "domain", 53, "tcp")
          and has_row(rows, "domain", 53, "udp"), out)


def test_seed_ports(b):
    # The seed's list of common TCP ports, and its web server moved to 2222.
    for port, name in ((20, "ftp-data"), (21, "ftp"), (23, "telnet"), (25, "smtp"), (80, "http"), (110, "pop3"),
                       (22, "ssh"), (443, "https")):
        rc, out, _ = run(b, str(port), "--tcp")
        rows = table_rows(out)
        check(f"ports {port} --tcp: {name}", rc == 0 and rows and rows[0]["service"] == name, out)
    rc, out, _ = run(b, "2222")
    rows = table_rows(out)
    check("ports 2222: registered, but not http", rc == 0 and rows and not any("http" in r["service"] for r in rows),
          out)
    rc, out, _ = run(b, "6010")
    rows = table_rows(out)
    check("ports 6010: x11 range", rc == 0 and any(r["service"] == "x11" and r["port"] == "6000-6063" for r in rows),
          out)


def test_formats(b):
    rc, out, err = run(b, "80", "--format", "json")
    try:
        data = json.loads(out)
    except ValueError as e:
        data = None
        check("ports 80 --format json: valid JSON", False, f"{e}: {out[:200]}")
    if data is not None:
        check("ports 80 --format json: exit 0", rc == 0, err)
        check("ports 80 --format json: first is http/tcp primary",
              data and data[0]["service"] == "http" and data[0]["port"] == 80 and data[0]["protocol"] == "tcp"
              and data[0]["primary"] is True, data[:1])
        check("ports 80 --format json: one record per protocol",
              sum(1 for d in data if d["service"] == "http") == 3, data)
        check("ports 80 --format json: keys", all(set(d) >= {"service", "port", "protocol", "description"}
                                                  for d in data), data[:1])

    rc, out, err = run(b, "ftp", "--tcp", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    check("ports ftp --format csv: exit 0", rc == 0, err)
    check("ports ftp --format csv: header", out.splitlines()[0] == "service,port,protocol,description" if out else False,
          out[:100])
    check("ports ftp --format csv: ftp and ftp-data",
          any(r["service"] == "ftp" and r["port"] == "21" for r in rows)
          and any(r["service"] == "ftp-data" and r["port"] == "20" for r in rows), out)
    check("ports ftp --format csv: quoted commas",
          any(r["service"] == "ftps" and r["description"] == "ftp protocol, control, over TLS/SSL" for r in rows), out)
    check("ports ftp --tcp --format csv: tcp only", rows and all(r["protocol"] == "tcp" for r in rows), out)


def test_errors(b):
    for args, code, what in ((["70000"], 2, "port out of range"),
                             (["8x"], 2, "malformed port"),
                             (["99999999999999999999"], 2, "huge port"),
                             (["4"], 1, "unregistered port"),
                             (["0"], 1, "reserved port without a name"),
                             (["no-such-service-xyz"], 1, "unknown service"),
                             (["http", "--dccp"], 1, "service not on that protocol")):
        rc, out, err = run(b, *args)
        label = "ports " + " ".join(args)
        check(f"{label}: exit {code} ({what})", rc == code, f"rc={rc}")
        check(f"{label}: one-line message on stderr", one_line(err), repr(err))
        check(f"{label}: nothing on stdout", out == "", repr(out))

    rc, out, err = run(b, "80", "70000")
    check("ports 80 70000: still prints port 80, exit 2", rc == 2 and "http" in out and one_line(err),
          f"rc={rc} out={out[:80]!r} err={err!r}")


def test_help(b):
    rc, out, _ = run(b, "--help")
    check("ports --help: exit 0", rc == 0, f"rc={rc}")
    for word in ("--udp", "--tcp", "--sctp", "--dccp", "--format", "Examples", "portscope ports 80",
                 "portscope ports ftp"):
        check(f"ports --help mentions {word}", word in out, out[:200])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="path to the portscope binary")
    ap.add_argument("--data", required=False, help="tests/data directory (unused: the registry is compiled in)")
    args = ap.parse_args()
    for t in (test_port_80, test_ftp, test_dns_udp, test_seed_ports, test_formats, test_errors, test_help):
        try:
            t(args.bin)
        except Exception as e:  # a crash in one group must not hide the others
            check(f"{t.__name__} raised", False, repr(e))
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
