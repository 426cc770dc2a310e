// ami::Message: one AMI message (action, response or event) as an ordered list of headers.
//
// AMI is a line protocol of `Key: Value` headers ended by a blank line. Order matters to real
// clients (the first line says whether it is an Event or a Response) and keys may repeat
// (Variable:, Output:, ChanVariable:), so a Message keeps every header in arrival order. Keys
// compare case-insensitively, as Asterisk's astman_get_header() does.
//
// Storage: all key and value bytes live in one std::string and headers are offset pairs into it,
// so a parsed message costs two allocations however many headers it has, and lookups hand out
// string_views that stay valid until the message is modified.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telephony::ami {

// ASCII case-insensitive equality (AMI keys and action names are ASCII).
bool iequals(std::string_view a, std::string_view b) noexcept;

// Asterisk's C escaping of free-text event values (ast_escape_c): BEL BS FF LF CR TAB VT \ ' " ?
// become \a \b \f \n \r \t \v \\ \' \" \?. Asterisk applies it to VarSet's Value and to
// CallerIDName, ConnectedLineName and ChanVariable values of every channel snapshot; clients
// written against Asterisk unescape exactly those (other free-text fields, such as Newexten's
// AppData or UserEvent headers, go out as they are). Returns `s` itself when nothing needs
// escaping (no allocation), else a view of `storage`.
std::string_view escape_c(std::string_view s, std::string& storage);
// The inverse, for clients: every backslash escape above back to its character.
std::string unescape_c(std::string_view s);

struct HeaderView {
  std::string_view key;
  std::string_view value;
};

class Message {
 public:
  Message() = default;
  // Convenience for tests and handlers: Message{{"Action", "Ping"}, {"ActionID", "1"}}.
  Message(std::initializer_list<std::pair<std::string_view, std::string_view>> headers);

  // Appends a header, keeping any earlier header of the same key.
  Message& add(std::string_view key, std::string_view value);
  // Replaces the value of the first header named `key` (and drops later duplicates), or appends.
  Message& set(std::string_view key, std::string_view value);
  // Removes every header named `key`; returns how many were removed.
  std::size_t remove(std::string_view key);

  // First value of `key`, if present.
  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Value of `key` or `fallback` when absent.
  std::string_view get_or(std::string_view key, std::string_view fallback = {}) const noexcept;
  // Every value of `key` in order.
  std::vector<std::string_view> get_all(std::string_view key) const;
  bool has(std::string_view key) const noexcept { return get(key).has_value(); }

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  HeaderView at(std::size_t i) const noexcept;
  std::vector<HeaderView> headers() const;

  // The first header decides what a message is, exactly as clients decide it on the wire; a
  // message whose first header is neither is an action if it carries Action anywhere.
  bool is_response() const noexcept;
  bool is_event() const noexcept;
  // Value of Action / Event / Response (empty when absent).
  std::string_view action() const noexcept { return get_or("Action"); }
  std::string_view event() const noexcept { return get_or("Event"); }
  std::string_view response() const noexcept { return get_or("Response"); }
  std::string_view action_id() const noexcept { return get_or("ActionID"); }

  void clear() noexcept;
  void reserve(std::size_t headers, std::size_t bytes);

  bool operator==(const Message& other) const;

 private:
  friend class Parser;
  struct Field {
    std::uint32_t key_off, key_len, value_off, value_len;
  };
  std::string_view key_of(const Field& f) const noexcept { return {text_.data() + f.key_off, f.key_len}; }
  std::string_view value_of(const Field& f) const noexcept {
    return {text_.data() + f.value_off, f.value_len};
  }

  std::string text_;
  std::vector<Field> fields_;
};

}  // namespace telephony::ami
