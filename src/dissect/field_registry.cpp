// System headers first: a field id that collides with one of their macros fails to compile here.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>

#include "dissect/field.h"

namespace ps {

namespace {
constexpr std::array<FieldInfo, kFieldCount> kFields = {{
#define FIELD(id, abbrev, name, type, base)                                                                  \
  {abbrev, name, FieldType::type, Base::base, FieldStage::PS_FIELD_STAGE},
#define STAGED_FIELD(stage, id, abbrev, name, type, base)                                                    \
  {abbrev, name, FieldType::type, Base::base, FieldStage::stage},
#include "dissect/fields/all.def"
#undef STAGED_FIELD
#undef FIELD
}};

const std::unordered_map<std::string_view, F>& by_name() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, F>;
    for (size_t i = 0; i < kFields.size(); ++i)
      if (!kFields[i].abbrev.empty()) m->emplace(kFields[i].abbrev, F(i));
    return m;
  }();
  return *map;
}
} // namespace

const FieldInfo& field_info(F f) {
  return kFields[static_cast<size_t>(f)];
}
std::span<const FieldInfo> all_fields() {
  return kFields;
}

std::optional<F> find_field(std::string_view abbrev) {
  const auto& m = by_name();
  auto it = m.find(abbrev);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

} // namespace ps
