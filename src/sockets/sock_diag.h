// The host's own TCP and UDP sockets, read from the kernel's sock_diag netlink interface (what ss
// reads), with the processes that hold them (from /proc/PID/fd).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ps::sockets {

// The kernel's TCP states (include/net/tcp_states.h); UDP sockets are Established (connected) or
// Close (unconnected, "UNCONN" in ss).
enum class TcpState : uint8_t {
  Established = 1,
  SynSent,
  SynRecv,
  FinWait1,
  FinWait2,
  TimeWait,
  Close,
  CloseWait,
  LastAck,
  Listen,
  Closing,
  NewSynRecv,
};

// netstat's names (ESTABLISHED, FIN_WAIT1 as FIN_WAIT_1 like `conns`, LISTEN, ...); UDP's Close is
// "UNCONN" as ss prints it.
std::string_view state_name(TcpState s, bool udp);
// A state by name (netstat's or ss's spelling, any case: "time-wait", "TIME_WAIT", "estab"); false
// when unknown. "unconn" and "close" both name Close.
bool parse_state(std::string_view name, TcpState& s);

struct Process {
  int pid = 0;
  std::string name; // /proc/PID/comm
  friend bool operator==(const Process&, const Process&) = default;
};

struct Socket {
  uint8_t proto = 6;  // 6 TCP, 17 UDP
  uint8_t family = 4; // 4 or 6
  TcpState state = TcpState::Close;
  std::array<uint8_t, 16> local{}, remote{};
  uint16_t local_port = 0, remote_port = 0;
  uint32_t recv_q = 0, send_q = 0; // LISTEN: accept queue length and its limit, as ss shows them
  uint32_t uid = 0;
  uint32_t inode = 0;
  uint32_t ifindex = 0; // bound to a device (SO_BINDTODEVICE), else 0
  std::vector<Process> processes;

  bool listening() const { return proto == 6 ? state == TcpState::Listen : state == TcpState::Close; }
};

struct Query {
  bool tcp = true, udp = true;
  bool v4 = true, v6 = true;
  uint32_t states = ~0u; // bit (1 << TcpState) for each wanted state
};

// Dumps the sockets the query asks for, in the kernel's order per protocol and family; false with
// `err` set (one line) when netlink cannot be used.
bool list_sockets(const Query& q, std::vector<Socket>& out, std::string& err);

// Fills each socket's processes: every process with a descriptor on its inode (only those whose
// /proc/PID/fd can be read: all of them as root).
void attach_processes(std::vector<Socket>& sockets);

// "10.0.0.1", "::1"; the wildcard address is "0.0.0.0" or "::".
std::string address_text(const Socket& s, bool local);

} // namespace ps::sockets
