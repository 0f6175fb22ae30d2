// SSH banners, clear-text binary packets and encrypted packets (src/app/ssh/), as tshark shows them.
#include "app/ssh/ssh_analyzer.h"
#include "describe/app/app_describe.h"
#include "describe/proto/context.h"

namespace ps::app {

namespace {

std::string_view message_name(uint8_t code, bool v1) {
  if (v1) return code == 2 ? "Public Key" : code == 3 ? "Session Key" : "Unknown";
  switch (code) {
  case 1:
    return "Disconnect";
  case 2:
    return "Ignore";
  case 5:
    return "Service Request";
  case 6:
    return "Service Accept";
  case 7:
    return "Extension Info";
  case 20:
    return "Key Exchange Init";
  case 21:
    return "New Keys";
  case 30:
    return "Diffie-Hellman Key Exchange Init";
  case 31:
    return "Diffie-Hellman Key Exchange Reply";
  case 32:
    return "Diffie-Hellman Group Exchange Init";
  case 33:
    return "Diffie-Hellman Group Exchange Reply";
  case 34:
    return "Diffie-Hellman Group Exchange Request";
  default:
    return "Unknown";
  }
}

constexpr F kListFields[10] = {F::SSH_KEX_ALGORITHMS, F::SSH_SERVER_HOST_KEY_ALGORITHMS,
                               F::SSH_ENC_C2S,        F::SSH_ENC_S2C,
                               F::SSH_MAC_C2S,        F::SSH_MAC_S2C,
                               F::SSH_COMP_C2S,       F::SSH_COMP_S2C,
                               F::SSH_LANG_C2S,       F::SSH_LANG_S2C};
constexpr std::string_view kListNames[10] = {"kex_algorithms",
                                             "server_host_key_algorithms",
                                             "encryption_algorithms_client_to_server",
                                             "encryption_algorithms_server_to_client",
                                             "mac_algorithms_client_to_server",
                                             "mac_algorithms_server_to_client",
                                             "compression_algorithms_client_to_server",
                                             "compression_algorithms_server_to_client",
                                             "languages_client_to_server",
                                             "languages_server_to_client"};

void kexinit(Record& r, const SshMessage& m) {
  std::array<std::string, 10> lists;
  std::string cookie;
  bool follows = false;
  if (!parse_kexinit(m.payload, lists, cookie, follows)) return;
  const bool tree = r.tree();
  if (tree) r.push(F::TEXT, 0, 0).text = "Algorithms";
  if (r.want(F::SSH_COOKIE) && m.payload.size() >= 16) {
    Item& it = r.add_str(F::SSH_COOKIE, 0, 0, r.save({reinterpret_cast<const char*>(m.payload.data()), 16}));
    if (tree) it.text = r.format("Cookie: {}", cookie);
  }
  for (int i = 0; i < 10; ++i) {
    if (tree) r.text(r.format("{} length: {}", kListNames[i], lists[static_cast<size_t>(i)].size()));
    const F f = kListFields[i];
    if (r.want(f)) {
      const std::string& v = lists[static_cast<size_t>(i)];
      Item& it = r.add_str(f, 0, 0, r.save(v));
      if (tree) it.text = long_label(r, r.format("{} string", kListNames[i]), v);
    }
  }
  if (r.want(F::SSH_FIRST_KEX_PACKET_FOLLOWS)) {
    Item& it = r.add(F::SSH_FIRST_KEX_PACKET_FOLLOWS, 0, 0, follows ? 1 : 0);
    if (tree) it.text = r.format("First KEX Packet Follows: {}", follows ? 1 : 0);
  }
  if (tree) r.pop();
}

} // namespace

void describe_ssh(proto::Ctx& c, const AppFrame& f) {
  Record& r = c.rec;
  const bool tree = r.tree();
  if (f.ssh.empty()) { // the first segment of a packet that ends later: tshark's partial tree
    if (tree) {
      r.push(F::SSH, 0, 0).text = field_info(F::SSH).name;
      r.text("SSH Version 2");
      r.pop();
    } else if (r.want(F::SSH)) {
      r.add(F::SSH, 0, 0);
    }
    return;
  }
  if (tree)
    r.push(F::SSH, 0, 0).text = field_info(F::SSH).name;
  else if (r.want(F::SSH))
    r.add(F::SSH, 0, 0);
  fmt::memory_buffer info;
  auto out = std::back_inserter(info);
  fmt::format_to(out, "{}: ", f.ssh_from_server ? "Server" : "Client");
  bool first = true;
  bool opened = false;
  for (const SshMessage& m : f.ssh) {
    if (m.banner) {
      add_string(r, F::SSH_PROTOCOL, m.protocol);
      fmt::format_to(out, "{}Protocol ({})", first ? "" : ", ", m.protocol);
      first = false;
      continue;
    }
    std::string_view version = m.v1               ? std::string_view("SSH Version 1")
                               : m.cipher.empty() ? std::string_view("SSH Version 2")
                                                  : r.format("SSH Version 2 (encryption:{} compression:{})",
                                                             m.cipher, m.compression);
    if (m.encrypted) {
      if (tree) r.text(version);
      continue;
    }
    if (tree) {
      r.push(F::TEXT, 0, 0).text = version;
      opened = true;
    }
    if (r.want(F::SSH_PACKET_LENGTH)) {
      Item& it = r.add(F::SSH_PACKET_LENGTH, 0, 0, m.packet_length);
      if (tree) it.text = r.format("Packet Length: {}", m.packet_length);
    }
    if (r.want(F::SSH_PADDING_LENGTH)) {
      Item& it = r.add(F::SSH_PADDING_LENGTH, 0, 0, m.padding_length);
      if (tree) it.text = r.format("Padding Length: {}", m.padding_length);
    }
    if (m.v1_encrypted) { // only the length is in clear
      if (tree) r.pop();
      continue;
    }
    if (tree) {
      std::string_view group = m.code >= 20 && m.code <= 49 ? "Key Exchange" : "Transport";
      r.push(F::TEXT, 0, 0).text = m.kex_method.empty() || group != "Key Exchange"
                                       ? group
                                       : r.format("{} (method:{})", group, m.kex_method);
    }
    if (r.want(F::SSH_MESSAGE_CODE)) {
      Item& it = r.add(F::SSH_MESSAGE_CODE, 0, 0, m.code);
      if (tree) it.text = r.format("Message Code: {} ({})", message_name(m.code, m.v1), m.code);
    }
    if (m.code == 20) kexinit(r, m);
    if (tree) {
      r.pop();
      r.pop();
      opened = false;
    }
    fmt::format_to(out, "{}{}", first ? "" : ", ", message_name(m.code, m.v1));
    first = false;
  }
  (void)opened;
  if (r.want(F::SSH_DIRECTION)) {
    Item& it = r.add(F::SSH_DIRECTION, 0, 0, f.ssh_from_server ? 1 : 0);
    it.generated = true;
    if (tree) it.text = f.ssh_from_server ? "[Direction: server-to-client]" : "[Direction: client-to-server]";
  }
  if (tree) r.pop();
  if (!r.columns_wanted()) return;
  r.cols().protocol = f.ssh_v2 ? "SSHv2" : "SSH";
  set_info(r, {info.data(), info.size()});
}

} // namespace ps::app
