#!/usr/bin/env python3
"""SMTP with PIPELINING (RFC 2920) on public captures, against live tshark: MAIL, RCPT and DATA in one
segment, their replies in one segment ("250 ... | 250 ... | 354 ..."), then the message: its lines are
not taken for commands (no "Received:" command), and a QUIT pipelined after the final "." in the same
segment is not shown as a command, as in tshark. tests/data/practical-packet-analysis/mail_*_server_*.pcapng
(chrissanders/packets). Skips (77) without tshark."""
import os
import re
import shutil
import subprocess
import sys

from e2e_util import Tally, parse_args, run

CAPS = ["mail_receiver_server_3.pcapng", "mail_sender_server_2.pcapng"]
FIELDS = ["frame.number", "smtp.req.command", "smtp.req.parameter", "smtp.response.code", "_ws.col.Protocol",
          "_ws.col.Info"]


def main():
    a = parse_args()
    if not shutil.which("tshark"):
        print("skip: tshark not installed")
        sys.exit(77)
    t = Tally()
    ef = [x for f in FIELDS for x in ("-e", f)]
    for name in CAPS:
        cap = os.path.join(a.data, "practical-packet-analysis", name)
        # With the checksum checks portscope does by default (Info notes [TCP CHECKSUM INCORRECT]).
        ref = subprocess.run(["tshark", "-n", "-r", cap, "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "occurrence=f", "-Y", "tcp.port == 25", *ef],
                             capture_output=True, text=True, timeout=60).stdout.split("\n")
        rc, out, _ = run(a.bin, "read", cap, "-n", "-T", "fields", "-E", "occurrence=f", "-Y", "tcp.port == 25", *ef)
        got = out.split("\n")
        t.check(rc == 0 and len(got) == len(ref), f"{name}: {len(got)} rows, tshark {len(ref)}")
        bad = []
        for w, g in zip(ref, got):
            w, g = w.split("\t"), g.split("\t")
            if len(w) < len(FIELDS):
                continue
            if w[4] == "SMTP/IMF":
                w, g = w[:5], g[:5]  # IMF's Info renders the message (not analyzed by portscope)
            if w != g[: len(w)]:
                bad.append(f"#{w[0]}: tshark {w[1:]} portscope {g[1:]}")
        t.check(not bad, f"{name}: {len(bad)} frames differ: {bad[:2]}")
        t.check("Received:" not in out, f"{name}: a message header line taken for a command")
    t.finish()


if __name__ == "__main__":
    main()
