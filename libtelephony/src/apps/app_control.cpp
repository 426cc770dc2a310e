// Control flow: Goto, GotoIf, GotoIfTime, ExecIf, ExecIfTime, Gosub, GosubIf, Return, StackPop,
// While, EndWhile, ExitWhile, ContinueWhile.
#include <strings.h>

#include "apps/dialplan_apps.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}
void warn(Execution& x, const std::string& msg) { x.engine().log().warning("pbx", msg); }
}  // namespace

bool condition_true(std::string_view text) {
  text = trim(text);
  if (text.empty()) return false;
  std::size_t i = 0;
  bool neg = false;
  if (text[0] == '-' || text[0] == '+') {
    neg = text[0] == '-';
    i = 1;
  }
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return true;
  long long v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && v < 1000000000LL; ++i) v = v * 10 + (text[i] - '0');
  return (neg ? -v : v) != 0;
}

RawSplit split_raw_once(std::string_view text, char sep) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c == '(' || c == '[') ++depth;
    else if ((c == ')' || c == ']') && depth > 0) --depth;
    else if (c == sep && depth == 0) return {std::string(text.substr(0, i)), std::string(text.substr(i + 1)), true};
  }
  return {std::string(text), {}, false};
}

std::pair<std::string, std::string> split_app_call(std::string_view text) {
  text = trim(text);
  auto open = text.find('(');
  if (open == std::string_view::npos) return {std::string(text), {}};
  auto close = text.rfind(')');
  std::string_view data = close != std::string_view::npos && close > open ? text.substr(open + 1, close - open - 1)
                                                                          : text.substr(open + 1);
  return {std::string(trim(text.substr(0, open))), std::string(data)};
}

namespace {

asio::awaitable<AppResult> do_goto(Execution& x, std::string_view target) {
  if (auto r = x.jump_to(target); !r) {
    warn(x, "Goto (" + std::string(target) + ") failed: " + r.error().message);
    co_return AppResult::Hangup;
  }
  const auto to = x.location();
  x.engine().log().verbose(3, "pbx", "Goto (" + to.context + "," + to.exten + "," + std::to_string(to.priority) + ")");
  co_return AppResult::Continue;
}

// "cond?a:b" -> the chosen branch (empty when that branch is not given). nullopt: no '?'.
std::optional<std::string> choose_branch(std::string_view data, bool (*test)(std::string_view)) {
  auto q = data.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto branches = split_raw_once(data.substr(q + 1), ':');
  return test(data.substr(0, q)) ? branches.first : branches.second;
}

bool time_condition(std::string_view spec) {
  auto w = TimeWindow::parse(trim(spec));
  return w && w->contains(std::chrono::system_clock::now());
}

asio::awaitable<AppResult> do_gosub(Execution& x, std::string_view data) {
  auto [label, args] = split_gosub_target(data);
  auto to = x.resolve_target(label);
  if (!to) {
    warn(x, "Gosub (" + std::string(data) + ") failed: " + to.error().message);
    co_return AppResult::Hangup;
  }
  if (!x.exists(to->context, to->exten, to->priority)) {
    x.engine().log().error("pbx", "Attempt to reach a non-existent destination for Gosub: (Context:" + to->context +
                                      ", Extension:" + to->exten + ", Priority:" + std::to_string(to->priority) + ")");
    co_return AppResult::Hangup;
  }
  auto here = x.location();
  x.push_gosub({here.context, here.exten, here.priority + 1}, args);
  x.jump(to->context, to->exten, to->priority);
  co_return AppResult::Continue;
}

// The EndWhile matching the While at the current priority, counting nested While/EndWhile pairs.
int find_end_while(const Execution& x) {
  const Extension* ext = x.current_extension();
  if (!ext) return 0;
  int depth = 0;
  for (const auto& p : ext->priorities) {
    if (p.number <= x.location().priority) continue;
    if (iequals(p.app, "While")) ++depth;
    else if (iequals(p.app, "EndWhile")) {
      if (depth == 0) return p.number;
      --depth;
    }
  }
  return 0;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

const std::pair<std::string, std::string> kLabelArg{
    "label", "[[context,]extension,]priority — priority is a number, +N/-N relative to the current one, or a label"};
const std::pair<std::string, std::string> kTimeArgs{
    "times,weekdays,mdays,months[,timezone]",
    "hh:mm-hh:mm, sun-sat, 1-31, jan-dec; * for any; lists joined with &; ranges may wrap"};

}  // namespace

void register_control_applications(Engine& engine) {
  add_application(engine, "Goto",
                  doc("Jump to a particular priority, extension, or context.", "Goto([[context,]extensionname,]priority)",
                      "Sets the channel to continue at the given priority (or label) of the given extension and context. "
                      "A target that cannot be resolved (unknown label) hangs the channel up, as in Asterisk; an extension "
                      "that does not exist is handled by the PBX loop (`i`).",
                      {kLabelArg}, {"GotoIf", "GotoIfTime", "Gosub", "Macro"}),
                  [](Execution& x, std::string_view data) { return do_goto(x, data); });

  add_application(engine, "GotoIf",
                  doc("Conditional goto.", "GotoIf(condition?[labeliftrue]:[labeliffalse])",
                      "Jumps to labeliftrue when the condition is true (non-empty and not a zero number), to labeliffalse "
                      "otherwise. A missing branch continues at the next priority.",
                      {{"condition", "usually $[...]"}, kLabelArg}, {"Goto", "GotoIfTime", "GosubIf", "ExecIf"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto branch = choose_branch(data, condition_true);
                    if (!branch) {
                      warn(x, "GotoIf requires an argument (condition?label1:label2), got '" + std::string(data) + "'");
                      co_return AppResult::Continue;
                    }
                    if (trim(*branch).empty()) co_return AppResult::Continue;
                    co_return co_await do_goto(x, *branch);
                  });

  add_application(engine, "GotoIfTime",
                  doc("Conditional Goto based on the current time.",
                      "GotoIfTime(times,weekdays,mdays,months[,timezone]?[labeliftrue][:labeliffalse])",
                      "Jumps to labeliftrue when the current time is inside the window, else to labeliffalse.",
                      {kTimeArgs, kLabelArg}, {"GotoIf", "ExecIfTime", "Goto"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto branch = choose_branch(data, time_condition);
                    if (!branch) {
                      warn(x, "GotoIfTime requires an argument: <time range>,<days of week>,<days of month>,<months>[,<timezone>]?[[context,]extension,]priority");
                      co_return AppResult::Continue;
                    }
                    if (trim(*branch).empty()) co_return AppResult::Continue;
                    co_return co_await do_goto(x, *branch);
                  });

  auto exec_if = [](bool (*test)(std::string_view)) {
    return [test](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
      auto parts = split_raw_once(data, '?');
      if (!parts.found) {
        warn(x, "ExecIf requires an argument: expr?app(args)[:app(args)], got '" + std::string(data) + "'");
        co_return AppResult::Continue;
      }
      auto apps = split_raw_once(parts.second, ':');
      std::string chosen = test(parts.first) ? apps.first : apps.second;
      if (trim(chosen).empty()) co_return AppResult::Continue;
      auto [app, args] = split_app_call(chosen);
      co_return co_await x.run_application(app, args);
    };
  };
  add_application(engine, "ExecIf",
                  doc("Executes dialplan application, conditionally.", "ExecIf(expression?appiftrue(args)[:appiffalse(args)])",
                      "Runs appiftrue when the expression is true, else appiffalse if given; returns what that application "
                      "returns.",
                      {{"expression", "condition"}, {"appiftrue(args)", "application and its arguments"}},
                      {"ExecIfTime", "GotoIf"}),
                  exec_if(condition_true));
  add_application(engine, "ExecIfTime",
                  doc("Conditional application execution based on the current time.",
                      "ExecIfTime(times,weekdays,mdays,months[,timezone]?appname[(appargs)])",
                      "Runs the application when the current time is inside the window.", {kTimeArgs},
                      {"ExecIf", "GotoIfTime"}),
                  exec_if(time_condition));

  add_application(engine, "Gosub",
                  doc("Jump to label, saving return address.", "Gosub([[context,]exten,]priority[(arg1[,...][,argN])])",
                      "Jumps to the label, saving the next priority as the return address for Return. Arguments become "
                      "${ARG1}..${ARGn} and ${ARGC}, local to the subroutine. A destination that does not exist hangs up.",
                      {kLabelArg, {"argN", "arguments, available as ${ARGn}"}},
                      {"GosubIf", "Return", "StackPop", "LOCAL", "LOCAL_PEEK", "STACK_PEEK"}),
                  [](Execution& x, std::string_view data) { return do_gosub(x, data); });

  add_application(engine, "GosubIf",
                  doc("Conditionally jump to label, saving return address.",
                      "GosubIf(condition?labeliftrue[(args)][:labeliffalse[(args)]])",
                      "Gosub to the first label when the condition is true, else to the second (if given).",
                      {{"condition", "usually $[...]"}, kLabelArg}, {"Gosub", "Return", "GotoIf"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto parts = split_raw_once(data, '?');
                    if (!parts.found) {
                      warn(x, "GosubIf requires an argument: condition?label1(args):label2(args)");
                      co_return AppResult::Continue;
                    }
                    auto labels = split_raw_once(parts.second, ':');
                    std::string chosen = condition_true(parts.first) ? labels.first : labels.second;
                    if (trim(chosen).empty()) co_return AppResult::Continue;
                    co_return co_await do_gosub(x, chosen);
                  });

  add_application(engine, "Return",
                  doc("Return from gosub routine.", "Return([value])",
                      "Returns to the priority after the last Gosub, restoring the LOCAL variables of the subroutine, and "
                      "sets ${GOSUB_RETVAL} to value. Return with an empty stack hangs up.",
                      {{"value", "return value, in ${GOSUB_RETVAL}"}}, {"Gosub", "StackPop"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto frame = x.pop_gosub();
                    if (!frame) {
                      x.engine().log().error("pbx", "Return without Gosub: stack is empty");
                      co_return AppResult::Hangup;
                    }
                    x.channel().set_variable("GOSUB_RETVAL", std::string(data));
                    x.jump(frame->return_to.context, frame->return_to.exten, frame->return_to.priority);
                    co_return AppResult::Continue;
                  });

  add_application(engine, "StackPop",
                  doc("Remove one address from gosub stack.", "StackPop()",
                      "Removes the last Gosub return address (and its LOCAL variables) without jumping.", {},
                      {"Return", "Gosub"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    if (!x.pop_gosub()) warn(x, "Simulated return with empty stack");
                    co_return AppResult::Continue;
                  });

  add_application(engine, "While",
                  doc("Start a while loop.", "While(expr)",
                      "Runs the priorities up to the matching EndWhile while expr is true; when false, continues after "
                      "the matching EndWhile (nested loops are matched by counting While/EndWhile in the extension).",
                      {{"expr", "condition"}}, {"EndWhile", "ExitWhile", "ContinueWhile"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto here = x.location();
                    auto& stack = x.while_stack();
                    auto it = std::find_if(stack.begin(), stack.end(), [&](const WhileFrame& f) {
                      return f.while_priority == here.priority && f.exten == here.exten && f.context == here.context;
                    });
                    if (it == stack.end()) {
                      int end = find_end_while(x);
                      if (end == 0) {
                        warn(x, "Couldn't find matching EndWhile? (While at " + here.context + "," + here.exten + "," +
                                    std::to_string(here.priority) + ")");
                        co_return AppResult::Hangup;
                      }
                      stack.push_back(WhileFrame{here.context, here.exten, here.priority, end});
                      it = stack.end() - 1;
                    } else {
                      stack.erase(it + 1, stack.end());  // inner loops left by a jump
                    }
                    if (condition_true(data)) co_return AppResult::Continue;
                    int end = it->end_priority;
                    stack.erase(it);
                    x.jump(here.context, here.exten, end + 1);
                    co_return AppResult::Continue;
                  });

  add_application(engine, "EndWhile",
                  doc("End a while loop.", "EndWhile()", "Returns to the matching While, which tests its condition again.",
                      {}, {"While", "ExitWhile", "ContinueWhile"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    auto& stack = x.while_stack();
                    if (stack.empty()) {
                      warn(x, "EndWhile without While at " + x.location().context + "," + x.location().exten);
                      co_return AppResult::Continue;
                    }
                    auto top = stack.back();
                    x.jump(top.context, top.exten, top.while_priority);
                    co_return AppResult::Continue;
                  });

  add_application(engine, "ExitWhile",
                  doc("End a While loop.", "ExitWhile()", "Leaves the innermost While loop: continues after its EndWhile.",
                      {}, {"While", "EndWhile", "ContinueWhile"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    auto& stack = x.while_stack();
                    if (stack.empty()) {
                      warn(x, "ExitWhile outside a While loop");
                      co_return AppResult::Continue;
                    }
                    auto top = stack.back();
                    stack.pop_back();
                    x.jump(top.context, top.exten, top.end_priority + 1);
                    co_return AppResult::Continue;
                  });

  add_application(engine, "ContinueWhile",
                  doc("Restart a While loop.", "ContinueWhile()",
                      "Returns to the innermost While, which tests its condition again.", {},
                      {"While", "EndWhile", "ExitWhile"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    auto& stack = x.while_stack();
                    if (stack.empty()) {
                      warn(x, "ContinueWhile outside a While loop");
                      co_return AppResult::Continue;
                    }
                    auto top = stack.back();
                    x.jump(top.context, top.exten, top.while_priority);
                    co_return AppResult::Continue;
                  });
}

}  // namespace telephony::dialplan
