#include "telephony/spool/call_file.hpp"

#include <array>
#include <charconv>

namespace telephony::spool {
namespace {

enum class Key {
  Unknown, Channel, CallerId, MaxRetries, RetryTime, WaitTime, Account, Context, Extension,
  Priority, Application, Data, Set, AlwaysDelete, Archive, Codecs, EarlyMedia, StartRetry,
  EndRetry, AbortRetry, DelayedRetry, Status,
};

struct KeyName {
  std::string_view name;
  Key key;
};

// Every key pbx_spool understands; AbortRetry is another way an attempt ends.
constexpr std::array<KeyName, 22> kKeys{{
    {"channel", Key::Channel},         {"callerid", Key::CallerId},
    {"maxretries", Key::MaxRetries},   {"retrytime", Key::RetryTime},
    {"waittime", Key::WaitTime},       {"account", Key::Account},
    {"context", Key::Context},         {"extension", Key::Extension},
    {"priority", Key::Priority},       {"application", Key::Application},
    {"data", Key::Data},               {"set", Key::Set},
    {"setvar", Key::Set},              {"alwaysdelete", Key::AlwaysDelete},
    {"archive", Key::Archive},         {"codecs", Key::Codecs},
    {"earlymedia", Key::EarlyMedia},   {"startretry", Key::StartRetry},
    {"endretry", Key::EndRetry},       {"abortretry", Key::AbortRetry},
    {"delayedretry", Key::DelayedRetry}, {"status", Key::Status},
}};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

Key lookup(std::string_view name) {
  for (const auto& k : kKeys)
    if (iequals(k.name, name)) return k.key;
  return Key::Unknown;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Cuts the comment off a line. `escaped` is set when a `\;` survives and must be unescaped.
std::string_view strip_comment(std::string_view line, bool& escaped) {
  escaped = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size() && line[i + 1] == ';') {
      escaped = true;
      ++i;
    } else if (c == ';') {
      return line.substr(0, i);
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

std::string unescape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ';') ++i;
    out.push_back(v[i]);
  }
  return out;
}

bool parse_int(std::string_view v, int& out) {
  int x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size()) return false;
  out = x;
  return true;
}

std::string where(std::string_view file, std::size_t line) {
  std::string w(file);
  w += ':';
  w += std::to_string(line);
  return w;
}

}  // namespace

bool call_file_true(std::string_view v) {
  for (std::string_view t : {"yes", "true", "y", "t", "1", "on"})
    if (iequals(v, t)) return true;
  return false;
}

Result<CallFile> parse_call_file(std::string_view text, std::string_view file_name) {
  CallFile cf;
  std::size_t lineno = 0;
  std::size_t channel_line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = (nl == std::string_view::npos) ? text.size() : nl + 1;
    ++lineno;

    bool escaped = false;
    std::string_view line = trim(strip_comment(raw, escaped));
    if (line.empty()) continue;

    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      auto eq = line.find('=');
      if (eq != std::string_view::npos)
        cf.warnings.push_back({"'" + std::string(trim(line.substr(0, eq))) +
                                   "=...' ignored: call files use 'Key: value'",
                               where(file_name, lineno)});
      else
        cf.warnings.push_back({"syntax error, line ignored (expected 'Key: value')",
                               where(file_name, lineno)});
      continue;
    }
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value_view = trim(line.substr(colon + 1));
    std::string value = escaped ? unescape(value_view) : std::string(value_view);

    auto bad_number = [&](int& field, int fallback, bool allow_zero) {
      int x = 0;
      if (!parse_int(value_view, x) || x < 0 || (!allow_zero && x == 0)) {
        cf.warnings.push_back({"invalid " + std::string(name) + " '" + value + "', using " +
                                   std::to_string(fallback),
                               where(file_name, lineno)});
        field = fallback;
      } else {
        field = x;
      }
    };

    switch (lookup(name)) {
      case Key::Channel:
        cf.channel = std::move(value);
        channel_line = lineno;
        break;
      case Key::CallerId: cf.callerid = std::move(value); break;
      case Key::MaxRetries: bad_number(cf.max_retries, 0, true); break;
      case Key::RetryTime: bad_number(cf.retry_time, 300, false); break;
      case Key::WaitTime: bad_number(cf.wait_time, 45, false); break;
      case Key::Account: cf.account = std::move(value); break;
      case Key::Context: cf.context = std::move(value); break;
      case Key::Extension: cf.extension = std::move(value); break;
      case Key::Priority: {
        int p = 0;
        if (parse_int(value_view, p)) {
          if (p < 1) {
            cf.warnings.push_back({"invalid Priority '" + value + "', using 1",
                                   where(file_name, lineno)});
            p = 1;
          }
          cf.priority = p;
          cf.priority_label.clear();
        } else if (!value.empty()) {
          cf.priority = 1;
          cf.priority_label = std::move(value);
        }
        break;
      }
      case Key::Application: cf.application = std::move(value); break;
      case Key::Data: cf.data = std::move(value); break;
      case Key::Set: {
        auto eq = value.find('=');
        if (eq == std::string::npos || eq == 0) {
          cf.warnings.push_back({"malformed " + std::string(name) + ": '" + value +
                                     "' (expected NAME=value)",
                                 where(file_name, lineno)});
          break;
        }
        std::string var(trim(std::string_view(value).substr(0, eq)));
        std::string val(trim(std::string_view(value).substr(eq + 1)));
        cf.variables.emplace_back(std::move(var), std::move(val));
        break;
      }
      case Key::AlwaysDelete: cf.always_delete = call_file_true(value_view); break;
      case Key::Archive: cf.archive = call_file_true(value_view); break;
      case Key::Codecs: cf.codecs = std::move(value); break;
      case Key::EarlyMedia: cf.early_media = call_file_true(value_view); break;
      case Key::StartRetry:
        ++cf.attempts;
        cf.tail = JournalTail::AttemptOpen;
        break;
      case Key::EndRetry: cf.tail = JournalTail::AttemptEnded; break;
      case Key::AbortRetry:
        // An attempt cut off by a restart has no outcome: it does not use up a retry.
        if (cf.attempts > 0) --cf.attempts;
        cf.tail = JournalTail::AttemptEnded;
        break;
      case Key::DelayedRetry: break;
      case Key::Status:
        // A verdict closes a round: attempts before it belong to an earlier use of the file.
        cf.status = std::move(value);
        cf.attempts = 0;
        cf.tail = JournalTail::Finished;
        break;
      case Key::Unknown:
        cf.warnings.push_back({"unknown keyword '" + std::string(name) + "' ignored",
                               where(file_name, lineno)});
        break;
    }
  }

  std::string eof = where(file_name, lineno == 0 ? 1 : lineno);
  if (cf.channel.empty())
    return fail("no Channel: line; a call file must name the channel to dial", eof);
  auto slash = cf.channel.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == cf.channel.size())
    return fail("Channel '" + cf.channel + "' is not Tech/Resource",
                where(file_name, channel_line));
  if (cf.application.empty() && cf.extension.empty())
    return fail("neither Application: nor Extension: given; nothing to run once the call answers",
                eof);
  if (!cf.application.empty() && !cf.extension.empty())
    cf.warnings.push_back({"both Application: and Extension: given; Application wins", eof});
  return cf;
}

}  // namespace telephony::spool
