"""Two network namespaces joined by a veth pair, for the live-capture tests (root only).

A = 10.<n>.0.1 (clients, where portscope captures), B = 10.<n>.0.2 (servers). IPv6 is off on both
ends so that no unsolicited packet (router solicitations, MLD reports) reaches the captures.
"""
import os
import shutil
import signal
import subprocess
import sys
import time


def skip_unless_possible(*tools):
    """Exit 77 (skipped) with a message when the tests cannot create namespaces or a tool is missing."""
    if os.geteuid() != 0:
        print("SKIP: live-capture tests need root (network namespaces, packet sockets)")
        sys.exit(77)
    for t in ("ip",) + tools:
        if shutil.which(t) is None:
            print(f"SKIP: {t} is not installed")
            sys.exit(77)


def sh(*cmd, check=True, timeout=20):
    return subprocess.run(list(cmd), check=check, capture_output=True, timeout=timeout, text=True)


class NetnsPair:
    def __init__(self, tag):
        n = os.getpid() % 200 + 20
        self.a, self.b = f"ps{tag}{os.getpid()}a", f"ps{tag}{os.getpid()}b"
        self.ia, self.ib = f"v{tag}{os.getpid()}a"[:15], f"v{tag}{os.getpid()}b"[:15]
        self.addr_a, self.addr_b = f"10.{n}.0.1", f"10.{n}.0.2"
        self.procs = []

    def __enter__(self):
        try:
            sh("ip", "netns", "add", self.a)
            sh("ip", "netns", "add", self.b)
        except subprocess.CalledProcessError as e:
            self.__exit__(None, None, None)
            print(f"SKIP: cannot create network namespaces: {e.stderr.strip()}")
            sys.exit(77)
        sh("ip", "link", "add", self.ia, "type", "veth", "peer", "name", self.ib)
        for ns, i, addr in ((self.a, self.ia, self.addr_a), (self.b, self.ib, self.addr_b)):
            sh("ip", "link", "set", i, "netns", ns)
            sh("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
            sh("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
            sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", i)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", i, "up")
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        for ns in (self.a, self.b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def popen(self, ns, *cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw):
        """A process in namespace `ns` (ip netns exec replaces itself with it: its pid is the command's)."""
        p = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], stdout=stdout, stderr=stderr, **kw)
        self.procs.append(p)
        return p

    def run(self, ns, *cmd, timeout=20):
        return subprocess.run(["ip", "netns", "exec", ns, *cmd], capture_output=True, timeout=timeout, text=True)


def http_server(pair, port=80, directory=None):
    """python's http.server in B on `port` (a real HTTP/1.0 server); returns once it accepts."""
    p = pair.popen(pair.b, sys.executable, "-m", "http.server", str(port), "--bind", pair.addr_b,
                   *(["--directory", directory] if directory else []), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        r = pair.run(pair.a, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1",
                     f"http://{pair.addr_b}:{port}/")
        if r.stdout == "200":
            return p
        time.sleep(0.1)
    raise RuntimeError("http.server did not start")


class Lines:
    """Collects a process's pipe line by line in a thread, so a test can wait for a line meanwhile."""

    def __init__(self, stream):
        import threading
        self.lines, self.cond = [], threading.Condition()
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        for line in iter(stream.readline, ""):
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, needle, timeout=10):
        """The lines so far once one contains `needle`; RuntimeError after `timeout` seconds."""
        deadline = time.time() + timeout
        with self.cond:
            while not any(needle in l for l in self.lines):
                left = deadline - time.time()
                if left <= 0:
                    raise RuntimeError(f"timed out waiting for {needle!r}; got {self.lines!r}")
                self.cond.wait(left)
            return list(self.lines)

    def text(self, timeout=15):
        self.thread.join(timeout)
        return "\n".join(self.lines) + ("\n" if self.lines else "")


def watch(p):
    """Attaches Lines readers to a text-mode Popen's stdout and stderr (p.out, p.err)."""
    p.out, p.err = Lines(p.stdout), Lines(p.stderr)
    return p


def stop(p, sig=signal.SIGINT, timeout=15):
    """Sends `sig` and returns (returncode, stdout, stderr) of a watched process."""
    p.send_signal(sig)
    p.wait(timeout=timeout)
    return p.returncode, p.out.text(), p.err.text()


def read_pcap(path):
    """The frames of a pcap file as bytes (either timestamp resolution)."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames
