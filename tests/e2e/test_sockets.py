"""`portscope sockets` against ss in network namespaces the test creates: a listening server (python's
http.server), an established connection held open by a client process, a bound UDP socket; the
processes, states, filters and formats. Root only (skips otherwise)."""
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, parse_args  # noqa: E402
from netns_util import NetnsPair, http_server, skip_unless_possible  # noqa: E402

SS_STATE = {"ESTAB": "ESTABLISHED", "LISTEN": "LISTEN", "TIME-WAIT": "TIME_WAIT", "SYN-SENT": "SYN_SENT",
            "SYN-RECV": "SYN_RECV", "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2",
            "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "CLOSING": "CLOSING", "UNCONN": "UNCONN"}


def ss_sockets(ns, pair, flags):
    """ss -H -n -p FLAGS in `ns`: {(proto, local, remote, state): sorted pids}."""
    r = pair.run(ns, "ss", "-H", "-n", "-p", *flags)
    got = {}
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) < 6:
            continue
        netid, state, local, remote = f[0], f[1], f[4], f[5]
        pids = sorted(int(p) for p in re.findall(r"pid=(\d+)", line))
        got[(netid, local, remote, SS_STATE.get(state, state))] = pids
    return got


def ours(rows):
    got = {}
    for r in rows:
        fam6 = r["family"] == "ipv6"
        def ep(a, p, remote):
            a = f"[{a}]" if fam6 else a
            return f"{a}:{'*' if remote and p == 0 else p}"
        key = (r["proto"], ep(r["local_addr"], r["local_port"], False), ep(r["remote_addr"], r["remote_port"], True),
               r["state"])
        got[key] = sorted(p["pid"] for p in r["processes"])
    return got


def main():
    args = parse_args()
    skip_unless_possible("ss", "curl")
    t = Tally()
    b = args.bin
    with NetnsPair("s") as ns:
        server = http_server(ns, 80)
        client = ns.popen(ns.a, sys.executable, "-c",
                          "import socket, sys, time\n"
                          f"c = socket.create_connection(('{ns.addr_b}', 80))\n"
                          "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('0.0.0.0', 5353))\n"
                          "print(c.getsockname()[1], flush=True)\n"
                          "time.sleep(30)\n", text=True)
        port = int(client.stdout.readline())
        time.sleep(0.2)

        def run(ns_name, *a):
            r = ns.run(ns_name, b, "sockets", *a)
            return r.returncode, r.stdout, r.stderr

        # Listening socket in B, with the server's process.
        rc, out, err = run(ns.b, "--listen", "--tcp", "-F", "ndjson")
        rows = [json.loads(l) for l in out.splitlines()]
        lis = [r for r in rows if r["local_port"] == 80]
        t.check(rc == 0 and len(lis) == 1 and lis[0]["state"] == "LISTEN" and lis[0]["local_addr"] == ns.addr_b
                and [p["pid"] for p in lis[0]["processes"]] == [server.pid] and lis[0].get("service") == "http",
                f"sockets --listen: the server's socket with its pid {server.pid}: {rows} {err}")
        t.check(all(r["state"] == "LISTEN" for r in rows), "--listen --tcp: only LISTEN sockets")
        comm = open(f"/proc/{server.pid}/comm").read().strip()
        t.check(lis and lis[0]["processes"][0]["name"] == comm, f"process name from /proc: {comm}")

        # The established connection in A, held by the client.
        rc, out, err = run(ns.a, "-F", "json")
        rows = json.loads(out)
        est = [r for r in rows if r["proto"] == "tcp" and r["local_port"] == port]
        t.check(len(est) == 1 and est[0]["state"] == "ESTABLISHED" and est[0]["remote_addr"] == ns.addr_b
                and est[0]["remote_port"] == 80 and [p["pid"] for p in est[0]["processes"]] == [client.pid],
                f"sockets: the client's established connection and pid {client.pid}: {est}")
        udp = [r for r in rows if r["proto"] == "udp" and r["local_port"] == 5353]
        t.check(len(udp) == 1 and udp[0]["state"] == "UNCONN" and udp[0].get("service") == "mdns"
                and [p["pid"] for p in udp[0]["processes"]] == [client.pid], f"sockets: the bound UDP socket: {udp}")

        # Everything ss sees, with the same processes, in both namespaces.
        for n in (ns.a, ns.b):
            rc, out, err = run(n, "-F", "ndjson")
            mine = ours(json.loads(l) for l in out.splitlines())
            theirs = ss_sockets(n, ns, ["-t", "-u", "-a"])
            t.check(rc == 0 and mine == theirs and len(mine) >= 2, f"sockets == ss -tuanp in {n}: {mine} vs {theirs}")

        # Filters and formats.
        rc, out, _ = run(ns.a, "--state", "established", "-F", "ndjson", "-n")
        rows = [json.loads(l) for l in out.splitlines()]
        t.check(rc == 0 and len(rows) == 1 and rows[0]["local_port"] == port and "service" not in rows[0],
                f"--state established -n: {rows}")
        rc, out, _ = run(ns.a, "--udp", "-F", "csv")
        recs = list(csv.DictReader(io.StringIO(out)))
        t.check(rc == 0 and len(recs) == 1 and recs[0]["local_port"] == "5353" and recs[0]["service"] == "mdns"
                and recs[0]["processes"].endswith(f"/{client.pid}"), f"--udp -F csv: {recs}")
        rc, out, _ = run(ns.a, "-6")
        t.check(rc == 0 and len(out.splitlines()) == 1, f"-6 in a namespace without IPv6: only the header: {out!r}")
        rc, out, _ = run(ns.b, "-l")
        lines = out.splitlines()
        t.check(rc == 0 and lines[0].split()[:3] == ["Proto", "Recv-Q", "Send-Q"]
                and any(f"{ns.addr_b}:80" in l and "LISTEN" in l and f"({server.pid})" in l and " http " in l
                        for l in lines), f"table: {out}")
        rc, out, err = run(ns.a, "--state", "bogus")
        t.check(rc == 2 and err.startswith("portscope: unknown --state"), f"bad --state: {rc} {err!r}")

        # --watch refreshes until a signal.
        w = ns.popen(ns.a, b, "sockets", "--watch", "--interval", "0.2", "--tcp", "-F", "ndjson", text=True)
        time.sleep(1.1)
        w.send_signal(signal.SIGINT)
        out, err = w.communicate(timeout=10)
        snaps = sum(f'"local_port":{port}' in l for l in out.splitlines())
        t.check(w.returncode == 0 and snaps >= 3, f"--watch: {snaps} snapshots, exit {w.returncode} {err!r}")
        client.kill()
    t.finish()


if __name__ == "__main__":
    main()
