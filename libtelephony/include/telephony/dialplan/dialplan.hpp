// Dialplan: the immutable snapshot an extensions.conf (or a host's builder calls) becomes —
// contexts with their extensions, priorities, includes, ignore patterns and switches, plus the
// [general] options and the initial [globals].
//
// A snapshot never changes once built; reload builds a new one and swaps a shared_ptr, so a call
// keeps reading the snapshot it started on until it jumps. Lookups follow Asterisk's search
// order: the context's own extensions (sort order of pattern.hpp; caller-ID variants of one
// extension before the plain one), then its switches (kept, not executed), then its includes in
// order, depth first, each context visited once per search; timed includes are tested at search
// time. DialplanBuilder is the typed way to make one; the loader (loader.hpp) uses it too, so a
// host-built plan and a loaded one behave the same.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/dialplan/matcher.hpp"
#include "telephony/dialplan/pattern.hpp"
#include "telephony/result.hpp"

namespace telephony::dialplan {

// `<times>,<weekdays>,<mdays>,<months>[,<tz>]` as in include => and GotoIfTime: each field `*`
// or a list of `&`-separated items/ranges (ranges may wrap: `22:00-06:00`, `fri-mon`). Time
// ranges include their end minute. Evaluated in the host's local time (see
// docs/dialplan-executor.md for the timezone field).
class TimeWindow {
 public:
  static Result<TimeWindow> parse(std::string_view spec);  // the four or five comma fields
  bool contains(std::chrono::system_clock::time_point t) const;
  const std::string& text() const { return text_; }
  const std::string& timezone() const { return tz_; }

 private:
  std::string text_;
  std::string tz_;
  std::vector<bool> minutes_ = std::vector<bool>(24 * 60, true);
  std::uint8_t weekdays_ = 0x7f;   // bit 0 = Sunday
  std::uint32_t mdays_ = ~0u;      // bit 1..31
  std::uint16_t months_ = 0xfff;   // bit 0 = January
};

struct Priority {
  int number = 1;
  std::string label;
  std::string app;
  std::string data;
  config::Location where;
};

// One extension (with its caller-ID filter, if any) and its priorities in ascending order.
struct Extension {
  std::string name;              // the extension as written ("_NXX", "100")
  std::string cid;               // caller-ID part as written; empty: any caller
  std::optional<Pattern> cid_pattern;
  std::optional<std::string> hint;
  std::vector<Priority> priorities;
  config::Location where;

  const Priority* find(int number) const;
  const Priority* find_label(std::string_view label) const;
  bool accepts_caller(std::string_view caller_number) const;
};

// Extensions sharing one pattern (equal per compare()): caller-ID variants first, in the order
// written, then the variant without caller ID.
struct ExtensionGroup {
  Pattern pattern;
  std::vector<Extension> variants;
};

struct Include {
  std::string context;
  std::optional<TimeWindow> window;
  std::string text;  // as written
  config::Location where;
};

struct Switch {
  std::string kind;  // "switch", "lswitch", "eswitch"
  std::string data;  // "IAX2/user@peer/context"
  config::Location where;
};

struct Context {
  std::string name;
  std::string registrar = "pbx_config";
  config::Location where;
  std::vector<ExtensionGroup> groups;  // insertion order; the index orders them for lookups
  PatternIndex index;
  std::vector<Include> includes;
  std::vector<std::string> ignore_patterns;
  std::vector<Switch> switches;

  std::size_t extension_count() const;
  std::size_t priority_count() const;
};

struct GeneralOptions {
  bool autofallthrough = true;
  bool clearglobalvars = false;
  bool extenpatternmatchnew = false;  // accepted; the compiled matcher is always used
};

// Where a lookup landed.
struct Found {
  const Context* context = nullptr;
  const Extension* extension = nullptr;
  const Priority* priority = nullptr;  // null for can_match/match_more answers
};

class Dialplan {
 public:
  const Context* context(std::string_view name) const;
  const std::vector<Context>& contexts() const { return contexts_; }
  const GeneralOptions& general() const { return general_; }
  const std::vector<std::pair<std::string, std::string>>& globals() const { return globals_; }
  // Non-fatal findings of the load (remote switches, unknown [general] keys, …).
  const std::vector<Error>& warnings() const { return warnings_; }

  // The priority that runs for context/exten/priority and caller number, searching includes.
  std::optional<Found> find(std::string_view context, std::string_view exten, int priority,
                            std::string_view caller,
                            std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;
  // A labelled priority: the first matching extension that has the label.
  std::optional<Found> find_label(std::string_view context, std::string_view exten, std::string_view label,
                                  std::string_view caller,
                                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;
  bool exists(std::string_view context, std::string_view exten, int priority, std::string_view caller) const {
    return find(context, exten, priority, caller).has_value();
  }
  // Overlap dialing: could `exten` (or a longer string) still match / would more digits match?
  bool can_match(std::string_view context, std::string_view exten, std::string_view caller) const;
  bool match_more(std::string_view context, std::string_view exten, std::string_view caller) const;

 private:
  friend class DialplanBuilder;
  enum class Question { kPriority, kLabel, kCanMatch, kMatchMore };
  struct Query;
  bool search(const Context& ctx, Query& q, std::vector<const Context*>& visited) const;

  std::vector<Context> contexts_;
  std::unordered_map<std::string, std::size_t> by_name_;
  GeneralOptions general_;
  std::vector<std::pair<std::string, std::string>> globals_;
  std::vector<Error> warnings_;
};

// Typed construction of a snapshot. Every add_* call validates what it is given and returns an
// Error naming `where` (file:line) when it refuses; the loader collects them all. build() freezes
// the contexts (compiles each context's matcher) and may be called once.
class DialplanBuilder {
 public:
  DialplanBuilder();
  ~DialplanBuilder();
  DialplanBuilder(DialplanBuilder&&) noexcept;
  DialplanBuilder& operator=(DialplanBuilder&&) noexcept;
  // Creates the context, or returns the existing one (repeated sections merge by name).
  void add_context(std::string_view name, config::Location where = {}, std::string_view registrar = "pbx_config");
  // `exten` may carry `/cid`. Refuses a duplicate priority of the same extension (patterns equal
  // per compare(), same caller-ID filter), a duplicate label, and bad patterns.
  Result<void> add_priority(std::string_view context, std::string_view exten, Priority priority);
  Result<void> add_hint(std::string_view context, std::string_view exten, std::string hint,
                        config::Location where = {});
  // `spec` is the include => value: `ctx` or `ctx,<times>,<weekdays>,<mdays>,<months>[,<tz>]`.
  Result<void> add_include(std::string_view context, std::string_view spec, config::Location where = {});
  void add_ignore_pattern(std::string_view context, std::string pattern);
  void add_switch(std::string_view context, Switch sw);
  void set_global(std::string name, std::string value);
  GeneralOptions& general();
  void warn(Error e);
  // The last priority number given to `exten` in `context` (0 if none), for `n` and `s`.
  int last_priority(std::string_view context, std::string_view exten) const;
  // Number of a label of `exten` (for priorities written as a label), 0 if unknown.
  int label_priority(std::string_view context, std::string_view exten, std::string_view label) const;

  std::shared_ptr<const Dialplan> build();

 private:
  struct State;  // pattern -> group tables used only while building
  std::unique_ptr<State> state_;
};

}  // namespace telephony::dialplan
