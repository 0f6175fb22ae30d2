// Output side of the fuzz targets: every sink writes to /dev/null, and -T fields asks for every field
// in the registry so each dissector builds every item it can.
#pragma once

#include <cstdint>
#include <memory>

#include "output/out_buffer.h"
#include "output/packet_sink.h"

namespace ps::fuzz {

// An OutBuffer on /dev/null (the descriptor is opened once per process).
OutBuffer& null_output();

// Every field in the registry, with the -E options picked by `variant` (occurrence, quoting, header).
FieldsOptions all_fields(uint8_t variant);

// The sinks `read` offers: 0 summary, 1 tree (-V), 2 fields (all), 3 json, 4 ndjson, 5 tree + hex (-V -x).
inline constexpr int kSinkKinds = 6;
std::unique_ptr<PacketSink> make_sink(int kind, OutBuffer& out, uint8_t variant);

} // namespace ps::fuzz
