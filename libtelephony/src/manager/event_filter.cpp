#include "telephony/manager/event_filter.hpp"

#include <regex.h>

namespace telephony::manager {

// POSIX extended regex, as Asterisk compiles filters; compiled once per filter definition.
struct EventFilter::Regex {
  regex_t re{};
  bool ok = false;
  ~Regex() {
    if (ok) regfree(&re);
  }
};

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
bool starts_with_criterion(std::string_view s) {
  for (std::string_view k : {"action(", "name(", "header(", "method("})
    if (s.substr(0, k.size()) == k) return true;
  return false;
}
}  // namespace

Result<EventFilter> EventFilter::parse(std::string_view criteria, std::string_view pattern) {
  EventFilter f;
  criteria = trim(criteria);
  pattern = trim(pattern);
  f.text_ = criteria.empty() ? std::string(pattern) : "eventfilter" + std::string(criteria) + " = " + std::string(pattern);
  if (criteria.empty()) {
    if (!pattern.empty() && pattern.front() == '!') {
      f.exclude_ = true;
      pattern.remove_prefix(1);
    }
  } else {
    if (criteria.front() == '(') {
      if (criteria.back() != ')') return fail("unbalanced parentheses in eventfilter criteria", std::string(criteria));
      criteria = criteria.substr(1, criteria.size() - 2);
    }
    while (!criteria.empty()) {
      const auto open = criteria.find('(');
      const auto close = criteria.find(')');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return fail("expected name(value) in eventfilter criteria", std::string(criteria));
      const std::string_view key = trim(criteria.substr(0, open));
      const std::string_view val = trim(criteria.substr(open + 1, close - open - 1));
      if (key == "action") {
        if (val == "include") f.exclude_ = false;
        else if (val == "exclude") f.exclude_ = true;
        else return fail("action must be include or exclude, not '" + std::string(val) + "'", "eventfilter");
      } else if (key == "name") {
        f.name_ = val;
      } else if (key == "header") {
        f.header_ = val;
        if (!f.header_.empty() && f.header_.back() == ':') f.header_.pop_back();
      } else if (key == "method") {
        if (val == "regex") f.method_ = Method::Regex;
        else if (val == "exact") f.method_ = Method::Exact;
        else if (val == "starts_with") f.method_ = Method::StartsWith;
        else if (val == "ends_with") f.method_ = Method::EndsWith;
        else if (val == "contains") f.method_ = Method::Contains;
        else if (val == "none") f.method_ = Method::None;
        else return fail("unknown method '" + std::string(val) + "'", "eventfilter");
      } else {
        return fail("unknown eventfilter criterion '" + std::string(key) + "'", "eventfilter");
      }
      criteria.remove_prefix(close + 1);
      criteria = trim(criteria);
      if (!criteria.empty() && criteria.front() == ',') criteria.remove_prefix(1);
      criteria = trim(criteria);
    }
  }
  f.pattern_ = pattern;
  if (f.method_ == Method::Regex) {
    auto rx = std::make_shared<Regex>();
    const int rc = regcomp(&rx->re, f.pattern_.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char msg[256];
      regerror(rc, &rx->re, msg, sizeof msg);
      return fail("bad regular expression '" + f.pattern_ + "': " + msg, "eventfilter");
    }
    rx->ok = true;
    f.regex_ = std::move(rx);
  }
  return f;
}

Result<EventFilter> EventFilter::parse_line(std::string_view line) {
  line = trim(line);
  if (!line.empty() && (line.front() == '(' || starts_with_criterion(line))) {
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return fail("advanced filter needs '= pattern'", std::string(line));
    return parse(line.substr(0, eq), line.substr(eq + 1));
  }
  return parse({}, line);
}

bool EventFilter::match_value(std::string_view value) const {
  switch (method_) {
    case Method::None: return true;
    case Method::Exact: return value == pattern_;
    case Method::StartsWith: return value.substr(0, pattern_.size()) == pattern_;
    case Method::EndsWith:
      return value.size() >= pattern_.size() && value.substr(value.size() - pattern_.size()) == pattern_;
    case Method::Contains: return value.find(pattern_) != std::string_view::npos;
    case Method::Regex: {
      // regexec needs a NUL-terminated string; values are short, events are a few hundred bytes.
      const std::string copy(value);
      return regexec(&regex_->re, copy.c_str(), 0, nullptr, 0) == 0;
    }
  }
  return false;
}

bool EventFilter::matches(const ami::Message& event, std::string_view text) const {
  if (!name_.empty() && !ami::iequals(event.event(), name_)) return false;
  if (header_.empty()) return method_ == Method::None || match_value(text);
  if (method_ == Method::None) return event.has(header_);
  for (std::size_t i = 0; i < event.size(); ++i) {
    auto h = event.at(i);
    if (ami::iequals(h.key, header_) && match_value(h.value)) return true;
  }
  return false;
}

void FilterSet::add(EventFilter f) { (f.is_exclude() ? excludes_ : includes_).push_back(std::move(f)); }

std::vector<std::string> FilterSet::describe() const {
  std::vector<std::string> out;
  for (const auto& f : includes_) out.push_back(f.text());
  for (const auto& f : excludes_) out.push_back(f.text());
  return out;
}

bool FilterSet::accepts(const ami::Message& event, std::string_view text) const {
  if (!includes_.empty()) {
    bool any = false;
    for (const auto& f : includes_)
      if ((any = f.matches(event, text))) break;
    if (!any) return false;
  }
  for (const auto& f : excludes_)
    if (f.matches(event, text)) return false;
  return true;
}

}  // namespace telephony::manager
