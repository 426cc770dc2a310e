// Execution state: location and jumps, variables (builtins -> channel -> globals), the Gosub
// stack with its LOCAL variables, and the global variable table.
#include <ctime>

#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
bool all_digits(std::string_view s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string_view::npos;
}
}  // namespace

// --- GlobalVariables ---------------------------------------------------------------------------

std::optional<std::string> GlobalVariables::get(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

void GlobalVariables::set(std::string_view name, std::string value) {
  std::lock_guard lock(mu_);
  if (value.empty()) {
    if (auto it = values_.find(name); it != values_.end()) values_.erase(it);
    return;
  }
  values_.insert_or_assign(std::string(name), std::move(value));
}

void GlobalVariables::clear() {
  std::lock_guard lock(mu_);
  values_.clear();
}

std::vector<std::pair<std::string, std::string>> GlobalVariables::list() const {
  std::lock_guard lock(mu_);
  return {values_.begin(), values_.end()};
}

// --- resolver ----------------------------------------------------------------------------------

class ExecutionResolver : public VariableResolver {
 public:
  explicit ExecutionResolver(Execution& e) : exec_(e) {}
  std::optional<std::string> variable(std::string_view name) const override { return exec_.variable(name); }
  std::optional<std::string> function(std::string_view name, std::string_view args) const override {
    Engine& eng = exec_.engine();
    auto fn = eng.functions().find(name);
    if (!fn || !fn->read) {
      eng.log().warning("pbx", "Function '" + std::string(name) + "' not registered" + (fn ? " for reading" : ""));
      return std::nullopt;
    }
    auto r = fn->read(FunctionCall{eng, &exec_.channel(), name, args});
    if (!r) {
      eng.log().warning("pbx", std::string(name) + "(" + std::string(args) + "): " + r.error().to_string());
      return std::nullopt;
    }
    return std::move(*r);
  }

 private:
  Execution& exec_;
};

Execution::Execution(DialplanPbx& pbx, Channel::Ptr chan)
    : pbx_(pbx), chan_(std::move(chan)), plan_(pbx.snapshot()), loc_(chan_->location()),
      resolver_(std::make_unique<ExecutionResolver>(*this)) {
  pbx_.attach(*chan_, this);
}

Execution::~Execution() { pbx_.detach(*chan_); }

Engine& Execution::engine() { return pbx_.engine(); }

std::string Execution::caller_number() const { return chan_->caller().number; }

bool Execution::exists(std::string_view context, std::string_view exten, int priority) const {
  return pbx_.snapshot()->exists(context, exten, priority, caller_number());
}

bool Execution::match_more(std::string_view context, std::string_view exten) const {
  return pbx_.snapshot()->match_more(context, exten, caller_number());
}

std::string Execution::substitute(std::string_view text) const { return dialplan::substitute(text, *resolver_); }

const VariableResolver& Execution::resolver() const { return *resolver_; }

std::optional<std::string> Execution::builtin(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  switch (name[0]) {
    case 'E':
      if (name == "EXTEN") return loc_.exten;
      if (name == "EPOCH") return std::to_string(std::time(nullptr));
      break;
    case 'C':
      if (name == "CONTEXT") return loc_.context;
      if (name == "CHANNEL") return chan_->name();
      if (name == "CALLERID") return chan_->caller().to_string();
      if (name == "CALLERIDNUM") return chan_->caller().number;
      if (name == "CALLERIDNAME") return chan_->caller().name;
      if (name == "CALLINGPRES") return std::to_string(chan_->caller().presentation);
      break;
    case 'P':
      if (name == "PRIORITY") return std::to_string(loc_.priority);
      break;
    case 'U':
      if (name == "UNIQUEID") return chan_->uniqueid();
      break;
    case 'L':
      if (name == "LINKEDID") return chan_->linkedid();
      if (name == "LANGUAGE") return chan_->language();
      break;
    case 'H':
      if (name == "HANGUPCAUSE") return std::to_string(static_cast<int>(chan_->hangup_cause()));
      if (name == "HINT" || name == "HINTNAME") {
        const Extension* e = found_.extension;
        if (name == "HINT" && e && e->hint) return *e->hint;
        return std::string();
      }
      break;
    case 'S':
      if (name == "SYSTEMNAME") return pbx_.engine().options().system_name;
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::optional<std::string> Execution::variable(std::string_view name) const {
  if (auto b = builtin(name)) return b;
  if (auto v = chan_->variable(name)) return v;
  return pbx_.globals().get(name);
}

Result<void> Execution::assign(std::string_view name, std::string value) {
  name = trim(name);
  if (name.empty()) return fail("empty variable name");
  auto open = name.find('(');
  if (open != std::string_view::npos && name.back() == ')') {
    auto fname = name.substr(0, open);
    auto args = name.substr(open + 1, name.size() - open - 2);
    auto fn = engine().functions().find(fname);
    if (!fn) return fail("Function '" + std::string(fname) + "' not registered");
    if (!fn->write) return fail("Function '" + std::string(fname) + "' cannot be written to");
    return fn->write(FunctionCall{engine(), chan_.get(), fname, args}, value);
  }
  chan_->set_variable(name, std::move(value));
  return {};
}

// --- jumps -------------------------------------------------------------------------------------

void Execution::jump(std::string context, std::string exten, int priority) {
  loc_ = DialplanLocation{std::move(context), std::move(exten), priority};
  jumped_ = true;
  found_ = {};
  plan_ = pbx_.snapshot();
  chan_->set_location(loc_);
}

void Execution::resume_at(DialplanLocation loc, std::shared_ptr<const Dialplan> plan) {
  loc_ = std::move(loc);
  plan_ = plan ? std::move(plan) : pbx_.snapshot();
  jumped_ = false;
  chan_->set_location(loc_);
  locate();
}

Result<DialplanLocation> Execution::resolve_target(std::string_view target) const {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  for (;;) {
    auto comma = target.find(',', pos);
    parts.push_back(trim(target.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos)));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (parts.size() > 3) return fail("too many arguments in goto target '" + std::string(target) + "'");
  DialplanLocation to = loc_;
  std::string_view prio = parts.back();
  if (parts.size() == 3) {
    if (!parts[0].empty()) to.context = std::string(parts[0]);
    if (!parts[1].empty()) to.exten = std::string(parts[1]);
  } else if (parts.size() == 2) {
    if (!parts[0].empty()) to.exten = std::string(parts[0]);
  }
  if (prio.empty()) return fail("goto target '" + std::string(target) + "' has no priority");
  if ((prio[0] == '+' || prio[0] == '-') && all_digits(prio.substr(1))) {
    int n = std::stoi(std::string(prio.substr(1)));
    to.priority = loc_.priority + (prio[0] == '+' ? n : -n);
  } else if (all_digits(prio)) {
    to.priority = std::stoi(std::string(prio));
  } else {
    auto f = pbx_.snapshot()->find_label(to.context, to.exten, prio, caller_number());
    if (!f) return fail("Priority '" + std::string(prio) + "' must be a number > 0, or valid label (in " + to.exten + "@" +
                        to.context + ")");
    to.priority = f->priority->number;
  }
  if (to.priority < 1) return fail("Priority '" + std::string(prio) + "' must be a number > 0, or valid label");
  return to;
}

Result<void> Execution::jump_to(std::string_view target) {
  auto to = resolve_target(target);
  if (!to) return Unexpected<Error>{to.error()};
  jump(std::move(to->context), std::move(to->exten), to->priority);
  return {};
}

// --- Gosub ---------------------------------------------------------------------------------------

std::pair<std::string, std::vector<std::string>> split_gosub_target(std::string_view text) {
  auto open = text.find('(');
  if (open == std::string_view::npos) return {std::string(trim(text)), {}};
  auto close = text.rfind(')');
  std::string_view inside = close != std::string_view::npos && close > open ? text.substr(open + 1, close - open - 1)
                                                                            : text.substr(open + 1);
  std::vector<std::string> args;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < inside.size(); ++i) {
    char c = inside[i];
    if (c == '\\' && i + 1 < inside.size()) {
      cur += c;
      cur += inside[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    else if (!quoted && (c == '(' || c == '[')) ++depth;
    else if (!quoted && (c == ')' || c == ']') && depth > 0) --depth;
    else if (!quoted && depth == 0 && c == ',') {
      args.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  args.push_back(std::move(cur));
  if (args.size() == 1 && args[0].empty() && inside.empty()) args.clear();
  return {std::string(trim(text.substr(0, open))), std::move(args)};
}

void Execution::push_gosub(DialplanLocation return_to, const std::vector<std::string>& args, bool nested) {
  int outer_argc = 0;
  if (!gosub_.empty()) outer_argc = gosub_.back().argc;
  gosub_.push_back(GosubFrame{std::move(return_to), nested, static_cast<int>(args.size()), {}});
  for (std::size_t i = 0; i < args.size(); ++i) (void)set_local("ARG" + std::to_string(i + 1), args[i]);
  (void)set_local("ARGC", std::to_string(args.size()));
  for (int i = static_cast<int>(args.size()); i < outer_argc; ++i) (void)set_local("ARG" + std::to_string(i + 1), "");
}

Result<void> Execution::set_local(std::string_view name, std::string value) {
  if (gosub_.empty())
    return fail("Tried to set LOCAL(" + std::string(name) + "), but we aren't within a Gosub routine");
  auto& frame = gosub_.back();
  bool known = false;
  for (const auto& s : frame.saved)
    if (s.first == name) known = true;
  if (!known) frame.saved.emplace_back(std::string(name), chan_->variable(name));
  chan_->set_variable(name, std::move(value));
  return {};
}

std::optional<GosubFrame> Execution::pop_gosub() {
  if (gosub_.empty()) return std::nullopt;
  GosubFrame frame = std::move(gosub_.back());
  gosub_.pop_back();
  for (auto it = frame.saved.rbegin(); it != frame.saved.rend(); ++it) {
    if (it->second) chan_->set_variable(it->first, *it->second);
    else chan_->unset_variable(it->first);
  }
  return frame;
}

asio::awaitable<Result<std::string>> Execution::run_subroutine(std::string_view target) {
  auto [label, args] = split_gosub_target(target);
  auto to = resolve_target(label);
  if (!to) co_return Unexpected<Error>{to.error()};
  if (!exists(to->context, to->exten, to->priority))
    co_return fail("Attempt to reach a non-existent destination for Gosub: (Context:" + to->context +
                   ", Extension:" + to->exten + ", Priority:" + std::to_string(to->priority) + ")");
  const DialplanLocation home = loc_;
  const auto keep = plan_;
  push_gosub(home, args, true);
  const std::size_t depth = gosub_.size();
  jump(to->context, to->exten, to->priority);
  jumped_ = false;
  bool hung_up = false;
  while (gosub_.size() >= depth) {
    if (!locate()) break;
    AppResult r = co_await execute_current();
    if (r == AppResult::Hangup || chan_->hangup_requested()) {
      hung_up = true;
      break;
    }
    advance();
  }
  while (gosub_.size() >= depth) pop_gosub();
  resume_at(home, keep);
  if (hung_up) co_return fail("channel hung up in subroutine " + label);
  co_return chan_->variable("GOSUB_RETVAL").value_or("");
}

}  // namespace telephony::dialplan
