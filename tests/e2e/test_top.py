"""`portscope top` driven in tmux (send-keys, capture-pane) on a live capture in network namespaces the
test creates (a slow curl download from python's http.server), plus the plain snapshots when stdout is
not a terminal (a replayed file, compared with `conns`). Root only for the live part (skips otherwise)."""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, parse_args  # noqa: E402
from netns_util import NetnsPair, http_server, skip_unless_possible  # noqa: E402


def main():
    args = parse_args()
    t = Tally()
    b = args.bin
    # A replay to a pipe: one plain snapshot at the end, every connection of the capture still open.
    cap = os.path.join(args.data, "http-many-clients.pcap")
    r = subprocess.run([b, "top", cap, "--speed", "0"], capture_output=True, text=True, timeout=60)
    conns = subprocess.run([b, "conns", cap, "-F", "ndjson"], capture_output=True, text=True, timeout=60)
    n = len(conns.stdout.splitlines())
    rows = [l for l in r.stdout.splitlines() if re.match(r"^192\.168\.1\.21:\d+ +192\.168\.1\.200:80 +http +SF", l)]
    t.check(r.returncode == 0 and f"{n} open, {n} shown" in r.stdout and len(rows) == n,
            f"top FILE | cat: a snapshot with the {n} connections conns lists: {r.stdout[:300]!r} {r.stderr!r}")
    r = subprocess.run([b, "top", cap, "--speed", "0", "-Y", 'conn.resp_p == 81'], capture_output=True, text=True,
                       timeout=60)
    t.check(r.returncode == 0 and f"{n} open, 0 shown" in r.stdout, f"top -Y conn.*: {r.stdout[:200]!r}")
    r = subprocess.run([b, "top", cap, "-Y", 'tcp.port == 80'], capture_output=True, text=True, timeout=60)
    t.check(r.returncode == 2 and "conn.*" in r.stderr, f"top -Y on packet fields is refused: {r.stderr!r}")

    skip_unless_possible("curl", "tmux")
    tmp = tempfile.mkdtemp(prefix="ps-top-")
    with open(os.path.join(tmp, "big.bin"), "wb") as f:
        f.write(os.urandom(200000))
    sock = f"pstop{os.getpid()}"
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    # An HTTP server that trickles its answer for a while, so the connection stays open and busy.
    server_py = ("import socket, time\n"
                 "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                 "s.bind(('{addr}', 80)); s.listen(8)\n"
                 "while True:\n"
                 "    c, _ = s.accept(); c.recv(1000)\n"
                 "    c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 100000000\\r\\n\\r\\n')\n"
                 "    try:\n"
                 "        for _ in range(600): c.sendall(b'x' * 1000); time.sleep(0.05)\n"
                 "    except OSError: pass\n"
                 "    c.close()\n")
    client_py = ("import socket, sys\n"
                 "c = socket.create_connection(('{addr}', 80))\n"
                 "c.sendall(b'GET /slow HTTP/1.1\\r\\nHost: {addr}\\r\\n\\r\\n')\n"
                 "while c.recv(65536): pass\n")
    with NetnsPair("t") as ns:
        ns.popen(ns.b, sys.executable, "-c", server_py.format(addr=ns.addr_b), stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        try:
            subprocess.run(tmux + ["new-session", "-d", "-s", "top", "-x", "80", "-y", "24",
                                   f"ip netns exec {ns.a} {b} top -i {ns.ia}"], check=True, timeout=10,
                           env={**os.environ, "TERM": "xterm"})

            def screen():
                return subprocess.run(tmux + ["capture-pane", "-p", "-t", "top"], capture_output=True, text=True,
                                      timeout=10).stdout

            def wait_screen(pred, what, timeout=8):
                deadline = time.time() + timeout
                s = ""
                while time.time() < deadline:
                    s = screen()
                    if pred(s):
                        t.check(True, what)
                        return s
                    time.sleep(0.2)
                t.check(False, f"{what}; the screen:\n{s}")
                return None

            def keys(*k):
                subprocess.run(tmux + ["send-keys", "-t", "top", *k], check=True, timeout=10)

            row = re.compile(rf"^{re.escape(ns.addr_a)}:\d+ +{re.escape(ns.addr_b)}:80 +http +S1 .*\d")
            wait_screen(lambda s: s.startswith("portscope top - "), "top starts")
            client = ns.popen(ns.a, sys.executable, "-c", client_py.format(addr=ns.addr_b), stdout=subprocess.DEVNULL)
            rate_re = re.compile(r"^\d+(\.\d)?K?/\d+(\.\d)?K$")  # some K/s each way
            s = wait_screen(lambda s: any(row.match(l) and rate_re.match(l.split()[-2]) for l in s.splitlines())
                            and "Busiest:" in s,
                            "top shows the download as it happens")
            if s:
                lines = s.rstrip("\n").split("\n")
                t.check(lines[0].startswith(f"portscope top - {ns.ia}") and all(len(l) <= 80 for l in lines)
                        and len(lines) <= 24, "fits 80x24 with the header first")
                t.check(any("q quit" in l and "/ filter" in l for l in lines), "the keys are shown")
                t.check(re.search(rf"Busiest: {re.escape(ns.addr_b)}:80 http \(1 conn", s) is not None,
                        "the busiest server in the header")
            keys("s")
            wait_screen(lambda s: "sort: bytes" in s, "s changes the sort")
            keys("/", "conn.resp_p == 81", "Enter")
            wait_screen(lambda s: "filter: conn.resp_p == 81" in s and " 0 shown" in s, "a typed filter hides the row")
            keys("/", *["BSpace"] * 20, "Enter")
            wait_screen(lambda s: "no filter" in s and any(row.match(l) for l in s.splitlines()), "the filter cleared")
            keys("/", "conn.bogus", "Enter")
            wait_screen(lambda s: "bad filter: \"conn.bogus\" is not a valid" in s.split("\n")[3],
                        "a bad filter is reported on screen")
            keys("/", *["BSpace"] * 20, "Enter")
            keys("p")
            wait_screen(lambda s: "[PAUSED]" in s, "p pauses")
            keys("p")
            subprocess.run(tmux + ["resize-window", "-t", "top", "-x", "120", "-y", "30"], timeout=10)
            wait_screen(lambda s: "Pkts >/<" in s, "a wider terminal gets the packet columns")
            keys("q")
            deadline = time.time() + 5
            while time.time() < deadline and subprocess.run(tmux + ["has-session", "-t", "top"],
                                                              capture_output=True).returncode == 0:
                time.sleep(0.1)
            t.check(subprocess.run(tmux + ["has-session", "-t", "top"], capture_output=True).returncode != 0,
                    "q quits")
        finally:
            subprocess.run(tmux + ["kill-server"], capture_output=True)
        # Live to a pipe: a plain snapshot each second.
        client.kill()
        client = ns.popen(ns.a, sys.executable, "-c", client_py.format(addr=ns.addr_b), stdout=subprocess.DEVNULL)
        r = ns.run(ns.a, b, "top", "-i", ns.ia, "--duration", "2.5", "-q", timeout=20)
        snaps = r.stdout.count("portscope top - ")
        t.check(r.returncode == 0 and snaps >= 2 and re.search(rf"^{re.escape(ns.addr_a)}:\d+ ", r.stdout, re.M),
                f"top -i | cat: {snaps} snapshots: {r.stdout[:400]!r} {r.stderr!r}")
        client.kill()
    t.finish()


if __name__ == "__main__":
    main()
