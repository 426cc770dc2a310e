// Functions that read or write executor state: GLOBAL, LOCAL, LOCAL_PEEK, STACK_PEEK, EXCEPTION,
// TIMEOUT. They find the channel's Execution through the DialplanPbx, which only hands it out on
// the channel's own strand (where the dialplan runs); elsewhere they report a clear error.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::dialplan {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::shared_ptr<DialplanPbx> pbx_of(const FunctionCall& call) {
  return std::dynamic_pointer_cast<DialplanPbx>(call.engine.pbx());
}

Result<Execution*> execution(const FunctionCall& call) {
  auto pbx = pbx_of(call);
  if (!pbx || !call.channel) return fail(std::string(call.name) + " needs a channel running the dialplan");
  Execution* x = pbx->execution_of(*call.channel);
  if (!x) return fail(std::string(call.name) + ": channel " + call.channel->name() + " is not running the dialplan here");
  return x;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

std::optional<int> small_int(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  return std::stoi(std::string(s));
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

}  // namespace

void register_dialplan_functions(Engine& engine) {
  add_function(
      engine, "GLOBAL",
      doc("Gets or sets the global variable specified.", "GLOBAL(varname)",
          "Reads or writes a global variable (shared by every channel; [globals] of extensions.conf gives the initial "
          "values). Writing an empty value removes it.",
          {{"varname", "global variable name"}}, {"LOCAL", "Set"}),
      [](const FunctionCall& call) -> Result<std::string> {
        auto pbx = pbx_of(call);
        if (!pbx) return fail("GLOBAL: no dialplan is loaded");
        return pbx->globals().get(trim(call.args)).value_or("");
      },
      [](const FunctionCall& call, std::string_view value) -> Result<void> {
        auto pbx = pbx_of(call);
        if (!pbx) return fail("GLOBAL: no dialplan is loaded");
        if (trim(call.args).empty()) return fail("GLOBAL requires a variable name");
        pbx->set_global(trim(call.args), std::string(value));
        return {};
      });

  add_function(
      engine, "LOCAL",
      doc("Manage variables local to the gosub stack frame.", "LOCAL(varname)",
          "Reading gives the variable's value. Writing makes it local to the current Gosub frame: Return restores the "
          "value it had before. Writing outside a Gosub is an error.",
          {{"varname", "variable name"}}, {"Gosub", "LOCAL_PEEK", "Return"}),
      [](const FunctionCall& call) -> Result<std::string> {
        if (!call.channel) return fail("LOCAL needs a channel");
        return call.channel->variable(trim(call.args)).value_or("");
      },
      [](const FunctionCall& call, std::string_view value) -> Result<void> {
        auto x = execution(call);
        if (!x) return Unexpected<Error>{x.error()};
        return (*x)->set_local(trim(call.args), std::string(value));
      });

  add_function(
      engine, "LOCAL_PEEK",
      doc("Retrieve variables hidden by the local gosub stack frame.", "LOCAL_PEEK(n,varname)",
          "The value varname has n Gosub levels up (0: the current value).",
          {{"n", "stack levels to look up"}, {"varname", "variable name"}}, {"LOCAL", "STACK_PEEK"}),
      [](const FunctionCall& call) -> Result<std::string> {
        auto x = execution(call);
        if (!x) return Unexpected<Error>{x.error()};
        auto comma = call.args.find(',');
        if (comma == std::string_view::npos) return fail("LOCAL_PEEK requires parameters n and varname");
        auto n = small_int(call.args.substr(0, comma));
        if (!n) return fail("LOCAL_PEEK: invalid level '" + std::string(call.args.substr(0, comma)) + "'");
        std::string name(trim(call.args.substr(comma + 1)));
        std::optional<std::string> value = call.channel->variable(name);
        auto& stack = (*x)->gosub_stack();
        for (int i = 0; i < *n && i < static_cast<int>(stack.size()); ++i) {
          const auto& frame = stack[stack.size() - 1 - static_cast<std::size_t>(i)];
          for (const auto& s : frame.saved)
            if (s.first == name) value = s.second;
        }
        return value.value_or("");
      },
      nullptr);

  add_function(
      engine, "STACK_PEEK",
      doc("View info about the location which called Gosub.", "STACK_PEEK(n,which[,suppress])",
          "The return address n levels up the Gosub stack: c context, e extension, p priority, l all three joined "
          "with commas. Too deep a level is an error unless suppress is true.",
          {{"n", "0 is the most recent Gosub"}, {"which", "c, e, p or l"}, {"suppress", "no error when too deep"}},
          {"Gosub", "LOCAL_PEEK"}),
      [](const FunctionCall& call) -> Result<std::string> {
        auto x = execution(call);
        if (!x) return Unexpected<Error>{x.error()};
        auto args = split_args(call.args);
        if (args.size() < 2) return fail("STACK_PEEK requires parameters n and which");
        auto n = small_int(args[0]);
        if (!n) return fail("STACK_PEEK: invalid level '" + args[0] + "'");
        auto& stack = (*x)->gosub_stack();
        if (*n >= static_cast<int>(stack.size())) {
          if (args.size() > 2 && config::is_true_word(trim(args[2]))) return std::string();
          return fail("Stack peek of '" + args[0] + "' is more stack frames than I have");
        }
        const auto& r = stack[stack.size() - 1 - static_cast<std::size_t>(*n)].return_to;
        char which = trim(args[1]).empty() ? 'l' : trim(args[1])[0];
        switch (which) {
          case 'c': return r.context;
          case 'e': return r.exten;
          case 'p': return std::to_string(r.priority);
          case 'l': return r.context + "," + r.exten + "," + std::to_string(r.priority);
          default: return fail("STACK_PEEK: unknown field '" + args[1] + "' (want c, e, p or l)");
        }
      },
      nullptr);

  add_function(
      engine, "EXCEPTION",
      doc("Retrieve the details of the current dialplan exception.", "EXCEPTION(field)",
          "The last exception of this channel: reason, context, exten or priority (where it was raised).",
          {{"field", "reason, context, exten or priority"}}, {"RaiseException"}),
      [](const FunctionCall& call) -> Result<std::string> {
        auto x = execution(call);
        if (!x) return Unexpected<Error>{x.error()};
        const auto& e = (*x)->exception();
        if (!e) return std::string();
        // Asterisk compares the field without regard to case: ${EXCEPTION(REASON)} is common.
        const auto field = funcs::keyword_of(call.args);
        if (field == "reason") return e->reason;
        if (field == "context") return e->context;
        if (field == "exten") return e->exten;
        if (field == "priority") return std::to_string(e->priority);
        return fail("EXCEPTION: unknown field '" + std::string(trim(call.args)) + "'");
      },
      nullptr);

  add_function(
      engine, "TIMEOUT",
      doc("Gets or sets timeouts on the channel.", "TIMEOUT(timeouttype)",
          "absolute: hang up (or go to `T`) this many seconds from now, 0 clears it; digit: the wait between digits "
          "when collecting an extension (default 5); response: the wait for a first digit after the end of an "
          "extension or WaitExten (default 10). Values are seconds with fractions; reading gives seconds with three "
          "decimals (absolute: the time left, 0 when unset).",
          {{"timeouttype", "absolute, digit or response"}}, {"WaitExten"}),
      [](const FunctionCall& call) -> Result<std::string> {
        auto x = execution(call);
        if (!x) return Unexpected<Error>{x.error()};
        // Only the first letter counts, in either case (TIMEOUT(DIGIT), TIMEOUT(r)), as in Asterisk.
        const char type = funcs::keyword_letter(call.args);
        if (type == 'a') {
          if (!(*x)->absolute_deadline) return std::string("0");
          auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*(*x)->absolute_deadline -
                                                                            std::chrono::system_clock::now());
          return seconds_text(std::max(left, std::chrono::milliseconds(0)));
        }
        if (type == 'd') return seconds_text((*x)->digit_timeout);
        if (type == 'r') return seconds_text((*x)->response_timeout);
        return fail("Unknown timeout type specified: '" + std::string(trim(call.args)) + "'");
      },
      [](const FunctionCall& call, std::string_view value) -> Result<void> {
        auto x = execution(call);
        if (!x) return Unexpected<Error>{x.error()};
        std::string text(trim(value));
        char* end = nullptr;
        double secs = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(secs) || secs < 0)
          return fail("TIMEOUT: invalid number of seconds '" + text + "'");
        auto ms = std::chrono::milliseconds(static_cast<long long>(secs * 1000.0));
        const char type = funcs::keyword_letter(call.args);
        if (type == 'a') {
          call.channel->set_absolute_timeout(ms);
          if (ms.count() > 0) (*x)->absolute_deadline = std::chrono::system_clock::now() + ms;
          else (*x)->absolute_deadline.reset();
        } else if (type == 'd') {
          (*x)->digit_timeout = ms;
        } else if (type == 'r') {
          (*x)->response_timeout = ms;
        } else {
          return fail("Unknown timeout type specified: '" + std::string(trim(call.args)) + "'");
        }
        return {};
      });
}

}  // namespace telephony::dialplan
