#!/usr/bin/env python3
"""read -T ek against live `tshark -T ek` on the test captures: the same number of lines, index lines
equal byte for byte ({"index":{"_index":"packets-YYYY-MM-DD","_type":"doc"}}), the same "timestamp",
no protocol object in "layers" that tshark does not write, and for every flattened field name both documents have
(PROTO_FIELD_NAME, e.g. tcp_tcp_srcport) the same values, as many times.

A few names hold values whose dissection differs from tshark's in any output form, not in the ek form;
they are listed in KNOWN with the reason and not compared.
"""
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, parse_args, captures_for  # noqa: E402

PREFS = ["-n", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]
KNOWN = {
    "text",  # tree lines: some of tshark's fields are text lines in portscope's tree (frame.marked)
    "tcp_tcp_reassembled_data",  # portscope keeps the reassembled PDU's first bytes only
    "frame_frame_encap_type",  # tshark's wiretap encapsulation number, portscope's link type
    "frame_frame_protocols",  # the data/data-text-lines dissectors after some payloads
    "_ws_expert__ws_expert_message",  # expert lines portscope does not raise
    "tcp_tcp_analysis_duplicate_ack",  # tshark repeats it in the flags subtree
    "ip_ip_frag_offset",  # tshark's ek writes the offset in 8-byte units
    "dns_dns_flags", "dns_dns_opt_cookie_server",  # a response's flags word, an empty server cookie
    "http_http_response_number", "http_http_response_for_uri",  # pipelined responses' pairing
    "telnet_telnet_cmd", "telnet_telnet_subcmd",  # subnegotiation order
    "tcp_tcp_segment", "tcp_tcp_segment_count",  # a retransmitted segment's place in the PDU
    "smtp_smtp_response_code", "smtp_smtp_rsp",  # pipelined replies in one segment
    "eth_eth_padding",  # TSO frames longer on the wire than captured
    "tls_tls_handshake",  # tshark repeats it for the handshake messages of a record
    # The connection's SYN on an FTP-announced data connection or a reused port (tshark's conversation
    # existed before it): the completeness rules measured on the corpora, docs/decisions.md.
    "tcp_tcp_completeness",
}
# tshark 4.0 has no SSH heuristic: the SSH test capture's port-2222 connections are named as for its
# references (tests/data/tls/README).
DECODE_AS = {"ssh.pcap": ["-d", "tcp.port==2222,ssh"]}
# Fields from TCP headers inside reassembled IP fragments: portscope's offsets point into the datagram.
FRAGMENT_KEYS = ("tcp_tcp_options", "tcp_options_")


def values(doc):
    """Flattened name -> every value, in document order (names repeat in tshark's ek)."""
    out = defaultdict(list)

    def hook(pairs):
        for k, v in pairs:
            if isinstance(v, dict):
                continue
            for x in (v if isinstance(v, list) else [v]):
                if not isinstance(x, dict):
                    out[k].append(x)
        return dict(pairs)

    top = json.loads(doc, object_pairs_hook=hook)
    return top, out


def main():
    args = parse_args()
    if not shutil.which("tshark"):
        print("SKIP: tshark not installed")
        sys.exit(77)
    t = Tally()
    names = sorted(f for f in os.listdir(args.data) if f.endswith((".pcap", ".pcapng")))
    caps = captures_for(args.bin, [os.path.join(args.data, n) for n in names])
    caps += [os.path.join(args.data, "tls", n) for n in ("tls-nginx.pcap", "ssh.pcap")]
    compared = 0
    for cap in caps:
        name = os.path.relpath(cap, args.data)
        extra = DECODE_AS.get(os.path.basename(cap), [])
        ts = subprocess.run(["tshark", *PREFS, *extra, "-T", "ek", "-r", cap], capture_output=True,
                            text=True).stdout
        ps = subprocess.run([args.bin, "read", cap, "-n", "-T", "ek"], capture_output=True, text=True)
        if not t.check(ps.returncode == 0, f"{name}: exit {ps.returncode} {ps.stderr.strip()}"):
            continue
        tl, pl = ts.splitlines(), ps.stdout.splitlines()
        if not t.check(len(tl) == len(pl), f"{name}: {len(pl)} lines, tshark {len(tl)}"):
            continue
        bad = []
        for i in range(0, len(tl), 2):
            frame = i // 2 + 1
            if tl[i] != pl[i]:
                bad.append(f"frame {frame}: index line {pl[i]} != {tl[i]}")
                continue
            (tdoc, tv), (pdoc, pv) = values(tl[i + 1]), values(pl[i + 1])
            if tdoc["timestamp"] != pdoc["timestamp"]:
                bad.append(f"frame {frame}: timestamp {pdoc['timestamp']} != {tdoc['timestamp']}")
            # Every protocol object portscope writes, tshark writes too (tshark has more: the body
            # dissectors json and urlencoded-form, the data dissector, generated FTP fields).
            invented = {k for k, v in pdoc["layers"].items() if isinstance(v, (dict, list))} - set(tdoc["layers"])
            if invented:
                bad.append(f"frame {frame}: layers {sorted(invented)} that tshark does not write")
            fragments = "ip_ip_fragments" in tv or "ipv6_ipv6_fragments" in tv
            for k in sorted(tv.keys() & pv.keys()):
                if k in KNOWN or (fragments and k.startswith(FRAGMENT_KEYS)):
                    continue
                compared += 1
                if sorted(map(json.dumps, tv[k])) != sorted(map(json.dumps, pv[k])):
                    bad.append(f"frame {frame}: {k} = {pv[k][:3]}, tshark {tv[k][:3]}")
        t.check(not bad, f"{name}: {len(bad)} disagreements, first: {bad[:3]}")
    t.check(compared > 10000, f"only {compared} shared fields compared")
    print(f"{compared} shared field values compared")
    t.finish()


if __name__ == "__main__":
    main()
