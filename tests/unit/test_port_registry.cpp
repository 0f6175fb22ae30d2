#include "services/port_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using ps::lookup_port;
using ps::lookup_service;
using ps::port_service_name;
using ps::PortEntry;
using ps::Transport;

bool has(const std::vector<PortEntry>& v, std::string_view service, uint16_t port, Transport proto) {
  return std::any_of(v.begin(), v.end(), [&](const PortEntry& e) {
    return e.service == service && e.first_port == port && e.proto == proto;
  });
}

const PortEntry* find(const std::vector<PortEntry>& v, std::string_view service, uint16_t port,
                      Transport proto) {
  auto it = std::find_if(v.begin(), v.end(), [&](const PortEntry& e) {
    return e.service == service && e.first_port == port && e.proto == proto;
  });
  return it == v.end() ? nullptr : &*it;
}

TEST(PortRegistry, SeedWellKnownTcpPorts) {
  // The seed's list: FTP 20, 21 / Telnet 23 / SMTP 25 / HTTP 80 / POP3 110.
  EXPECT_EQ(port_service_name(Transport::Tcp, 20), "ftp-data");
  EXPECT_EQ(port_service_name(Transport::Tcp, 21), "ftp");
  EXPECT_EQ(port_service_name(Transport::Tcp, 23), "telnet");
  EXPECT_EQ(port_service_name(Transport::Tcp, 25), "smtp");
  EXPECT_EQ(port_service_name(Transport::Tcp, 80), "http"); // not "www" / "www-http" (later names)
  EXPECT_EQ(port_service_name(Transport::Tcp, 110), "pop3");
}

TEST(PortRegistry, OtherWellKnownPorts) {
  EXPECT_EQ(port_service_name(Transport::Udp, 53), "domain");
  EXPECT_EQ(port_service_name(Transport::Tcp, 53), "domain");
  EXPECT_EQ(port_service_name(Transport::Tcp, 22), "ssh");
  EXPECT_EQ(port_service_name(Transport::Tcp, 443), "https");
  EXPECT_EQ(port_service_name(Transport::Udp, 23), "telnet");
  EXPECT_EQ(port_service_name(Transport::Sctp, 80), "http");
  EXPECT_EQ(port_service_name(Transport::Tcp, 8080), "http-alt");
  EXPECT_EQ(port_service_name(Transport::Tcp, 143), "imap");
}

TEST(PortRegistry, WiresharkExclusionsAreSkipped) {
  // "shilp" is registered on 2049 before "nfs"; Wireshark's services file drops it.
  EXPECT_EQ(port_service_name(Transport::Tcp, 2049), "nfs");
  EXPECT_EQ(port_service_name(Transport::Udp, 2049), "nfs");
  // ... but it is still a registration.
  EXPECT_TRUE(has(lookup_port(2049, Transport::Tcp), "shilp", 2049, Transport::Tcp));
}

TEST(PortRegistry, UnregisteredPortsHaveNoName) {
  EXPECT_TRUE(port_service_name(Transport::Tcp, 0).empty()); // Reserved, no name
  EXPECT_TRUE(port_service_name(Transport::Tcp, 4).empty()); // Unassigned
  EXPECT_TRUE(port_service_name(Transport::Dccp, 80).empty());
  EXPECT_TRUE(lookup_port(4, std::nullopt).empty());
  EXPECT_TRUE(lookup_port(0, std::nullopt).empty());
}

TEST(PortRegistry, Port2222IsNotHttp) {
  // The http-port-2222 capture: a web server on 2222, which IANA assigned to EtherNet/IP.
  EXPECT_NE(port_service_name(Transport::Tcp, 2222), "http");
  EXPECT_EQ(port_service_name(Transport::Tcp, 2222), "EtherNet-IP-1");
  for (const PortEntry& e : lookup_port(2222, std::nullopt)) {
    EXPECT_EQ(e.service.find("http"), std::string_view::npos) << e.service;
  }
  const auto http = lookup_service("http", std::nullopt);
  EXPECT_FALSE(
      std::any_of(http.begin(), http.end(), [](const PortEntry& e) { return e.first_port == 2222; }));
}

TEST(PortRegistry, Ranges) {
  for (uint16_t p : {6000, 6001, 6010, 6063}) {
    EXPECT_EQ(port_service_name(Transport::Tcp, p), "x11") << p;
    EXPECT_EQ(port_service_name(Transport::Udp, p), "x11") << p;
  }
  EXPECT_NE(port_service_name(Transport::Tcp, 5999), "x11");
  EXPECT_NE(port_service_name(Transport::Tcp, 6064), "x11");
  EXPECT_EQ(port_service_name(Transport::Tcp, 6667), "ircu");
  EXPECT_NE(port_service_name(Transport::Udp, 6667), "ircu"); // ircu's range is tcp only

  const auto v = lookup_port(6010, Transport::Tcp);
  const PortEntry* x11 = find(v, "x11", 6000, Transport::Tcp);
  ASSERT_NE(x11, nullptr);
  EXPECT_TRUE(x11->is_range());
  EXPECT_EQ(x11->last_port, 6063);
  EXPECT_TRUE(x11->primary);

  const auto by_name = lookup_service("x11", Transport::Udp);
  ASSERT_FALSE(by_name.empty());
  EXPECT_EQ(by_name.front().first_port, 6000);
  EXPECT_EQ(by_name.front().last_port, 6063);
  EXPECT_EQ(by_name.front().proto, Transport::Udp);
}

TEST(PortRegistry, LookupPortOrdersPrimaryNameFirst) {
  const auto v = lookup_port(80, std::nullopt);
  ASSERT_GE(v.size(), 7u);
  EXPECT_EQ(v[0].service, "http");
  EXPECT_EQ(v[0].proto, Transport::Tcp);
  EXPECT_TRUE(v[0].primary);
  EXPECT_EQ(v[0].description, "World Wide Web HTTP");
  EXPECT_EQ(v[1].service, "http");
  EXPECT_EQ(v[1].proto, Transport::Udp);
  EXPECT_EQ(v[2].service, "http");
  EXPECT_EQ(v[2].proto, Transport::Sctp);
  EXPECT_TRUE(has(v, "www", 80, Transport::Tcp));
  EXPECT_TRUE(has(v, "www-http", 80, Transport::Udp));
  EXPECT_FALSE(find(v, "www", 80, Transport::Tcp)->primary);
  for (const PortEntry& e : v) EXPECT_FALSE(e.related);

  const auto udp = lookup_port(53, Transport::Udp);
  ASSERT_FALSE(udp.empty());
  EXPECT_EQ(udp.front().service, "domain");
  for (const PortEntry& e : udp) EXPECT_EQ(e.proto, Transport::Udp);
}

TEST(PortRegistry, LookupServiceIsCaseInsensitive) {
  for (std::string_view q : {"http", "HTTP", "Http"}) {
    const auto v = lookup_service(q, std::nullopt);
    ASSERT_FALSE(v.empty()) << q;
    EXPECT_EQ(v.front().service, "http") << q;
    EXPECT_EQ(v.front().first_port, 80) << q;
    EXPECT_FALSE(v.front().related) << q;
  }
  const auto eip = lookup_service("ethernet-ip-1", Transport::Tcp);
  ASSERT_FALSE(eip.empty());
  EXPECT_EQ(eip.front().service, "EtherNet-IP-1");
  EXPECT_EQ(eip.front().first_port, 2222);
  EXPECT_EQ(lookup_service("SMTP", Transport::Tcp).front().first_port, 25);
  EXPECT_EQ(lookup_service("Pop3", Transport::Tcp).front().first_port, 110);
  EXPECT_EQ(lookup_service("TELNET", Transport::Tcp).front().first_port, 23);
}

TEST(PortRegistry, FtpShowsControlAndDataPorts) {
  const auto v = lookup_service("ftp", std::nullopt);
  // The exact name first: ftp 21 over tcp, udp and sctp ...
  ASSERT_GE(v.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(v[i].service, "ftp");
    EXPECT_EQ(v[i].first_port, 21);
    EXPECT_FALSE(v[i].related);
    EXPECT_TRUE(v[i].primary);
  }
  EXPECT_EQ(v[0].proto, Transport::Tcp);
  EXPECT_EQ(v[1].proto, Transport::Udp);
  EXPECT_EQ(v[2].proto, Transport::Sctp);
  // ... then related names, by port: ftp-data 20 first.
  ASSERT_GT(v.size(), 3u);
  EXPECT_EQ(v[3].service, "ftp-data");
  EXPECT_EQ(v[3].first_port, 20);
  EXPECT_TRUE(v[3].related);
  EXPECT_TRUE(has(v, "ftp-data", 20, Transport::Tcp));
  EXPECT_TRUE(has(v, "ftps", 990, Transport::Tcp));
  EXPECT_TRUE(has(v, "ftps-data", 989, Transport::Tcp));
  // Names that merely contain "ftp" (tftp, sftp) are not related when a prefix match exists.
  EXPECT_FALSE(std::any_of(v.begin(), v.end(), [](const PortEntry& e) { return e.service == "tftp"; }));

  const auto tcp = lookup_service("FTP", Transport::Tcp);
  EXPECT_TRUE(has(tcp, "ftp", 21, Transport::Tcp));
  EXPECT_TRUE(has(tcp, "ftp-data", 20, Transport::Tcp));
  for (const PortEntry& e : tcp) EXPECT_EQ(e.proto, Transport::Tcp);
}

TEST(PortRegistry, SubstringFallbackAndMisses) {
  const auto v = lookup_service("tsmux", std::nullopt);
  EXPECT_TRUE(has(v, "3com-tsmux", 106, Transport::Tcp));
  for (const PortEntry& e : v) EXPECT_TRUE(e.related);
  EXPECT_TRUE(lookup_service("no-such-service-xyz", std::nullopt).empty());
  EXPECT_TRUE(lookup_service("", std::nullopt).empty());
  EXPECT_TRUE(lookup_service("http", Transport::Dccp).empty());
}

TEST(PortRegistry, NameAndPortLookupsAgree) {
  // For every well-known port, the resolved name is one of lookup_port()'s entries, flagged primary.
  for (Transport t : ps::kAllTransports) {
    for (uint32_t p = 0; p < 1024; ++p) {
      const auto port = static_cast<uint16_t>(p);
      const std::string_view name = port_service_name(t, port);
      const auto v = lookup_port(port, t);
      if (name.empty()) {
        for (const PortEntry& e : v) EXPECT_FALSE(e.primary) << p;
        continue;
      }
      ASSERT_FALSE(v.empty()) << p;
      EXPECT_EQ(std::count_if(v.begin(), v.end(), [](const PortEntry& e) { return e.primary; }), 1) << p;
      EXPECT_TRUE(std::any_of(v.begin(), v.end(), [&](const PortEntry& e) { return e.service == name; }))
          << p;
    }
  }
}

TEST(PortRegistry, TransportNames) {
  EXPECT_EQ(ps::transport_name(Transport::Tcp), "tcp");
  EXPECT_EQ(ps::transport_name(Transport::Dccp), "dccp");
  EXPECT_EQ(ps::parse_transport("UDP"), Transport::Udp);
  EXPECT_EQ(ps::parse_transport("sctp"), Transport::Sctp);
  EXPECT_FALSE(ps::parse_transport("icmp").has_value());
}

} // namespace
