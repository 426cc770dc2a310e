// REDIRECTING (who redirected the call, from where, to where, why) and CALLERPRES (the caller's
// presentation, deprecated in Asterisk in favour of CALLERID(pres)).
//
// Redirecting data lives in a channel datastore: the original, from and to parties (and their
// private copies, priv-*), each with name, number, presentation, numbering plan and tag; the
// reason and original reason; the redirection count. No driver sends or receives it yet, so it
// is what the dialplan writes (and CALLERID(rdnis), which is the from-number as in Asterisk).
#include <mutex>

#include "funcs/function_support.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::funcs {

namespace {

struct Party {
  std::string name, number, tag;
  int name_pres = 0, number_pres = 0, plan = 0;
  bool name_valid = false, number_valid = false;
};

struct Redirecting {
  std::mutex mu;
  Party orig, from, to, priv_orig, priv_from, priv_to;
  std::string reason = "unknown", orig_reason = "unknown";
  int count = 0;
};

std::shared_ptr<Redirecting> store(Channel& chan) { return channel_store<Redirecting>(chan, "func-redirecting"); }

// Asterisk's reason names (and the SIP aliases it accepts, mapped to the name it answers with).
constexpr std::pair<std::string_view, std::string_view> kReasons[] = {
    {"unknown", "unknown"},         {"cfb", "cfb"},
    {"cfnr", "cfnr"},               {"unavailable", "unavailable"},
    {"cfu", "cfu"},                 {"time_of_day", "time_of_day"},
    {"dnd", "dnd"},                 {"deflection", "deflection"},
    {"follow_me", "follow_me"},     {"out_of_order", "out_of_order"},
    {"away", "away"},               {"cf_dte", "cf_dte"},
    {"send_to_vm", "send_to_vm"},   {"user-busy", "cfb"},
    {"no-answer", "cfnr"},          {"unconditional", "cfu"},
    {"time-of-day", "time_of_day"}, {"do-not-disturb", "dnd"},
    {"follow-me", "follow_me"},     {"out-of-service", "out_of_order"},
};

// A reason name (case-insensitive) becomes Asterisk's name; anything else is a user-defined
// reason kept as written (SIP may send it).
std::string reason_of(std::string_view text) {
  const std::string t = to_lower(trim(text));
  for (const auto& [alias, name] : kReasons)
    if (t == alias) return std::string(name);
  return std::string(trim(text));
}

std::string party_all(const Party& p) {
  if (!p.name.empty() && !p.number.empty()) return "\"" + p.name + "\" <" + p.number + ">";
  return p.name.empty() ? p.number : p.name;
}

Party* party_named(Redirecting& r, std::string_view which) {
  if (which == "orig") return &r.orig;
  if (which == "from") return &r.from;
  if (which == "to") return &r.to;
  if (which == "priv-orig") return &r.priv_orig;
  if (which == "priv-from") return &r.priv_from;
  if (which == "priv-to") return &r.priv_to;
  return nullptr;
}

// "from-num-pres" -> party "from", field "num-pres"; "priv-to-name" -> "priv-to", "name".
std::pair<std::string, std::string> split_datatype(const std::string& type) {
  const std::size_t skip = type.rfind("priv-", 0) == 0 ? 5 : 0;
  const auto dash = type.find('-', skip);
  if (dash == std::string::npos) return {type, ""};
  return {type.substr(0, dash), type.substr(dash + 1)};
}

Result<std::string> read_party(const FunctionCall& call, const Party& p, const std::string& field) {
  if (field == "all") return party_all(p);
  if (field == "name") return p.name;
  if (field == "num") return p.number;
  if (field == "tag") return p.tag;
  if (field == "name-valid") return std::string(p.name_valid ? "1" : "0");
  if (field == "num-valid") return std::string(p.number_valid ? "1" : "0");
  if (field == "num-plan") return std::to_string(p.plan);
  if (field == "name-pres") return presentation_name(p.name_pres);
  if (field == "num-pres" || field == "pres") return presentation_name(p.number_pres);
  if (field == "name-charset") return std::string("unknown");
  return func_error(call, "unknown data type field '" + field + "'");
}

Result<void> write_party(const FunctionCall& call, Party& p, const std::string& field, std::string_view value) {
  auto pres = [&](int& target) -> Result<void> {
    auto v = presentation_value(value);
    if (!v) return func_error(call, "unknown presentation '" + std::string(value) + "'");
    target = *v;
    return {};
  };
  if (field == "all") {
    auto id = CallerId::parse(value);
    p.name = id.name;
    p.number = id.number;
    p.name_valid = p.number_valid = true;
  } else if (field == "name") {
    p.name = std::string(value);
    p.name_valid = true;
  } else if (field == "num") {
    p.number = std::string(value);
    p.number_valid = true;
  } else if (field == "tag") {
    p.tag = std::string(value);
  } else if (field == "name-valid") {
    p.name_valid = is_true(value);
  } else if (field == "num-valid") {
    p.number_valid = is_true(value);
  } else if (field == "num-plan") {
    p.plan = std::atoi(std::string(value).c_str());
  } else if (field == "name-pres") {
    return pres(p.name_pres);
  } else if (field == "num-pres") {
    return pres(p.number_pres);
  } else if (field == "pres") {
    if (auto r = pres(p.name_pres); !r) return r;
    p.number_pres = p.name_pres;
  } else if (field == "name-charset") {
    // Accepted and ignored: names are kept as UTF-8 bytes.
  } else {
    return func_error(call, "unknown data type field '" + field + "'");
  }
  return {};
}

Result<std::string> redirecting_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing data type");
  const std::string type = to_lower(trim(a[0]));
  auto r = store(**chan);
  std::lock_guard lock(r->mu);
  if (type == "reason") return r->reason;
  if (type == "orig-reason") return r->orig_reason;
  if (type == "count") return std::to_string(r->count);
  if (type == "pres") return presentation_name(r->from.number_pres);
  auto [which, field] = split_datatype(type);
  Party* p = party_named(*r, which);
  if (!p || field.empty()) return func_error(call, "unknown data type '" + std::string(a[0]) + "'");
  return read_party(call, *p, field);
}

Result<void> redirecting_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto a = dialplan::split_args(call.args);
  if (a.empty() || trim(a[0]).empty()) return func_error(call, "missing data type");
  if (a.size() > 1 && !a[1].empty() && to_lower(trim(a[1])) != "i") return func_error(call, "unknown option '" + a[1] + "'");
  const std::string type = to_lower(trim(a[0]));
  auto r = store(**chan);
  std::lock_guard lock(r->mu);
  if (type == "reason") {
    r->reason = reason_of(value);
    return {};
  }
  if (type == "orig-reason") {
    r->orig_reason = reason_of(value);
    return {};
  }
  if (type == "count") {
    r->count = std::atoi(std::string(value).c_str());
    return {};
  }
  auto [which, field] = type == "pres" ? std::pair<std::string, std::string>{"from", "pres"} : split_datatype(type);
  Party* p = party_named(*r, which);
  if (!p || field.empty()) return func_error(call, "unknown data type '" + std::string(a[0]) + "'");
  return write_party(call, *p, field, value);
}

}  // namespace

std::string redirecting_from_number(Channel& chan) {
  auto r = store(chan);
  std::lock_guard lock(r->mu);
  return r->from.number;
}

void set_redirecting_from_number(Channel& chan, std::string number) {
  auto r = store(chan);
  std::lock_guard lock(r->mu);
  r->from.number = std::move(number);
  r->from.number_valid = true;
}

void register_redirecting_functions(Engine& engine) {
  add_function(
      engine, "REDIRECTING",
      {"Gets or sets Redirecting data on the channel.", "REDIRECTING(datatype[,i])",
       "Gets or sets Redirecting data on the channel. Data types: orig-, from-, to- and priv-orig-, priv-from-, "
       "priv-to- followed by all, name, name-valid, name-charset, name-pres, num, num-valid, num-plan, num-pres, pres, "
       "tag; and reason, orig-reason, count, pres. The pres fields get/set a combined value for the name and number "
       "presentations. Reasons: unknown, cfb, cfnr, unavailable, cfu, time_of_day, dnd, deflection, follow_me, "
       "out_of_order, away, cf_dte, send_to_vm (SIP aliases user-busy, no-answer, unconditional, time-of-day, "
       "do-not-disturb, follow-me, out-of-service are accepted); any other text is kept as a user-defined reason. "
       "REDIRECTING(from-num) is the same field as CALLERID(rdnis).",
       {{"datatype", "see above"}, {"i", "when writing: do not send the update (accepted; updates stay local)"}},
       {"CALLERID", "CONNECTEDLINE"}},
      redirecting_read, redirecting_write);
  add_function(
      engine, "CALLERPRES",
      {"Gets or sets Caller*ID presentation on the channel.", "CALLERPRES()",
       "Gets or sets Caller*ID presentation on the channel (deprecated in favour of CALLERID(pres)). Values: "
       "allowed_not_screened, allowed_passed_screen, allowed_failed_screen, allowed, prohib_not_screened, "
       "prohib_passed_screen, prohib_failed_screen, prohib, unavailable. An unknown value is refused with a "
       "warning and the presentation is kept.",
       {}, {"CALLERID"}},
      [](const FunctionCall& c) -> Result<std::string> {
        auto chan = need_channel(c);
        if (!chan) return Unexpected<Error>{chan.error()};
        return presentation_name((*chan)->caller().presentation);
      },
      [](const FunctionCall& c, std::string_view value) -> Result<void> {
        auto chan = need_channel(c);
        if (!chan) return Unexpected<Error>{chan.error()};
        auto pres = presentation_value(value);
        if (!pres) return func_error(c, "'" + std::string(value) + "' is not a valid presentation");
        auto id = (*chan)->caller();
        id.presentation = *pres;
        (*chan)->set_caller(std::move(id));
        return {};
      });
}

}  // namespace telephony::funcs
