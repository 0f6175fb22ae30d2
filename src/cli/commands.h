// Each subcommand lives in its own file and registers itself on the top-level app. The callback runs
// the command and stores its exit status in `exit_code` (0 ok, 1 bad input/data, 2 usage).
#pragma once

#include <CLI/CLI.hpp>

namespace ps::cli {

void add_read_command(CLI::App& app, int& exit_code);
void add_ports_command(CLI::App& app, int& exit_code);
void add_follow_command(CLI::App& app, int& exit_code); // app: stream payload (cmd_follow.cpp)
void add_log_command(CLI::App& app, int& exit_code);    // app: transaction logs (cmd_log.cpp)
void add_conns_command(CLI::App& app, int& exit_code);
void add_fields_command(CLI::App& app, int& exit_code);
void add_sockets_command(CLI::App& app, int& exit_code); // the host's sockets (cmd_sockets.cpp)
void add_top_command(CLI::App& app, int& exit_code);     // live connection view (cmd_top.cpp)
void add_stats_command(CLI::App& app, int& exit_code);   // tshark -z statistics (cmd_stats.cpp)
void add_report_command(CLI::App& app, int& exit_code);  // the HTML report (cmd_report.cpp)

} // namespace ps::cli
