// tshark's -z expert[,error|warn|note|chat|comment]: the expert items of every packet, counted per
// severity by (protocol, summary), printed in tshark 4.0's layout (ui/cli/tap-expert.c). The items are
// the describers' own "Expert Info (Severity/Group): message" lines; nothing is recomputed here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "describe/describe.h"
#include "dissect/record.h"
#include "engine/engine.h"
#include "output/out_buffer.h"

namespace ps::report {

// Severities from the lowest, as tshark orders them.
enum class ExpertSeverity : uint8_t { Comment, Chat, Note, Warn, Error };
// "error", "warn", "note", "chat", "comment" (the -z expert,LEVEL spellings).
std::optional<ExpertSeverity> expert_severity(std::string_view name);

class ExpertStats {
public:
  // Items below `lowest` are not counted (tshark's expert,LEVEL shows that level and the ones above).
  explicit ExpertStats(ExpertSeverity lowest = ExpertSeverity::Comment) : lowest_(lowest) {}
  static void add_needs(EngineNeeds& needs);
  void packet(const PacketView& v);
  void print(OutBuffer& out) const;

  struct Entry {
    std::string group, protocol, summary;
    uint64_t frequency = 0;
  };
  // Per severity (indexed by ExpertSeverity), in order of first appearance.
  const std::vector<Entry>& entries(ExpertSeverity s) const { return levels_[static_cast<size_t>(s)]; }

private:
  void add(ExpertSeverity s, std::string_view group, std::string_view protocol, std::string_view summary);
  ExpertSeverity lowest_;
  std::vector<Entry> levels_[5];
  std::unordered_map<std::string, uint32_t> index_[5]; // protocol + '\0' + summary -> entry
  std::string key_;
  Record rec_;
  FrameTimes times_;
  bool first_ = true;
};

} // namespace ps::report
