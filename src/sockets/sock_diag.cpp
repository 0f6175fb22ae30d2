#include "sockets/sock_diag.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <unordered_map>

namespace ps::sockets {

namespace {

struct Names {
  TcpState state;
  const char* netstat;
  const char* ss;
};
constexpr Names kNames[] = {
    {TcpState::Established, "ESTABLISHED", "estab"},
    {TcpState::SynSent, "SYN_SENT", "syn-sent"},
    {TcpState::SynRecv, "SYN_RECV", "syn-recv"},
    {TcpState::FinWait1, "FIN_WAIT_1", "fin-wait-1"},
    {TcpState::FinWait2, "FIN_WAIT_2", "fin-wait-2"},
    {TcpState::TimeWait, "TIME_WAIT", "time-wait"},
    {TcpState::Close, "CLOSE", "unconn"},
    {TcpState::CloseWait, "CLOSE_WAIT", "close-wait"},
    {TcpState::LastAck, "LAST_ACK", "last-ack"},
    {TcpState::Listen, "LISTEN", "listen"},
    {TcpState::Closing, "CLOSING", "closing"},
    {TcpState::NewSynRecv, "SYN_RECV", "syn-recv"},
};

std::string errno_text(const char* what) {
  std::string s = what;
  s.append(std::strerror(errno));
  return s;
}

std::string normalized(std::string_view s) {
  std::string r;
  for (char c : s) {
    if (c == '-') c = '_';
    r += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return r;
}

struct DumpState {
  std::vector<Socket>* out;
  uint8_t proto;
};

int on_message(const nlmsghdr* nlh, void* data) {
  auto* st = static_cast<DumpState*>(data);
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) return MNL_CB_OK;
  const auto* m = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(nlh));
  Socket s;
  s.proto = st->proto;
  s.family = m->idiag_family == AF_INET6 ? 6 : 4;
  s.state = static_cast<TcpState>(m->idiag_state);
  const size_t n = s.family == 6 ? 16 : 4;
  std::memcpy(s.local.data(), m->id.idiag_src, n);
  std::memcpy(s.remote.data(), m->id.idiag_dst, n);
  s.local_port = ntohs(m->id.idiag_sport);
  s.remote_port = ntohs(m->id.idiag_dport);
  s.recv_q = m->idiag_rqueue;
  s.send_q = m->idiag_wqueue;
  s.uid = m->idiag_uid;
  s.inode = m->idiag_inode;
  s.ifindex = m->id.idiag_if;
  st->out->push_back(std::move(s));
  return MNL_CB_OK;
}

bool dump(mnl_socket* nl, uint8_t family, uint8_t proto, uint32_t states, std::vector<Socket>& out,
          std::string& err) {
  alignas(nlmsghdr) static thread_local char buf[32768]; // MNL_SOCKET_BUFFER_SIZE is 8 KiB on 4 KiB pages
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  const uint32_t seq = static_cast<uint32_t>(::time(nullptr)) + proto * 2 + family;
  nlh->nlmsg_seq = seq;
  auto* req = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
  req->sdiag_family = family;
  req->sdiag_protocol = proto;
  req->idiag_states = states;
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
    err = errno_text("sock_diag: cannot send the request: ");
    return false;
  }
  const unsigned portid = mnl_socket_get_portid(nl);
  DumpState st{&out, proto};
  for (;;) {
    const ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (len < 0) {
      err = errno_text("sock_diag: ");
      return false;
    }
    const int rc = mnl_cb_run(buf, static_cast<size_t>(len), seq, portid, on_message, &st);
    if (rc == MNL_CB_STOP) return true;
    if (rc < 0) {
      // A kernel without UDP diagnostics (udp_diag not loaded) answers ENOENT: no UDP sockets shown.
      if (errno == ENOENT) return true;
      err = errno_text("sock_diag: ");
      return false;
    }
  }
}

} // namespace

std::string_view state_name(TcpState s, bool udp) {
  if (udp) return s == TcpState::Close ? "UNCONN" : s == TcpState::Established ? "ESTABLISHED" : "UNKNOWN";
  for (const Names& n : kNames)
    if (n.state == s) return n.netstat;
  return "UNKNOWN";
}

bool parse_state(std::string_view name, TcpState& s) {
  const std::string n = normalized(name);
  for (const Names& e : kNames) {
    if (n == normalized(e.netstat) || n == normalized(e.ss)) {
      s = e.state;
      return true;
    }
  }
  if (n == "established" || n == "unconnected") {
    s = n == "established" ? TcpState::Established : TcpState::Close;
    return true;
  }
  return false;
}

bool list_sockets(const Query& q, std::vector<Socket>& out, std::string& err) {
  mnl_socket* nl = mnl_socket_open(NETLINK_SOCK_DIAG);
  if (nl == nullptr) {
    err = errno_text("cannot open the sock_diag netlink socket: ");
    return false;
  }
  bool ok = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0;
  if (!ok) err = errno_text("cannot bind the sock_diag netlink socket: ");
  for (uint8_t proto : {uint8_t{IPPROTO_TCP}, uint8_t{IPPROTO_UDP}}) {
    if (!ok || (proto == IPPROTO_TCP ? !q.tcp : !q.udp)) continue;
    for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
      if (!ok || (family == AF_INET ? !q.v4 : !q.v6)) continue;
      ok = dump(nl, family, proto, q.states, out, err);
    }
  }
  mnl_socket_close(nl);
  return ok;
}

void attach_processes(std::vector<Socket>& sockets) {
  std::unordered_map<uint32_t, std::vector<size_t>> by_inode;
  for (size_t i = 0; i < sockets.size(); ++i)
    if (sockets[i].inode) by_inode[sockets[i].inode].push_back(i);
  if (by_inode.empty()) return;
  DIR* proc = ::opendir("/proc");
  if (!proc) return;
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const std::string base = std::string("/proc/") + e->d_name;
    DIR* fds = ::opendir((base + "/fd").c_str());
    if (!fds) continue;
    std::string comm;
    while (dirent* f = ::readdir(fds)) {
      if (f->d_name[0] == '.') continue;
      char link[64];
      const ssize_t n = ::readlinkat(::dirfd(fds), f->d_name, link, sizeof link - 1);
      if (n <= 8 || std::memcmp(link, "socket:[", 8) != 0) continue;
      link[n] = '\0';
      const auto inode = static_cast<uint32_t>(std::strtoul(link + 8, nullptr, 10));
      auto it = by_inode.find(inode);
      if (it == by_inode.end()) continue;
      if (comm.empty()) {
        if (FILE* c = std::fopen((base + "/comm").c_str(), "r")) {
          char name[64] = {};
          if (std::fgets(name, sizeof name, c)) comm = name;
          std::fclose(c);
          while (!comm.empty() && comm.back() == '\n') comm.pop_back();
        }
        if (comm.empty()) comm.assign(1, '?');
      }
      for (size_t i : it->second) {
        Process p{static_cast<int>(pid), comm};
        auto& ps = sockets[i].processes;
        if (std::find(ps.begin(), ps.end(), p) == ps.end()) ps.push_back(std::move(p));
      }
    }
    ::closedir(fds);
  }
  ::closedir(proc);
}

std::string address_text(const Socket& s, bool local) {
  const auto& a = local ? s.local : s.remote;
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(s.family == 6 ? AF_INET6 : AF_INET, a.data(), buf, sizeof buf);
  return buf;
}

} // namespace ps::sockets
