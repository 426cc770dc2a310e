// Conditional blocks: If, ElseIf, Else, EndIf, ExitIf.
//
// Blocks are matched like While loops: by scanning the extension's priorities after the current
// one and counting nested If/EndIf, so nothing is stored between priorities except which ElseIf
// a false condition jumped to. A branch that runs to its end (reaching its ElseIf or Else)
// leaves the block — Asterisk's app_if instead falls into the next ElseIf and evaluates it
// unless the branch ends with ExitIf; ExitIf still works here (docs/compatibility.md).
#include <strings.h>

#include "apps/dialplan_apps.hpp"
#include "telephony/dialplan/executor.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {

bool is_app(const Priority& p, const char* name) { return ::strcasecmp(p.app.c_str(), name) == 0; }

// The next priority at this block's level (after the current one) that runs `app` (ElseIf,
// Else), stopping at the block's EndIf; with app == nullptr, the EndIf itself. 0: none.
int find_in_block(const Execution& x, const char* app) {
  const Extension* ext = x.current_extension();
  if (!ext) return 0;
  int depth = 1;
  for (const auto& p : ext->priorities) {
    if (p.number <= x.location().priority) continue;
    if (is_app(p, "If")) {
      ++depth;
    } else if (is_app(p, "EndIf")) {
      if (--depth == 0) return app ? 0 : p.number;
    } else if (app && depth == 1 && is_app(p, app)) {
      return p.number;
    }
  }
  return 0;
}

// Which ElseIf a false condition jumped to: that ElseIf evaluates its condition; one reached by
// running off the end of the previous branch leaves the block.
struct IfJump {
  DialplanLocation target;
};

AppResult leave_block(Execution& x, std::string_view app) {
  const int end = find_in_block(x, nullptr);
  if (end == 0) {
    x.engine().log().warning("pbx", "Couldn't find matching EndIf? (" + std::string(app) + " at " + x.location().context +
                                        "," + x.location().exten + "," + std::to_string(x.location().priority) + ")");
    return AppResult::Hangup;
  }
  x.jump(x.location().context, x.location().exten, end + 1);
  return AppResult::Continue;
}

// The condition was false: on to the next ElseIf (which tests its own), past the Else, or past
// the EndIf.
AppResult next_branch(Execution& x, std::string_view app) {
  const auto here = x.location();
  const int end = find_in_block(x, nullptr);
  if (end == 0) return leave_block(x, app);
  if (int elseif = find_in_block(x, "ElseIf"); elseif > 0 && elseif < end) {
    auto jump = std::static_pointer_cast<IfJump>(
        x.channel().datastore_or_create("app-if-jump", [] { return std::make_shared<IfJump>(); }));
    jump->target = DialplanLocation{here.context, here.exten, elseif};
    x.jump(here.context, here.exten, elseif);
    return AppResult::Continue;
  }
  if (int otherwise = find_in_block(x, "Else"); otherwise > 0 && otherwise < end) {
    x.jump(here.context, here.exten, otherwise + 1);
    return AppResult::Continue;
  }
  x.jump(here.context, here.exten, end + 1);
  return AppResult::Continue;
}

bool jumped_here(Execution& x) {
  auto jump = std::static_pointer_cast<IfJump>(x.channel().datastore("app-if-jump"));
  if (!jump) return false;
  const auto& here = x.location();
  const bool hit = jump->target.priority == here.priority && jump->target.exten == here.exten &&
                   jump->target.context == here.context;
  jump->target = {};
  return hit;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args),
                       {"If", "ElseIf", "Else", "EndIf", "ExitIf", "GotoIf", "While"}};
}

}  // namespace

void register_conditional_applications(Engine& engine) {
  add_application(engine, "If",
                  doc("Start an if branch.", "If(expr)",
                      "Starts an If block, which ends at the matching EndIf (blocks may nest). When expr is true the "
                      "priorities after If run; when false, execution continues at the block's next ElseIf (which "
                      "tests its own expression), else after its Else, else after its EndIf. A branch that reaches its "
                      "ElseIf or Else leaves the block. An If without a matching EndIf hangs up with a warning.",
                      {{"expr", "condition, usually $[...]"}}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    co_return condition_true(data) ? AppResult::Continue : next_branch(x, "If");
                  });
  add_application(engine, "ElseIf",
                  doc("Start an else if branch.", "ElseIf(expr)",
                      "Starts an optional ElseIf branch: runs when every earlier If/ElseIf of the block was false and "
                      "expr is true. Reached at the end of an earlier (true) branch, it leaves the block.",
                      {{"expr", "condition"}}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    if (!jumped_here(x)) co_return leave_block(x, "ElseIf");
                    co_return condition_true(data) ? AppResult::Continue : next_branch(x, "ElseIf");
                  });
  add_application(engine, "Else",
                  doc("Define an optional else branch.", "Else()",
                      "Starts the Else branch, run when every If and ElseIf of the block was false. Reached at the end "
                      "of an earlier branch, it leaves the block.",
                      {}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> { co_return leave_block(x, "Else"); });
  add_application(engine, "EndIf",
                  doc("End an if branch.", "EndIf()", "Ends the block begun by the matching If().", {}),
                  [](Execution&, std::string_view) -> asio::awaitable<AppResult> { co_return AppResult::Continue; });
  add_application(engine, "ExitIf",
                  doc("End an If branch.", "ExitIf()",
                      "Leaves the innermost If block at once, whether or not its branch has completed: execution "
                      "continues after the matching EndIf.",
                      {}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> { co_return leave_block(x, "ExitIf"); });
}

}  // namespace telephony::dialplan
