// Waiting for a time or a condition: WaitUntil, WaitForCondition.
#include <cmath>
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "dialplan/substitution_wait.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::optional<double> seconds_of(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// WaitForCondition(replacementchar,expression[,timeout[,interval]]): the expression is the
// first [...] group after the replacement character (commas allowed inside), with that character
// standing for '$' so the PBX does not evaluate it before the application runs.
struct ConditionArgs {
  std::string expression;
  std::chrono::milliseconds timeout{0};   // 0: none
  std::chrono::milliseconds interval{50};
};

Result<ConditionArgs> parse_condition(std::string_view data) {
  if (data.empty()) return fail("WaitForCondition requires a condition");
  auto open = data.find('[');
  if (open == std::string_view::npos || data.find(']', open) == std::string_view::npos)
    return fail("No expression detected. Did you forget to replace the $ signs?");
  const char rep = data[0];
  if (std::string_view("$[]{}").find(rep) != std::string_view::npos)
    return fail(std::string("Dollar sign replacement cannot be ") + rep + ".");
  if (data.size() < 3 || data[1] != ',') return fail(std::string("Invalid separator: ") + (data.size() > 1 ? data[1] : ' '));
  if (data[2] != rep) return fail(std::string("Expression start does not match provided replacement: ") + data[2]);
  std::size_t i = 2;
  int depth = 0;
  for (++i; i < data.size(); ++i) {
    if (data[i] == '[') ++depth;
    else if (data[i] == ']' && --depth == 0) break;
  }
  if (i >= data.size()) return fail("Could not parse end of expression.");
  ConditionArgs out;
  out.expression = std::string(data.substr(2, i - 1));
  for (auto& c : out.expression)
    if (c == rep) c = '$';
  std::string_view rest = data.substr(i + 1);
  if (!rest.empty() && rest[0] == ',') rest.remove_prefix(1);
  auto opts = split_args(rest);
  if (!opts.empty() && !opts[0].empty()) {
    auto t = seconds_of(opts[0]);
    if (!t) return fail("Invalid timeout provided: " + opts[0]);
    out.timeout = std::chrono::milliseconds(static_cast<long long>(*t * 1000.0));
  }
  if (opts.size() > 1 && !opts[1].empty()) {
    auto p = seconds_of(opts[1]);
    if (!p) return fail("Invalid polling interval provided: " + opts[1]);
    if (*p < 0.001) return fail("Polling interval cannot be less than 1ms.");
    out.interval = std::chrono::milliseconds(static_cast<long long>(*p * 1000.0));
  }
  return out;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

}  // namespace

void register_wait_applications(Engine& engine) {
  add_application(engine, "WaitUntil",
                  doc("Wait (sleep) until the current time is the given epoch.", "WaitUntil(epoch)",
                      "Waits until the given epoch (fractions allowed). ${WAITUNTILSTATUS}: OK, FAILURE (invalid "
                      "argument), HANGUP (hung up before), PAST (the time had already passed).",
                      {{"epoch", "seconds since 1970"}}, {"Wait", "WaitForCondition"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    Channel& chan = x.channel();
                    auto when = seconds_of(data);
                    if (!when) {
                      x.engine().log().warning("pbx", "WaitUntil requires a numeric argument (epoch), got '" + std::string(data) + "'");
                      chan.set_variable("WAITUNTILSTATUS", "FAILURE");
                      co_return AppResult::Continue;
                    }
                    const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
                    if (*when < now) {
                      x.engine().log().notice("pbx", "WaitUntil called in the past (now " + std::to_string(static_cast<long long>(now)) +
                                                         ", arg " + std::to_string(static_cast<long long>(*when)) + ")");
                      chan.set_variable("WAITUNTILSTATUS", "PAST");
                      co_return AppResult::Continue;
                    }
                    const auto wait = std::chrono::milliseconds(static_cast<long long>((*when - now) * 1000.0));
                    const bool ok = co_await chan.sleep(wait);
                    chan.set_variable("WAITUNTILSTATUS", ok ? "OK" : "HANGUP");
                    co_return ok ? AppResult::Continue : AppResult::Hangup;
                  });
  add_application(engine, "WaitForCondition",
                  doc("Wait (sleep) until the given condition is true.",
                      "WaitForCondition(replacementchar,expression[,timeout[,interval]])",
                      "Waits until expression evaluates to true, checking every interval seconds (default 0.05) for up "
                      "to timeout seconds (default: no timeout). In expression, replacementchar stands for '$' so that "
                      "it is evaluated by the application, not before: WaitForCondition(#,#[\"#{condition}\"=\"1\"],40,0.5). "
                      "${WAITFORCONDITIONSTATUS}: TRUE, FAILURE (invalid argument), TIMEOUT, HANGUP.",
                      {{"replacementchar", "character replacing $"}, {"expression", "#[...] expression"},
                       {"timeout", "seconds"}, {"interval", "seconds between checks"}},
                      {"WaitUntil", "While"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    Channel& chan = x.channel();
                    auto args = parse_condition(data);
                    if (!args) {
                      x.engine().log().warning("pbx", "WaitForCondition: " + args.error().message);
                      chan.set_variable("WAITFORCONDITIONSTATUS", "FAILURE");
                      co_return AppResult::Continue;
                    }
                    const auto start = std::chrono::steady_clock::now();
                    for (;;) {
                      const std::string value = co_await substitute_waiting(x, args->expression);
                      if (condition_true(value)) {
                        chan.set_variable("WAITFORCONDITIONSTATUS", "TRUE");
                        co_return AppResult::Continue;
                      }
                      auto wait = args->interval;
                      if (args->timeout.count() > 0) {
                        const auto left = args->timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                              std::chrono::steady_clock::now() - start);
                        if (left.count() <= 0) {
                          chan.set_variable("WAITFORCONDITIONSTATUS", "TIMEOUT");
                          co_return AppResult::Continue;
                        }
                        wait = std::min(wait, left);
                      }
                      if (!co_await chan.sleep(wait)) {
                        chan.set_variable("WAITFORCONDITIONSTATUS", "HANGUP");
                        co_return AppResult::Hangup;
                      }
                    }
                  });
}

}  // namespace telephony::dialplan
