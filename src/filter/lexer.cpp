#include "filter/lexer.h"
#include "filter/literal.h"

namespace ps::filter {

namespace {

bool word_char(char c) {
  switch (c) {
  case ' ':
  case '\t':
  case '\n':
  case '\r':
  case '\f':
  case '\v':
  case '(':
  case ')':
  case '[':
  case ']':
  case '{':
  case '}':
  case ',':
  case '"':
  case '\'':
  case '=':
  case '!':
  case '<':
  case '>':
  case '&':
  case '|':
  case '~':
  case '\0':
    return false;
  default:
    return true;
  }
}

// Reads one escape sequence after a backslash at s[i] (i indexes the char after '\'); appends the byte.
bool escape(std::string_view s, size_t& i, std::string& out) {
  if (i >= s.size()) return false;
  char c = s[i++];
  switch (c) {
  case 'a':
    out.push_back('\a');
    return true;
  case 'b':
    out.push_back('\b');
    return true;
  case 'f':
    out.push_back('\f');
    return true;
  case 'n':
    out.push_back('\n');
    return true;
  case 'r':
    out.push_back('\r');
    return true;
  case 't':
    out.push_back('\t');
    return true;
  case 'v':
    out.push_back('\v');
    return true;
  case 'x': {
    int v = 0, n = 0;
    while (n < 2 && i < s.size() && hex_digit(s[i]) >= 0) v = v * 16 + hex_digit(s[i++]), ++n;
    if (n == 0) return false;
    out.push_back(static_cast<char>(v));
    return true;
  }
  default:
    if (c >= '0' && c <= '7') {
      int v = c - '0', n = 1;
      while (n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7') v = v * 8 + (s[i++] - '0'), ++n;
      if (v > 255) return false;
      out.push_back(static_cast<char>(v));
      return true;
    }
    if (c == '\\' || c == '"' || c == '\'') {
      out.push_back(c);
      return true;
    }
    return false; // as tshark: "\. is not a valid character escape sequence"
  }
}

Tok keyword(std::string_view w) {
  if (w == "and") return Tok::And;
  if (w == "or") return Tok::Or;
  if (w == "not") return Tok::Not;
  if (w == "eq" || w == "any_eq") return Tok::Eq;
  if (w == "ne" || w == "all_ne") return Tok::Ne;
  if (w == "all_eq") return Tok::AllEq;
  if (w == "any_ne") return Tok::AnyNe;
  if (w == "lt") return Tok::Lt;
  if (w == "gt") return Tok::Gt;
  if (w == "le") return Tok::Le;
  if (w == "ge") return Tok::Ge;
  if (w == "contains") return Tok::Contains;
  if (w == "matches") return Tok::Matches;
  if (w == "in") return Tok::In;
  return Tok::Word;
}

} // namespace

std::string_view tok_name(Tok t) {
  switch (t) {
  case Tok::End:
    return "end of filter";
  case Tok::LParen:
    return "(";
  case Tok::RParen:
    return ")";
  case Tok::LBrace:
    return "{";
  case Tok::RBrace:
    return "}";
  case Tok::Comma:
    return ",";
  case Tok::DotDot:
    return "..";
  case Tok::Range:
    return "[";
  case Tok::Eq:
    return "==";
  case Tok::Ne:
    return "!=";
  case Tok::AllEq:
    return "===";
  case Tok::AnyNe:
    return "~=";
  case Tok::Lt:
    return "<";
  case Tok::Gt:
    return ">";
  case Tok::Le:
    return "<=";
  case Tok::Ge:
    return ">=";
  case Tok::Contains:
    return "contains";
  case Tok::Matches:
    return "matches";
  case Tok::In:
    return "in";
  case Tok::And:
    return "and";
  case Tok::Or:
    return "or";
  case Tok::Not:
    return "not";
  case Tok::BitAnd:
    return "&";
  case Tok::Word:
    return "value";
  case Tok::String:
    return "string";
  case Tok::Char:
    return "character constant";
  }
  return "?";
}

bool lex(std::string_view s, std::vector<Token>& out, LexError& err) {
  out.clear();
  size_t i = 0;
  auto push = [&](Tok k, size_t start, size_t len) {
    Token t;
    t.kind = k;
    t.pos = start;
    t.text = s.substr(start, len);
    out.push_back(std::move(t));
    i = start + len;
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    const char n = i + 1 < s.size() ? s[i + 1] : '\0';
    const char n2 = i + 2 < s.size() ? s[i + 2] : '\0';
    switch (c) {
    case '(':
      push(Tok::LParen, i, 1);
      continue;
    case ')':
      push(Tok::RParen, i, 1);
      continue;
    case '{':
      push(Tok::LBrace, i, 1);
      continue;
    case '}':
      push(Tok::RBrace, i, 1);
      continue;
    case ',':
      push(Tok::Comma, i, 1);
      continue;
    case '[': {
      size_t close = s.find(']', i + 1);
      if (close == std::string_view::npos) {
        err = {"missing ']' after the range", i};
        return false;
      }
      Token t;
      t.kind = Tok::Range;
      t.pos = i;
      t.text = s.substr(i + 1, close - i - 1);
      out.push_back(std::move(t));
      i = close + 1;
      continue;
    }
    case ']':
      err = {"unexpected ']'", i};
      return false;
    case '=':
      if (n == '=' && n2 == '=') {
        push(Tok::AllEq, i, 3);
      } else if (n == '=') {
        push(Tok::Eq, i, 2);
      } else {
        err = {"'=' is not an operator (use '==')", i};
        return false;
      }
      continue;
    case '!':
      if (n == '=' && n2 == '=')
        push(Tok::Ne, i, 3);
      else if (n == '=')
        push(Tok::Ne, i, 2);
      else
        push(Tok::Not, i, 1);
      continue;
    case '<':
      if (n == '=')
        push(Tok::Le, i, 2);
      else
        push(Tok::Lt, i, 1);
      continue;
    case '>':
      if (n == '=')
        push(Tok::Ge, i, 2);
      else
        push(Tok::Gt, i, 1);
      continue;
    case '~':
      if (n == '=')
        push(Tok::AnyNe, i, 2);
      else
        push(Tok::Matches, i, 1);
      continue;
    case '&':
      if (n == '&')
        push(Tok::And, i, 2);
      else
        push(Tok::BitAnd, i, 1);
      continue;
    case '|':
      if (n == '|') {
        push(Tok::Or, i, 2);
        continue;
      }
      err = {"'|' is not an operator (use '||' or 'or')", i};
      return false;
    case '"':
    case '\'': {
      const char q = c;
      size_t j = i + 1;
      std::string v;
      bool closed = false;
      while (j < s.size()) {
        char d = s[j];
        if (d == q) {
          closed = true;
          ++j;
          break;
        }
        if (d == '\\') {
          ++j;
          const size_t at = j - 1;
          if (!escape(s, j, v)) {
            std::string seq = "\\";
            if (at + 1 < s.size()) seq.push_back(s[at + 1]);
            err = {seq + " is not a valid character escape sequence", at};
            return false;
          }
          continue;
        }
        v.push_back(d);
        ++j;
      }
      if (!closed) {
        err = {q == '"' ? "missing closing '\"' of the string"
                        : "missing closing ' of the character constant",
               i};
        return false;
      }
      if (q == '\'' && v.size() != 1) {
        err = {"a character constant holds one character", i};
        return false;
      }
      Token t;
      t.kind = q == '"' ? Tok::String : Tok::Char;
      t.pos = i;
      t.text = s.substr(i, j - i);
      t.value = std::move(v);
      out.push_back(std::move(t));
      i = j;
      continue;
    }
    default:
      break;
    }
    if (c == '.' && n == '.') {
      push(Tok::DotDot, i, 2);
      continue;
    }
    if (!word_char(c)) {
      err = {std::string("unexpected character '") + c + "'", i};
      return false;
    }
    size_t j = i;
    while (j < s.size() && word_char(s[j])) {
      if (s[j] == '.' && j + 1 < s.size() && s[j + 1] == '.') break; // "0..2" in a set
      ++j;
    }
    push(keyword(s.substr(i, j - i)), i, j - i);
  }
  Token end;
  end.kind = Tok::End;
  end.pos = s.size();
  out.push_back(std::move(end));
  return true;
}

} // namespace ps::filter
