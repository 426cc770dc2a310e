// Macro and MacroExit: the deprecated-but-everywhere nested dialplan call. A macro runs `s` of
// context `macro-<name>` as a nested loop inside the Macro application, with MACRO_CONTEXT,
// MACRO_EXTEN, MACRO_PRIORITY, MACRO_DEPTH and ${ARGn} set; when it ends the caller's variables
// and location come back (plus ${MACRO_OFFSET}, as Asterisk).
#include <strings.h>

#include "apps/dialplan_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {

constexpr int kMaxMacroDepth = 7;  // Asterisk's default MACRO_RECURSION

bool starts_with_macro(std::string_view ctx) { return ctx.size() >= 6 && ::strncasecmp(ctx.data(), "macro-", 6) == 0; }

int to_int(const std::optional<std::string>& s, int fallback) {
  if (!s || s->empty()) return fallback;
  try {
    return std::stoi(*s);
  } catch (...) {
    return fallback;
  }
}

asio::awaitable<AppResult> run_macro(Execution& x, std::string_view data) {
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    x.engine().log().warning("pbx", "Macro() requires arguments. See \"core show application macro\" for help.");
    co_return AppResult::Continue;
  }
  Channel& chan = x.channel();
  const int depth = to_int(chan.variable("MACRO_DEPTH"), 0);
  const int max_depth = to_int(x.variable("MACRO_RECURSION"), kMaxMacroDepth);
  if (depth >= max_depth) {
    x.engine().log().error("pbx", "Macro():  possible infinite loop detected.  Returning early.");
    co_return AppResult::Continue;
  }
  const std::string macro_ctx = "macro-" + args[0];
  if (!x.exists(macro_ctx, "s", 1)) {
    x.engine().log().warning("pbx", "No such context '" + macro_ctx + "' for macro '" + args[0] + "'. Was called by " +
                                        x.location().exten + "@" + x.location().context);
    co_return AppResult::Continue;
  }

  // Save what the macro overwrites, then set its view.
  const DialplanLocation home = x.location();
  const auto home_plan = x.snapshot_ptr();
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
  auto save = [&](const std::string& name) { saved.emplace_back(name, chan.variable(name)); };
  for (const char* v : {"MACRO_EXTEN", "MACRO_CONTEXT", "MACRO_PRIORITY", "MACRO_OFFSET", "MACRO_DEPTH"}) save(v);
  for (int i = 1;; ++i) {
    std::string name = "ARG" + std::to_string(i);
    if (i < static_cast<int>(args.size()) || chan.variable(name)) save(name);
    else break;
  }
  chan.set_variable("MACRO_EXTEN", home.exten);
  chan.set_variable("MACRO_CONTEXT", home.context);
  chan.set_variable("MACRO_PRIORITY", std::to_string(home.priority));
  chan.set_variable("MACRO_DEPTH", std::to_string(depth + 1));
  for (std::size_t i = 1; i < saved.size() - 4; ++i) {
    std::string name = "ARG" + std::to_string(i);
    if (i < args.size()) chan.set_variable(name, args[i]);
    else chan.unset_variable(name);
  }
  chan.unset_variable("MACRO_OFFSET");

  ++x.macro_depth;
  x.macro_exit = false;
  x.jump(macro_ctx, "s", 1);
  AppResult result = AppResult::Continue;
  bool left = false;
  for (;;) {
    if (!x.locate()) break;
    AppResult r = co_await x.execute_current();
    if (r == AppResult::Hangup || chan.hangup_requested()) {
      result = AppResult::Hangup;
      break;
    }
    if (x.macro_exit) break;
    x.advance();
    if (!starts_with_macro(x.location().context)) {
      x.engine().log().verbose("pbx", "Channel '" + chan.name() + "' jumping out of macro '" + args[0] + "'");
      left = true;
      break;
    }
  }
  x.macro_exit = false;
  --x.macro_depth;

  const int offset = to_int(chan.variable("MACRO_OFFSET"), 0);
  const std::string macro_result = chan.variable("MACRO_RESULT").value_or("");
  for (auto& [name, value] : saved) {
    if (value) chan.set_variable(name, *value);
    else chan.unset_variable(name);
  }
  if (result == AppResult::Hangup) co_return result;
  if (macro_result == "ABORT") co_return AppResult::Hangup;
  if (macro_result.rfind("GOTO:", 0) == 0) {
    std::string target = macro_result.substr(5);
    for (auto& c : target)
      if (c == '^') c = ',';
    if (x.jump_to(target)) co_return AppResult::Continue;
  }
  if (!left) {
    DialplanLocation back = home;
    if (offset != 0 && x.exists(home.context, home.exten, home.priority + offset + 1)) back.priority += offset;
    x.resume_at(back, home_plan);
  }
  co_return AppResult::Continue;
}

}  // namespace

void register_macro_applications(Engine& engine) {
  add_application(
      engine, "Macro",
      Documentation{"Macro Implementation.", "Macro(name[,arg1[,arg2[,...]]])",
                    "Runs extension `s` of context `macro-<name>` as a nested dialplan, with ${MACRO_CONTEXT}, "
                    "${MACRO_EXTEN}, ${MACRO_PRIORITY}, ${MACRO_DEPTH} and ${ARG1}..${ARGn} set, then continues after the "
                    "Macro call (skipping ${MACRO_OFFSET} priorities when set and that priority exists). Nesting deeper "
                    "than ${MACRO_RECURSION} (default 7) is refused. ${MACRO_RESULT} ABORT hangs up; GOTO:ctx^exten^prio "
                    "jumps there. Deprecated in Asterisk in favour of Gosub.",
                    {{"name", "macro name: context macro-<name>"}, {"argN", "arguments, as ${ARGn}"}},
                    {"MacroExit", "Gosub", "Goto"}},
      run_macro);
  add_application(engine, "MacroExit",
                  Documentation{"Exit from Macro.", "MacroExit()",
                                "Ends the running macro: the caller continues after its Macro() call.", {},
                                {"Macro"}},
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    if (x.macro_depth > 0) x.macro_exit = true;
                    co_return AppResult::Continue;
                  });
}

}  // namespace telephony::dialplan
