#include "cli/limit_options.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace ps::cli {

namespace {

std::string size_text(size_t n) {
  if (n >= (size_t{1} << 30) && n % (size_t{1} << 30) == 0) return fmt::format("{}GiB", n >> 30);
  if (n >= (size_t{1} << 20) && n % (size_t{1} << 20) == 0) return fmt::format("{}MiB", n >> 20);
  if (n >= (size_t{1} << 10) && n % (size_t{1} << 10) == 0) return fmt::format("{}KiB", n >> 10);
  return fmt::format("{} bytes", n);
}

CLI::Option* size_option(CLI::App* cmd, const std::string& name, size_t& value, const std::string& what) {
  return cmd->add_option(name, value, fmt::format("{} (default {})", what, size_text(value)))
      ->transform(CLI::AsSizeValue(false).description(""))
      ->check(CLI::Range(size_t{1}, SIZE_MAX / 2).description(""))
      ->type_name("SIZE");
}

// "1 connection", "2 connections".
std::string count(uint64_t n, std::string_view one, std::string_view many = {}) {
  if (n == 1) return fmt::format("1 {}", one);
  return many.empty() ? fmt::format("{} {}s", n, one) : fmt::format("{} {}", n, many);
}

void line(const std::string& text) {
  std::fprintf(stderr, "portscope: limit reached: %s\n", text.c_str());
}

} // namespace

void add_limit_options(CLI::App* cmd, Limits& limits, bool transactions) {
  const char* group = "Resource limits";
  cmd->add_option("--max-connections", limits.max_connections,
                  fmt::format("Connections tracked at once; the least recently active are forgotten beyond "
                              "it (default {})",
                              limits.max_connections))
      ->check(CLI::Range(size_t{1}, size_t{1} << 32).description(""))
      ->type_name("N")
      ->group(group);
  size_option(cmd, "--reassembly-limit", limits.reassembly_per_direction,
              "Out-of-order bytes buffered per connection direction")
      ->group(group);
  size_option(cmd, "--reassembly-total", limits.reassembly_total, "Out-of-order bytes buffered in total")
      ->group(group);
  size_option(cmd, "--max-message", limits.max_message,
              "Longest HTTP header section or FTP/SMTP/POP3 line analyzed")
      ->group(group);
  size_option(cmd, "--fragment-limit", limits.fragment_bytes,
              "Bytes held by incomplete IP datagrams awaiting fragments")
      ->group(group);
  if (transactions)
    cmd->add_option("--max-transactions", limits.max_transactions,
                    fmt::format("Log rows kept per kind (default {})", limits.max_transactions))
        ->check(CLI::Range(size_t{1}, size_t{1} << 40).description(""))
        ->type_name("N")
        ->group(group);
}

void report_limits(const Limits& limits, const LimitHits& hits) {
  if (hits.connections_evicted)
    line(fmt::format("{} forgotten while active, least recently active first (--max-connections {})",
                     count(hits.connections_evicted, "connection"), limits.max_connections));
  if (hits.analyses_evicted)
    line(fmt::format("{} ended early, least recently active first (--max-connections {})",
                     count(hits.analyses_evicted, "application analysis", "application analyses"),
                     limits.max_connections));
  if (hits.reassembly_dropped)
    line(fmt::format("{} not reassembled (--reassembly-limit {} per direction, --reassembly-total {})",
                     count(hits.reassembly_dropped, "out-of-order byte"),
                     size_text(limits.reassembly_per_direction), size_text(limits.reassembly_total)));
  if (hits.oversize_messages)
    line(fmt::format("{} not analyzed further after a message over {} (--max-message)",
                     count(hits.oversize_messages, "connection"), size_text(limits.max_message)));
  if (hits.datagrams_dropped)
    line(fmt::format("{} dropped before their fragments all arrived, oldest first (--fragment-limit {})",
                     count(hits.datagrams_dropped, "incomplete IP datagram"),
                     size_text(limits.fragment_bytes)));
  if (hits.transactions_dropped)
    line(fmt::format("{} not logged (--max-transactions {} per kind)",
                     count(hits.transactions_dropped, "transaction"), limits.max_transactions));
}

} // namespace ps::cli
