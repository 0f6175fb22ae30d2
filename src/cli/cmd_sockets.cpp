// `portscope sockets`: the host's own TCP and UDP sockets with their processes, as `ss -tuanp` and
// `netstat -tulpn` show them (read from sock_diag, src/sockets/), in the formats of `conns`.
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/input_options.h"
#include "output/out_buffer.h"
#include "services/port_registry.h"
#include "sockets/sock_diag.h"

namespace ps::cli {

namespace {

using sockets::Socket;
using sockets::TcpState;

struct SocketsArgs {
  bool numeric = false, listen = false, tcp = false, udp = false, v4 = false, v6 = false, watch = false;
  std::vector<std::string> states;
  std::string format = "table";
  double interval = 2;
};

volatile sig_atomic_t g_watch_stop = 0;
extern "C" void on_watch_signal(int) {
  g_watch_stop = 1;
}

std::string endpoint(const Socket& s, bool local) {
  const uint16_t port = local ? s.local_port : s.remote_port;
  std::string a = sockets::address_text(s, local);
  if (s.family == 6) a = "[" + a + "]";
  return a + ":" + (port == 0 && !local ? std::string("*") : std::to_string(port));
}

// The service a socket offers or uses: its own port's when it listens, else the named port of the
// two, the lower one first (the likely server port, as `conns` decides roles).
std::string_view service_of(const Socket& s) {
  const Transport t = s.proto == 6 ? Transport::Tcp : Transport::Udp;
  if (s.listening()) return port_service_name(t, s.local_port);
  const std::string_view l = port_service_name(t, s.local_port), r = port_service_name(t, s.remote_port);
  if (!l.empty() && (r.empty() || s.local_port <= s.remote_port)) return l;
  return r;
}

std::string processes_text(const Socket& s) {
  std::string p;
  for (const sockets::Process& x : s.processes)
    p += fmt::format("{}{}({})", p.empty() ? "" : ",", x.name, x.pid);
  return p.empty() ? "-" : p;
}

void json_text(OutBuffer& out, std::string_view s) {
  out.write("\"");
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      out.print("\\{}", static_cast<char>(c));
    else if (c < 0x20 || c == 0x7f)
      out.print("\\u{:04x}", c);
    else
      out.buf().push_back(static_cast<char>(c));
  }
  out.write("\"");
}

void json_socket(OutBuffer& out, const Socket& s, bool numeric) {
  out.print("{{\"proto\":\"{}\",\"family\":\"ipv{}\",", s.proto == 6 ? "tcp" : "udp", s.family);
  out.print("\"local_addr\":\"{}\",\"local_port\":{},\"remote_addr\":\"{}\",", sockets::address_text(s, true),
            s.local_port, sockets::address_text(s, false));
  out.print("\"remote_port\":{},\"state\":\"{}\",\"recv_q\":{},\"send_q\":{},", s.remote_port,
            sockets::state_name(s.state, s.proto == 17), s.recv_q, s.send_q);
  if (const std::string_view svc = service_of(s); !numeric && !svc.empty()) {
    out.write("\"service\":");
    json_text(out, svc);
    out.write(",");
  }
  out.print("\"uid\":{},\"inode\":{},\"processes\":[", s.uid, s.inode);
  for (size_t i = 0; i < s.processes.size(); ++i) {
    out.print("{}{{\"pid\":{},\"name\":", i ? "," : "", s.processes[i].pid);
    json_text(out, s.processes[i].name);
    out.write("}");
  }
  out.write("]}");
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void print_sockets(OutBuffer& out, const std::vector<Socket>& v, const SocketsArgs& a) {
  if (a.format == "json") out.write("[");
  if (a.format == "table") { // columns as wide as their widest cell
    std::vector<std::array<std::string, 8>> rows;
    rows.push_back({"Proto", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "State",
                    "Service", "Process"});
    for (const Socket& s : v) {
      std::string svc(service_of(s));
      rows.push_back({s.proto == 17 ? "udp" : "tcp", std::to_string(s.recv_q), std::to_string(s.send_q),
                      endpoint(s, true), endpoint(s, false),
                      std::string(sockets::state_name(s.state, s.proto == 17)), svc.empty() ? "-" : svc,
                      processes_text(s)});
    }
    std::array<size_t, 8> w{};
    for (const auto& r : rows)
      for (size_t c = 0; c < 8; ++c) w[c] = std::max(w[c], r[c].size());
    for (const auto& r : rows) {
      out.print("{:<{}} {:>{}} {:>{}} {:<{}} {:<{}} {:<{}} ", r[0], w[0], r[1], w[1], r[2], w[2], r[3], w[3],
                r[4], w[4], r[5], w[5]);
      if (!a.numeric) out.print("{:<{}} ", r[6], w[6]);
      out.print("{}\n", r[7]);
      out.maybe_flush();
    }
    return;
  } else if (a.format == "csv") {
    out.write(
        "proto,family,local_addr,local_port,remote_addr,remote_port,state,recv_q,send_q,service,uid,inode,"
        "processes\n");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    const Socket& s = v[i];
    const bool udp = s.proto == 17;
    if (a.format == "csv") {
      std::string procs;
      for (const auto& p : s.processes)
        procs += fmt::format("{}{}/{}", procs.empty() ? "" : ";", p.name, p.pid);
      out.print("{},ipv{},{},{},{},{},{},{},{},{},{},{},{}\n", udp ? "udp" : "tcp", s.family,
                sockets::address_text(s, true), s.local_port, sockets::address_text(s, false), s.remote_port,
                sockets::state_name(s.state, udp), s.recv_q, s.send_q,
                a.numeric ? "" : csv_cell(std::string(service_of(s))), s.uid, s.inode, csv_cell(procs));
    } else {
      if (a.format == "json") out.write(i ? ",\n  " : "\n  ");
      json_socket(out, s, a.numeric);
      if (a.format == "ndjson") out.write("\n");
    }
    out.maybe_flush();
  }
  if (a.format == "json") out.write(v.empty() ? "]\n" : "\n]\n");
}

int finish_output(OutBuffer& out) {
  out.flush();
  if (out.ok() || out.error() == EPIPE) return kExitOk;
  fail(std::string("cannot write output: ") + std::strerror(out.error()));
  return kExitData;
}

bool snapshot(const SocketsArgs& a, const sockets::Query& q, std::vector<Socket>& v) {
  std::string err;
  v.clear();
  if (!sockets::list_sockets(q, v, err)) {
    fail(err);
    return false;
  }
  if (a.listen) std::erase_if(v, [](const Socket& s) { return !s.listening(); });
  sockets::attach_processes(v);
  std::sort(v.begin(), v.end(), [](const Socket& x, const Socket& y) {
    auto key = [](const Socket& s) {
      return std::tuple(s.proto, !s.listening(), s.family, s.local_port, s.local, s.remote, s.remote_port);
    };
    return key(x) < key(y);
  });
  return true;
}

int run_sockets(const SocketsArgs& a) {
  sockets::Query q;
  if (a.tcp || a.udp) {
    q.tcp = a.tcp;
    q.udp = a.udp;
  }
  if (a.v4 || a.v6) {
    q.v4 = a.v4;
    q.v6 = a.v6;
  }
  if (!a.states.empty()) {
    q.states = 0;
    for (const std::string& name : a.states) {
      TcpState s{};
      if (!sockets::parse_state(name, s)) {
        fail("unknown --state '" + name +
             "' (LISTEN, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSE_WAIT, "
             "LAST_ACK, CLOSING, UNCONN)");
        return kExitUsage;
      }
      q.states |= 1u << static_cast<unsigned>(s);
      if (s == TcpState::SynRecv) q.states |= 1u << static_cast<unsigned>(TcpState::NewSynRecv);
    }
  }
  OutBuffer out;
  std::vector<Socket> v;
  if (!a.watch) {
    if (!snapshot(a, q, v)) return kExitUsage;
    print_sockets(out, v, a);
    return finish_output(out);
  }
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = on_watch_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  while (!g_watch_stop) {
    if (!snapshot(a, q, v)) return kExitUsage;
    if (tty) {
      const time_t now = ::time(nullptr);
      char when[64];
      std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
      out.print("\x1b[H\x1b[2J{} sockets at {} (every {} s; Ctrl-C ends)\n", v.size(), when, a.interval);
    }
    print_sockets(out, v, a);
    if (!tty && a.format == "table") out.write("\n");
    out.flush();
    if (!out.ok()) break;
    timespec ts{static_cast<time_t>(a.interval), static_cast<long>(std::fmod(a.interval, 1.0) * 1e9)};
    ::nanosleep(&ts, nullptr); // a stop signal ends the sleep
  }
  return finish_output(out);
}

} // namespace

void add_sockets_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SocketsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sockets", "This host's TCP/UDP sockets and their processes (like ss -tuanp, netstat -tulpn)");
  cmd->footer("Examples:\n"
              "  portscope sockets                   every TCP and UDP socket, with its process\n"
              "  portscope sockets --listen -n       what listens, ports as numbers (netstat -tulpn)\n"
              "  portscope sockets --tcp --state established -F json\n"
              "  portscope sockets --watch --interval 1");
  cmd->add_flag("-n,--no-resolve", args->numeric, "No service names");
  cmd->add_flag("-l,--listen", args->listen, "Only listening sockets (TCP LISTEN, unconnected UDP)");
  cmd->add_flag("-t,--tcp", args->tcp, "TCP sockets (with --udp: both; neither: both)");
  cmd->add_flag("-u,--udp", args->udp, "UDP sockets");
  cmd->add_flag("-4,--ipv4", args->v4, "IPv4 sockets only (with -6: both)");
  cmd->add_flag("-6,--ipv6", args->v6, "IPv6 sockets only");
  cmd->add_option(
         "--state", args->states,
         "Only sockets in this state (repeatable): LISTEN, ESTABLISHED, TIME_WAIT, ... (ss's names too)")
      ->allow_extra_args(false);
  cmd->add_option("-F,--format", args->format, "Output: table (default), json, ndjson, csv")
      ->check(CLI::IsMember({"table", "json", "ndjson", "csv"}));
  cmd->add_flag("--watch", args->watch, "Refresh until Ctrl-C (a full-screen redraw on a terminal)");
  cmd->add_option("--interval", args->interval, "Seconds between --watch refreshes (default 2)")
      ->check(CLI::Range(0.05, 3600.0));
  cmd->callback([args, &exit_code] { exit_code = run_sockets(*args); });
}

} // namespace ps::cli
