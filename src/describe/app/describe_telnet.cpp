// Telnet commands by name ("Do Terminal Type") and data, as tshark shows them.
#include "app/telnet/telnet_analyzer.h"
#include "describe/app/app_describe.h"

namespace ps::app {

void describe_telnet(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (tree)
    r.push(F::TELNET, 0, 0).text = field_info(F::TELNET).name;
  else if (r.want(F::TELNET))
    r.add(F::TELNET, 0, 0);
  for (const TelnetCommand& t : f.telnet_cmds) {
    std::string_view cmd = telnet_command_name(t.cmd);
    std::string_view opt = telnet_option_name(t.option);
    if (tree) {
      if (t.option < 0)
        r.push(F::TEXT, 0, 0).text = cmd;
      else if (opt.empty())
        r.push(F::TEXT, 0, 0).text = r.format("{} Option {}", cmd, t.option);
      else
        r.push(F::TEXT, 0, 0).text = r.format("{} {}", cmd, opt);
    }
    if (r.want(F::TELNET_CMD)) {
      Item& it = r.add(F::TELNET_CMD, 0, 0, t.cmd);
      if (tree) it.text = r.format("Command: {} ({})", cmd, t.cmd);
    }
    if (t.option >= 0 && r.want(F::TELNET_SUBCMD)) {
      Item& it = r.add(F::TELNET_SUBCMD, 0, 0, static_cast<uint64_t>(t.option));
      if (tree)
        it.text = opt.empty() ? r.format("Subcommand: {}", t.option) : r.format("Subcommand: {}", opt);
    }
    if (tree) r.pop();
  }
  if (f.telnet_data_bytes && tree) r.text(r.format("Data: {} bytes", f.telnet_data_bytes));
  if (tree) r.pop();
  if (r.columns_wanted()) {
    r.cols().protocol = "TELNET";
    set_info(r, "Telnet Data ...");
  }
}

} // namespace ps::app
