#include "filter/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace ps::filter {

Regex::Regex(Regex&& o) noexcept : code_(o.code_), match_(o.match_) {
  o.code_ = o.match_ = nullptr;
}

Regex& Regex::operator=(Regex&& o) noexcept {
  if (this != &o) {
    reset();
    code_ = o.code_;
    match_ = o.match_;
    o.code_ = o.match_ = nullptr;
  }
  return *this;
}

Regex::~Regex() {
  reset();
}

void Regex::reset() {
  if (match_) pcre2_match_data_free(static_cast<pcre2_match_data*>(match_));
  if (code_) pcre2_code_free(static_cast<pcre2_code*>(code_));
  code_ = match_ = nullptr;
}

bool Regex::compile(std::string_view pattern, std::string& error, size_t& offset) {
  reset();
  int errcode = 0;
  PCRE2_SIZE erroff = 0;
  // Byte semantics (no UTF): packet data is not text, and an invalid UTF-8 subject must not fail.
  // Case-insensitive unless the pattern says (?-i), as tshark 4.0 compiles `matches`.
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_BACKSLASH_C, &errcode, &erroff, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(errcode, buf, sizeof buf);
    error.assign(reinterpret_cast<const char*>(buf));
    offset = erroff;
    return false;
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // optional: interpreted matching when JIT is unavailable
  code_ = code;
  match_ = pcre2_match_data_create_from_pattern(code, nullptr);
  if (!match_) {
    reset();
    error = "out of memory";
    offset = 0;
    return false;
  }
  return true;
}

bool Regex::search(std::string_view subject) const {
  if (!code_) return false;
  static const char kEmpty = 0;
  const char* data = subject.data() ? subject.data() : &kEmpty; // PCRE2 10.42 rejects a null subject
  int rc = pcre2_match(static_cast<const pcre2_code*>(code_), reinterpret_cast<PCRE2_SPTR>(data),
                       subject.size(), 0, 0, static_cast<pcre2_match_data*>(match_), nullptr);
  return rc >= 0;
}

} // namespace ps::filter
