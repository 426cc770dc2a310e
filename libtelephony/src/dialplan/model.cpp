// The dialplan snapshot: building it (DialplanBuilder) and searching it (Dialplan::find & co).
#include <algorithm>
#include <map>

#include "telephony/dialplan/dialplan.hpp"

namespace telephony::dialplan {

// --- Extension / Context -------------------------------------------------------------------------

const Priority* Extension::find(int number) const {
  auto it = std::lower_bound(priorities.begin(), priorities.end(), number,
                             [](const Priority& p, int n) { return p.number < n; });
  return it != priorities.end() && it->number == number ? &*it : nullptr;
}

const Priority* Extension::find_label(std::string_view label) const {
  for (const auto& p : priorities)
    if (!p.label.empty() && p.label == label) return &p;
  return nullptr;
}

bool Extension::accepts_caller(std::string_view caller_number) const {
  return !cid_pattern || cid_pattern->match(caller_number).match;
}

std::size_t Context::extension_count() const {
  std::size_t n = 0;
  for (const auto& g : groups) n += g.variants.size();
  return n;
}

std::size_t Context::priority_count() const {
  std::size_t n = 0;
  for (const auto& g : groups)
    for (const auto& v : g.variants) n += v.priorities.size() + (v.hint ? 1 : 0);
  return n;
}

// --- searching ---------------------------------------------------------------------------------

struct Dialplan::Query {
  Question question;
  std::string_view exten;
  int priority = 0;
  std::string_view label;
  std::string_view caller;
  std::chrono::system_clock::time_point now;
  Found found;
};

const Context* Dialplan::context(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &contexts_[it->second];
}

bool Dialplan::search(const Context& ctx, Query& q, std::vector<const Context*>& visited) const {
  if (std::find(visited.begin(), visited.end(), &ctx) != visited.end()) return false;
  visited.push_back(&ctx);
  auto try_group = [&](const ExtensionGroup& g) {
    for (const auto& v : g.variants) {
      if (!v.accepts_caller(q.caller)) continue;
      const Priority* p = q.question == Question::kLabel ? v.find_label(q.label) : v.find(q.priority);
      if (p) {
        q.found = Found{&ctx, &v, p};
        return true;
      }
    }
    return false;
  };
  switch (q.question) {
    case Question::kPriority:
    case Question::kLabel: {
      // Fast path: the best match usually has the priority; only walk every match otherwise.
      auto first = ctx.index.find_first(q.exten);
      if (first == PatternIndex::kNone) break;
      if (try_group(ctx.groups[first])) return true;
      bool skip_first = true;
      for (auto i : ctx.index.find_all(q.exten)) {
        if (skip_first && i == first) {
          skip_first = false;
          continue;
        }
        if (try_group(ctx.groups[i])) return true;
      }
      break;
    }
    case Question::kCanMatch:
      if (ctx.index.can_match(q.exten)) {
        q.found.context = &ctx;
        return true;
      }
      break;
    case Question::kMatchMore:
      if (ctx.index.match_more(q.exten)) {
        q.found.context = &ctx;
        return true;
      }
      break;
  }
  for (const auto& inc : ctx.includes) {
    if (inc.window && !inc.window->contains(q.now)) continue;
    if (const Context* c = context(inc.context); c && search(*c, q, visited)) return true;
  }
  return false;
}

std::optional<Found> Dialplan::find(std::string_view context_name, std::string_view exten, int priority,
                                    std::string_view caller, std::chrono::system_clock::time_point now) const {
  const Context* c = context(context_name);
  if (!c) return std::nullopt;
  Query q{Question::kPriority, exten, priority, {}, caller, now, {}};
  std::vector<const Context*> visited;
  if (search(*c, q, visited)) return q.found;
  return std::nullopt;
}

std::optional<Found> Dialplan::find_label(std::string_view context_name, std::string_view exten,
                                          std::string_view label, std::string_view caller,
                                          std::chrono::system_clock::time_point now) const {
  const Context* c = context(context_name);
  if (!c) return std::nullopt;
  Query q{Question::kLabel, exten, 0, label, caller, now, {}};
  std::vector<const Context*> visited;
  if (search(*c, q, visited)) return q.found;
  return std::nullopt;
}

bool Dialplan::can_match(std::string_view context_name, std::string_view exten, std::string_view caller) const {
  const Context* c = context(context_name);
  if (!c) return false;
  Query q{Question::kCanMatch, exten, 0, {}, caller, std::chrono::system_clock::now(), {}};
  std::vector<const Context*> visited;
  return search(*c, q, visited);
}

bool Dialplan::match_more(std::string_view context_name, std::string_view exten, std::string_view caller) const {
  const Context* c = context(context_name);
  if (!c) return false;
  Query q{Question::kMatchMore, exten, 0, {}, caller, std::chrono::system_clock::now(), {}};
  std::vector<const Context*> visited;
  return search(*c, q, visited);
}

// --- building ----------------------------------------------------------------------------------

namespace {
struct PatternLess {
  bool operator()(const Pattern& a, const Pattern& b) const { return compare(a, b) < 0; }
};
}  // namespace

struct DialplanBuilder::State {
  std::unique_ptr<Dialplan> plan = std::make_unique<Dialplan>();
  // Per context: extension pattern -> index into Context::groups.
  std::vector<std::map<Pattern, std::size_t, PatternLess>> groups;
  bool built = false;

  Context& context(std::string_view name) {
    auto it = plan->by_name_.find(std::string(name));
    if (it != plan->by_name_.end()) return plan->contexts_[it->second];
    plan->by_name_.emplace(std::string(name), plan->contexts_.size());
    groups.emplace_back();
    auto& c = plan->contexts_.emplace_back();
    c.name = std::string(name);
    return c;
  }
  std::size_t index_of(const Context& c) const { return static_cast<std::size_t>(&c - plan->contexts_.data()); }

  // The extension for `text` ("100", "_X./_2XX") in `c`, created when missing.
  Result<Extension*> extension(Context& c, std::string_view text, const config::Location& where, bool create) {
    auto key = parse_extension_key(text, where.file.empty() ? std::string_view() : std::string_view(where.to_string()));
    if (!key) return Unexpected<Error>{Error{"extension '" + std::string(text) + "': " + key.error().message, where.to_string()}};
    auto& table = groups[index_of(c)];
    auto it = table.find(key->exten);
    if (it == table.end()) {
      if (!create) return static_cast<Extension*>(nullptr);
      it = table.emplace(key->exten, c.groups.size()).first;
      c.groups.push_back(ExtensionGroup{key->exten, {}});
    }
    auto& group = c.groups[it->second];
    for (auto& v : group.variants) {
      bool same_cid = key->caller_id ? (v.cid_pattern && compare(*v.cid_pattern, *key->caller_id) == 0) : !v.cid_pattern;
      if (same_cid) return &v;
    }
    if (!create) return static_cast<Extension*>(nullptr);
    Extension e;
    auto slash = text.find('/');
    e.name = std::string(text.substr(0, slash));
    if (key->caller_id) e.cid = std::string(text.substr(slash + 1));
    e.cid_pattern = key->caller_id;
    e.where = where;
    // Caller-ID variants go before the plain one so that they are tried first.
    auto pos = group.variants.end();
    if (e.cid_pattern)
      pos = std::find_if(group.variants.begin(), group.variants.end(), [](const Extension& x) { return !x.cid_pattern; });
    return &*group.variants.insert(pos, std::move(e));
  }
};

DialplanBuilder::DialplanBuilder() : state_(std::make_unique<State>()) {}
DialplanBuilder::~DialplanBuilder() = default;
DialplanBuilder::DialplanBuilder(DialplanBuilder&&) noexcept = default;
DialplanBuilder& DialplanBuilder::operator=(DialplanBuilder&&) noexcept = default;

void DialplanBuilder::add_context(std::string_view name, config::Location where, std::string_view registrar) {
  auto& c = state_->context(name);
  if (c.where.file.empty()) c.where = std::move(where);
  c.registrar = std::string(registrar);
}

Result<void> DialplanBuilder::add_priority(std::string_view context, std::string_view exten, Priority p) {
  if (p.number < 1) return fail("priority must be a number >= 1 (got " + std::to_string(p.number) + ")", p.where.to_string());
  if (p.app.empty()) return fail("no application for priority " + std::to_string(p.number), p.where.to_string());
  auto& c = state_->context(context);
  auto ext = state_->extension(c, exten, p.where, true);
  if (!ext) return Unexpected<Error>{ext.error()};
  Extension& e = **ext;
  auto it = std::lower_bound(e.priorities.begin(), e.priorities.end(), p.number,
                             [](const Priority& a, int n) { return a.number < n; });
  if (it != e.priorities.end() && it->number == p.number)
    return fail("duplicate priority " + std::to_string(p.number) + " of extension '" + std::string(exten) +
                    "' in context '" + std::string(context) + "' (first defined at " + it->where.to_string() + ")",
                p.where.to_string());
  if (!p.label.empty()) {
    if (const Priority* other = e.find_label(p.label))
      return fail("duplicate label '" + p.label + "' in extension '" + std::string(exten) + "' of context '" +
                      std::string(context) + "' (first used at " + other->where.to_string() + ")",
                  p.where.to_string());
  }
  e.priorities.insert(it, std::move(p));
  return {};
}

Result<void> DialplanBuilder::add_hint(std::string_view context, std::string_view exten, std::string hint,
                                       config::Location where) {
  auto& c = state_->context(context);
  auto ext = state_->extension(c, exten, where, true);
  if (!ext) return Unexpected<Error>{ext.error()};
  if ((*ext)->hint)
    return fail("duplicate hint for extension '" + std::string(exten) + "' in context '" + std::string(context) + "'",
                where.to_string());
  (*ext)->hint = std::move(hint);
  return {};
}

Result<void> DialplanBuilder::add_include(std::string_view context, std::string_view spec, config::Location where) {
  auto cut = spec.find_first_of(",|");
  Include inc;
  inc.text = std::string(spec);
  inc.where = where;
  inc.context = std::string(spec.substr(0, cut));
  while (!inc.context.empty() && (inc.context.back() == ' ' || inc.context.back() == '\t')) inc.context.pop_back();
  if (inc.context.empty()) return fail("include without a context name", where.to_string());
  if (cut != std::string_view::npos) {
    auto w = TimeWindow::parse(spec.substr(cut + 1));
    if (!w) return fail("include '" + inc.context + "': " + w.error().message, where.to_string());
    inc.window = std::move(*w);
  }
  auto& c = state_->context(context);
  for (const auto& other : c.includes)
    if (other.text == inc.text) return {};  // Asterisk ignores a repeated identical include
  c.includes.push_back(std::move(inc));
  return {};
}

void DialplanBuilder::add_ignore_pattern(std::string_view context, std::string pattern) {
  state_->context(context).ignore_patterns.push_back(std::move(pattern));
}

void DialplanBuilder::add_switch(std::string_view context, Switch sw) {
  state_->context(context).switches.push_back(std::move(sw));
}

void DialplanBuilder::set_global(std::string name, std::string value) {
  auto& g = state_->plan->globals_;
  for (auto& kv : g)
    if (kv.first == name) {
      kv.second = std::move(value);
      return;
    }
  g.emplace_back(std::move(name), std::move(value));
}

GeneralOptions& DialplanBuilder::general() { return state_->plan->general_; }

void DialplanBuilder::warn(Error e) { state_->plan->warnings_.push_back(std::move(e)); }

int DialplanBuilder::last_priority(std::string_view context, std::string_view exten) const {
  auto& c = state_->context(context);
  auto ext = state_->extension(c, exten, {}, false);
  if (!ext || !*ext || (*ext)->priorities.empty()) return 0;
  return (*ext)->priorities.back().number;
}

int DialplanBuilder::label_priority(std::string_view context, std::string_view exten, std::string_view label) const {
  auto& c = state_->context(context);
  auto ext = state_->extension(c, exten, {}, false);
  if (!ext || !*ext) return 0;
  const Priority* p = (*ext)->find_label(label);
  return p ? p->number : 0;
}

std::shared_ptr<const Dialplan> DialplanBuilder::build() {
  auto plan = std::move(state_->plan);
  state_ = std::make_unique<State>();
  if (!plan) plan = std::make_unique<Dialplan>();
  for (auto& c : plan->contexts_) {
    std::vector<Pattern> patterns;
    patterns.reserve(c.groups.size());
    for (const auto& g : c.groups) patterns.push_back(g.pattern);
    c.index = PatternIndex(patterns);
  }
  return std::shared_ptr<const Dialplan>(std::move(plan));
}

}  // namespace telephony::dialplan
