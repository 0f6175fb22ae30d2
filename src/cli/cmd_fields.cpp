// `portscope fields [PREFIX]`: the field registry, like `tshark -G fields`.
#include <string>

#include "cli/commands.h"
#include "dissect/field.h"
#include "output/out_buffer.h"

namespace ps::cli {

namespace {

std::string_view type_name(FieldType t) {
  switch (t) {
  case FieldType::Protocol:
    return "protocol";
  case FieldType::Text:
    return "text";
  case FieldType::None:
    return "none";
  case FieldType::Bool:
    return "bool";
  case FieldType::UInt8:
    return "uint8";
  case FieldType::UInt16:
    return "uint16";
  case FieldType::UInt24:
    return "uint24";
  case FieldType::UInt32:
    return "uint32";
  case FieldType::UInt64:
    return "uint64";
  case FieldType::Int32:
    return "int32";
  case FieldType::FrameNum:
    return "framenum";
  case FieldType::Ether:
    return "ether";
  case FieldType::Ipv4:
    return "ipv4";
  case FieldType::Ipv6:
    return "ipv6";
  case FieldType::String:
    return "string";
  case FieldType::Bytes:
    return "bytes";
  case FieldType::AbsTime:
    return "abs_time";
  case FieldType::RelTime:
    return "rel_time";
  case FieldType::Double:
    return "double";
  }
  return "?";
}

} // namespace

void add_fields_command(CLI::App& app, int& exit_code) {
  auto prefix = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("fields", "List the fields -T fields, JSON and the tree use (tshark names)");
  cmd->footer("Examples:\n  portscope fields           every field\n  portscope fields tcp.analysis");
  cmd->add_option("prefix", *prefix, "Only fields whose name starts with this");
  cmd->callback([prefix, &exit_code] {
    OutBuffer out;
    size_t n = 0;
    for (const FieldInfo& f : all_fields()) {
      if (f.abbrev.empty() || !f.abbrev.starts_with(*prefix)) continue;
      out.print("{}\t{}\t{}\n", f.abbrev, type_name(f.type), f.name);
      ++n;
      out.maybe_flush();
    }
    out.flush();
    if (n == 0) {
      std::fprintf(stderr, "portscope: no field starts with '%s'\n", prefix->c_str());
      exit_code = 1;
    }
  });
}

} // namespace ps::cli
