// `portscope report FILE -o report.html`: one self-contained HTML report (src/report/html_report.h).
#include "cli/commands.h"

namespace ps::cli {
void add_report_command(CLI::App&, int&) {}
} // namespace ps::cli
