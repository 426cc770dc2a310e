// AMI Originate on the originate core (telephony/originate.hpp).
//
// The request is validated before anything is queued, so a malformed one is a plain
// `Response: Error`. Synchronous: the response waits for the outcome ("Originate successfully
// queued" when answered, "Originate failed" otherwise, as Asterisk). Async: the response is sent at
// once and the outcome arrives later as an OriginateResponse event carrying the ActionID, which is
// what panoramisk/asterisk-manager/asterisk-ami-client wait for.
//
// Security (Asterisk's manager_originate checks, as an allow-list): a user without `system` write
// may only originate into the applications of ActionSettings::originate_applications, may not pass
// data or variables that call functions outside allowed_functions, and may not write functions
// through Variable headers except allowed ones — so System, Exec, AGI, SHELL(), EVAL() and the
// like need system write.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "action_context.hpp"
#include "telephony/media/format.hpp"
#include "telephony/originate.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Splits at commas outside parentheses and double quotes (Asterisk's standard argument split), so
// `Variable: A=1,B=f(x,y)` is two assignments.
std::vector<std::string> split_variable_list(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    else if (!quoted && c == '(') ++depth;
    else if (!quoted && c == ')' && depth > 0) --depth;
    if (c == ',' && depth == 0 && !quoted) {
      out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(std::move(cur));
  return out;
}

// Names of the functions `text` calls (`NAME(` preceded by `${`, `$[`, `(`, `,` or the start).
std::vector<std::string> functions_called(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '(') continue;
    std::size_t b = i;
    while (b > 0 && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '_')) --b;
    if (b < i) out.push_back(upper(text.substr(b, i - b)));
  }
  return out;
}

bool allowed_in(const std::vector<std::string>& list, std::string_view name) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& a) { return ami::iequals(a, name); });
}

// nullopt when the user may run this request, else the refusal.
std::optional<std::string> originate_refused(const ActionSettings& s, const SessionInfo& who, const OriginateRequest& req) {
  if (who.write.contains(Privilege::System)) return std::nullopt;
  const std::string why = " (needs 'system' write access)";
  if (req.has_application() && !allowed_in(s.originate_applications, req.application))
    return "Originate Access Forbidden: application " + req.application +
           " is not in manager.conf originateapplications" + why;
  auto check_text = [&](std::string_view text) -> std::optional<std::string> {
    for (const auto& fn : functions_called(text))
      if (!allowed_in(s.allowed_functions, fn))
        return "Originate Access Forbidden: function " + fn + " is not in manager.conf allowedfunctions" + why;
    return std::nullopt;
  };
  if (auto r = check_text(req.data)) return r;
  for (const auto& [name, value] : req.variables) {
    if (auto r = check_text(name)) return r;
    if (auto r = check_text(value)) return r;
  }
  return std::nullopt;
}

// The AMI headers -> an OriginateRequest, or the error message.
Result<OriginateRequest> request_from(const ActionResponder& r) {
  OriginateRequest req;
  req.dial = std::string(header(r, "Channel"));
  if (req.dial.empty()) return fail("Channel not specified");
  if (const auto t = header(r, "Timeout"); !t.empty()) {
    long long ms = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ms);
    if (ec != std::errc() || p != t.data() + t.size() || ms <= 0) return fail("Invalid timeout: " + std::string(t));
    req.timeout = std::chrono::milliseconds(ms);
  }
  if (const auto cid = header(r, "CallerID"); !cid.empty()) req.caller_id = CallerId::parse(cid);
  req.account = std::string(header(r, "Account"));
  req.channel_id = std::string(header(r, "ChannelId"));
  req.other_channel_id = std::string(header(r, "OtherChannelId"));
  req.early_media = header_true(r, "EarlyMedia");
  if (const auto codecs = header(r, "Codecs"); !codecs.empty()) {
    for (auto& name : split_variable_list(codecs)) {
      auto f = media::Format::from_name(name);
      if (!f) return fail("Unknown codec '" + name + "' in Codecs");
      req.codecs.push_back(*f);
    }
  }
  for (const auto& session_var : r.session().setvar) req.variables.push_back(session_var);
  for (const auto& line : r.request().get_all("Variable")) {
    for (auto& item : split_variable_list(line)) {
      const auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0) return fail("Invalid Variable '" + item + "': expected NAME=value");
      req.variables.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  const auto app = header(r, "Application");
  const auto exten = header(r, "Exten");
  if (!app.empty()) {
    req.application = std::string(app);
    req.data = std::string(header(r, "Data"));
  } else if (!exten.empty()) {
    req.exten = std::string(exten);
    if (const auto c = header(r, "Context"); !c.empty()) req.context = std::string(c);
    const auto prio = header(r, "Priority");
    if (prio.empty()) return fail("Priority not specified (needed with Exten)");
    int n = 0;
    auto [p, ec] = std::from_chars(prio.data(), prio.data() + prio.size(), n);
    if (ec == std::errc() && p == prio.data() + prio.size()) {
      if (n < 1) return fail("Invalid priority " + std::string(prio));
      req.priority = n;
    } else {
      req.priority_label = std::string(prio);
      req.priority = 1;
    }
  } else {
    return fail("Exten/Context/Priority or Application must be specified");
  }
  return req;
}

ami::Message originate_response(const OriginateRequest& req, const OriginateResult& res) {
  ami::Message ev;
  ev.add("Event", "OriginateResponse");
  ev.add("Response", res.answered() ? "Success" : "Failure");
  ev.add("Channel", res.channel_name().empty() ? req.dial : res.channel_name());
  if (req.has_application()) {
    ev.add("Application", req.application).add("Data", req.data);
  } else {
    ev.add("Context", req.context).add("Exten", req.exten);
  }
  ev.add("Reason", std::to_string(static_cast<int>(res.reason)));
  ev.add("Uniqueid", res.uniqueid().empty() ? "<null>" : res.uniqueid());
  const CallerId cid = req.caller_id.value_or(CallerId{});
  ev.add("CallerIDNum", cid.number.empty() ? "<unknown>" : cid.number);
  ev.add("CallerIDName", cid.name.empty() ? "<unknown>" : cid.name);
  return ev;
}

void originate_action(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto req = request_from(*r);
  if (!req) return r->error(req.error().message);
  if (auto why = originate_refused(*ctx->settings(), r->session(), *req)) return r->error(*why);
  if (auto ok = validate_originate(ctx->engine, *req); !ok) return r->error(ok.error().message);

  Engine* engine = &ctx->engine;
  const bool async = header_true(*r, "Async");
  if (async) r->success("Originate successfully queued");
  OriginateRequest kept = *req;
  originate(ctx->engine, std::move(*req), [r, async, kept, engine](const OriginateResult& res) {
    if (!res.answered())
      engine->log().notice("manager", "Originate to " + kept.dial + " failed: reason " +
                                          std::to_string(static_cast<int>(res.reason)) + " (" +
                                          std::string(reason_text(res.reason)) + ")" +
                                          (res.error.empty() ? "" : ": " + res.error));
    if (!r->connected()) return;
    if (async) {
      r->send(originate_response(kept, res));
    } else if (res.answered()) {
      r->success("Originate successfully queued");
    } else {
      r->error("Originate failed");
    }
  });
}

}  // namespace

void register_originate_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action(
      "Originate", Privilege::Originate,
      ActionDoc{"Originate a call.",
                "Generates an outgoing call to a Extension/Context/Priority or Application/Data. With Async "
                "the response comes at once and the outcome follows as an OriginateResponse event (Response "
                "Success/Failure, Reason 0 failure, 1 hangup, 3 no answer, 4 answered, 5 busy, 8 congestion) "
                "carrying the ActionID; without it the response waits for the outcome. Users without system "
                "write may only originate into manager.conf originateapplications and may not call functions "
                "outside allowedfunctions in Data or Variable.",
                {{"Channel", true, "Channel name to call (Tech/resource)."},
                 {"Exten", false, "Extension to use (requires Context and Priority)."},
                 {"Context", false, "Context to use (requires Exten and Priority)."},
                 {"Priority", false, "Priority to use (a number or a label)."},
                 {"Application", false, "Application to execute."},
                 {"Data", false, "Data to use (requires Application)."},
                 {"Timeout", false, "How long to wait for call to be answered (in ms.). Default 30000."},
                 {"CallerID", false, "Caller ID to be set on the outgoing channel."},
                 {"Variable", false, "Channel variable to set, multiple Variable: headers are allowed; each may hold a comma list."},
                 {"Account", false, "Account code."},
                 {"EarlyMedia", false, "Set to true to force call bridge on early media."},
                 {"Async", false, "Set to true for fast origination."},
                 {"Codecs", false, "Comma-separated list of codecs to use for this call."},
                 {"ChannelId", false, "Channel UniqueId to be set on the channel."},
                 {"OtherChannelId", false, "Channel UniqueId to be set on the second local channel."}},
                {"OriginateResponse", "Redirect"}},
      [ctx](ResponderPtr r) { originate_action(ctx, r); });
}

}  // namespace telephony::manager
