#!/usr/bin/env python3
"""The clients of tools/make_app_details_captures.sh: SMTP sessions with AUTH LOGIN (two-step and with
an initial response, one refused) and AUTH PLAIN (with and without initial response), an FTP session
with EPSV and EPRT data connections, SSDP M-SEARCH and NOTIFY datagrams.
usage: app_details_client.py smtp|ftp|ssdp SERVER"""
import base64, socket, sys, time

proto, server = sys.argv[1], sys.argv[2]


def talk(c, f, line):
    c.sendall(line + b"\r\n")
    while True:
        r = f.readline()
        if not r or r[3:4] != b"-":
            return r


def smtp_session(steps):
    c = socket.create_connection((server, 25))
    f = c.makefile("rb")
    f.readline()
    talk(c, f, b"EHLO client.example.org")
    for s in steps:
        talk(c, f, s)
        time.sleep(0.05)
    talk(c, f, b"QUIT")
    c.close()
    time.sleep(0.2)


def b64(s):
    return base64.b64encode(s)


if proto == "smtp":
    smtp_session([b"AUTH LOGIN", b64(b"alice"), b64(b"wrong"), b"AUTH LOGIN", b64(b"alice"), b64(b"secret"),
                  b"MAIL FROM:<alice@example.org>", b"RCPT TO:<bob@example.org>", b"DATA",
                  b"Subject: hi\r\n\r\nHello Bob.\r\n."])
    smtp_session([b"AUTH PLAIN " + b64(b"\0alice\0secret"), b"MAIL FROM:<alice@example.org>"])
    smtp_session([b"AUTH PLAIN", b64(b"\0alice\0secret"), b"AUTH LOGIN " + b64(b"alice"), b64(b"secret")])
elif proto == "ftp":
    c = socket.create_connection((server, 21))
    f = c.makefile("rb")
    f.readline()
    talk(c, f, b"USER alice")
    talk(c, f, b"PASS secret")
    r = talk(c, f, b"EPSV")
    dport = int(r.split(b"|||")[1].split(b"|")[0])
    d = socket.create_connection((server, dport))
    talk(c, f, b"LIST")
    while d.recv(4096):
        pass
    d.close()
    f.readline()
    lst = socket.socket()
    lst.bind((c.getsockname()[0], 0))
    lst.listen(1)
    talk(c, f, b"EPRT |1|%s|%d|" % (c.getsockname()[0].encode(), lst.getsockname()[1]))
    c.sendall(b"RETR file.txt\r\n")
    f.readline()
    d, _ = lst.accept()
    while d.recv(4096):
        pass
    d.close()
    f.readline()
    talk(c, f, b"QUIT")
    c.close()
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 50000))
    s.settimeout(2)
    s.sendto(b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
             b"ST: upnp:rootdevice\r\n\r\n", (server, 1900))
    s.recvfrom(2048)
    s.sendto(b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
             b"LOCATION: http://192.168.1.21:49152/description.xml\r\n\r\n", (server, 1900))
    s.recvfrom(2048)
