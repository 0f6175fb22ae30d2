#!/usr/bin/env python3
"""Runs a reference tool (tshark, tcpdump, capinfos) and keeps its output for the next identical call.

usage: reference_cache.py TOOL ARGS...   (the shims beside this file call it)

The end-to-end tests compare portscope with tshark and tcpdump on the same files again and again (the
release run and the sanitizer run of the suite, several tests per capture). A reference tool's output
is a function of its version, its arguments, the files it reads and a few environment variables, so
the answer is looked up under a hash of exactly those: each argument that names a regular file is
hashed by content (the path is kept too: some outputs print it), standard input is read and hashed when
the tool reads it. Only reading runs are kept (capinfos, or -r present; no capture interface, no file written other
than standard output); anything else runs the tool directly. The cache lives in $PORTSCOPE_REF_CACHE
(default ~/.cache/portscope-test-references); entries are written atomically, so parallel tests share it.
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Environment that changes what the tools print (time zone for absolute times, locale, preferences).
ENV_KEYS = ("TZ", "LANG", "LC_ALL", "LC_TIME", "WIRESHARK_CONFIG_DIR", "HOME")
MAX_KEPT = 64 << 20  # larger outputs are not kept


def real_tool(tool):
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and os.path.abspath(d) != HERE]
    return shutil.which(tool, path=os.pathsep.join(dirs))


def cacheable(tool, args):
    if tool == "capinfos":
        return True
    if "-r" not in args:
        return False
    for i, a in enumerate(args):
        if a == "-i" or a.startswith("--interface"):
            return False
        if a == "-w" and (i + 1 >= len(args) or args[i + 1] != "-"):
            return False
        if a.startswith("-w") and a != "-w":
            return False
    return True


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_key(exe, args, stdin_bytes):
    h = hashlib.sha256()
    st = os.stat(exe)
    h.update(f"{exe}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for a in args:
        h.update(a.encode("utf-8", "surrogateescape") + b"\0")
        if os.path.isfile(a):
            h.update(file_digest(a).encode() + b"\0")
    for k in ENV_KEYS:
        h.update(f"{k}={os.environ.get(k, '')}\0".encode())
    if stdin_bytes is not None:
        h.update(hashlib.sha256(stdin_bytes).digest())
    return h.hexdigest()


def emit(rc, out, err):
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(err)
    sys.stderr.buffer.flush()
    sys.exit(rc)


def main():
    tool, args = sys.argv[1], sys.argv[2:]
    exe = real_tool(tool)
    if exe is None:
        sys.stderr.write(f"{tool}: not found\n")
        sys.exit(127)
    if not cacheable(tool, args):
        os.execv(exe, [tool, *args])
    reads_stdin = any(args[i] == "-r" and i + 1 < len(args) and args[i + 1] == "-" for i in range(len(args)))
    stdin_bytes = sys.stdin.buffer.read() if reads_stdin else None
    root = os.environ.get("PORTSCOPE_REF_CACHE") or os.path.join(os.path.expanduser("~"), ".cache",
                                                                     "portscope-test-references")
    key = cache_key(exe, args, stdin_bytes)
    path = os.path.join(root, key[:2], key)
    try:
        with open(path, "rb") as f:
            rc, nerr = struct.unpack("<iQ", f.read(12))
            err = f.read(nerr)
            out = f.read()
        emit(rc, out, err)
    except (OSError, struct.error):
        pass
    feed = {"input": stdin_bytes} if reads_stdin else {"stdin": sys.stdin}
    r = subprocess.run([exe, *args], capture_output=True, **feed)
    # A run killed by a signal (negative code) is not an answer worth keeping.
    if r.returncode >= 0 and len(r.stdout) + len(r.stderr) <= MAX_KEPT:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as f:
                f.write(struct.pack("<iQ", r.returncode, len(r.stderr)) + r.stderr + r.stdout)
            os.replace(tmp, path)
        except OSError:
            pass
    emit(r.returncode, r.stdout, r.stderr)


if __name__ == "__main__":
    main()
