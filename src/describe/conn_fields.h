// A finished connection as a field record (the conn.* fields), so that display filters can test
// whole connections: `conns -Y 'conn.state == "REJ"'`.
#pragma once

#include "dissect/record.h"
#include "flow/conn_record.h"

namespace ps {

// Whether a field is one of the conn.* fields.
bool is_conn_field(F f);

// Resets `rec` and fills it with the conn.* items of `r` (a completed record).
void describe_connection(const ConnRecord& r, Record& rec);

} // namespace ps
