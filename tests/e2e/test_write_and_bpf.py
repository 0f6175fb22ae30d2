#!/usr/bin/env python3
"""Capture filters (-f) and capture writing (-w) against tcpdump and tshark.

usage: test_write_and_bpf.py --bin PATH_TO_portscope --data tests/data

For every capture in tests/data (*.pcap, *.pcapng) and a few of ../shared/corpora/tcpdump-tests (other
link types, nanosecond and big-endian files; skipped when absent):
 a. `read F -w out.pcap` and `-w out.pcapng`: tshark sees the same frame.time_epoch, frame.len,
    frame.cap_len and frame.protocols as in F; `-w -` piped into `tcpdump -r -` prints what
    `tcpdump -r F` prints.
 b. `read F -f EXPR -w -` holds exactly the frames `tcpdump -r F EXPR -w -` writes (time, lengths,
    bytes), for a dozen expressions; an expression tcpdump cannot compile is refused (exit 2) by portscope.
    `read F -f EXPR` prints those frames numbered 1..N, exactly as `read` prints tcpdump's output.
 c. For microsecond pcap inputs, `read F -f EXPR -w out` is byte-identical to `tcpdump -r F -w out2 EXPR`.
 d. Errors: /dev/full and a file-size limit (exit 1, one line, no file left, an existing file kept), a
    closed pipe, SIGINT/SIGTERM while writing (no file left), a bad expression (exit 2, one line) on every
    command, pcap refusing several link types.
 e. -P prints what read prints and writes what -w writes; -P with -w - is refused; a closed printed
    output leaves no capture file.
 f. A pcapng with two sections, three interfaces of two link types, names, descriptions, binary and
    decimal timestamp resolutions and comments survives `-w x.pcapng` (tshark and capinfos agree);
    a filter that cannot apply to one link type warns once and passes none of its frames.
tcpdump and tshark are needed for a-c and e (skipped, with a note, when missing).
Prints 'N passed, M failed'; exits non-zero on failure.
"""
import glob
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
import e2e_util  # noqa: E402
from e2e_util import Tally, parse_args  # noqa: E402

EXPRS = [
    "tcp port 80",
    "udp",
    "host 192.168.1.21",
    "ip6",
    "tcp[tcpflags] & tcp-syn != 0",
    "arp",
    "net 192.168.1.0/24",
    "not port 53",
    "vlan",
    "portrange 20-21",
    "icmp or icmp6",
    "greater 1000",
    "ip and len < 100",
]
# Captures of ../shared/corpora/tcpdump-tests with other link types, resolutions and byte orders.
SHARED = [
    "LINKTYPE_RAW_ipv4.pcap", "LINKTYPE_RAW_ipv6.pcap", "LINKTYPE_IPV4.pcap", "LINKTYPE_IPV6.pcap",
    "LINKTYPE_PKTAP.pcap", "heap-overflow-2.pcap", "dns-badcookie.pcap", "babel.pcap", "tcp-handshake-nano.pcap",
    "isup.pcap", "802.1ad_QinQ.pcap", "cve2015-0261-ipv6.pcap", "bgp-orf.pcapng", "hdlc_slarp.pcapng",
    "ikev2pI2-segfault.pcapng", "msnlb2.pcapng", "OSPFv2_Capture_FINAL.pcapng",
]
TSHARK_FIELDS = ["-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.protocols"]

T = Tally()


def run(args, stdin=None, timeout=120, **kw):
    return subprocess.run(args, capture_output=True, timeout=timeout, input=stdin, **kw)


def one_line(stderr):
    lines = stderr.decode("utf-8", "replace").splitlines()
    return len(lines) == 1 and lines[0].startswith("portscope: ")


def pcap_records(raw, to_micro=True):
    """(sec, frac, caplen, wirelen, data) of every record; fractions in microseconds when to_micro."""
    p = cg.Pcap(raw)
    return [(s, f // 1000 if (p.nano and to_micro) else f, c, w, d) for s, f, c, w, d in p.records]


def tshark_fields(path):
    r = run(["tshark", "-n", "-r", path, "-T", "fields", *TSHARK_FIELDS])
    return r.returncode, r.stdout


def tool_files(data, binary=None):
    files = sorted(glob.glob(os.path.join(data, "*.pcap")) + glob.glob(os.path.join(data, "*.pcapng")))
    if binary:
        files = e2e_util.captures_for(binary, files)
    shared = os.path.normpath(os.path.join(data, "..", "..", "..", "shared", "corpora", "tcpdump-tests"))
    if os.path.isdir(shared):
        files += [os.path.join(shared, n) for n in SHARED if os.path.exists(os.path.join(shared, n))]
    else:
        print(f"note: {shared} not found: shared corpus captures skipped")
    return files


def is_micro_pcap(path):
    with open(path, "rb") as f:
        return f.read(4) in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")


def check_write(binary, cap, tmp, have_tshark, have_tcpdump):
    name = os.path.basename(cap)
    if have_tshark:
        rc, want = tshark_fields(cap)
    for ext in ("pcap", "pcapng"):
        out = os.path.join(tmp, f"out.{ext}")
        r = run([binary, "read", cap, "-w", out])
        if not T.check(r.returncode == 0 and r.stdout == b"", f"{name}: read -w out.{ext}: exit {r.returncode} "
                       f"{r.stderr.decode(errors='replace').strip()} stdout {len(r.stdout)} bytes"):
            continue
        with open(out, "rb") as f:
            magic = f.read(4)
        T.check((magic == b"\x0a\x0d\x0d\x0a") == (ext == "pcapng"), f"{name}: out.{ext} has magic {magic.hex()}")
        T.check(not glob.glob(out + ".partial-*"), f"{name}: a partial file was left beside out.{ext}")
        if have_tshark:
            grc, got = tshark_fields(out)
            T.check(grc == rc and got == want, f"{name}: tshark sees different frames in out.{ext}")
    if have_tcpdump:
        want = run(["tcpdump", "-nn", "-r", cap])
        w = subprocess.Popen([binary, "read", cap, "-w", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        got = run(["tcpdump", "-nn", "-r", "-"], stdin=w.stdout.read())
        w.wait()
        T.check(w.returncode == 0 and got.stdout == want.stdout,
                f"{name}: read -w - | tcpdump -r - differs from tcpdump -r (exit {w.returncode})")


def check_filters(binary, cap, tmp):
    name = os.path.basename(cap)
    micro = cap.endswith(".pcap") and is_micro_pcap(cap)
    for expr in EXPRS:
        what = f"{name} -f '{expr}'"
        td = run(["tcpdump", "-r", cap, "-w", "-", expr])
        ps = run([binary, "read", cap, "-f", expr, "-w", "-"])
        if td.returncode != 0:
            # tcpdump cannot compile it for this link type: neither can portscope.
            T.check(ps.returncode == 2 and one_line(ps.stderr) and ps.stdout == b"",
                    f"{what}: tcpdump refused it, portscope exit {ps.returncode} {ps.stderr!r}")
            continue
        if not T.check(ps.returncode == 0, f"{what}: exit {ps.returncode} {ps.stderr!r}"):
            continue
        want, got = pcap_records(td.stdout), pcap_records(ps.stdout)
        if not T.check(got == want, f"{what}: {len(got)} frames, tcpdump {len(want)}"):
            continue
        # Printed: frames numbered 1..N, as portscope prints tcpdump's filtered capture.
        if micro:
            a = run([binary, "read", cap, "-f", expr, "-n"])
            b = run([binary, "read", "-", "-n"], stdin=td.stdout)
            T.check(a.returncode == 0 and a.stdout == b.stdout and a.stdout.count(b"\n") == len(want),
                    f"{what}: read -f output differs from read of tcpdump's filtered capture")
    if micro:
        # c. byte-identical files (tcpdump writes microsecond pcap in host order, as portscope does).
        for expr in ("tcp port 80", "udp", "not arp", ""):
            out, out2 = os.path.join(tmp, "f.pcap"), os.path.join(tmp, "f2.pcap")
            r = run([binary, "read", cap, "-f", expr, "-w", out])
            td = run(["tcpdump", "-r", cap, "-w", out2] + ([expr] if expr else []))
            if td.returncode != 0:
                continue
            with open(out, "rb") as f1, open(out2, "rb") as f2:
                a, b = f1.read(), f2.read()
            # tcpdump writes libpcap's snapshot length (the file's, or 262144 for 0 / huge ones).
            same = a[:16] == b[:16] and a[20:] == b[20:]
            T.check(r.returncode == 0 and same, f"{name} -f '{expr}' -w: not byte-identical to tcpdump -w")


def check_errors(binary, data, tmp):
    cap = os.path.join(data, "mixed.pcap")
    # /dev/full: one line, exit 1, nothing left beside it.
    r = run([binary, "read", cap, "-w", "/dev/full"])
    T.check(r.returncode == 1 and one_line(r.stderr) and b"No space left on device" in r.stderr,
            f"-w /dev/full: exit {r.returncode} {r.stderr!r}")
    T.check(not glob.glob("/dev/full.partial-*"), "-w /dev/full left a partial file in /dev")

    # A file-size limit: the write fails midway; no OUT, no partial file; an existing OUT is kept.
    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    out = os.path.join(tmp, "limited.pcap")
    r = subprocess.run([binary, "read", cap, "-w", out], capture_output=True, preexec_fn=limited, timeout=60)
    T.check(r.returncode == 1 and one_line(r.stderr) and b"File too large" in r.stderr,
            f"file size limit: exit {r.returncode} {r.stderr!r}")
    T.check(not os.path.exists(out) and not glob.glob(out + ".partial-*"),
            f"file size limit: left {os.listdir(tmp)}")
    with open(out, "wb") as f:
        f.write(b"old content")
    r = subprocess.run([binary, "read", cap, "-w", out, "-F", "pcapng"], capture_output=True, preexec_fn=limited,
                       timeout=60)
    with open(out, "rb") as f:
        kept = f.read()
    T.check(r.returncode == 1 and kept == b"old content" and not glob.glob(out + ".partial-*"),
            f"file size limit over an existing file: exit {r.returncode}, file now {len(kept)} bytes")
    os.unlink(out)

    # A closed pipe: reported, exit 1 (a capture cut short is not a normal end).
    p = subprocess.Popen([binary, "read", cap, "-w", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(100)
    p.stdout.close()
    err = p.stderr.read()
    p.wait()
    T.check(p.returncode == 1 and one_line(err) and b"Broken pipe" in err, f"closed pipe: exit {p.returncode} {err!r}")

    # Interrupted while writing (input from a pipe that stays open): no OUT, no partial file.
    with open(cap, "rb") as f:
        head = f.read(4096)
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = os.path.join(tmp, "interrupted.pcap")
        p = subprocess.Popen([binary, "read", "-", "-w", out], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(head)
        p.stdin.flush()
        for _ in range(100):  # until the partial file exists
            if glob.glob(out + ".partial-*"):
                break
            subprocess.run(["sleep", "0.02"])
        p.send_signal(sig)
        p.wait(timeout=10)
        p.stdin.close()
        T.check(p.returncode == -sig and not os.path.exists(out) and not glob.glob(out + ".partial-*"),
                f"{sig.name} while writing: exit {p.returncode}, left {sorted(os.listdir(tmp))}")

    # -w - on a terminal: refused.
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(binary, [binary, "read", cap, "-w", "-"])
    got = b""
    try:
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    T.check(os.waitstatus_to_exitcode(status) == 2 and got.startswith(b"portscope: -w -: not writing") and
            got.count(b"\n") == 1, f"-w - on a terminal: {got[:80]!r}")

    # Bad expressions: exit 2, one line, on every command that reads; follow's -f is the filter now.
    for args in (["read", cap], ["read", cap, "-w", os.path.join(tmp, "bad.pcap")], ["conns", cap],
                 ["log", "http", cap], ["follow", cap, "--stream", "0"]):
        for expr in ("tcp port", "host 999.1.1.1", "ether host 1.2.3.4"):
            r = run([binary, *args, "-f", expr])
            T.check(r.returncode == 2 and one_line(r.stderr) and f"capture filter '{expr}'".encode() in r.stderr
                    and r.stdout == b"", f"{' '.join(args[:1])} -f '{expr}': exit {r.returncode} {r.stderr!r}")
    T.check(not os.path.exists(os.path.join(tmp, "bad.pcap")), "a bad filter still created the -w file")
    r = run([binary, "follow", cap, "--stream", "0", "-f", "hex"])
    T.check(r.returncode == 2, f"follow -f hex is a filter now: exit {r.returncode}")
    r = run([binary, "read", cap, "-w", os.path.join(tmp, "x"), "-F", "pcapx"])
    T.check(r.returncode == 2 and one_line(r.stderr), f"-F pcapx: exit {r.returncode} {r.stderr!r}")
    r = run([binary, "read", cap, "-w", os.path.join(tmp, "nodir", "x.pcap")])
    T.check(r.returncode == 1 and one_line(r.stderr) and b"cannot create" in r.stderr, f"-w nodir/x: {r.stderr!r}")

    # -f on conns, log, follow: the same as running them on tcpdump's filtered capture.
    if shutil.which("tcpdump"):
        for args, expr in ((["conns", "-"], "port 53"), (["log", "dns", "-"], "udp"),
                           (["follow", "-", "--stream", "1"], "tcp port 80")):
            td = run(["tcpdump", "-r", cap, "-w", "-", expr])
            want = run([binary, *args], stdin=td.stdout)
            a2 = [cap if x == "-" else x for x in args]
            got = run([binary, *a2, "-f", expr, "-q"] if args[0] == "conns" else [binary, *a2, "-f", expr])
            T.check(got.returncode == 0 and got.stdout == want.stdout and want.stdout,
                    f"{args[0]} -f '{expr}' differs from {args[0]} on tcpdump's filtered capture")


def check_print(binary, data, tmp):
    """-P: printed as without -w, written as without -P."""
    for name in ("mixed.pcap", "http-pcapng.pcapng"):
        cap = os.path.join(data, name)
        out, out2 = os.path.join(tmp, "p.pcapng"), os.path.join(tmp, "p2.pcapng")
        for extra in ([], ["-f", "tcp port 80"], ["-T", "fields", "-e", "frame.number", "-e", "tcp.stream"]):
            r = run([binary, "read", cap, "-n", "-P", "-w", out, *extra])
            want = run([binary, "read", cap, "-n", *extra])
            w = run([binary, "read", cap, "-w", out2, *[x for x in extra if extra[:1] == ["-f"]]])
            with open(out, "rb") as f1, open(out2, "rb") as f2:
                same = f1.read() == f2.read()
            T.check(r.returncode == 0 and r.stdout == want.stdout and w.returncode == 0 and same,
                    f"{name} -P -w {extra}: exit {r.returncode}, printed same {r.stdout == want.stdout}, file same {same}")
    cap = os.path.join(data, "mixed.pcap")
    r = run([binary, "read", cap, "-P", "-w", "-"])
    T.check(r.returncode == 2 and one_line(r.stderr) and r.stdout == b"", f"-P -w -: exit {r.returncode} {r.stderr!r}")
    # Printing stopped by a closed pipe: the capture would be incomplete, so it is not written.
    out = os.path.join(tmp, "cut.pcap")
    p = subprocess.Popen([binary, "read", cap, "-P", "-w", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    p.wait()
    T.check(p.returncode == 1 and one_line(err) and not os.path.exists(out) and not glob.glob(out + ".partial-*"),
            f"-P -w with the printed output closed: exit {p.returncode} {err!r}")


def options(opts):
    return cg._options(opts, "<")


def multi_pcapng():
    """Two sections; section 1: Ethernet (ns, named), raw IP (us), Ethernet (2^-20); section 2: raw IP."""
    a, b, c, d = bytes([192, 168, 1, 21]), bytes([192, 168, 1, 200]), bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    eth = cg.eth_tcp(a, b, 40000, 80, 1, 0, cg.SYN)
    raw = cg.ipv4(c, d, 17, cg.udp(c, d, 5000, 53, b"q" * 12))

    def shb(comments):
        return cg._block(cg.PCAPNG_SHB, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                         options([(1, c.encode()) for c in comments]), "<")

    def idb(lt, snap, opts):
        return cg._block(1, struct.pack("<HHI", lt, 0, snap) + options(opts), "<")

    def epb(iface, ts, data, comment=None, wire=None):
        body = struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), wire or len(data)) + data
        body += b"\0" * (-len(data) % 4)
        return cg._block(6, body + (options([(1, comment.encode())]) if comment else b""), "<")

    t = 1_700_000_000
    parts = [shb(["first section", "captured for a test"]),
             idb(1, 262144, [(2, b"eth0"), (3, b"the wired one"), (9, b"\x09")]),
             idb(101, 65535, [(2, b"tun0")]),
             idb(1, 0, [(9, b"\x94")]),
             epb(0, t * 10**9 + 123456789, eth, "a SYN"),
             epb(1, t * 10**6 + 5, raw),
             epb(2, (t << 20) + 777, eth, "binary time", wire=len(eth) + 10),
             epb(0, t * 10**9 + 223456789, eth),
             shb(["second section"]),
             idb(101, 1500, [(2, b"wg0"), (3, "tunnel \u00e9".encode())]),
             epb(0, (t + 1) * 10**6, raw, "after the second SHB")]
    return b"".join(parts)


def check_multi(binary, tmp, have_tshark):
    src = os.path.join(tmp, "multi.pcapng")
    with open(src, "wb") as f:
        f.write(multi_pcapng())
    out = os.path.join(tmp, "multi-out.pcapng")
    r = run([binary, "read", src, "-w", out])
    if not T.check(r.returncode == 0, f"multi: -w pcapng exit {r.returncode} {r.stderr!r}"):
        return
    # The frames read back the same (numbers, times, lengths, interfaces as printed by portscope).
    fields = ["-T", "fields", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.len", "-e",
              "frame.cap_len", "-e", "frame.protocols"]
    a, b = run([binary, "read", src, *fields]), run([binary, "read", out, *fields])
    T.check(a.returncode == 0 and a.stdout == b.stdout and a.stdout.count(b"\n") == 5, "multi: portscope reads back"
            f" different frames:\n{a.stdout.decode()}{b.stdout.decode()}")
    if have_tshark:
        tf = ["-T", "fields", *TSHARK_FIELDS, "-e", "frame.comment", "-e", "frame.interface_name", "-e",
              "frame.interface_description", "-e", "frame.interface_id"]
        want, got = run(["tshark", "-r", src, *tf]), run(["tshark", "-r", out, *tf])
        T.check(want.returncode == 0 and got.stdout == want.stdout and want.stdout.count(b"\n") == 5,
                f"multi: tshark differs:\n{want.stdout.decode()}---\n{got.stdout.decode()}")
        ci = ["capinfos", "-k", "-I"]
        if shutil.which("capinfos"):
            want, got = run([*ci, src]), run([*ci, out])

            def keep(txt):
                return [ln for ln in txt.decode().splitlines() if "omment" in ln or "Name =" in ln
                        or "Description =" in ln or "Encapsulation =" in ln or "Time resolution" in ln
                        or "Capture length" in ln]
            T.check(keep(got.stdout) == keep(want.stdout) and keep(want.stdout),
                    f"multi: capinfos differs:\n{keep(want.stdout)}\n{keep(got.stdout)}")
    # pcap cannot hold two link types: refused before writing anything.
    pc = os.path.join(tmp, "multi.pcap")
    r = run([binary, "read", src, "-w", pc])
    T.check(r.returncode == 2 and one_line(r.stderr) and b"link types 1 and 101" in r.stderr,
            f"multi: -w pcap exit {r.returncode} {r.stderr!r}")
    T.check(not os.path.exists(pc) and not glob.glob(pc + ".partial-*"), "multi: -w pcap left a file")
    # A filter one link type cannot take: one warning, its frames do not match.
    r = run([binary, "read", src, "-f", "ether host 02:00:00:00:00:01", *fields])
    warn = r.stderr.decode().splitlines()
    rows = [ln.split(b"\t", 1)[1] for ln in a.stdout.splitlines()]
    want = b"".join(b"%d\t%s\n" % (n + 1, rows[i]) for n, i in enumerate((0, 2, 3)))
    T.check(r.returncode == 0 and r.stdout == want and len(warn) == 1 and
            warn[0].startswith("portscope: warning: capture filter 'ether host 02:00:00:00:00:01'"),
            f"multi: ether filter: {r.stdout!r} {r.stderr!r}")
    # Filtered to the raw-IP frames, written to a pipe as pcapng.
    # The second frame comes from the second section: the output has two sections too.
    r = run([binary, "read", src, "-f", "udp", "-w", "-", "-F", "pcapng"])
    shbs = [t for _, t, _, _ in cg.pcapng_blocks(r.stdout) if t == cg.PCAPNG_SHB]
    got = run([binary, "read", "-", "-V"], stdin=r.stdout)
    want = run([binary, "read", src, "-f", "udp", "-V"])
    T.check(r.returncode == 0 and len(shbs) == 2 and got.stdout == want.stdout and
            got.stdout.count(b"Interface id: ") == 2, f"multi: -f udp -w - -F pcapng: {r.stderr!r} {len(shbs)} sections")


def main():
    a = parse_args()
    binary = os.path.abspath(a.bin)
    have_tshark, have_tcpdump = bool(shutil.which("tshark")), bool(shutil.which("tcpdump"))
    if not have_tshark:
        print("note: tshark not installed: tshark comparisons skipped")
    if not have_tcpdump:
        print("note: tcpdump not installed: tcpdump comparisons skipped")
    with tempfile.TemporaryDirectory(prefix="ps-write-") as tmp:
        for cap in tool_files(a.data, a.bin):
            r = run([binary, "read", cap, "-q", "-T", "fields", "-e", "frame.number"])
            if r.returncode != 0:
                print(f"note: {os.path.basename(cap)}: portscope cannot read it whole: skipped")
                continue
            check_write(binary, cap, tmp, have_tshark, have_tcpdump)
            if have_tcpdump:
                check_filters(binary, cap, tmp)
        check_errors(binary, a.data, tmp)
        check_print(binary, a.data, tmp)
        check_multi(binary, tmp, have_tshark)
    T.finish()


if __name__ == "__main__":
    main()
