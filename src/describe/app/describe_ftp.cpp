// FTP command/reply lines and ftp-data frames, as tshark shows them.
#include "app/ftp/ftp_address.h"
#include "describe/app/app_describe.h"
#include "wire/bytes.h"

namespace ps::app {

namespace {

void endpoint_items(Record& r, const FtpLine& l, F ip_field, F port_field) {
  if (!r.want(ip_field) && !r.want(port_field)) return;
  auto e = parse_ftp_hostport(l.request ? std::string_view(l.arg) : std::string_view(l.line).substr(3));
  if (!e) return;
  if (r.want(ip_field)) {
    Item& it = r.add(ip_field, 0, 0, wire::be32(e->ip.data()));
    if (r.tree())
      it.text =
          r.format("{}: {}.{}.{}.{}", field_info(ip_field).name, e->ip[0], e->ip[1], e->ip[2], e->ip[3]);
  }
  if (r.want(port_field)) {
    Item& it = r.add(port_field, 0, 0, e->port);
    if (r.tree()) it.text = r.format("{}: {}", field_info(port_field).name, e->port);
  }
}

} // namespace

void describe_ftp(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (tree)
    r.push(F::FTP, 0, 0).text = field_info(F::FTP).name;
  else if (r.want(F::FTP))
    r.add(F::FTP, 0, 0);
  for (const FtpLine& l : f.ftp) {
    bool pushed = push_line(r, l.line, 0, 0);
    if (l.request) {
      if (r.want(F::FTP_REQUEST)) r.add(F::FTP_REQUEST, 0, 0, 1).hidden = true;
      add_string(r, F::FTP_REQUEST_COMMAND, l.command);
      if (!l.arg.empty()) add_string(r, F::FTP_REQUEST_ARG, l.arg);
      if (l.command == "PORT") endpoint_items(r, l, F::FTP_ACTIVE_CIP, F::FTP_ACTIVE_PORT);
    } else {
      if (r.want(F::FTP_RESPONSE)) r.add(F::FTP_RESPONSE, 0, 0, 1).hidden = true;
      if (l.code >= 0 && r.want(F::FTP_RESPONSE_CODE)) {
        Item& it = r.add(F::FTP_RESPONSE_CODE, 0, 0, static_cast<uint64_t>(l.code));
        if (tree) it.text = r.format("Response code: {}", l.code);
      }
      if (l.code >= 0 && !l.response_arg.empty()) add_string(r, F::FTP_RESPONSE_ARG, l.response_arg);
      if (l.code == 227) endpoint_items(r, l, F::FTP_PASSIVE_IP, F::FTP_PASSIVE_PORT);
    }
    if (pushed) r.pop();
  }
  if (tree) r.pop();
  // tshark 4.0 adds it beside the FTP tree, once per frame.
  if (!f.ftp.empty() && r.want(F::FTP_CURRENT_WORKING_DIRECTORY)) {
    Item& it = r.add_str(F::FTP_CURRENT_WORKING_DIRECTORY, 0, 0, r.save(f.ftp_cwd));
    it.generated = true;
    if (tree) it.text = r.format("[Current working directory: {}]", f.ftp_cwd);
  }
  if (r.columns_wanted() && !f.ftp.empty()) {
    r.cols().protocol = "FTP";
    const FtpLine& first = f.ftp.front();
    set_info(r, r.format("{}: {}", first.request ? "Request" : "Response", first.line));
  }
}

void describe_ftp_data(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const FtpDataLink& l = *f.ftp_data;
  // tshark 4.0 adds the link items beside FTP Data, not under it, and hands text to data-text-lines.
  if (r.tree())
    r.add(F::FTP_DATA, 0, 0).text = r.format("FTP Data ({} bytes data)", f.ftp_data_bytes);
  else if (r.want(F::FTP_DATA))
    r.add(F::FTP_DATA, 0, 0);
  frame_ref(r, F::FTP_DATA_SETUP_FRAME, l.setup_frame, "Setup frame");
  if (!l.setup_method.empty() && r.want(F::FTP_DATA_SETUP_METHOD)) {
    Item& it = r.add_str(F::FTP_DATA_SETUP_METHOD, 0, 0, r.save(l.setup_method));
    it.generated = true;
    if (r.tree()) it.text = r.format("[Setup method: {}]", l.setup_method);
  }
  if (!l.command.empty() && r.want(F::FTP_DATA_COMMAND)) {
    Item& it = r.add_str(F::FTP_DATA_COMMAND, 0, 0, r.save(l.command));
    it.generated = true;
    if (r.tree()) it.text = r.format("[Command: {}]", l.command);
  }
  if (l.command_frame && r.want(F::FTP_DATA_COMMAND_FRAME)) {
    Item& it = r.add(F::FTP_DATA_COMMAND_FRAME, 0, 0, l.command_frame);
    if (r.tree()) it.text = r.format("Command frame: {}", l.command_frame);
  }
  if (r.want(F::FTP_DATA_CURRENT_WORKING_DIRECTORY)) {
    Item& it = r.add_str(F::FTP_DATA_CURRENT_WORKING_DIRECTORY, 0, 0, r.save(l.cwd));
    it.generated = true;
    if (r.tree()) it.text = r.format("[Current working directory: {}]", l.cwd);
  }
  const auto payload = c.pkt.payload();
  const std::string_view text{reinterpret_cast<const char*>(payload.data()), payload.size()};
  if (r.tree() && !text.empty() && ftp_data_is_text(payload)) {
    push_text_lines(r, r.format("Line-based text data ({} lines)", count_text_lines(text)), text);
    r.pop();
  }
  if (r.columns_wanted()) {
    r.cols().protocol = "FTP-DATA";
    if (l.command.empty())
      set_info(r, r.format("FTP Data: {} bytes ({})", f.ftp_data_bytes, l.setup_method));
    else
      set_info(r, r.format("FTP Data: {} bytes ({}) ({})", f.ftp_data_bytes, l.setup_method, l.command));
  }
}

} // namespace ps::app
