// POP3 commands and status lines, as tshark shows them.
#include "describe/app/app_describe.h"

namespace ps::app {

void describe_pop(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (tree)
    r.push(F::POP, 0, 0).text = field_info(F::POP).name;
  else if (r.want(F::POP))
    r.add(F::POP, 0, 0);
  for (const PopLine& l : f.pop) {
    if (l.request) {
      if (tree)
        r.push(F::POP_REQUEST, 0, 0).text = r.format("{}\\r\\n", l.line);
      else if (r.want(F::POP_REQUEST))
        r.add_str(F::POP_REQUEST, 0, 0, r.save(l.line));
      add_string(r, F::POP_REQUEST_COMMAND, l.command);
      if (!l.param.empty()) add_string(r, F::POP_REQUEST_PARAMETER, l.param);
    } else {
      if (tree)
        r.push(F::POP_RESPONSE, 0, 0).text = r.format("{}\\r\\n", l.line);
      else if (r.want(F::POP_RESPONSE))
        r.add_str(F::POP_RESPONSE, 0, 0, r.save(l.line));
      if (!l.indicator.empty()) add_string(r, F::POP_RESPONSE_INDICATOR, l.indicator);
      if (!l.description.empty()) add_string(r, F::POP_RESPONSE_DESCRIPTION, l.description);
    }
    if (tree) r.pop();
  }
  if (f.pop_data_bytes && tree) r.text(r.format("Message data: {} bytes", f.pop_data_bytes));
  if (tree) r.pop();
  if (!r.columns_wanted()) return;
  r.cols().protocol = "POP";
  if (f.pop.empty())
    set_info(r, r.format("S: DATA fragment, {} bytes", f.pop_data_bytes));
  else
    set_info(r, r.format("{}: {}", f.pop.front().request ? "C" : "S", f.pop.front().line));
}

} // namespace ps::app
