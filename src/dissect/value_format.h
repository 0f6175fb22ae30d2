// Field values as text, formatted the way tshark 4.0 prints them with -T fields.
#pragma once

#include <fmt/format.h>

#include "dissect/record.h"

namespace ps {

void format_value(const Item& item, fmt::memory_buffer& out);

// "Nov 26, 2026 09:24:44.926963000 UTC" for nanoseconds since the epoch.
void format_utc_date(int64_t ns, fmt::memory_buffer& out);

// JSON string escaping of `s` (without the quotes).
void json_escape(std::string_view s, fmt::memory_buffer& out);

} // namespace ps
