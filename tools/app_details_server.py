#!/usr/bin/env python3
"""Minimal SMTP (AUTH LOGIN/PLAIN), FTP (EPSV/EPRT data connections) and SSDP responders, for
tools/make_app_details_captures.sh. usage: app_details_server.py smtp|ftp|ssdp PORT"""
import base64, socket, sys

proto, port = sys.argv[1], int(sys.argv[2])


def lines(c):
    f = c.makefile("rb")
    while True:
        line = f.readline()
        if not line:
            return
        yield line.rstrip(b"\r\n")


def smtp(c):
    c.sendall(b"220 mail.example.org ESMTP ready\r\n")
    it = lines(c)
    for line in it:
        cmd = line.upper()
        if cmd.startswith(b"EHLO"):
            c.sendall(b"250-mail.example.org\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n")
        elif cmd == b"AUTH LOGIN":
            c.sendall(b"334 " + base64.b64encode(b"Username:") + b"\r\n")
            user = next(it)
            c.sendall(b"334 " + base64.b64encode(b"Password:") + b"\r\n")
            pw = base64.b64decode(next(it))
            ok = pw == b"secret"
            c.sendall(b"235 2.7.0 Authentication successful\r\n" if ok else
                      b"535 5.7.8 Authentication credentials invalid\r\n")
        elif cmd.startswith(b"AUTH LOGIN "):
            c.sendall(b"334 " + base64.b64encode(b"Password:") + b"\r\n")
            next(it)
            c.sendall(b"235 2.7.0 Authentication successful\r\n")
        elif cmd == b"AUTH PLAIN":
            c.sendall(b"334 \r\n")
            next(it)
            c.sendall(b"235 2.7.0 Authentication successful\r\n")
        elif cmd.startswith(b"AUTH PLAIN "):
            c.sendall(b"235 2.7.0 Authentication successful\r\n")
        elif cmd == b"DATA":
            c.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            for body in it:
                if body == b".":
                    break
            c.sendall(b"250 2.0.0 Ok: queued\r\n")
        elif cmd == b"QUIT":
            c.sendall(b"221 2.0.0 Bye\r\n")
            return
        else:
            c.sendall(b"250 2.1.0 Ok\r\n")


def ftp(c):
    c.sendall(b"220 FTP server ready\r\n")
    data = None
    for line in lines(c):
        cmd = line.upper()
        if cmd.startswith(b"USER"):
            c.sendall(b"331 Please specify the password.\r\n")
        elif cmd.startswith(b"PASS"):
            c.sendall(b"230 Login successful.\r\n")
        elif cmd == b"EPSV":
            lst = socket.socket()
            lst.bind(("0.0.0.0", 0))
            lst.listen(1)
            c.sendall(b"229 Entering Extended Passive Mode (|||%d|)\r\n" % lst.getsockname()[1])
            data = ("passive", lst)
        elif cmd.startswith(b"EPRT"):
            parts = line[5:].decode().split("|")
            data = ("active", (parts[2], int(parts[3])))
            c.sendall(b"200 EPRT command successful. Consider using EPSV.\r\n")
        elif cmd.startswith(b"LIST") or cmd.startswith(b"RETR"):
            c.sendall(b"150 Here comes the directory listing.\r\n" if cmd.startswith(b"LIST") else
                      b"150 Opening BINARY mode data connection for file.txt (26 bytes).\r\n")
            if data[0] == "passive":
                d, _ = data[1].accept()
                data[1].close()
            else:
                d = socket.socket()
                d.bind(("0.0.0.0", 20))
                d.connect(data[1])
            d.sendall(b"-rw-r--r--    1 0        0              26 Jan 01 12:00 file.txt\r\n"
                      if cmd.startswith(b"LIST") else b"abcdefghijklmnopqrstuvwxyz")
            d.close()
            c.sendall(b"226 Transfer complete.\r\n" if cmd.startswith(b"RETR") else b"226 Directory send OK.\r\n")
        elif cmd == b"QUIT":
            c.sendall(b"221 Goodbye.\r\n")
            return
        else:
            c.sendall(b"200 OK\r\n")


def ssdp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    for _ in range(2):
        msg, peer = s.recvfrom(2048)
        s.sendto(b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
                 b"LOCATION: http://192.168.1.200:49152/description.xml\r\nSERVER: Linux/6.1 UPnP/1.0 test/1.0\r\n"
                 b"ST: upnp:rootdevice\r\nUSN: uuid:2f402f80-da50-11e1-9b23-001788255acc::upnp:rootdevice\r\n\r\n",
                 peer)


if proto == "ssdp":
    ssdp()
    sys.exit(0)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", port))
srv.listen(1)
for _ in range(3 if proto == "smtp" else 1):
    conn, _ = srv.accept()
    (smtp if proto == "smtp" else ftp)(conn)
    conn.close()
