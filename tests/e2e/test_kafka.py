#!/usr/bin/env python3
"""--kafka against a real Kafka protocol endpoint: librdkafka's mock cluster (tests/tools/kafka_mock_broker,
loopback TCP), portscope producing to it as a separate process, and a consumer reading every topic back.

- every record of every kind (conn, http, ftp, smtp, pop3, dns, ssl, ssh, packet; and `log all`'s) equals, byte for byte
  once the envelope (_path, _system_name, _schema) is taken off, the line `conns/log --format ndjson` or
  `read -T ndjson` prints for the same capture; each is keyed by its connection's uid, and one key's
  records keep the file order (also with -j 2, published from the merge);
- Produce requests failing with retriable errors are retried: nothing lost, nothing duplicated;
- a queue bounded to 2 records slows the reader down and loses nothing;
- a broker down for the whole run: every record is counted as not delivered, exit code 3; with
  librdkafka's default timeout, Ctrl-C while the records wait gives them up (counted, exit 3), also
  when the reader waits for room in a full queue;
- a broker that goes down mid-run: what was reported as delivered is in the topic, the rest is counted,
  exit code 3;
- SIGINT on a run reading a pipe publishes and flushes what was read, exit 0;
- bad -X values and flags that do not go with --kafka are usage errors (exit 2, one line).
"""
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2e_util import Tally, parse_args, run, is_asan  # noqa: E402

SENSOR = "sensor-a"


class Mock:
    def __init__(self, tool):
        self.p = subprocess.Popen([tool], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self.p.stdout.readline().split()
        assert line and line[0] == "bootstrap", line
        self.bootstrap = line[1]

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def consume(self, *topics):
        self.p.stdin.write("consume " + " ".join(topics) + "\n")
        self.p.stdin.flush()
        msgs, errors = [], []
        while True:
            line = self.p.stdout.readline()
            if not line or line.startswith("end "):
                break
            if line.startswith("msg\t"):
                _, topic, part, off, key, value = line.rstrip("\n").split("\t", 5)
                msgs.append((topic, int(part), int(off), key, value))
            else:
                errors.append(line.strip())
        return msgs, errors

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()


def strip_envelope(value, kind):
    """The record without its envelope, or None when the envelope is not the expected one."""
    head = '{"_path":"%s","_system_name":"%s","_schema":1' % (kind, SENSOR)
    if not value.startswith(head):
        return None
    rest = value[len(head):]
    if rest == "}":
        return "{}"
    return "{" + rest[1:] if rest.startswith(",") else None


def check_topic(t, what, msgs, kind, file_lines, key_of):
    """Kafka records of one kind against the file output: same records, keys, and per-key order."""
    bodies = []
    bad_env = 0
    for topic, part, off, key, value in msgs:
        b = strip_envelope(value, kind)
        if b is None:
            bad_env += 1
            continue
        bodies.append((part, off, key, b))
    t.check(bad_env == 0, f"{what}: {bad_env} records without the envelope of {kind}")
    got = sorted(b for _, _, _, b in bodies)
    ok = t.check(got == sorted(file_lines),
                 f"{what}: {len(got)} records in Kafka, {len(file_lines)} in the file output, "
                 f"{len(set(got) ^ set(file_lines))} differ")
    if not ok:
        for x in sorted(set(got) - set(file_lines))[:2]:
            print("  only in kafka:", x[:300])
        for x in sorted(set(file_lines) - set(got))[:2]:
            print("  only in file: ", x[:300])
    wrong_key = [b for _, _, k, b in bodies if k != key_of(b)]
    t.check(not wrong_key, f"{what}: {len(wrong_key)} records not keyed by their uid")
    # Records of one key sit in one partition, in the order the file output has them.
    parts_of, order = {}, {}
    for part, off, key, b in sorted(bodies, key=lambda x: (x[0], x[1])):
        parts_of.setdefault(key, set()).add(part)
        order.setdefault(key, []).append(b)
    t.check(all(len(p) == 1 for p in parts_of.values()), f"{what}: a key's records in several partitions")
    file_order = {}
    for line in file_lines:
        file_order.setdefault(key_of(line), []).append(line)
    t.check(all(order[k] == file_order.get(k) for k in order), f"{what}: a key's records out of file order")


def file_lines(out):
    return [l for l in out.split("\n") if l]


def uid_field(line):
    return json.loads(line).get("uid", "")


def main():
    args = parse_args()
    tool = os.path.join(os.path.dirname(os.path.abspath(args.bin)), "kafka_mock_broker")
    if not os.path.exists(tool):
        print("SKIP: kafka_mock_broker not built")
        sys.exit(77)
    t = Tally()
    data = args.data
    mock = Mock(tool)
    B = mock.bootstrap
    kafka = ["--kafka", B, "--sensor", SENSOR, "-q"]
    try:
        # 1. Every kind, record for record.
        cases = [("mixed.pcap", ["http", "ftp", "smtp", "pop3", "dns"]),
                 ("http-keepalive-pipelined.pcap", ["http"]),
                 ("tls/tls-nginx.pcap", ["ssl"]),
                 ("tls/ssh.pcap", ["ssh"])]
        cases = [(c, k) for c, k in cases if os.path.exists(os.path.join(data, c))]
        for i, (cap, kinds) in enumerate(cases):
            path = os.path.join(data, cap)
            prefix = f"eq{i}"
            _, out, _ = run(args.bin, "conns", path, "--format", "ndjson", "--stream")
            conns = file_lines(out)
            for jobs in ("1", "2"):
                rc, _, err = run(args.bin, "conns", path, "--kafka-topic", prefix + jobs, *kafka, "-j", jobs)
                t.check(rc == 0, f"{cap}: conns --kafka -j {jobs} exit {rc}: {err.strip()}")
                msgs, errors = mock.consume(prefix + jobs + ".conn")
                t.check(not errors, f"{cap}: consume conn: {errors[:1]}")
                check_topic(t, f"{cap} conn -j {jobs}", msgs, "conn", conns, uid_field)
            for kind in kinds:
                for jobs in (["-j", "1"], ["-j", "2"]) if kind == "http" else (["-j", "1"],):
                    p = f"{prefix}{jobs[1]}"
                    rc, _, err = run(args.bin, "log", kind, path, "--kafka-topic", p, *kafka, *jobs)
                    t.check(rc == 0, f"{cap}: log {kind} --kafka exit {rc}: {err.strip()}")
                    _, out, _ = run(args.bin, "log", kind, path, "--format", "ndjson")
                    msgs, errors = mock.consume(f"{p}.{kind}")
                    t.check(not errors, f"{cap}: consume {kind}: {errors[:1]}")
                    check_topic(t, f"{cap} {kind} {' '.join(jobs)}", msgs, kind, file_lines(out), uid_field)
            # log all: every kind and the conn records from one engine, each equal to its own command's.
            rc, _, err = run(args.bin, "log", "all", path, "--kafka-topic", f"all{i}", *kafka)
            t.check(rc == 0, f"{cap}: log all --kafka exit {rc}: {err.strip()}")
            msgs, _ = mock.consume(f"all{i}.conn")
            check_topic(t, f"{cap} log all: conn", msgs, "conn", conns, uid_field)
            for kind in ("http", "ftp", "smtp", "pop3", "dns", "ssl", "ssh"):
                _, out, _ = run(args.bin, "log", kind, path, "--format", "ndjson")
                if not file_lines(out):
                    continue
                msgs, _ = mock.consume(f"all{i}.{kind}")
                check_topic(t, f"{cap} log all: {kind}", msgs, kind, file_lines(out), uid_field)
            _, out, _ = run(args.bin, "read", path, "-T", "ndjson")
            packets = file_lines(out)
            for jobs in ("1", "2"):
                p = f"{prefix}p{jobs}"
                rc, _, err = run(args.bin, "read", path, "--kafka-topic", p, *kafka, "-j", jobs)
                t.check(rc == 0, f"{cap}: read --kafka -j {jobs} exit {rc}: {err.strip()}")
                msgs, errors = mock.consume(p + ".packet")
                keys = {m[4]: m[3] for m in msgs}  # value -> key
                conn_uids = {uid_field(c) for c in conns}
                t.check(all(k == "" or k in conn_uids for k in keys.values()),
                        f"{cap}: packet keys that are no connection's uid")
                t.check(any(keys.values()), f"{cap}: no packet keyed by a connection")
                check_topic(t, f"{cap} packet -j {jobs}", msgs, "packet", packets,
                            lambda b, kv={strip_envelope(v, 'packet'): k for v, k in keys.items()}: kv.get(b, ""))

        mixed = os.path.join(data, "mixed.pcap")
        _, out, _ = run(args.bin, "conns", mixed, "--format", "ndjson", "--stream")
        mixed_conns = file_lines(out)
        _, out, _ = run(args.bin, "read", mixed, "-T", "ndjson")
        mixed_packets = file_lines(out)

        # 2. Retriable Produce errors (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT): retried, nothing lost
        # or doubled.
        t.check(mock.cmd("produce-errors 3 6") == "ok", "push NOT_LEADER errors")
        t.check(mock.cmd("produce-errors 2 7") == "ok", "push REQUEST_TIMED_OUT errors")
        rc, _, err = run(args.bin, "conns", mixed, "--kafka-topic", "retry", *kafka, "-X", "retry.backoff.ms=10")
        t.check(rc == 0, f"retried errors: exit {rc}: {err.strip()}")
        msgs, _ = mock.consume("retry.conn")
        check_topic(t, "retried conn", msgs, "conn", mixed_conns, uid_field)

        # 3. A queue of 2 records: back-pressure, nothing dropped.
        rc, _, err = run(args.bin, "read", mixed, "--kafka", B, "--kafka-topic", "bp", "--sensor", SENSOR,
                         "-X", "queue.buffering.max.messages=2", "-X", "linger.ms=0")
        t.check(rc == 0, f"bounded queue: exit {rc}: {err.strip()}")
        m = re.search(r"kafka: (\d+) records delivered", err)
        t.check(m and int(m.group(1)) == len(mixed_packets), f"bounded queue: summary {err.strip()!r}")
        msgs, _ = mock.consume("bp.packet")
        t.check(sorted(strip_envelope(v, "packet") for *_, v in msgs) == sorted(mixed_packets),
                f"bounded queue: {len(msgs)} of {len(mixed_packets)} records in Kafka")

        # 4. The broker down for the whole run: every record counted, exit code 3.
        t.check(mock.cmd("down 1") == "ok", "broker down")
        start = time.time()
        rc, _, err = run(args.bin, "conns", mixed, "--kafka", B, "--kafka-topic", "down", "--sensor", SENSOR,
                         "-X", "message.timeout.ms=1500", timeout=60)
        lines = [l for l in err.split("\n") if l]
        n = len(mixed_conns)
        t.check(rc == 3, f"broker down: exit {rc}, expected 3")
        t.check(any(re.fullmatch(rf"portscope: kafka: {n} of {n} records not delivered \(.+\)", l) for l in lines),
                f"broker down: no count of the {n} undelivered records in {lines}")
        t.check(all(l.startswith("portscope: ") for l in lines), f"broker down: stray stderr lines {lines}")
        t.check(time.time() - start < 30, "broker down: the run did not end after message.timeout.ms")
        # 4b. Still down, librdkafka's default 300 s timeout: the flush says it is waiting, and Ctrl-C
        # gives the records up (counted, exit 3) instead of waiting.
        p = subprocess.Popen([args.bin, "conns", mixed, "--kafka", B, "--kafka-topic", "down2", "--sensor",
                              SENSOR], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = p.stderr.readline()
        while line and "waiting for" not in line:
            line = p.stderr.readline()
        t.check(f"kafka: waiting for {n} records to be delivered (Ctrl-C gives them up)" in line,
                f"flush to a cluster that is down: {line!r}")
        start = time.time()
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=30)
        err = p.stderr.read()
        t.check(rc == 3 and f"kafka: {n} of {n} records not delivered" in err and time.time() - start < 10,
                f"Ctrl-C while flushing: exit {rc}, {err.strip()!r}")
        # 4c. Still down, a queue of 5 records: the reader waits for room; Ctrl-C stops it (the record
        # waiting for room is given up), a second Ctrl-C gives up the queued ones; all counted.
        p = subprocess.Popen([args.bin, "read", mixed, "-j", "1", "--kafka", B, "--kafka-topic", "down3",
                              "--sensor", SENSOR, "-X", "queue.buffering.max.messages=5"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        t.check(p.poll() is None, "full queue, cluster down: the reader waits")
        p.send_signal(signal.SIGINT)
        line = p.stderr.readline()
        while line and "waiting for" not in line:
            line = p.stderr.readline()
        t.check("kafka: waiting for 5 records to be delivered" in line, f"full queue, Ctrl-C: {line!r}")
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=30)
        err = p.stderr.read()
        m = re.search(r"kafka: (\d+) of (\d+) records not delivered", err)
        t.check(rc == 3 and m and m.group(1) == m.group(2) == "6", f"full queue, Ctrl-C twice: exit {rc}, {err!r}")
        t.check(mock.cmd("up 1") == "ok", "broker up")

        # 5. Down mid-run: the capture comes through a pipe, the broker stops after the first half.
        with open(mixed, "rb") as f:
            raw = f.read()
        frames, off = [], 24
        while off + 16 <= len(raw):
            incl = struct.unpack_from("<I", raw, off + 8)[0]
            frames.append(raw[off:off + 16 + incl])
            off += 16 + incl
        half = len(frames) // 2
        p = subprocess.Popen([args.bin, "read", "-r", "-", "-j", "1", "--kafka", B, "--kafka-topic", "mid",
                              "--sensor", SENSOR, "-X", "message.timeout.ms=2000", "-X", "request.timeout.ms=1000",
                              "-X", "socket.timeout.ms=1000"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(raw[:24] + b"".join(frames[:half]))
        p.stdin.flush()
        time.sleep(1.5)
        t.check(mock.cmd("down 1") == "ok", "mid-run: broker down")
        p.stdin.write(b"".join(frames[half:]))
        p.stdin.close()
        err = p.stderr.read().decode()
        rc = p.wait(timeout=60)
        t.check(mock.cmd("up 1") == "ok", "mid-run: broker up")
        t.check(rc == 3, f"mid-run: exit {rc}, expected 3 ({err.strip()})")
        m = re.search(r"kafka: (\d+) records delivered", err)
        m2 = re.search(r"kafka: (\d+) of (\d+) records not delivered", err)
        delivered = int(m.group(1)) if m else -1
        failed, total = (int(m2.group(1)), int(m2.group(2))) if m2 else (-1, -1)
        t.check(total == len(frames) and delivered + failed == total,
                f"mid-run: {delivered} delivered + {failed} failed != {len(frames)} frames")
        t.check(0 < delivered < total, f"mid-run: {delivered} delivered, expected part of {total}")
        msgs, _ = mock.consume("mid.packet")
        got = [strip_envelope(v, "packet") for *_, v in msgs]
        t.check(len(got) >= delivered, f"mid-run: {len(got)} records in Kafka, {delivered} reported delivered")
        t.check(len(set(got)) == len(got) and set(got) <= set(mixed_packets),
                "mid-run: records in Kafka that the file output does not have, or twice")

        # 6. SIGINT while reading a pipe that stays open: what was read is published and flushed.
        p = subprocess.Popen([args.bin, "read", "-r", "-", "-j", "1", "--kafka", B, "--kafka-topic", "int",
                              "--sensor", SENSOR], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(raw[:24] + b"".join(frames[:half]))
        p.stdin.flush()
        time.sleep(1.5 if not is_asan(args.bin) else 4)
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=30)
        err = p.stderr.read().decode()
        p.stdin.close()
        t.check(rc == 0, f"SIGINT: exit {rc} ({err.strip()})")
        msgs, _ = mock.consume("int.packet")
        t.check(len(msgs) == half and f"{half} records delivered" in err,
                f"SIGINT: {len(msgs)} records in Kafka, {half} frames read ({err.strip()})")
    finally:
        mock.close()

    # 7. Usage errors: one line, exit 2.
    for argv, want in [
        (["read", "x.pcap", "--kafka", "127.0.0.1:1", "-X", "nokey"], "bad -X 'nokey': expected key=value"),
        (["read", mixed, "--kafka", "127.0.0.1:1", "-X", "no.such.setting=1"], "kafka: -X no.such.setting=1: "),
        (["read", mixed, "-X", "linger.ms=1"], "-X sets librdkafka options for --kafka BROKERS"),
        (["read", mixed, "--kafka", "127.0.0.1:1", "-T", "fields", "-e", "ip.src"], "--kafka publishes each frame"),
        (["conns", mixed, "--kafka", "127.0.0.1:1", "--conv"], "--kafka publishes the connection records"),
        (["log", "all", mixed], "log all publishes every kind to Kafka: give --kafka BROKERS"),
        (["log", "all", mixed, "--kafka", "127.0.0.1:1", "-Y", "tcp"], "log all publishes every record; -Y"),
    ]:
        rc, out, err = run(args.bin, *argv)
        lines = [l for l in err.split("\n") if l]
        t.check(rc == 2 and len(lines) == 1 and lines[0].startswith("portscope: " + want),
                f"{' '.join(argv[:1] + argv[2:])}: exit {rc}, {lines}")
    t.finish()


if __name__ == "__main__":
    main()
