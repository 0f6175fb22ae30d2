#!/usr/bin/env bash
# End-to-end timing of portscope against the libpcap floor, tcpdump and tshark. See bench/README.md.
#
#   bench/run.sh [--quick] [--packets N] [--bin PATH] [--gen PATH] [--floor PATH] [--only REGEX]
#
# Builds nothing: point it at built binaries. Generates bench/out/bench.pcap (or bench-N.pcap) with
# gen_capture if it is missing, times every command with hyperfine on one core (taskset -c 0), measures
# peak RSS with GNU time, and prints a table (also written to bench/out/<capture>.summary.txt).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$here/out"

bin="$root/build/portscope"
gen="$root/build/bench/gen_capture"
floor=""
pcap=""
packets=1000000
seed=1
runs=3
warmup=1
cpu=0
only=""

usage() {
    cat <<EOF
usage: bench/run.sh [options]
  --bin PATH      portscope binary (default build/portscope)
  --gen PATH      gen_capture binary (default build/bench/gen_capture)
  --floor PATH    pcap_floor binary (default: next to gen_capture)
  --packets N     packets in the generated capture (default 1000000)
  --quick         100000 packets: a fast check of the whole harness
  --seed S        generator seed (default 1)
  --pcap FILE     time this capture instead of a generated one
  --real          time the real-traffic capture bench/out/real.pcap (1.6 GB of nginx/ab/wrk/curl/dnsmasq
                  traffic), made first by ../shared/tools/make-real-capture.sh when missing
  --runs N        hyperfine runs per command (default 3, after 1 warmup)
  --cpu N         core to pin everything to (default 0)
  --only REGEX    re-measure only the rows whose id matches (ids: floor tcpdump tshark
                  tshark_fields portscope_read portscope_fields tshark_conv portscope_conns
                  tcpdump_write portscope_write tshark_filter portscope_filter portscope_log_http
                  portscope_report portscope_stats_phs);
                  the other rows are taken from earlier results for the same capture
EOF
}

abspath() { realpath -m -- "$1"; }
while [[ $# -gt 0 ]]; do
    case "$1" in
    --bin) bin=$(abspath "$2"); shift 2 ;;
    --gen) gen=$(abspath "$2"); shift 2 ;;
    --floor) floor=$(abspath "$2"); shift 2 ;;
    --packets) packets="$2"; shift 2 ;;
    --quick) packets=100000; shift ;;
    --seed) seed="$2"; shift 2 ;;
    --pcap) pcap=$(abspath "$2"); shift 2 ;;
    --real) real=1; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --cpu) cpu="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ -n "$floor" ]] || floor="$(dirname "$gen")/pcap_floor"

die() { echo "run.sh: $*" >&2; exit 1; }
for tool in hyperfine tshark tcpdump taskset python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install hyperfine tshark tcpdump util-linux python3)"
done
# GNU time for peak RSS (the shell keyword cannot do it).
timebin=/usr/bin/time
if [[ ! -x $timebin ]] && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "run.sh: installing GNU time for peak RSS" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
fi
[[ -x $timebin ]] || { echo "run.sh: $timebin missing (apt-get install time): peak RSS will be n/a" >&2; timebin=""; }
[[ -x "$floor" ]] || die "no pcap_floor at $floor (cmake --build build --target pcap_floor gen_capture, or --floor PATH)"

mkdir -p "$out"
if [[ -n "${real:-}" && -z "$pcap" ]]; then
    pcap="$out/real.pcap"
    if [[ ! -s "$pcap" ]]; then
        maker="$(dirname "$0")/../../shared/tools/make-real-capture.sh"
        [[ -x "$maker" || -f "$maker" ]] || die "no $maker to make the real-traffic capture (or --pcap FILE)"
        echo "run.sh: making the real-traffic capture $pcap (a few minutes)" >&2
        bash "$maker" "$pcap.tmp" && mv "$pcap.tmp" "$pcap"
    fi
fi
if [[ -z "$pcap" ]]; then
    if [[ "$packets" == 1000000 && "$seed" == 1 ]]; then pcap="$out/bench.pcap"
    elif [[ "$seed" == 1 ]]; then pcap="$out/bench-$packets.pcap"
    else pcap="$out/bench-$packets-s$seed.pcap"; fi
    if [[ ! -s "$pcap" ]]; then
        [[ -x "$gen" ]] || die "no gen_capture at $gen (cmake --build build --target gen_capture, or --gen PATH)"
        echo "run.sh: generating $pcap ($packets packets, seed $seed)" >&2
        "$gen" -o "$pcap.tmp" --packets "$packets" --seed "$seed"
        mv "$pcap.tmp" "$pcap"
    fi
fi
[[ -s "$pcap" ]] || die "no capture $pcap"
tag=$(basename "$pcap" .pcap)

# Other work on the machine distorts wall-clock times (the table's cpu column is robust to it).
load=$(cut -d' ' -f1 /proc/loadavg)
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.7 else 1)" "$load"; then
    echo "run.sh: warning: load average is $load; wall times will be inflated, compare the cpu column" >&2
fi

fields=(frame.number ip.src ip.dst ip.proto tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.flags tcp.len)
efields=""
for f in "${fields[@]}"; do efields+=" -e $f"; done
q() { printf '%q' "$1"; }
P=$(q "$pcap")
B=$(q "$bin")
W=$(q "$out/$tag.write.pcap") # the write rows' output (a file, as users write them)

# id | label | command (run by sh; output to /dev/null as it would be to a pipe)
rows=(
    "floor|libpcap read loop (floor)|$(q "$floor") $P > /dev/null"
    "tcpdump|tcpdump -nn -r|tcpdump -nn -r $P > /dev/null"
    "tshark|tshark -n -r|tshark -n -r $P > /dev/null"
    "tshark_fields|tshark -T fields (10 fields)|tshark -n -r $P -T fields$efields > /dev/null"
    "portscope_read|portscope read|$B read $P -j 1 > /dev/null"
    "portscope_fields|portscope read -T fields (10 fields)|$B read $P -j 1 -T fields$efields > /dev/null"
    "tshark_conv|tshark -q -z conv,tcp|tshark -q -z conv,tcp -r $P > /dev/null"
    "portscope_conns|portscope conns|$B conns $P -j 1 > /dev/null"
    "tshark_filter|tshark -Y 'tcp.port == 80' -T fields|tshark -n -r $P -Y 'tcp.port == 80' -T fields$efields > /dev/null"
    "portscope_filter|portscope read -Y 'tcp.port == 80' -T fields|$B read $P -q -j 1 -Y 'tcp.port == 80' -T fields$efields > /dev/null"
    "portscope_log_http|portscope log http|$B log http $P -q -j 1 > /dev/null"
    "portscope_report|portscope report -o|$B report $P -q -o $(q "$out/$tag.report.html")"
    "portscope_stats_phs|portscope stats phs|$B stats $P phs -q > /dev/null"
    "tcpdump_write|tcpdump -r -w 'tcp port 80'|tcpdump -r $P -w $W 'tcp port 80' 2> /dev/null"
    "portscope_write|portscope read -f 'tcp port 80' -w|$B read $P -q -f 'tcp port 80' -w $W"
    # Two workers, on every core (rows ending in _j2 are not pinned to one CPU).
    "portscope_fields_j2|portscope read -T fields -j 2|$B read $P -j 2 -T fields$efields > /dev/null"
    "portscope_conns_j2|portscope conns -j 2|$B conns $P -q -j 2 > /dev/null"
    "portscope_log_http_j2|portscope log http -j 2|$B log http $P -q -j 2 > /dev/null"
)

measure() {
    local id=$1 cmd=$2
    local json="$out/$tag.$id.json" rss="$out/$tag.$id.rss"
    rm -f "$json" "$rss"
    if [[ $id == portscope_* && ! -x "$bin" ]]; then
        echo "run.sh: $id: no portscope binary at $bin: n/a" >&2
        echo "n/a" >"$rss"
        return
    fi
    echo "run.sh: timing $id: $cmd" >&2
    local cpus=$cpu
    [[ $id == *_j2 ]] && cpus="0-$(($(nproc) - 1))"
    if ! taskset -c "$cpus" hyperfine --style basic --warmup "$warmup" --runs "$runs" \
        --command-name "$id" --export-json "$json" "$cmd" >&2; then
        echo "run.sh: $id failed (subcommand missing or non-zero exit): n/a" >&2
        rm -f "$json"
        echo "n/a" >"$rss"
        return
    fi
    if [[ -n $timebin ]] && taskset -c "$cpus" "$timebin" -f %M -o "$rss" sh -c "$cmd" 2>/dev/null; then
        :
    else
        echo "n/a" >"$rss"
    fi
}

for row in "${rows[@]}"; do
    IFS='|' read -r id label cmd <<<"$row"
    if [[ -n $only && ! $id =~ $only ]]; then
        if [[ ! -e "$out/$tag.$id.rss" || "$out/$tag.$id.rss" -ot "$pcap" ]]; then
            echo "run.sh: $id: no earlier result for $tag: n/a" >&2
        fi
        continue
    fi
    measure "$id" "$cmd"
done
rm -f "$out/$tag.write.pcap"

# Table and ratios.
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
printf '%s\n' "${rows[@]}" >"$out/$tag.rows"
python3 - "$out" "$tag" "$pcap" "$cpu_model" "$(nproc)" "$cpu" "$warmup" "$runs" <<'PY' | tee "$out/$tag.summary.txt"
import json, os, sys
out, tag, pcap, cpu_model, nproc, cpu, warmup, runs = sys.argv[1:9]
rows = [l.split("|", 2) for l in open(os.path.join(out, f"{tag}.rows")).read().splitlines() if l]

def load(id_):
    mean = sd = rss = cpu = None
    j = os.path.join(out, f"{tag}.{id_}.json")
    r = os.path.join(out, f"{tag}.{id_}.rss")
    stale = lambda p: os.path.getmtime(p) < os.path.getmtime(pcap)
    if os.path.exists(j) and not stale(j):
        res = json.load(open(j))["results"][0]
        mean, sd = res["mean"], res.get("stddev") or 0.0
        cpu = res["user"] + res["system"]
    if os.path.exists(r) and not stale(r):
        txt = open(r).read().split()
        if txt and txt[-1].isdigit():
            rss = int(txt[-1]) / 1024.0  # KiB -> MiB
    return mean, sd, rss, cpu

data = {id_: load(id_) for id_, _, _ in rows}
label = {id_: l for id_, l, _ in rows}

def count_packets():
    # The floor prints "N packets, ..."; recount cheaply from the pcap record headers otherwise.
    import struct
    n = 0
    with open(pcap, "rb") as f:
        h = f.read(24)
        if len(h) < 24 or h[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            return None
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            caplen = struct.unpack("<I", rec[8:12])[0]
            f.seek(caplen, 1)
            n += 1
    return n

npk = count_packets()
size = os.path.getsize(pcap) / 2**20
print(f"capture: {pcap} ({npk if npk is not None else '?'} packets, {size:.0f} MiB)")
print(f"machine: {cpu_model}, nproc {nproc}; pinned to core {cpu}; hyperfine --warmup {warmup} --runs {runs}")
print()
fmt = "{:<36} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9}"
print(fmt.format("command", "mean s", "stddev", "cpu s", "x floor", "Mpkt/s", "peak MiB"))
fl = data["floor"][0]
for id_, lab, _ in rows:
    mean, sd, rss, cpu = data[id_]
    mem = f"{rss:.1f}" if rss else "n/a"
    if mean is None:
        print(fmt.format(lab, "n/a", "", "", "", "", mem))
        continue
    xf = f"{mean / fl:.2f}" if fl else "n/a"
    rate = f"{npk / mean / 1e6:.2f}" if npk else "n/a"
    print(fmt.format(lab, f"{mean:.3f}", f"{sd:.3f}", f"{cpu:.3f}", xf, rate, mem))

def ratio(a, b, k):
    x, y = data[a][k], data[b][k]
    return f"{x / y:.2f}" if x and y else "n/a"

print()
print(f"{'key ratios':<38} {'time':>8} {'cpu':>8} {'memory':>8}")
for a, b, what in [
    ("tshark_fields", "portscope_fields", "tshark fields / portscope fields"),
    ("tcpdump", "portscope_read", "tcpdump / portscope summary"),
    ("tshark", "portscope_read", "tshark summary / portscope summary"),
    ("tshark_conv", "portscope_conns", "tshark conv / portscope conns"),
    ("portscope_conns", "floor", "portscope conns / floor"),
    ("tcpdump_write", "portscope_write", "tcpdump -w / portscope -w (filtered)"),
    ("tshark_filter", "portscope_filter", "tshark -Y fields / portscope -Y fields"),
    ("portscope_log_http", "floor", "portscope log http / floor"),
    ("portscope_fields", "portscope_fields_j2", "fields -j 1 / fields -j 2"),
    ("portscope_conns", "portscope_conns_j2", "conns -j 1 / conns -j 2"),
    ("portscope_log_http", "portscope_log_http_j2", "log http -j 1 / log http -j 2"),
    ("portscope_report", "portscope_conns", "portscope report / portscope conns"),
]:
    print(f"  {what:<36} {ratio(a, b, 0):>8} {ratio(a, b, 3):>8} {ratio(a, b, 2):>8}")
PY
