#include "funcs/json_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace telephony::funcs {

const JsonValue* JsonValue::member(std::string_view key) const {
  auto* o = std::get_if<std::shared_ptr<JsonObject>>(&v);
  if (!o) return nullptr;
  for (const auto& [k, value] : **o)
    if (k == key) return &value;
  return nullptr;
}

const JsonValue* JsonValue::element(std::size_t i) const {
  auto* a = std::get_if<std::shared_ptr<JsonArray>>(&v);
  if (!a || i >= (*a)->size()) return nullptr;
  return &(**a)[i];
}

namespace {

class JsonParser {
 public:
  explicit JsonParser(std::string_view t) : t_(t) {}

  Result<JsonValue> document() {
    auto v = value(0);
    if (!v) return v;
    skip_space();
    if (i_ != t_.size()) return error("unexpected text after the value");
    return v;
  }

 private:
  Unexpected<Error> error(std::string what) const { return fail("JSON: " + what + " at offset " + std::to_string(i_)); }

  void skip_space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }

  bool literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Result<JsonValue> value(int depth) {
    if (depth > kMaxJsonDepth) return error("nesting deeper than " + std::to_string(kMaxJsonDepth));
    skip_space();
    if (i_ >= t_.size()) return error("unexpected end of text");
    const char c = t_[i_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      auto s = string();
      if (!s) return Unexpected<Error>{s.error()};
      return JsonValue{std::move(*s)};
    }
    if (literal("true")) return JsonValue{true};
    if (literal("false")) return JsonValue{false};
    if (literal("null")) return JsonValue{nullptr};
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return error(std::string("unexpected character '") + c + "'");
  }

  Result<JsonValue> object(int depth) {
    ++i_;  // {
    auto obj = std::make_shared<JsonObject>();
    skip_space();
    if (i_ < t_.size() && t_[i_] == '}') {
      ++i_;
      return JsonValue{obj};
    }
    for (;;) {
      skip_space();
      if (i_ >= t_.size() || t_[i_] != '"') return error("expected a string key");
      auto key = string();
      if (!key) return Unexpected<Error>{key.error()};
      skip_space();
      if (i_ >= t_.size() || t_[i_] != ':') return error("expected ':'");
      ++i_;
      auto v = value(depth + 1);
      if (!v) return v;
      // A repeated key replaces the earlier value in place (jansson's behaviour).
      auto same = std::find_if(obj->begin(), obj->end(), [&](const auto& kv) { return kv.first == *key; });
      if (same != obj->end()) same->second = std::move(*v);
      else obj->emplace_back(std::move(*key), std::move(*v));
      skip_space();
      if (i_ < t_.size() && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == '}') {
        ++i_;
        return JsonValue{obj};
      }
      return error("expected ',' or '}'");
    }
  }

  Result<JsonValue> array(int depth) {
    ++i_;  // [
    auto arr = std::make_shared<JsonArray>();
    skip_space();
    if (i_ < t_.size() && t_[i_] == ']') {
      ++i_;
      return JsonValue{arr};
    }
    for (;;) {
      auto v = value(depth + 1);
      if (!v) return v;
      arr->push_back(std::move(*v));
      skip_space();
      if (i_ < t_.size() && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == ']') {
        ++i_;
        return JsonValue{arr};
      }
      return error("expected ',' or ']'");
    }
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(std::uint32_t& out) {
    if (i_ + 4 > t_.size()) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = t_[i_ + k];
      out <<= 4;
      if (h >= '0' && h <= '9') out |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') out |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') out |= static_cast<std::uint32_t>(h - 'A' + 10);
      else return false;
    }
    i_ += 4;
    return true;
  }

  Result<std::string> string() {
    ++i_;  // opening quote
    std::string out;
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) return error("control character in a string");
      if (c != '\\') {
        out += c;
        ++i_;
        continue;
      }
      if (++i_ >= t_.size()) break;
      const char e = t_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp;
          if (!hex4(cp)) return error("bad \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low;
            if (t_.substr(i_, 2) != "\\u") return error("lone high surrogate");
            i_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return error("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return error("lone low surrogate");
          }
          put_utf8(out, cp);
          break;
        }
        default: return error(std::string("bad escape '\\") + e + "'");
      }
    }
    return error("unterminated string");
  }

  Result<JsonValue> number() {
    const std::size_t start = i_;
    bool integer = true;
    if (t_[i_] == '-') ++i_;
    if (i_ >= t_.size() || t_[i_] < '0' || t_[i_] > '9') return error("a number needs digits");
    if (t_[i_] == '0' && i_ + 1 < t_.size() && t_[i_ + 1] >= '0' && t_[i_ + 1] <= '9') return error("leading zero");
    while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
    if (i_ < t_.size() && t_[i_] == '.') {
      integer = false;
      ++i_;
      if (i_ >= t_.size() || t_[i_] < '0' || t_[i_] > '9') return error("a fraction needs digits");
      while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
    }
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      integer = false;
      ++i_;
      if (i_ < t_.size() && (t_[i_] == '+' || t_[i_] == '-')) ++i_;
      if (i_ >= t_.size() || t_[i_] < '0' || t_[i_] > '9') return error("an exponent needs digits");
      while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
    }
    const std::string text(t_.substr(start, i_ - start));
    if (integer) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno != ERANGE) return JsonValue{static_cast<std::int64_t>(v)};
    }
    errno = 0;
    const double d = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE && !std::isfinite(d)) return error("real number overflow");  // as jansson
    return JsonValue{d};
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

void dump_string(const std::string& s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void dump(const JsonValue& v, std::string& out) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[40];
          std::snprintf(buf, sizeof buf, "%.17g", x);
          std::string s = buf;
          if (std::isfinite(x) && s.find_first_of(".eE") == std::string::npos) s += ".0";
          out += s;
        } else if constexpr (std::is_same_v<T, std::string>) {
          dump_string(x, out);
        } else if constexpr (std::is_same_v<T, std::shared_ptr<JsonArray>>) {
          out += '[';
          for (std::size_t i = 0; i < x->size(); ++i) {
            if (i) out += ',';
            dump((*x)[i], out);
          }
          out += ']';
        } else {
          out += '{';
          for (std::size_t i = 0; i < x->size(); ++i) {
            if (i) out += ',';
            dump_string((*x)[i].first, out);
            out += ':';
            dump((*x)[i].second, out);
          }
          out += '}';
        }
      },
      v.v);
}

}  // namespace

Result<JsonValue> parse_json(std::string_view text) { return JsonParser(text).document(); }

std::string dump_json(const JsonValue& value) {
  std::string out;
  dump(value, out);
  return out;
}

}  // namespace telephony::funcs
