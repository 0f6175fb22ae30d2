#!/usr/bin/env bash
# tshark 4.0 reference files for the captures in tests/data/tls/ (tools/make_tls_captures.sh):
#   X.fields.tsv   tshark -T fields with the TLS/SSH fields below (occurrence=a, aggregator=,)
#   X.verbose.txt  tshark -V (the whole capture)
# usage: tools/make_tls_refs.sh [DIR]
set -euo pipefail
DIR=$(realpath "${1:-tests/data/tls}")
FIELDS=(frame.number tcp.stream _ws.col.Protocol _ws.col.Info
  tls.record.content_type tls.record.version tls.record.length tls.handshake.type tls.handshake.length
  tls.handshake.version tls.handshake.random tls.handshake.session_id_length tls.handshake.session_id
  tls.handshake.cipher_suites_length tls.handshake.ciphersuite tls.handshake.comp_method
  tls.handshake.extensions_length tls.handshake.extension.type tls.handshake.extension.len
  tls.handshake.extensions_server_name tls.handshake.extensions_alpn_str
  tls.handshake.extensions.supported_version tls.handshake.extensions_supported_group
  tls.handshake.sig_hash_alg tls.handshake.certificates_length tls.handshake.certificate_length
  x509sat.printableString x509sat.uTF8String x509af.serialNumber x509af.version
  tls.alert_message.level tls.alert_message.desc tls.change_cipher_spec tls.app_data
  ssh.protocol ssh.packet_length ssh.padding_length ssh.message_code ssh.cookie
  ssh.kex_algorithms ssh.server_host_key_algorithms ssh.encryption_algorithms_client_to_server
  ssh.encryption_algorithms_server_to_client ssh.mac_algorithms_client_to_server
  ssh.mac_algorithms_server_to_client ssh.compression_algorithms_client_to_server
  ssh.compression_algorithms_server_to_client ssh.first_kex_packet_follows ssh.direction
  tls.handshake.ja3_full tls.handshake.ja3 tls.handshake.ja3s_full tls.handshake.ja3s x509sat.CountryName
  tls.handshake.server_named_curve tls.handshake.extensions_ec_point_format tls.handshake.comp_methods_length
  tls.record.opaque_type tls.handshake.certificate)
# tshark 4.0 has no SSH heuristic: the custom port is named (portscope finds SSH there by content).
DECODE=(-d tcp.port==2222,ssh)
for cap in "$DIR"/*.pcap; do
  base=${cap%.pcap}
  dec=()
  [[ $(basename "$cap") == ssh* ]] && dec=("${DECODE[@]}")
  args=()
  for f in "${FIELDS[@]}"; do args+=(-e "$f"); done
  tshark -n -r "$cap" "${dec[@]}" -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" \
    >"$base.fields.tsv" 2>/dev/null
  tshark -n -r "$cap" "${dec[@]}" -V >"$base.verbose.txt" 2>/dev/null
done
