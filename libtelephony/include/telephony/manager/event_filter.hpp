// manager::EventFilter: which events a session receives (manager.conf eventfilter=, Action: Filter).
//
// Two syntaxes, as Asterisk 21 documents them:
//  - legacy: `eventfilter = <regex>` includes events whose text matches the POSIX extended regex;
//    a leading '!' makes it an exclude filter. The text is the whole serialised event.
//  - advanced: `eventfilter(action(include|exclude),name(<Event>),header(<Header>),
//    method(regex|exact|starts_with|ends_with|contains|none)) = <pattern>`; every part optional;
//    name() compares the event name (case-insensitive); header() applies the pattern to that
//    header's values instead of the whole text; method(none) matches on name alone.
// FilterSet applies them: no filters -> everything passes; includes present -> at least one must
// match; any matching exclude drops the event (includes are checked first, then excludes).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/manager/message.hpp"
#include "telephony/result.hpp"

namespace telephony::manager {

class EventFilter {
 public:
  enum class Method { Regex, Exact, StartsWith, EndsWith, Contains, None };

  // `criteria` is what sits between "eventfilter" and '=' (empty for the legacy form, else
  // "(action(...),...)"); `pattern` is the value after '='. Errors name the bad part.
  static Result<EventFilter> parse(std::string_view criteria, std::string_view pattern);
  // One line as the Filter action's Filter: header carries it: a legacy regex (optionally '!'),
  // or "action(...),name(...)...=pattern" / "(action(...)...)=pattern" in the advanced form.
  static Result<EventFilter> parse_line(std::string_view line);

  bool is_exclude() const noexcept { return exclude_; }
  // The filter as configured (a legacy regex with its '!', or "eventfilter(...) = pattern").
  const std::string& text() const noexcept { return text_; }
  // `text` is the serialised event (Writer output) the legacy form matches against.
  bool matches(const ami::Message& event, std::string_view text) const;

 private:
  struct Regex;
  bool match_value(std::string_view value) const;

  bool exclude_ = false;
  Method method_ = Method::Regex;
  std::string name_;
  std::string header_;
  std::string pattern_;
  std::string text_;
  std::shared_ptr<const Regex> regex_;  // shared: filters are copied into every session at login
};

class FilterSet {
 public:
  void add(EventFilter f);
  bool empty() const noexcept { return includes_.empty() && excludes_.empty(); }
  bool accepts(const ami::Message& event, std::string_view text) const;
  // Every filter's text, includes first (FilterList).
  std::vector<std::string> describe() const;

 private:
  std::vector<EventFilter> includes_;
  std::vector<EventFilter> excludes_;
};

}  // namespace telephony::manager
