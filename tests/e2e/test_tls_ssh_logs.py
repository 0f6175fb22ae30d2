#!/usr/bin/env python3
"""`log ssl` and `log ssh` on tests/data/tls/*.pcap against what tshark decoded (the stored references).

ssl.log (also for the STARTTLS/STLS/AUTH TLS upgrades of SMTP, POP3 and FTP): per connection, server_name, version, cipher (tshark's name in its tree), next_protocol
(the ServerHello's ALPN), ja3/ja3s (tshark's), cert_chain_fps (SHA-256 of tshark's certificate bytes,
computed here), and uid equal to the uid of the connection in `conns --format zeek`.
ssh.log: client/server banners (tshark's ssh.protocol), kex/host key/cipher/mac/compression algorithms
negotiated here from tshark's KEXINIT name lists as RFC 4253 7.1 says, and the authentication outcome
of the scenario tools/make_tls_captures.sh ran (two key logins, then a client with no usable method).
usage: test_tls_ssh_logs.py --bin PORTSCOPE --data DIR
"""
import argparse, hashlib, json, os, re, subprocess, sys

ZEEK_VERSION = {"0x0301": "TLSv10", "0x0302": "TLSv11", "0x0303": "TLSv12", "0x0304": "TLSv13"}


def tsv(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8") if l.strip()]
    h = rows[0]
    return [dict(zip(h, r + [""] * (len(h) - len(r)))) for r in rows[1:]]


def run(*args):
    r = subprocess.run(list(args), capture_output=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit(f"FAIL {' '.join(args)}: exit {r.returncode} {r.stderr.decode()[:200]}")
    return r.stdout.decode()


def conn_uids(binary, cap):
    uids = {}
    for line in run(binary, "conns", cap, "--format", "zeek").splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        uids[(f[2], f[3], f[4], f[5])] = f[1]
    return uids


def negotiate(client, server):
    s = server.split(",")
    return next((c for c in client.split(",") if c in s), "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    d = os.path.join(a.data, "tls")
    bad = checks = 0

    def check(ok, what):
        nonlocal bad, checks
        checks += 1
        if not ok:
            bad += 1
            print("  FAIL", what)

    for name in ("tls-nginx", "tls-openssl-frag", "starttls"):
        cap = os.path.join(d, name + ".pcap")
        rows = tsv(os.path.join(d, name + ".fields.tsv"))
        verbose = open(os.path.join(d, name + ".verbose.txt"), encoding="utf-8").read()
        names = dict((v.lower(), n) for n, v in re.findall(r"Cipher Suite: (\S+) \((0x[0-9a-f]{4})\)", verbose))
        logs = [json.loads(l) for l in run(a.bin, "log", "ssl", cap, "--format", "ndjson").splitlines()]
        uids = conn_uids(a.bin, cap)
        streams = sorted({r["tcp.stream"] for r in rows if r["tls.handshake.type"]}, key=int)
        check(len(logs) == len(streams), f"{name}: {len(logs)} ssl rows for {len(streams)} TLS connections")
        for stream, log in zip(streams, logs):
            mine = [r for r in rows if r["tcp.stream"] == stream]
            ch = next(r for r in mine if r["tls.handshake.type"].split(",")[0] == "1")
            sh = next(r for r in mine if "2" in r["tls.handshake.type"].split(","))
            cert = next((r for r in mine if "11" in r["tls.handshake.type"].split(",")), None)
            where = f"{name} stream {stream}"
            check(log.get("server_name", "") == ch["tls.handshake.extensions_server_name"], f"{where} server_name {log}")
            sv = sh["tls.handshake.extensions.supported_version"] or sh["tls.handshake.version"]
            check(log.get("version") == ZEEK_VERSION[sv], f"{where} version {log.get('version')} vs {sv}")
            check(log.get("cipher") == names.get(sh["tls.handshake.ciphersuite"]), f"{where} cipher {log.get('cipher')}")
            check(log.get("next_protocol", "") == sh["tls.handshake.extensions_alpn_str"], f"{where} next_protocol")
            check(log.get("ja3") == ch["tls.handshake.ja3"], f"{where} ja3")
            check(log.get("ja3s") == sh["tls.handshake.ja3s"], f"{where} ja3s")
            fps = ""
            if cert:
                fps = ",".join(hashlib.sha256(bytes.fromhex(c)).hexdigest()
                               for c in cert["tls.handshake.certificate"].split(","))
            check(log.get("cert_chain_fps", "") == fps, f"{where} cert_chain_fps")
            key = (log["id.orig_h"], str(log["id.orig_p"]), log["id.resp_h"], str(log["id.resp_p"]))
            check(uids.get(key) == log["uid"], f"{where} uid {log['uid']} vs conns {uids.get(key)}")
        services = [l.split("\t")[7] for l in run(a.bin, "conns", cap, "--format", "zeek").splitlines()
                    if not l.startswith("#")]
        for log, svc in zip(logs, services):
            want = "ssl,http" if log.get("next_protocol") in ("http/1.1", "h2") else "ssl"
            if name == "starttls":  # the connection stays the protocol that upgraded
                want = {25: "smtp", 110: "pop3", 21: "ftp"}[log["id.resp_p"]]
            check(svc == want, f"{name}: service {svc}, ALPN {log.get('next_protocol')}")

    cap = os.path.join(d, "ssh.pcap")
    rows = tsv(os.path.join(d, "ssh.fields.tsv"))
    logs = [json.loads(l) for l in run(a.bin, "log", "ssh", cap, "--format", "ndjson").splitlines()]
    uids = conn_uids(a.bin, cap)
    streams = sorted({r["tcp.stream"] for r in rows if r["ssh.protocol"]}, key=int)
    check(len(logs) == len(streams) == 3, f"ssh: {len(logs)} rows for {len(streams)} connections")
    lists = ["kex_algorithms", "server_host_key_algorithms", "encryption_algorithms_client_to_server",
             "mac_algorithms_client_to_server", "compression_algorithms_client_to_server"]
    cols = ["kex_alg", "host_key_alg", "cipher_alg", "mac_alg", "compression_alg"]
    for stream, log in zip(streams, logs):
        mine = [r for r in rows if r["tcp.stream"] == stream]
        banners = [r for r in mine if r["ssh.protocol"]]
        check(log.get("client") == next(r["ssh.protocol"] for r in banners if r["ssh.direction"] == "0"), "ssh client")
        check(log.get("server") == next(r["ssh.protocol"] for r in banners if r["ssh.direction"] == "1"), "ssh server")
        kex = {r["ssh.direction"]: r for r in mine if r["ssh.message_code"].split(",")[0] == "20"}
        for l, c in zip(lists, cols):
            want = negotiate(kex["0"]["ssh." + l], kex["1"]["ssh." + l])
            check(log.get(c) == want, f"ssh stream {stream} {c}: {log.get(c)} vs {want}")
        key = (log["id.orig_h"], str(log["id.orig_p"]), log["id.resp_h"], str(log["id.resp_p"]))
        check(uids.get(key) == log["uid"], f"ssh stream {stream} uid")
        check(log.get("version") == 2, "ssh version")
    # The scenario: key logins on 22 and 2222 succeed; the third client has no method it may use.
    check([l.get("auth_success") for l in logs] == [True, True, None], f"auth_success {[l.get('auth_success') for l in logs]}")
    check([l.get("auth_attempts") for l in logs] == [1, 1, 0], "auth_attempts")
    check([l["id.resp_p"] for l in logs] == [22, 2222, 2222], "ssh ports")
    print(f"{'ok' if not bad else 'FAIL'}: {checks - bad}/{checks} checks")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
