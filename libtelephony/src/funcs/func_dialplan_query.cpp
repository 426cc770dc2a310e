// Questions to the dialplan: DIALPLAN_EXISTS, VALID_EXTEN, EVAL, EVAL_EXTEN.
#include "dialplan/channel_resolver.hpp"
#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::funcs {

namespace {

std::shared_ptr<const dialplan::Dialplan> snapshot(const FunctionCall& call) {
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(call.engine.pbx());
  return pbx ? pbx->snapshot() : nullptr;
}

std::string caller_of(const FunctionCall& call) { return call.channel ? call.channel->caller().number : std::string(); }

std::optional<int> positive(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  int v = std::stoi(std::string(s));
  return v > 0 ? std::optional<int>(v) : std::nullopt;
}

Result<std::string> dialplan_exists_read(const FunctionCall& call) {
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a[0].empty()) return func_error(call, "requires an argument (context[,extension[,priority]])");
  auto plan = snapshot(call);
  if (!plan) return std::string("0");
  const std::string caller = caller_of(call);
  bool found;
  if (a.size() > 2 && !a[2].empty()) {
    // A number is a priority, anything else a label of that extension.
    if (auto p = positive(a[2])) found = plan->exists(a[0], a[1], *p, caller);
    else found = plan->find_label(a[0], a[1], a[2], caller).has_value();
  } else if (a.size() > 1 && !a[1].empty()) {
    found = plan->exists(a[0], a[1], 1, caller);
  } else {
    found = plan->context(a[0]) != nullptr;
  }
  return std::string(found ? "1" : "0");
}

Result<std::string> valid_exten_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  std::string context = a.size() > 0 ? a[0] : "";
  if (context.empty()) context = (*chan)->location().context;
  if (a.size() < 2 || a[1].empty()) return func_error(call, "missing argument <extension>; syntax VALID_EXTEN([<context>],<extension>[,<priority>])");
  int priority = 1;
  if (a.size() > 2 && !a[2].empty()) priority = std::atoi(a[2].c_str());
  auto plan = snapshot(call);
  return std::string(plan && plan->exists(context, a[1], priority, caller_of(call)) ? "1" : "0");
}

// EVAL_EXTEN([[context,]exten,]priority): the application data of that priority, substituted
// with EXTEN/CONTEXT/PRIORITY of that location (the application itself does not run).
Result<std::string> eval_exten_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  if (a.empty() || a.size() > 3) return func_error(call, "requires [[context,]extension,]priority");
  DialplanLocation at = (*chan)->location();
  const std::string& prio = a.back();
  if (a.size() == 3) {
    if (!a[0].empty()) at.context = a[0];
    if (!a[1].empty()) at.exten = a[1];
  } else if (a.size() == 2 && !a[0].empty()) {
    at.exten = a[0];
  }
  auto plan = snapshot(call);
  if (!plan) return func_error(call, "no dialplan is loaded");
  std::optional<dialplan::Found> found;
  if (auto p = positive(prio)) found = plan->find(at.context, at.exten, *p, caller_of(call));
  else if (!trim(prio).empty()) found = plan->find_label(at.context, at.exten, trim(prio), caller_of(call));
  if (!found || !found->priority)
    return func_error(call, "no such priority " + at.context + "," + at.exten + "," + prio);
  at.priority = found->priority->number;
  return dialplan::substitute_at(call.engine, *chan, found->priority->data, at);
}

}  // namespace

void register_dialplan_query_functions(Engine& engine) {
  add_function(engine, "DIALPLAN_EXISTS",
               {"Checks the existence of a dialplan target.", "DIALPLAN_EXISTS(context[,extension[,priority]])",
                "Returns 1 if the target exists, 0 otherwise. With only a context, whether the context exists; with an "
                "extension, whether its priority 1 exists (includes searched, caller ID honoured); priority may be a "
                "number or a label.",
                {{"context", "context name"}, {"extension", "extension"}, {"priority", "number or label"}},
                {"VALID_EXTEN"}},
               dialplan_exists_read);
  add_function(engine, "VALID_EXTEN",
               {"Determine whether an extension exists or not.", "VALID_EXTEN([context],extension[,priority])",
                "Returns 1 if the indicated context (default: the channel's), extension and priority (default 1) "
                "exist, else 0. Deprecated in Asterisk in favour of DIALPLAN_EXISTS().",
                {{"context", "defaults to the current context"}, {"extension", "extension"},
                 {"priority", "defaults to 1"}},
                {"DIALPLAN_EXISTS"}},
               valid_exten_read);
  add_function(engine, "EVAL",
               {"Evaluate stored variables", "EVAL(variable)",
                "Evaluates its argument a second time: if MYVAR contains ${OTHERVAR}, ${EVAL(${MYVAR})} gives the "
                "contents of OTHERVAR.",
                {{"variable", "text to substitute again"}}, {"EVAL_EXTEN"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 if (c.args.empty()) return func_error(c, "requires an argument: EVAL(<string>)");
                 return dialplan::substitute_on(c.engine, c.channel, c.args);
               });
  add_function(engine, "EVAL_EXTEN",
               {"Evaluates the contents of a dialplan extension and returns it as a string.",
                "EVAL_EXTEN([[context,]extension,]priority)",
                "Looks up a dialplan priority by context,extension,priority (label allowed; missing parts are the "
                "channel's), substitutes its application data (typically of a Return()) and returns it. Variables "
                "resolve in the context of that extension: ${EXTEN} is the looked-up extension. The application "
                "itself is not executed. Example: [call-types] exten => _1NNN,1,Return(internal); then "
                "${EVAL_EXTEN(call-types,${EXTEN},1)}.",
                {{"context", "context"}, {"extension", "extension"}, {"priority", "number or label"}},
                {"EVAL", "Gosub"}},
               eval_exten_read);
}

}  // namespace telephony::funcs
