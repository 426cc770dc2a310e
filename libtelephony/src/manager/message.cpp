#include "telephony/manager/message.hpp"

#include <algorithm>

namespace telephony::ami {

namespace {
inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

namespace {
// The characters ast_escape_c() escapes, and the letter each becomes.
constexpr std::string_view kEscaped = "\a\b\f\n\r\t\v\\'\"?";
constexpr std::string_view kEscapeLetters = "abfnrtv\\'\"?";
}  // namespace

std::string_view escape_c(std::string_view s, std::string& storage) {
  if (s.find_first_of(kEscaped) == std::string_view::npos) return s;
  storage.clear();
  storage.reserve(s.size() + 8);
  for (char c : s) {
    const auto i = kEscaped.find(c);
    if (i == std::string_view::npos) {
      storage += c;
    } else {
      storage += '\\';
      storage += kEscapeLetters[i];
    }
  }
  return storage;
}

std::string unescape_c(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      if (auto k = kEscapeLetters.find(s[i + 1]); k != std::string_view::npos) {
        out += kEscaped[k];
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

Message::Message(std::initializer_list<std::pair<std::string_view, std::string_view>> headers) {
  for (const auto& [k, v] : headers) add(k, v);
}

Message& Message::add(std::string_view key, std::string_view value) {
  // Views into our own storage would dangle if append() reallocates: copy those first.
  auto inside = [&](std::string_view v) {
    return !v.empty() && v.data() >= text_.data() && v.data() < text_.data() + text_.size();
  };
  if (inside(key) || inside(value)) {
    const std::string k(key), v(value);
    return add(std::string_view(k), std::string_view(v));
  }
  Field f{};
  f.key_off = static_cast<std::uint32_t>(text_.size());
  f.key_len = static_cast<std::uint32_t>(key.size());
  text_.append(key);
  f.value_off = static_cast<std::uint32_t>(text_.size());
  f.value_len = static_cast<std::uint32_t>(value.size());
  text_.append(value);
  fields_.push_back(f);
  return *this;
}

Message& Message::set(std::string_view key, std::string_view value) {
  auto it = std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(key_of(f), key); });
  if (it == fields_.end()) return add(key, value);
  // The old bytes stay in text_ unreferenced: cheaper than compacting, and set() is rare.
  const std::size_t index = static_cast<std::size_t>(it - fields_.begin());
  const std::string copy(value);  // value may point into text_, which append can reallocate
  fields_[index].value_off = static_cast<std::uint32_t>(text_.size());
  fields_[index].value_len = static_cast<std::uint32_t>(copy.size());
  text_.append(copy);
  auto first_dup = std::remove_if(fields_.begin() + static_cast<std::ptrdiff_t>(index) + 1, fields_.end(),
                                  [&](const Field& f) { return iequals(key_of(f), key); });
  fields_.erase(first_dup, fields_.end());
  return *this;
}

std::size_t Message::remove(std::string_view key) {
  const auto before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(key_of(f), key); }),
                fields_.end());
  return before - fields_.size();
}

std::optional<std::string_view> Message::get(std::string_view key) const noexcept {
  for (const auto& f : fields_)
    if (iequals(key_of(f), key)) return value_of(f);
  return std::nullopt;
}

std::string_view Message::get_or(std::string_view key, std::string_view fallback) const noexcept {
  auto v = get(key);
  return v ? *v : fallback;
}

std::vector<std::string_view> Message::get_all(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_)
    if (iequals(key_of(f), key)) out.push_back(value_of(f));
  return out;
}

HeaderView Message::at(std::size_t i) const noexcept { return {key_of(fields_[i]), value_of(fields_[i])}; }

std::vector<HeaderView> Message::headers() const {
  std::vector<HeaderView> out;
  out.reserve(fields_.size());
  for (const auto& f : fields_) out.push_back({key_of(f), value_of(f)});
  return out;
}

bool Message::is_response() const noexcept { return !fields_.empty() && iequals(key_of(fields_[0]), "Response"); }
bool Message::is_event() const noexcept { return !fields_.empty() && iequals(key_of(fields_[0]), "Event"); }

void Message::clear() noexcept {
  text_.clear();
  fields_.clear();
}

void Message::reserve(std::size_t headers, std::size_t bytes) {
  fields_.reserve(headers);
  text_.reserve(bytes);
}

bool Message::operator==(const Message& other) const {
  if (size() != other.size()) return false;
  for (std::size_t i = 0; i < size(); ++i) {
    auto a = at(i), b = other.at(i);
    if (a.key != b.key || a.value != b.value) return false;
  }
  return true;
}

}  // namespace telephony::ami
