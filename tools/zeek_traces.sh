#!/usr/bin/env bash
# Extracts Zeek's public TLS and SSH traces (testing/btest/Traces/tls and ssh) from a zeek git checkout
# into DIR/tls and DIR/ssh, for tests/e2e/test_zeek_traces.py (PORTSCOPE_ZEEK_TRACES=DIR). The traces
# are Zeek's (BSD licence, see the zeek repository's COPYING); they are not committed here.
# usage: tools/zeek_traces.sh ZEEK_GIT_DIR DIR
set -euo pipefail
SRC=$1 DIR=$2
for sub in tls ssh; do
  mkdir -p "$DIR/$sub"
  git -C "$SRC" ls-tree -r --name-only HEAD "testing/btest/Traces/$sub" | grep -E '\.(pcap|pcapng|trace)$' |
    while read -r f; do git -C "$SRC" show "HEAD:$f" >"$DIR/$sub/$(basename "$f")"; done
done
echo "$(ls "$DIR"/tls "$DIR"/ssh | wc -l) traces in $DIR"
