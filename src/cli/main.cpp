// portscope: capture reader, dissector and connection analyzer.
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"portscope: read packet captures, dissect every layer, track connections and name services.\n"
               "Run 'portscope <command> --help' for each command's options.",
               "portscope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "portscope 0.1.0");
  int exit_code = 0;
  ps::cli::add_read_command(app, exit_code);
  ps::cli::add_ports_command(app, exit_code);
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
