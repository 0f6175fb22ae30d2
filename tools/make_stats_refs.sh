#!/bin/sh
# Writes tshark's -z statistics for every test capture into tests/data/stats/, the references that
# tests/e2e/test_stats.py compares `portscope stats` with:
#   X.phs.txt        tshark -n -r X -q -z io,phs
#   X.endpoints.txt  tshark -n -r X -q -z endpoints,eth -z endpoints,ip -z endpoints,ipv6 -z endpoints,tcp -z endpoints,udp
#   X.io.txt         tshark -n -r X -q -z io,stat,0.01 ; -z io,stat,0 ; -z io,stat,1 ;
#                    -z io,stat,0.1,tcp,,udp.port==53   (four runs, one after the other)
#   X.http.txt       tshark -n -r X -q -z http,tree ; tshark -n -r X -q -z http_req,tree
# usage: tools/make_stats_refs.sh [tests/data]
set -eu
data=${1:-tests/data}
out=$data/stats
mkdir -p "$out"
for f in "$data"/*.pcap "$data"/*.pcapng; do
  b=$(basename "$f")
  tshark -n -r "$f" -q -z io,phs > "$out/$b.phs.txt" 2>/dev/null
  tshark -n -r "$f" -q -z endpoints,eth -z endpoints,ip -z endpoints,ipv6 -z endpoints,tcp -z endpoints,udp \
    > "$out/$b.endpoints.txt" 2>/dev/null
  { tshark -n -r "$f" -q -z http,tree; tshark -n -r "$f" -q -z http_req,tree; } > "$out/$b.http.txt" 2>/dev/null
  : > "$out/$b.io.txt"
  for z in io,stat,0.01 io,stat,0 io,stat,1 'io,stat,0.1,tcp,,udp.port==53'; do
    tshark -n -r "$f" -q -z "$z" >> "$out/$b.io.txt" 2>/dev/null
  done
done
