#include "telephony/manager/writer.hpp"

#include <cstring>

namespace telephony::ami {

namespace {
// Appends `s`, turning CR/LF into spaces; the common case (no CR/LF) is two memchr and one append.
void append_clean(std::string& out, std::string_view s) {
  if (std::memchr(s.data(), '\n', s.size()) == nullptr && std::memchr(s.data(), '\r', s.size()) == nullptr) {
    out.append(s);
    return;
  }
  for (char c : s) out.push_back((c == '\r' || c == '\n') ? ' ' : c);
}
}  // namespace

void Writer::header(std::string& out, std::string_view key, std::string_view value) {
  if (!key.empty()) {
    append_clean(out, key);
    out.append(": ", 2);
  } else if (value.empty()) {
    out.push_back(':');  // an empty line would end the message
  }
  append_clean(out, value);
  out.append("\r\n", 2);
}

void Writer::write(std::string& out, const Message& m) {
  for (std::size_t i = 0; i < m.size(); ++i) {
    auto h = m.at(i);
    header(out, h.key, h.value);
  }
  end(out);
}

}  // namespace telephony::ami
