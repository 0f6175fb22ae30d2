// Tokens of the display-filter language (Wireshark's syntax).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ps::filter {

enum class Tok {
  End,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  DotDot,
  Range, // [...]: text is what is between the brackets
  Eq,    // == eq any_eq
  Ne,    // != ne all_ne !==
  AllEq, // ===  all_eq
  AnyNe, // ~=   any_ne
  Lt,
  Gt,
  Le,
  Ge,
  Contains,
  Matches, // matches ~
  In,
  And, // and &&
  Or,  // or ||
  Not, // not !
  BitAnd,
  Word,   // an unquoted name or value: field name, number, address, byte string
  String, // "..." (value holds the unescaped bytes)
  Char,   // 'c' (value holds the one byte)
};

struct Token {
  Tok kind = Tok::End;
  size_t pos = 0;        // offset of the token in the expression
  std::string_view text; // the token as written
  std::string value;     // String/Char: the unescaped bytes
};

struct LexError {
  std::string message;
  size_t column = 0;
};

// Splits `expr` into tokens ending with Tok::End; false (and err) on a malformed token.
bool lex(std::string_view expr, std::vector<Token>& out, LexError& err);

// "==" for error messages.
std::string_view tok_name(Tok t);

} // namespace ps::filter
