"""Live capture with real traffic: two network namespaces joined by a veth pair, python's http.server
in one, curl in the other, portscope capturing on the client's end (read, conns --stream and its
table, log http, report --duration, -w beside tcpdump -w on the same interface, -c, --duration, -b, -Z,
the errors).
Root only (skips otherwise); every process is bounded by a timeout."""
import json
import os
import pwd
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, parse_args  # noqa: E402
from netns_util import NetnsPair, http_server, read_pcap, skip_unless_possible, stop, watch  # noqa: E402


def main():
    args = parse_args()
    skip_unless_possible("curl", "tcpdump")
    t = Tally()
    b = args.bin
    tmp = tempfile.mkdtemp(prefix="ps-live-")
    with NetnsPair("l") as ns:
        with open(os.path.join(tmp, "big.bin"), "wb") as f:
            f.write(os.urandom(60000))
        http_server(ns, 80, tmp)

        def start(*cmd, ready="capturing on"):
            p = watch(ns.popen(ns.a, *cmd, text=True))
            p.err.wait_for(ready)
            return p

        stream = start(b, "conns", "-i", ns.ia, "-F", "ndjson", "--stream", "-n")
        table = start(b, "conns", "-i", ns.ia)
        log = start(b, "log", "http", "-i", ns.ia, "-F", "ndjson")
        reader = start(b, "read", "-i", ns.ia, "-n")
        ps_pcap, td_pcap = os.path.join(tmp, "ps.pcap"), os.path.join(tmp, "td.pcap")
        writer = start(b, "read", "-i", ns.ia, "-w", ps_pcap)
        tcpdump = start("tcpdump", "-i", ns.ia, "-w", td_pcap, "-U", ready="listening on")
        live_html = os.path.join(tmp, "live.html")
        report_t0 = time.time()
        report = start(b, "report", "-i", ns.ia, "--duration", "4", "-o", live_html)

        ports = []
        for _ in range(3):
            r = ns.run(ns.a, "curl", "-s", "-o", "/dev/null", "-w", "%{local_port}", "--max-time", "5",
                       f"http://{ns.addr_b}/")
            ports.append(int(r.stdout))
        ns.run(ns.a, "curl", "-s", "-o", "/dev/null", "--max-time", "5", f"http://{ns.addr_b}:81/")
        # report -i --duration 4: ends by itself (checked below with the connections made meanwhile).
        try:
            report.wait(timeout=10)
        except subprocess.TimeoutExpired:
            report.kill()
        took = time.time() - report_t0

        # log and read print while the capture runs.
        try:
            rows = [json.loads(l) for l in log.out.wait_for('"id.orig_p":%d' % ports[-1], 5)]
            t.check(sorted(r["id.orig_p"] for r in rows) == sorted(ports), f"log -i rows as they complete: {rows}")
            t.check(all(r["status_code"] == 200 and r["method"] == "GET" and r["id.resp_p"] == 80 for r in rows),
                    f"log -i rows: {rows}")
        except RuntimeError as e:
            t.check(False, f"log -i printed nothing while capturing: {e}")
        try:
            reader.out.wait_for("GET / HTTP/1.1", 5)
            t.check(True, "read -i prints frames as they arrive")
        except RuntimeError as e:
            t.check(False, f"read -i printed nothing while capturing: {e}")
        # conns --stream: each connection once it ends, on the clock (5 s after the close; no packet
        # comes meanwhile).
        try:
            lines = stream.out.wait_for('"REJ"', 10)
            time.sleep(0.3)
            lines = stream.out.wait_for('"REJ"', 1)
            got = {}
            for l in lines:
                if l.startswith("{"):
                    r = json.loads(l)
                    got[r["id.orig_p"]] = r
            for p in ports:
                r = got.get(p, {})
                t.check(r.get("id.orig_h") == ns.addr_a and r.get("id.resp_h") == ns.addr_b
                        and r.get("id.resp_p") == 80 and r.get("proto") == "tcp" and r.get("conn_state") == "SF"
                        and r.get("service") == "http" and r.get("history", "")[:6] == "ShADad"
                        and sorted(r.get("history", "")[6:]) == ["F", "f"],
                        f"conns -i --stream: connection from port {p}: {r}")
            rej = [r for r in got.values() if r["conn_state"] == "REJ"]
            t.check(len(rej) == 1 and rej[0]["id.resp_p"] == 81 and rej[0]["id.orig_h"] == ns.addr_a
                    and rej[0]["history"] == "Sr", f"conns -i --stream: refused connection: {rej}")
            t.check(len(got) == 4, f"conns -i --stream: exactly the 4 connections made: {sorted(got)}")
        except RuntimeError as e:
            t.check(False, f"conns -i --stream: no row on the clock: {e}")

        time.sleep(0.3)
        for name, p, sig in (("conns --stream", stream, signal.SIGINT), ("conns", table, signal.SIGTERM),
                             ("log", log, signal.SIGINT), ("read", reader, signal.SIGINT),
                             ("read -w", writer, signal.SIGINT), ("tcpdump", tcpdump, signal.SIGINT)):
            rc, out, err = stop(p, sig)
            if name == "tcpdump":
                continue
            t.check(rc == 0, f"{name} -i ends with 0 on {sig.name}: {rc} {err}")
            t.check("packets captured on" in err and "dropped by kernel" in err and " 0 dropped by kernel" in err,
                    f"{name} -i summary with libpcap's counts: {err!r}")
            if name == "conns":
                body = [l for l in out.splitlines()[1:] if l.strip()]
                t.check(len(body) == 4 and sum(" SF " in l for l in body) == 3 and sum(" REJ " in l for l in body) == 1
                        and all(" http " in l for l in body if " SF " in l),
                        f"conns -i table on exit: {out}")
        ps_frames, td_frames = read_pcap(ps_pcap), read_pcap(td_pcap)
        t.check(len(ps_frames) >= 30 and ps_frames == td_frames,
                f"-w wrote the frames tcpdump saw: {len(ps_frames)} vs {len(td_frames)}")
        rerr = report.err.text()
        t.check(report.returncode == 0 and 3.9 <= took < 9 and os.path.exists(live_html),
                f"report -i --duration 4 ends by itself: {report.returncode} {took:.1f}s {rerr!r}")
        t.check("packets captured on" in rerr and " 0 dropped by kernel" in rerr, f"report -i summary: {rerr!r}")
        html = open(live_html, encoding="utf-8").read() if os.path.exists(live_html) else ""
        def cell(i):
            m = re.search(r"id='%s'[^>]*>([^<]*)<" % i, html)
            return m.group(1) if m else ""
        npk = int(cell("sum-packets") or 0)
        t.check(30 <= npk <= len(td_frames), f"report -i packets: {npk} (tcpdump saw {len(td_frames)})")
        t.check(cell("sum-conns") == "4 (4 TCP, 0 UDP)", f"report -i connections: {cell('sum-conns')!r}")
        t.check(cell("sum-file") == "live capture on " + ns.ia, f"report -i names the interface: {cell('sum-file')!r}")
        m = re.search(r"<span id='sum-drops' class='n'>(\d+)</span> \(([^)]*)\)", html)
        t.check(m is not None and m.group(1) == "0" and "by the kernel" in m.group(2) and "live capture" in m.group(2),
                f"report -i drops from libpcap's counts: {m and m.group(0)}")
        bars = re.findall(r"<g class='conn'[^>]*data-uid='([^']+)'[^>]*data-state='([A-Z0-9]+)'", html)
        t.check(sorted(st for _, st in bars) == ["REJ", "SF", "SF", "SF"], f"report -i timeline states: {bars}")
        rc, out, err = 0, "", ""
        r = subprocess.run([b, "conns", ps_pcap, "-F", "ndjson"], capture_output=True, text=True, timeout=30)
        t.check(sum('"conn_state":"SF"' in l for l in r.stdout.splitlines()) == 3, "the -w capture reads back")

        # -c and --duration end the capture by themselves; the ring buffer keeps its last files.
        ping = ns.popen(ns.a, sys.executable, "-c", "import socket, time\ns = socket.socket(2, 2)\n"
                        f"for _ in range(50):\n s.sendto(b'x', ('{ns.addr_b}', 9)); time.sleep(0.1)",
                        stdout=subprocess.DEVNULL)
        r = ns.run(ns.a, b, "read", "-i", ns.ia, "-c", "3", "-n", "-f", "udp port 9", timeout=15)
        t.check(r.returncode == 0 and len(r.stdout.splitlines()) == 3 and "UDP" in r.stdout,
                f"read -i -c 3 -f 'udp port 9': {r.returncode} {r.stdout!r} {r.stderr!r}")
        t0 = time.time()
        r = ns.run(ns.a, b, "conns", "-i", ns.ia, "--duration", "1", "-q", timeout=15)
        took = time.time() - t0
        t.check(r.returncode == 0 and 0.9 <= took < 5 and r.stderr == "", f"--duration 1: {took:.2f}s {r.stderr!r}")
        ping.kill()
        ring = os.path.join(tmp, "ring.pcap")
        ringp = start(b, "read", "-i", ns.ia, "-w", ring, "-b", "filesize:0.02,files:2")
        for _ in range(3):
            ns.run(ns.a, "curl", "-s", "-o", "/dev/null", f"http://{ns.addr_b}/big.bin")
        rc, _, err = stop(ringp)
        files = sorted(f for f in os.listdir(tmp) if f.startswith("ring_"))
        numbers = [int(f.split("_")[1]) for f in files]
        t.check(rc == 0 and len(files) == 2 and max(numbers) >= 4 and numbers[1] == numbers[0] + 1,
                f"-b filesize:0.02,files:2 keeps the last 2 files: {files} {err}")
        for f in files:
            r = subprocess.run([b, "read", os.path.join(tmp, f), "-q"], capture_output=True, timeout=30)
            t.check(r.returncode == 0 and r.stdout, f"ring file {f} is a whole capture")
        # -Z: the interfaces are opened as root, the file is written as the user.
        zdir = os.path.join(tmp, "z")
        os.mkdir(zdir)
        os.chmod(zdir, 0o777)
        os.chmod(tmp, 0o755)
        zp = start(b, "read", "-i", ns.ia, "-Z", "nobody", "-w", os.path.join(zdir, "z.pcap"))
        ns.run(ns.a, "curl", "-s", "-o", "/dev/null", f"http://{ns.addr_b}/")
        rc, _, err = stop(zp)
        st = os.stat(os.path.join(zdir, "z.pcap")) if os.path.exists(os.path.join(zdir, "z.pcap")) else None
        t.check(rc == 0 and st is not None and st.st_uid == pwd.getpwnam("nobody").pw_uid,
                f"-Z nobody: the capture file belongs to nobody: {rc} {err}")

        # Errors: one line, exit 2.
        def err2(what, cmd):
            r = ns.run(ns.a, *cmd, timeout=15)
            lines = r.stderr.strip().splitlines()
            t.check(r.returncode == 2 and len(lines) == 1 and lines[0].startswith("portscope: "),
                    f"{what}: exit 2 and one line: {r.returncode} {r.stderr!r}")
            return lines[0] if lines else ""
        t.check("no such interface" in err2("missing interface", [b, "read", "-i", "nosuch0"]), "names the problem")
        t.check("capture filter" in err2("bad filter", [b, "conns", "-i", ns.ia, "-f", "tcp port"]), "bad filter")
        t.check("no permission" in err2("no permission", ["setpriv", "--reuid=nobody", "--regid=nogroup",
                                                         "--clear-groups", b, "log", "http", "-i", ns.ia]),
                "no permission")
        err2("file and -i", [b, "read", ps_pcap, "-i", ns.ia])
        err2("-b without -w", [b, "read", "-i", ns.ia, "-b", "files:2"])
        err2("-w -Y while capturing", [b, "read", "-i", ns.ia, "-w", ring, "-Y", "tcp"])
    t.finish()


if __name__ == "__main__":
    main()
