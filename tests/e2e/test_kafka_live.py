#!/usr/bin/env python3
"""--kafka while capturing (-i): two network namespaces, python's http.server in one, curl in the
other; librdkafka's mock cluster (tests/tools/kafka_mock_broker) and portscope `log http -i --kafka` and
`log ssl -i --kafka` and `conns -i --kafka` in the client's namespace. The http rows reach the topic while the capture runs (as
they complete), a TLS connection's ssl row when it ends; Ctrl-C ends the runs with exit 0 after flushing, and the conn topic then holds each
connection, keyed by the uid its http rows carry. Root only (skips otherwise); bounded by timeouts."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, parse_args  # noqa: E402
from netns_util import NetnsPair, http_server, skip_unless_possible, stop, watch  # noqa: E402

SENSOR = "live-sensor"


def main():
    args = parse_args()
    tool = os.path.join(os.path.dirname(os.path.abspath(args.bin)), "kafka_mock_broker")
    if not os.path.exists(tool):
        print("SKIP: kafka_mock_broker not built")
        sys.exit(77)
    skip_unless_possible("curl")
    t = Tally()
    with NetnsPair("k") as ns:
        http_server(ns, 80)
        mock = ns.popen(ns.a, tool, stdin=subprocess.PIPE, text=True, bufsize=1)
        boot = mock.stdout.readline().split()[1]

        def consume(topic):
            mock.stdin.write(f"consume {topic}\n")
            mock.stdin.flush()
            out = []
            for line in iter(mock.stdout.readline, ""):
                if line.startswith("end "):
                    break
                if line.startswith("msg\t"):
                    _, _, _, _, key, value = line.rstrip("\n").split("\t", 5)
                    out.append((key, json.loads(value)))
            return out

        def start(*cmd):
            p = watch(ns.popen(ns.a, args.bin, *cmd, "-i", ns.ia, "--kafka", boot, "--kafka-topic", "live",
                               "--sensor", SENSOR, text=True))
            p.err.wait_for("capturing on")
            return p

        # A TLS server (openssl s_server with a throwaway certificate) for log ssl -i.
        tmp = tempfile.mkdtemp(prefix="ps-kafka-live-")
        key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=live.test"], capture_output=True, check=True, timeout=60)
        ns.popen(ns.b, "openssl", "s_server", "-accept", "4433", "-cert", cert, "-key", key, "-www", "-quiet",
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        log = start("log", "http")
        ssl = start("log", "ssl")
        conns = start("conns")
        ports = []
        for _ in range(3):
            r = ns.run(ns.a, "curl", "-s", "-o", "/dev/null", "-w", "%{local_port}", "--max-time", "5",
                       f"http://{ns.addr_b}/")
            ports.append(int(r.stdout))
        tls_port = None
        for _ in range(50):  # until s_server accepts
            r = ns.run(ns.a, "curl", "-sk", "-o", "/dev/null", "-w", "%{local_port} %{http_code}", "--max-time", "5",
                       f"https://{ns.addr_b}:4433/")
            if r.stdout.endswith(" 200"):
                tls_port = int(r.stdout.split()[0])
                break
            time.sleep(0.2)
        t.check(tls_port is not None, "openssl s_server answered curl")
        # The rows are published as they complete, while the capture goes on.
        rows, deadline = [], time.time() + 10
        while time.time() < deadline:
            rows = consume("live.http")
            if len(rows) >= 3:
                break
            time.sleep(0.5)
        t.check(sorted(r["id.orig_p"] for _, r in rows) == sorted(ports),
                f"log http -i --kafka: rows in the topic while capturing: {rows}")
        t.check(all(r["_system_name"] == SENSOR and r["_path"] == "http" and r["_schema"] == 1
                    and r["status_code"] == 200 and k == r["uid"] for k, r in rows), f"http rows: {rows}")
        for name, p in (("log http", log), ("log ssl", ssl), ("conns", conns)):
            rc, out, err = stop(p)
            t.check(rc == 0 and out == "", f"{name} -i --kafka after SIGINT: exit {rc}, stdout {out[:200]!r}")
            t.check("records delivered" in err and "not delivered" not in err, f"{name}: {err.strip()}")
        tls = consume("live.ssl")
        t.check([r["id.orig_p"] for _, r in tls] == [tls_port] and all(
            "server_name" not in r for _, r in tls)
            and all(r.get("established") is True and k == r["uid"] for k, r in tls),
            f"log ssl -i --kafka: the TLS connection once it ended: {tls}")
        recs = consume("live.conn")
        by_port = {r["id.orig_p"]: (k, r) for k, r in recs}
        t.check(all(p in by_port for p in ports), f"conns -i --kafka: the 3 connections after Ctrl-C: {recs}")
        uids = {r["id.orig_p"]: r["uid"] for _, r in rows}
        t.check(all(by_port[p][0] == by_port[p][1]["uid"] == uids.get(p) for p in ports if p in by_port),
                "conn records keyed by the uid of their http rows")
        mock.stdin.write("quit\n")
        mock.stdin.flush()
        mock.wait(timeout=10)
    t.finish()


if __name__ == "__main__":
    main()
