// One analyzer per service; nullptr for services recognised but not analyzed (TLS, SSH, DNS/TCP).
#pragma once

#include <memory>

#include "app/analyzer.h"
#include "app/expected.h"

namespace ps::app {

std::unique_ptr<Analyzer> make_analyzer(Service s, const AnalyzerEnv& env, const ExpectedConn* expected);

} // namespace ps::app
