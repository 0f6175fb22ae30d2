// portscope: capture reader, dissector and connection analyzer.
#include <csignal>
#include <cstdio>
#include <string>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // A closed output pipe (| head) must end the run with exit 0, not kill it: writes then fail with
  // EPIPE, which every command treats as a normal stop.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"portscope: read packet captures, dissect every layer, track connections and name services.\n"
               "Run 'portscope <command> --help' for each command's options.",
               "portscope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "portscope 0.1.0");
  int exit_code = 0;
  ps::cli::add_read_command(app, exit_code);
  ps::cli::add_ports_command(app, exit_code);
  ps::cli::add_follow_command(app, exit_code);
  ps::cli::add_log_command(app, exit_code);
  ps::cli::add_conns_command(app, exit_code);
  ps::cli::add_fields_command(app, exit_code);
  ps::cli::add_sockets_command(app, exit_code);
  ps::cli::add_top_command(app, exit_code);
  ps::cli::add_stats_command(app, exit_code);
  ps::cli::add_report_command(app, exit_code);
  // CLI11 reports a misspelt command as "a subcommand is required": name the word instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known |= sub->check_name(argv[1]);
    if (!known) {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({}))
        names += (names.empty() ? "" : ", ") + sub->get_name();
      std::fprintf(stderr, "portscope: unknown command '%s' (commands: %s)\n", argv[1], names.c_str());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "portscope: %s (see 'portscope --help')\n", e.what());
    return 2;
  }
  return exit_code;
}
