// A PCRE2 pattern compiled once, matched without allocation (the match data is made with it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ps::filter {

class Regex {
public:
  Regex() = default;
  Regex(Regex&& o) noexcept;
  Regex& operator=(Regex&& o) noexcept;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  ~Regex();

  // false + message and offset in the pattern when PCRE2 rejects it.
  bool compile(std::string_view pattern, std::string& error, size_t& offset);
  bool search(std::string_view subject) const;
  bool valid() const { return code_ != nullptr; }

private:
  void reset();
  void* code_ = nullptr;  // pcre2_code_8
  void* match_ = nullptr; // pcre2_match_data_8
};

} // namespace ps::filter
