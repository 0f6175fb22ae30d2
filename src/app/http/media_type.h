// The dissector tshark 4.0 hands an HTTP body to, chosen by the Content-Type's media type (its
// "media_type" table), and what that dissector adds to the Info column and frame.protocols.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace ps::app {

enum class BodyKind : uint8_t {
  Media,     // no registered dissector: "media", Info " (type)"
  TextLines, // "data-text-lines": Line-based text data, Info " (type)"
  Json,      // "json": Info ", JavaScript Object Notation (type)", Protocol HTTP/JSON
  Xml,       // "xml": Info unchanged, Protocol HTTP/XML
  Form,      // "urlencoded-form": Info " (type)"
  Jfif,      // "image-jfif": Info " (JPEG JFIF image)"
  Png,       // "png": Info " (PNG)" (when the body starts with the PNG signature)
  Gif,       // "image-gif": Info " (GIF87a)" / " (GIF89a)" (when the body starts with it)
};

// The media type of a Content-Type value, without parameters or surrounding blanks.
inline std::string_view media_type_of(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t' || ct.back() == '\r')) ct.remove_suffix(1);
  return ct;
}

inline bool media_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lo = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lo(x) == lo(y);
         });
}

// `head` is the start of the (de-chunked) body: image dissectors refuse a body without their signature,
// and tshark then falls back to "media".
inline BodyKind body_kind(std::string_view content_type, std::string_view head) {
  std::string_view t = media_type_of(content_type);
  auto is = [&](std::string_view x) { return media_iequals(t, x); };
  auto ends = [&](std::string_view x) {
    return t.size() >= x.size() && media_iequals(t.substr(t.size() - x.size()), x);
  };
  if (is("application/json") || is("application/json-rpc") || is("application/jsonrequest"))
    return BodyKind::Json;
  if (is("text/xml") || is("application/xml") || ends("+xml")) return BodyKind::Xml;
  if (is("application/x-www-form-urlencoded")) return BodyKind::Form;
  if (is("image/jpeg") || is("image/jpg") || is("image/jpe") || is("image/pjpeg")) return BodyKind::Jfif;
  if (is("image/png")) return head.starts_with("\x89PNG\r\n\x1a\n") ? BodyKind::Png : BodyKind::Media;
  if (is("image/gif"))
    return head.starts_with("GIF87a") || head.starts_with("GIF89a") ? BodyKind::Gif : BodyKind::Media;
  if (t.size() >= 5 && media_iequals(t.substr(0, 5), "text/")) return BodyKind::TextLines;
  if (is("application/x-javascript") || is("application/x-ns-proxy-autoconfig")) return BodyKind::TextLines;
  return BodyKind::Media;
}

// Body bytes the HTTP parser keeps for the tree: whole text bodies (up to the message limit), only the
// signature of the others.
inline bool body_kept_whole(BodyKind k) {
  return k == BodyKind::TextLines || k == BodyKind::Json || k == BodyKind::Xml || k == BodyKind::Form;
}

inline std::string_view body_protocol(BodyKind k) {
  switch (k) {
  case BodyKind::TextLines:
    return "data-text-lines";
  case BodyKind::Json:
    return "json";
  case BodyKind::Xml:
    return "xml";
  case BodyKind::Form:
    return "urlencoded-form";
  case BodyKind::Jfif:
    return "image-jfif";
  case BodyKind::Png:
    return "png";
  case BodyKind::Gif:
    return "image-gif";
  case BodyKind::Media:
    break;
  }
  return "media";
}

} // namespace ps::app
