#!/usr/bin/env python3
"""`portscope ports URL` against Python's RFC 3986 splitter (urllib.parse.urlsplit) and the system's
services database (getservbyname, /etc/services) for the schemes' default ports; `log http`'s url
column against tshark's http.host and http.request.uri.

usage: test_ports_url.py --bin PORTSCOPE --data DIR
"""
import argparse, json, socket, subprocess, sys
from urllib.parse import urlsplit

GOOD = [
    "https://www.2000trainers.com:2222",
    "http://host/",
    "http://host:80/index.html",
    "ftp://ftp.example.org/pub/file.txt",
    "telnet://192.168.1.200",
    "smtp://mail.example.org:587",
    "pop3://user@mail.example.org",
    "ssh://git@example.org:2222/repo.git",
    "http://[fd00::1]:8080/",
    "https://[2001:db8::7]/path?q=1#frag",
    "http://user:secret@Example.COM:8000/a/b?x=y",
    "HTTPS://WWW.EXAMPLE.ORG",
    "http://h:/",
    "http://[fe80::1%25eth0]:81/",
]
BAD = [
    "http://[fd00::1/",       # no closing bracket
    "http://[fd00::zz]/",      # not an IPv6 address
    "http://h:99999/",        # port out of range
    "http://h:8o/",           # not digits
    "http://h o/",            # space in host
    "http://fd00::1/",        # IPv6 without brackets
    "1http://h/",             # scheme must start with a letter
    "http:/h",                # no authority
    "http://",                # no host
    "http://h/%zz",           # bad escape
]
# Scheme -> service name in the services database.
SERVICE = {"http": "http", "https": "https", "ftp": "ftp", "telnet": "telnet", "smtp": "smtp",
           "pop3": "pop3", "ssh": "ssh"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    bad = checks = 0

    def check(ok, what):
        nonlocal bad, checks
        checks += 1
        if not ok:
            bad += 1
            print("  FAIL", what)

    for url in GOOD:
        r = subprocess.run([a.bin, "ports", url, "--format", "json"], capture_output=True, timeout=20)
        check(r.returncode == 0, f"{url}: exit {r.returncode} {r.stderr.decode().strip()}")
        if r.returncode:
            continue
        got = json.loads(r.stdout)
        s = urlsplit(url)
        check(got["scheme"] == s.scheme, f"{url}: scheme {got['scheme']} vs {s.scheme}")
        host = s.hostname
        check(got["host"] == host, f"{url}: host {got['host']} vs {host}")
        check(got["ipv6"] == (":" in host), f"{url}: ipv6 flag")
        userinfo = s.netloc.rpartition("@")[0] if "@" in s.netloc else None
        check(got["userinfo"] == userinfo, f"{url}: userinfo {got['userinfo']} vs {userinfo}")
        try:
            default = socket.getservbyname(SERVICE[s.scheme], "tcp")
        except OSError:
            default = None
        check(got["default_port"] == default, f"{url}: default port {got['default_port']} vs services {default}")
        want = s.port if s.port is not None else default
        check(got["port"] == want, f"{url}: port {got['port']} vs {want}")
        check(got["port_in_url"] == (s.port is not None), f"{url}: port_in_url")
        reg = [e["service"] for e in got["registered"]]
        try:
            name = socket.getservbyport(want, "tcp")
            check(name in reg or name in ("www", "pop3"), f"{url}: services names {name}, portscope {reg}")
        except OSError:
            pass
    for url in BAD:
        r = subprocess.run([a.bin, "ports", url], capture_output=True, timeout=20)
        err = r.stderr.decode()
        check(r.returncode == 2 and err.count("\n") == 1 and err.startswith("portscope ports: malformed URL"),
              f"{url}: exit {r.returncode}, stderr {err!r}")
    r = subprocess.run([a.bin, "ports", "gopherx://h"], capture_output=True, timeout=20)
    check(r.returncode == 1, f"unknown scheme without a port: exit {r.returncode}")
    r = subprocess.run([a.bin, "ports", "https://www.2000trainers.com:2222"], capture_output=True, timeout=20)
    out = r.stdout.decode()
    check("2222/tcp" in out and "https's default would be 443" in out, f"seed URL text: {out!r}")
    # log http's url column: what a browser shows for each request, from tshark's Host and URI fields
    # (the port kept only when it is not 80).
    import os
    for cap in ("http-port-2222", "http-basic", "http-ipv6", "http-many-clients"):  # one request per frame
        rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(a.data, cap + ".fields.tsv"), encoding="utf-8")]
        h = rows[0]
        want = []
        for r in rows[1:]:
            r += [""] * (len(h) - len(r))
            uri, host = r[h.index("http.request.uri")], r[h.index("http.host")]
            if uri and host:
                if host.endswith(":80"):
                    host = host[:-3]
                want.append(f"http://{host}{uri}")
        out = subprocess.run([a.bin, "log", "http", os.path.join(a.data, cap + ".pcap"), "--format", "ndjson"],
                             capture_output=True, timeout=60).stdout.decode()
        got = [json.loads(l).get("url") for l in out.splitlines()]
        check(got == want, f"{cap}: log http urls {got[:3]} vs {want[:3]}")
    print(f"{'ok' if not bad else 'FAIL'}: {checks - bad}/{checks} checks")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
