#!/usr/bin/env python3
"""A minimal SMTP / POP3 / FTP server that accepts the protocol's TLS upgrade (STARTTLS, STLS,
AUTH TLS) and answers one command over TLS, for tools/make_starttls_capture.sh.
usage: starttls_server.py smtp|pop3|ftp PORT CERT KEY"""
import socket, ssl, sys

proto, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # certificates in clear, as the captures want them
GREETING = {"smtp": b"220 mail.example.org ESMTP ready\r\n", "pop3": b"+OK POP3 ready\r\n",
            "ftp": b"220 FTP server ready\r\n"}
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", port))
srv.listen(1)
c, _ = srv.accept()
f = c.makefile("rb")
c.sendall(GREETING[proto])
while True:
    line = f.readline()
    if not line:
        sys.exit(0)
    cmd = line.strip().upper()
    if proto == "smtp" and cmd.startswith(b"EHLO"):
        c.sendall(b"250-mail.example.org\r\n250 STARTTLS\r\n")
    elif proto == "smtp" and cmd == b"STARTTLS":
        c.sendall(b"220 Ready to start TLS\r\n")
        break
    elif proto == "pop3" and cmd == b"CAPA":
        c.sendall(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n")
    elif proto == "pop3" and cmd == b"STLS":
        c.sendall(b"+OK Begin TLS negotiation\r\n")
        break
    elif proto == "ftp" and cmd in (b"AUTH TLS", b"AUTH SSL"):
        c.sendall(b"234 AUTH TLS successful\r\n")
        break
    else:
        c.sendall(b"250 OK\r\n" if proto == "smtp" else b"+OK\r\n" if proto == "pop3" else b"200 OK\r\n")
t = ctx.wrap_socket(c, server_side=True)
try:
    t.recv(4096)
    t.sendall(b"221 Bye\r\n" if proto != "pop3" else b"+OK Bye\r\n")
    t.unwrap()
except (ssl.SSLError, OSError):
    pass
t.close()
