// Channel and variable applications: Set, MSet, NoOp, Verbose, Log, RaiseException, Hangup, Busy,
// Congestion, Answer, Wait, WaitExten, Incomplete, UserEvent, System, DumpChan.
// (Ringing and Progress live with the other tone applications in app_tones.cpp.)
#include <strings.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>

#include "apps/dialplan_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/events.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Seconds as written ("1.5"); nullopt when not a number.
std::optional<std::chrono::milliseconds> seconds(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  std::string text(s);
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(v * 1000.0));
}

asio::awaitable<AppResult> assign(Execution& x, std::string_view pair, std::string_view app) {
  auto eq = pair.find('=');
  if (eq == std::string_view::npos) {
    x.engine().log().warning("pbx", std::string(app) + " requires an argument (0=value), got '" + std::string(pair) + "'");
    co_return AppResult::Continue;
  }
  if (auto r = x.assign(pair.substr(0, eq), std::string(pair.substr(eq + 1))); !r)
    x.engine().log().warning("pbx", std::string(app) + ": " + r.error().to_string());
  co_return AppResult::Continue;
}

// Busy/Congestion: the indication, the cause (when not answered), then wait for the caller to go.
asio::awaitable<AppResult> refuse(Execution& x, std::string_view data, Control c, HangupCause cause) {
  Channel& chan = x.channel();
  chan.indicate(c);
  if (chan.state() != ChannelState::Up) {
    chan.set_hangup_cause(cause);
    if (c == Control::Busy) chan.set_state(ChannelState::Busy);
  }
  auto t = seconds(data);
  co_await chan.sleep(t && t->count() > 0 ? *t : std::chrono::milliseconds(-1));
  co_return AppResult::Hangup;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

std::string dump_channel(Execution& x) {
  auto s = x.channel().snapshot();
  std::string out = "Dumping Info For Channel: " + s.name + ":\n";
  out += "================================================================================\n";
  auto line = [&](const char* k, const std::string& v) { out += std::string(k) + v + "\n"; };
  line("Info:\nName=               ", s.name);
  line("Type=               ", std::string(x.channel().tech_name()));
  line("UniqueID=           ", s.uniqueid);
  line("LinkedID=           ", s.linkedid);
  line("CallerIDNum=        ", s.caller.number);
  line("CallerIDName=       ", s.caller.name);
  line("ConnectedLineIDNum= ", s.connected.number);
  line("ConnectedLineIDName=", s.connected.name);
  line("State=              ", std::string(to_string(s.state)) + " (" + std::to_string(static_cast<int>(s.state)) + ")");
  line("Language=           ", s.language);
  line("Context=            ", s.context);
  line("Extension=          ", s.exten);
  line("Priority=           ", std::to_string(s.priority));
  line("Application=        ", s.application);
  line("Data=               ", s.data);
  out += "\nVariables:\n";
  for (const auto& v : x.channel().variables()) out += std::string(v.inherit == 2 ? "__" : v.inherit == 1 ? "_" : "") + v.name + "=" + v.value + "\n";
  out += "================================================================================\n";
  return out;
}

}  // namespace

void register_channel_applications(Engine& engine) {
  add_application(engine, "Set",
                  doc("Set channel variable or function value.", "Set(name=value)",
                      "Sets a channel variable (prefix _ or __ to inherit it to one or all generations of channels "
                      "created from this one) or writes a function (Set(CALLERID(num)=100)). An empty value sets the "
                      "variable to the empty string. Everything after the first '=' is the value, commas included.",
                      {{"name", "variable or FUNCTION(args)"}, {"value", "new value"}}, {"MSet", "GLOBAL", "LOCAL"}),
                  [](Execution& x, std::string_view data) { return assign(x, data, "Set"); });
  add_application(engine, "MSet",
                  doc("Set channel variable(s) or function value(s).", "MSet(name1=value1[,name2=value2[,...]])",
                      "Sets several variables; pairs are separated by commas (quote a value holding a comma).",
                      {{"nameN=valueN", "one assignment"}}, {"Set"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    for (const auto& pair : split_args(data)) co_await assign(x, pair, "MSet");
                    co_return AppResult::Continue;
                  });
  add_application(engine, "NoOp",
                  doc("Do Nothing (No Operation).", "NoOp([text])",
                      "Does nothing; its (substituted) argument shows in the debug log, which makes it a tracing tool.",
                      {{"text", "any text"}}, {"Verbose", "Log"}),
                  [](Execution&, std::string_view) -> asio::awaitable<AppResult> { co_return AppResult::Continue; });
  add_application(engine, "Verbose",
                  doc("Send arbitrary text to verbose output.", "Verbose([level,]message)",
                      "Writes message to the log at VERBOSE level `level` (default 0): shown when the console "
                      "verbosity (or a log channel's verbose(n)) is at least that level, with Asterisk's prefix.",
                      {{"level", "0-4"}, {"message", "text"}}, {"Log", "NoOp"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    std::string_view msg = data;
                    int level = 0;
                    auto comma = data.find(',');
                    if (comma != std::string_view::npos && comma <= 2 &&
                        trim(data.substr(0, comma)).find_first_not_of("0123456789") == std::string_view::npos) {
                      level = std::atoi(std::string(trim(data.substr(0, comma))).c_str());
                      msg = data.substr(comma + 1);
                    }
                    x.engine().log().verbose(level, "pbx", msg);
                    co_return AppResult::Continue;
                  });
  add_application(engine, "Log",
                  doc("Send arbitrary text to a selected log level.", "Log(level,message)",
                      "Writes message at ERROR, WARNING, NOTICE, DEBUG, VERBOSE or DTMF level.",
                      {{"level", "ERROR|WARNING|NOTICE|DEBUG|VERBOSE|DTMF"}, {"message", "text"}}, {"Verbose"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto comma = data.find(',');
                    std::string lvl(trim(data.substr(0, comma)));
                    std::string_view msg = comma == std::string_view::npos ? std::string_view() : data.substr(comma + 1);
                    auto& log = x.engine().log();
                    if (!::strcasecmp(lvl.c_str(), "ERROR")) log.error("pbx", msg);
                    else if (!::strcasecmp(lvl.c_str(), "WARNING")) log.warning("pbx", msg);
                    else if (!::strcasecmp(lvl.c_str(), "NOTICE")) log.notice("pbx", msg);
                    else if (!::strcasecmp(lvl.c_str(), "DEBUG")) log.debug("pbx", msg);
                    else if (!::strcasecmp(lvl.c_str(), "VERBOSE")) log.verbose(0, "pbx", msg);
                    else if (!::strcasecmp(lvl.c_str(), "DTMF")) log.write(LogLevel::Dtmf, "pbx", msg);
                    else log.warning("pbx", "Log: unknown level '" + lvl + "': " + std::string(msg));
                    co_return AppResult::Continue;
                  });
  add_application(engine, "RaiseException",
                  doc("Handle an exceptional condition.", "RaiseException(reason)",
                      "Jumps to the `e` extension of the current context with EXCEPTION(reason) set.",
                      {{"reason", "text, read back with ${EXCEPTION(reason)}"}}, {"EXCEPTION"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    x.raise_exception(std::string(data));
                    co_return AppResult::Continue;
                  });
  add_application(engine, "Hangup",
                  doc("Hang up the calling channel.", "Hangup([causecode])",
                      "Hangs up with the given Q.850 cause (number or name such as USER_BUSY); without one the cause "
                      "already set (else NORMAL_CLEARING) is kept.",
                      {{"causecode", "Q.850 cause number or name"}}, {"Answer", "Busy", "Congestion"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    Channel& chan = x.channel();
                    auto cause = chan.hangup_cause();
                    if (!trim(data).empty()) {
                      if (auto c = cause_from_name(trim(data))) cause = *c;
                      else x.engine().log().warning("pbx", "Invalid cause given to Hangup(): \"" + std::string(data) + "\"");
                    }
                    if (cause == HangupCause::NotDefined) cause = HangupCause::NormalClearing;
                    chan.set_hangup_cause(cause);
                    chan.request_hangup(cause);
                    co_return AppResult::Hangup;
                  });
  add_application(engine, "Busy",
                  doc("Indicate the Busy condition.", "Busy([timeout])",
                      "Indicates busy; an unanswered channel gets state Busy and cause 17. Waits timeout seconds (or until "
                      "the caller hangs up), then hangs up.",
                      {{"timeout", "seconds to wait"}}, {"Congestion", "Hangup"}),
                  [](Execution& x, std::string_view data) { return refuse(x, data, Control::Busy, HangupCause::UserBusy); });
  add_application(engine, "Congestion",
                  doc("Indicate the Congestion condition.", "Congestion([timeout])",
                      "Indicates congestion; an unanswered channel gets cause 34. Waits timeout seconds (or until the "
                      "caller hangs up), then hangs up.",
                      {{"timeout", "seconds to wait"}}, {"Busy", "Hangup"}),
                  [](Execution& x, std::string_view data) {
                    return refuse(x, data, Control::Congestion, HangupCause::NormalCircuitCongestion);
                  });
  add_application(engine, "Answer",
                  doc("Answer a channel if ringing.", "Answer([delay])",
                      "Answers the channel, then waits delay milliseconds.", {{"delay", "milliseconds"}},
                      {"Hangup", "Progress", "Ringing"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    Channel& chan = x.channel();
                    bool was_up = chan.state() == ChannelState::Up;
                    chan.answer();
                    auto ms = seconds(data);
                    if (!was_up && ms && ms->count() > 0) {
                      if (!co_await chan.sleep(std::chrono::milliseconds(ms->count() / 1000))) co_return AppResult::Hangup;
                    }
                    co_return AppResult::Continue;
                  });
  add_application(engine, "Wait",
                  doc("Waits for some time.", "Wait(seconds)",
                      "Waits the given number of seconds (fractions allowed). A hangup ends the wait at once.",
                      {{"seconds", "e.g. 1.5"}}, {"WaitExten"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto t = seconds(data);
                    if (!t) {
                      x.engine().log().warning("pbx", "Wait: invalid number of seconds '" + std::string(data) + "'");
                      co_return AppResult::Continue;
                    }
                    co_return co_await x.channel().sleep(*t) ? AppResult::Continue : AppResult::Hangup;
                  });
  add_application(engine, "WaitExten",
                  doc("Waits for an extension to be entered.", "WaitExten([seconds][,options])",
                      "Waits for the caller to dial an extension of the current context: first digit within seconds "
                      "(default TIMEOUT(response)), further digits within TIMEOUT(digit) while more could match. Then "
                      "continues at that extension, at `i` for an invalid one, or at `t` when nothing was dialed.",
                      {{"seconds", "wait for the first digit"}, {"options", "m: music on hold (accepted)"}},
                      {"TIMEOUT", "Background"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto args = split_args(data);
                    std::chrono::milliseconds wait = x.response_timeout;
                    if (!args.empty()) {
                      if (auto t = seconds(args[0]); t && t->count() > 0) wait = *t;
                    }
                    co_return co_await x.collect_extension("", wait);
                  });
  add_application(engine, "Incomplete",
                  doc("Returns AST_PBX_INCOMPLETE value.", "Incomplete([n])",
                      "Signals that the dialed extension is incomplete: waits TIMEOUT(digit) for more digits and continues "
                      "at the longer extension, or at `i` when no longer extension can match. Answers first unless n.",
                      {{"n", "do not answer"}}, {"WaitExten"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    if (trim(data) != "n" && trim(data) != "N" && !config::is_true_word(trim(data))) x.channel().answer();
                    std::string exten = x.location().exten;
                    if (!x.match_more(x.location().context, exten)) {
                      if (x.goto_invalid(exten)) co_return AppResult::Continue;
                      co_return AppResult::Hangup;
                    }
                    co_return co_await x.collect_extension(exten, x.digit_timeout);
                  });
  add_application(engine, "UserEvent",
                  doc("Send an arbitrary user-defined event to parties interested in a channel (AMI users).",
                      "UserEvent(eventname[,body])",
                      "Publishes a UserEvent with the channel's fields and the body's `Key: value` pairs.",
                      {{"eventname", "UserEvent header value"}, {"body", "Key1: value1,Key2: value2"}}, {"DumpChan"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    auto args = split_args(data);
                    if (args.empty() || args[0].empty()) {
                      x.engine().log().warning("pbx", "UserEvent requires an argument (eventname[,body])");
                      co_return AppResult::Continue;
                    }
                    UserEventRaised ev;
                    ev.channel = x.channel().snapshot();
                    ev.name = args[0];
                    for (std::size_t i = 1; i < args.size(); ++i) {
                      auto colon = args[i].find(':');
                      if (colon == std::string::npos) continue;
                      ev.headers.emplace_back(std::string(trim(std::string_view(args[i]).substr(0, colon))),
                                              std::string(trim(std::string_view(args[i]).substr(colon + 1))));
                    }
                    x.engine().events().emit(std::move(ev));
                    co_return AppResult::Continue;
                  });
  add_application(engine, "System",
                  doc("Execute a system command.", "System(command)",
                      "Runs command with /bin/sh on the worker pool (never on a call thread) and sets ${SYSTEMSTATUS}: "
                      "SUCCESS (exit 0), APPERROR (non-zero exit) or FAILURE (could not run; the channel hangs up).",
                      {{"command", "shell command line"}}, {"SYSTEMSTATUS"}),
                  [](Execution& x, std::string_view data) -> asio::awaitable<AppResult> {
                    struct Job {
                      std::atomic<bool> done{false};
                      int status = -1;
                    };
                    auto job = std::make_shared<Job>();
                    auto chan = x.channel_ptr();
                    x.engine().run_blocking([job, chan, cmd = std::string(data)] {
                      job->status = std::system(cmd.c_str());
                      job->done.store(true);
                      chan->wake();
                    });
                    // Named first: GCC 12 destroys a lambda temporary that captures a shared_ptr
                    // twice when it is built inside the co_await expression.
                    auto job_done = [job] { return job->done.load(); };
                    bool finished = co_await chan->wait_until(job_done, std::chrono::milliseconds(-1));
                    if (!finished) co_return AppResult::Hangup;
                    int st = job->status;
                    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) == 127) {
                      x.engine().log().warning("pbx", "Unable to execute '" + std::string(data) + "'");
                      chan->set_variable("SYSTEMSTATUS", "FAILURE");
                      co_return AppResult::Hangup;
                    }
                    chan->set_variable("SYSTEMSTATUS", WEXITSTATUS(st) == 0 ? "SUCCESS" : "APPERROR");
                    co_return AppResult::Continue;
                  });
  add_application(engine, "DumpChan",
                  doc("Dump Info About The Calling Channel.", "DumpChan([level])",
                      "Writes the channel's fields and variables to the log at VERBOSE level.",
                      {{"level", "accepted, ignored"}}, {"NoOp", "Verbose"}),
                  [](Execution& x, std::string_view) -> asio::awaitable<AppResult> {
                    x.engine().log().verbose("pbx", dump_channel(x));
                    co_return AppResult::Continue;
                  });
}

}  // namespace telephony::dialplan
