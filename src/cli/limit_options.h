// The resource-limit flags shared by read, conns, follow and log, and the summary lines printed on
// stderr when a run reached one of them (docs/errors.md, "Limits").
#pragma once

#include <CLI/CLI.hpp>

#include "flow/limits.h"

namespace ps::cli {

// --max-connections, --reassembly-limit, --reassembly-total, --max-message, --fragment-limit; with
// `transactions` also --max-transactions (log). Sizes take suffixes: 64k, 4M, 1G (powers of 1024), or
// KiB/MiB/GiB.
void add_limit_options(CLI::App* cmd, Limits& limits, bool transactions = false);

// One line on stderr per limit that `hits` shows was reached, naming the flag that raises it.
void report_limits(const Limits& limits, const LimitHits& hits);

} // namespace ps::cli
