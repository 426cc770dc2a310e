// ami::Writer: serialises messages exactly as `Key: Value\r\n` ... `\r\n`.
//
// Appends into a caller-owned std::string so a server can serialise an event once and share the
// bytes between sessions. A CR or LF inside a key or value would end the line early and let one
// header forge others (header injection); they are written as spaces. A header with an empty key
// (a raw line kept by the Parser) is written as its value alone.
#pragma once

#include <string>
#include <string_view>

#include "telephony/manager/message.hpp"

namespace telephony::ami {

class Writer {
 public:
  static void header(std::string& out, std::string_view key, std::string_view value);
  static void end(std::string& out) { out.append("\r\n", 2); }
  static void write(std::string& out, const Message& m);
  static std::string to_string(const Message& m) {
    std::string s;
    write(s, m);
    return s;
  }
};

}  // namespace telephony::ami
