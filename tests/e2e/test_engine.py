#!/usr/bin/env python3
"""The one engine under every command:
- a capture that starts mid-connection with a server-to-client packet (8080 -> 50000, then the client's
  GET) is oriented once for every output: `read` shows the GET as HTTP as tshark does (compared with a
  live tshark when present), `log http` logs it with the client as orig, `conns` names the client;
- every packet command takes the same input options (-r FILE, -c N, -d RULE, the limits);
- a closed output pipe ends every command with exit 0 (`read big.pcap | head -1`);
- `follow` takes tshark's address form (ADDR:PORT,ADDR:PORT and -z follow,tcp,ascii,...), compared with
  the stored `tshark -z follow,tcp,ascii,0` references (same payload, tshark's address Filter line).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_gen as cg  # noqa: E402
from e2e_util import Tally, parse_args, run  # noqa: E402

CLIENT, SERVER = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])
BODY = b"hello world\n"
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n" % len(BODY) + BODY
GET = b"GET /next HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"


def mid_stream_capture(path):
    """The server's ACK first (the capture started after the handshake), then a GET and its answer."""
    frames = [(SERVER, CLIENT, 8080, 50000, 7000, 3000, 0x10, b""),
              (CLIENT, SERVER, 50000, 8080, 3000, 7000, 0x18, GET),
              (SERVER, CLIENT, 8080, 50000, 7000, 3000 + len(GET), 0x18, RESP),
              (CLIENT, SERVER, 50000, 8080, 3000 + len(GET), 7000 + len(RESP), 0x10, b"")]
    out = [cg.pcap_header(1)]
    for i, (a, b, sp, dp, seq, ack, fl, pl) in enumerate(frames):
        out.append(cg.pcap_record(cg.eth_tcp(a, b, sp, dp, seq, ack, fl, pl), 1_700_000_000, 1000 * i))
    with open(path, "wb") as f:
        f.write(b"".join(out))


def tshark_fields(path, *fields):
    r = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", *sum([["-e", f] for f in fields], [])],
                       capture_output=True, text=True, timeout=120)
    return r.stdout


def check_mid_stream(t, binary, tmp):
    path = os.path.join(tmp, "mid-stream-8080.pcap")
    mid_stream_capture(path)
    fields = ["frame.number", "_ws.col.Protocol", "http.request.method", "http.response.code", "tcp.stream"]
    rc, out, err = run(binary, "read", path, "-T", "fields", *sum([["-e", f] for f in fields], []))
    t.check(rc == 0, f"mid-stream read: exit {rc} {err}")
    rows = [line.split("\t") for line in out.splitlines()]
    t.check(len(rows) == 4 and rows[1][1] == "HTTP" and rows[1][2] == "GET" and rows[2][3] == "200",
            f"mid-stream read: the GET and its response are HTTP: {rows}")
    t.check("Malformed" not in run(binary, "read", path)[1], "mid-stream read: no [Malformed Packet]")
    if shutil.which("tshark"):
        t.check(out == tshark_fields(path, *fields), f"mid-stream read equals tshark: {out!r}")
    rc, out, err = run(binary, "log", "http", path, "--format", "ndjson")
    lines = out.splitlines()
    t.check(rc == 0 and len(lines) == 1 and '"id.orig_p":50000' in lines[0].replace(" ", "") and
            '"method":"GET"' in lines[0].replace(" ", "") and '"status_code":200' in lines[0].replace(" ", ""),
            f"mid-stream log http: one GET from the client, answered 200: {out!r} {err}")
    rc, out, err = run(binary, "conns", path, "-n", "--format", "csv")
    t.check(rc == 0 and "10.0.0.2" in out and ",50000," in out and ",8080," in out and "http" in out,
            f"mid-stream conns: the client is 10.0.0.2:50000, the service http: {out!r}")
    # The log's uid is the connection's uid.
    uid_log = run(binary, "log", "http", path, "--format", "zeek")[1].splitlines()[-2].split("\t")[1]
    uid_conn = run(binary, "conns", path, "--format", "zeek")[1]
    t.check(uid_log in uid_conn, f"mid-stream: log uid {uid_log} is the conns uid")


def check_input_options(t, binary, data):
    cap = os.path.join(data, "http-port-2222.pcap")
    for cmd in (["read"], ["conns"], ["log", "http"], ["follow", "--stream", "0"]):
        rc, out_pos, err = run(binary, *cmd, cap, "-d", "tcp.port==2222,http", "--max-connections", "100")
        t.check(rc == 0, f"{cmd[0]} FILE -d ... --max-connections: exit {rc} {err}")
        rc, out_r, err = run(binary, *cmd, "-r", cap, "-d", "tcp.port==2222,http", "--max-connections", "100")
        t.check(rc == 0 and out_r == out_pos, f"{cmd[0]} -r FILE gives the same output as FILE: {err}")
        rc, out_c, err = run(binary, *cmd, "-r", cap, "-c", "3")
        t.check(rc == 0, f"{cmd[0]} -c 3: exit {rc} {err}")
        rc, _, err = run(binary, *cmd, "-r", cap, "-d", "tcp.port=2222")
        t.check(rc == 2 and err.count("\n") == 1, f"{cmd[0]} bad -d: exit 2, one line: {rc} {err!r}")
    # -c limits what every command reads: 3 frames hold only the handshake.
    rc, out, _ = run(binary, "log", "http", "-r", cap, "-c", "3", "--format", "ndjson")
    t.check(rc == 0 and out == "", f"log -c 3 sees no request: {out!r}")
    rc, out, _ = run(binary, "log", "http", "-r", cap, "--format", "ndjson")
    t.check(rc == 0 and out.count("\n") == 1, f"log -r FILE finds the request: {out!r}")


def check_closed_pipe(t, binary, data):
    cap = os.path.join(data, "http-keepalive-pipelined.pcap")
    for cmd in (["read", cap, "-V"], ["read", cap, "-T", "json"], ["conns", cap, "--format", "json"],
                ["follow", cap, "--stream", "0", "--format", "hex"], ["log", "http", cap]):
        # head exits after its first line; portscope must see EPIPE and stop with exit 0.
        p = subprocess.Popen([binary, *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = p.stdout.readline()
        p.stdout.close()
        p.wait(timeout=60)
        err = p.stderr.read().decode()
        t.check(first and p.returncode == 0 and err == "",
                f"{' '.join(cmd[:1])} | head -1: exit {p.returncode} (141 is SIGPIPE), stderr {err!r}")


def follow_payload(text):
    """The follow output without its Filter line."""
    return [line for line in text.splitlines() if not line.startswith("Filter:")]


def check_follow_address(t, binary, data):
    checked = 0
    for name in sorted(os.listdir(data)):
        if not name.endswith(".follow0.txt"):
            continue
        cap = os.path.join(data, name[:-len(".follow0.txt")])
        cap = cap + ".pcap" if os.path.exists(cap + ".pcap") else cap + ".pcapng"
        with open(os.path.join(data, name), encoding="utf-8", errors="replace") as f:
            ref = f.read()
        nodes = [line.split(": ", 1)[1] for line in ref.splitlines() if line.startswith("Node ")]
        if len(nodes) != 2 or nodes[0] == ":0":
            continue
        spec = f"{nodes[0]},{nodes[1]}"
        rc, out, err = run(binary, "follow", cap, "--stream", spec)
        t.check(rc == 0 and follow_payload(out) == follow_payload(ref),
                f"{name}: follow --stream {spec} equals tshark's follow of stream 0: {err}")
        filt = [line for line in out.splitlines() if line.startswith("Filter:")]
        t.check(len(filt) == 1 and "srcport eq" in filt[0] and " or " in filt[0], f"{name}: address Filter line")
        rc, out_z, err = run(binary, "follow", cap, "-z", f"follow,tcp,ascii,{spec}")
        t.check(rc == 0 and out_z == out, f"{name}: -z follow,tcp,ascii,{spec} is the same: {err}")
        if shutil.which("tshark") and checked < 3:
            live = subprocess.run(["tshark", "-n", "-r", cap, "-q", "-z", f"follow,tcp,ascii,{spec}"],
                                  capture_output=True, timeout=120).stdout.decode("utf-8", "replace")
            t.check(out == live, f"{name}: follow by address equals live tshark, Filter line included")
        checked += 1
    t.check(checked >= 10, f"follow by address checked on {checked} captures")
    for bad in ("10.0.0.1:80", "10.0.0.1:99999,10.0.0.2:1", "[fd00::1]:80,10.0.0.2:1", "x:1,y:2"):
        rc, _, err = run(binary, "follow", os.path.join(data, "http-basic.pcap"), "--stream", bad)
        t.check(rc == 2 and err.startswith("portscope: ") and err.count("\n") == 1,
                f"follow --stream {bad}: exit 2, one line: {rc} {err!r}")


def main():
    a = parse_args()
    t = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        check_mid_stream(t, a.bin, tmp)
    check_input_options(t, a.bin, a.data)
    check_closed_pipe(t, a.bin, a.data)
    check_follow_address(t, a.bin, a.data)
    t.finish()


if __name__ == "__main__":
    main()
