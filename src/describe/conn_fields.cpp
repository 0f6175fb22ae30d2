#include "describe/conn_fields.h"

namespace ps {

bool is_conn_field(F f) {
  switch (f) {
#define FIELD(id, abbrev, name, type, base) case F::id:
#include "dissect/fields/conn.def"
#undef FIELD
    return true;
  default:
    return false;
  }
}

void describe_connection(const ConnRecord& r, Record& rec) {
  rec.reset(false, nullptr, false);
  auto str = [&](F f, std::string_view s) { rec.add_str(f, 0, 0, rec.save(s)); };
  rec.add(F::CONN, 0, 0);
  str(F::CONN_UID, conn_uid_text(r.uid));
  str(F::CONN_PROTO, r.proto == 6 ? "tcp" : "udp");
  auto be32 = [](const std::array<uint8_t, 16>& a) {
    return uint64_t{a[0]} << 24 | uint64_t{a[1]} << 16 | uint64_t{a[2]} << 8 | a[3];
  };
  if (r.ip_version == 4) {
    rec.add(F::CONN_ORIG_H, 0, 0, be32(r.orig_h));
    rec.add(F::CONN_RESP_H, 0, 0, be32(r.resp_h));
  } else {
    rec.add_str(F::CONN_ORIG_H6, 0, 0, rec.save({reinterpret_cast<const char*>(r.orig_h.data()), 16}));
    rec.add_str(F::CONN_RESP_H6, 0, 0, rec.save({reinterpret_cast<const char*>(r.resp_h.data()), 16}));
  }
  rec.add(F::CONN_ORIG_P, 0, 0, r.orig_p);
  rec.add(F::CONN_RESP_P, 0, 0, r.resp_p);
  if (!r.service.empty()) str(F::CONN_SERVICE, r.service);
  if (r.service_source != ServiceSource::None)
    str(F::CONN_SERVICE_SOURCE, service_source_name(r.service_source));
  str(F::CONN_STATE, conn_state_name(r.conn_state));
  str(F::CONN_HISTORY, r.history.view());
  rec.add(F::CONN_START, 0, 0, static_cast<uint64_t>(r.first_ts.sec * 1'000'000'000 + r.first_ts.nsec));
  rec.add(F::CONN_DURATION, 0, 0, static_cast<uint64_t>(r.duration_ns()));
  rec.add(F::CONN_ORIG_PKTS, 0, 0, r.orig_pkts);
  rec.add(F::CONN_RESP_PKTS, 0, 0, r.resp_pkts);
  rec.add(F::CONN_ORIG_BYTES, 0, 0, r.orig_bytes);
  rec.add(F::CONN_RESP_BYTES, 0, 0, r.resp_bytes);
  rec.add(F::CONN_MISSED_BYTES, 0, 0, r.missed_bytes);
}

} // namespace ps
