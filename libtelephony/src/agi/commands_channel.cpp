// AGI commands about the channel and the dialplan: ANSWER, ASYNCAGI BREAK, CHANNEL STATUS, EXEC,
// GOSUB, HANGUP, NOOP, RECEIVE CHAR/TEXT, SEND IMAGE/TEXT, SET AUTOHANGUP/CALLERID/CONTEXT/
// EXTENSION/PRIORITY, TDD MODE, VERBOSE. Replies and argument rules follow res_agi.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <cmath>
#include <cstdlib>

#include "agi/agi_command.hpp"
#include "agi/agi_session.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"

namespace telephony::agi {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Status = CommandStatus;

namespace {

std::string result(long long v) { return "200 result=" + std::to_string(v) + "\n"; }

asio::awaitable<Status> answer(AgiSession& s, const CommandArgs&) {
  if (s.channel().state() != ChannelState::Up) s.channel().answer();
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> asyncagi_break(AgiSession& s, const CommandArgs&) {
  s.send(result(0));
  co_return Status::AsyncBreak;
}

asio::awaitable<Status> channel_status(AgiSession& s, const CommandArgs& a) {
  if (a.size() == 2) {
    s.send(result(static_cast<int>(s.channel().state())));
  } else if (a.size() == 3) {
    auto other = s.engine().find_channel(a[2]);
    s.send(other ? result(static_cast<int>(other->state())) : result(-1));
  } else {
    co_return Status::ShowUsage;
  }
  co_return Status::Success;
}

asio::awaitable<Status> hangup(AgiSession& s, const CommandArgs& a) {
  if (a.size() == 1) {
    s.channel().request_hangup(HangupCause::NormalClearing);
    s.send(result(1));
  } else if (a.size() == 2) {
    auto other = s.engine().find_channel(a[1]);
    if (other) other->request_hangup(HangupCause::NormalClearing);
    s.send(result(other ? 1 : -1));
  } else {
    co_return Status::ShowUsage;
  }
  co_return Status::Success;
}

asio::awaitable<Status> noop(AgiSession& s, const CommandArgs&) {
  s.send(result(0));
  co_return Status::Success;
}

// The first Text frame within `timeout` (0: no limit); nullopt on timeout, *hung_up on hangup.
asio::awaitable<std::optional<std::string>> receive_text(AgiSession& s, long long timeout_ms, bool* hung_up) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (s.channel().hangup_requested()) {
      *hung_up = true;
      co_return std::nullopt;
    }
    auto wait = std::chrono::milliseconds(-1);
    if (timeout_ms > 0) {
      wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (wait.count() <= 0) co_return std::nullopt;
    }
    auto f = co_await s.read_frame(wait);
    if (f && f->kind == FrameKind::Text) co_return std::string(f->text_view());
  }
}

asio::awaitable<Status> receive_char(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  bool hung_up = false;
  auto text = co_await receive_text(s, std::atoll(a[2].c_str()), &hung_up);
  if (hung_up) {
    s.send("200 result=-1 (hangup)\n");
    co_return Status::Failure;
  }
  if (!text || text->empty()) {
    s.send("200 result=0 (timeout)\n");
    co_return Status::Success;
  }
  s.send(result(static_cast<unsigned char>((*text)[0])));
  co_return Status::Success;
}

asio::awaitable<Status> receive_text_cmd(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  bool hung_up = false;
  auto text = co_await receive_text(s, std::atoll(a[2].c_str()), &hung_up);
  s.send(text ? "200 result=1 (" + *text + ")\n" : std::string("200 result=-1\n"));
  co_return Status::Success;
}

asio::awaitable<Status> send_image(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  // No channel technology here carries images: Asterisk then reports 0 on a live channel.
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> send_text(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  s.channel().send_text(a[2]);
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> set_autohangup(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  char* end = nullptr;
  double secs = std::strtod(a[2].c_str(), &end);
  if (end == a[2].c_str() || !std::isfinite(secs)) co_return Status::ShowUsage;
  if (secs < 0) secs = 0;
  s.channel().set_absolute_timeout(std::chrono::milliseconds(static_cast<long long>(secs * 1000)));
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> set_callerid(AgiSession& s, const CommandArgs& a) {
  if (a.size() > 2) {
    CallerId parsed = CallerId::parse(a[2]);
    std::string number;
    // ast_shrink_phone_number: the punctuation people write in numbers goes.
    for (char c : parsed.number)
      if (c != '(' && c != ')' && c != '-' && c != '.' && c != ' ') number.push_back(c);
    CallerId cid = s.channel().caller();
    cid.number = number;
    cid.name = parsed.name;
    s.channel().set_caller(cid);
  }
  s.send(result(1));
  co_return Status::Success;
}

asio::awaitable<Status> set_context(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  s.set_context(a[2]);
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> set_extension(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  s.set_extension(a[2]);
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> set_priority(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  long long prio = 0;
  if (!scan_int(a[2], &prio)) {
    auto loc = s.exec().resolve_target(s.location().context + "," + s.location().exten + "," + a[2]);
    if (!loc || loc->priority < 1) co_return Status::ShowUsage;
    prio = loc->priority;
  }
  s.set_priority(static_cast<int>(prio));
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> tdd_mode(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  // No channel here has a TDD (TTY) modem: setting the option fails, which Asterisk reports as 0.
  s.send(result(0));
  co_return Status::Success;
}

asio::awaitable<Status> verbose(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 2) co_return Status::ShowUsage;
  s.engine().log().verbose("agi", s.app_data() + ": " + a[1]);
  s.send(result(1));
  co_return Status::Success;
}

asio::awaitable<Status> exec(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 2) co_return Status::ShowUsage;
  std::string data = a.size() > 2 ? a[2] : std::string();
  s.engine().log().verbose("agi", "AGI Script Executing Application: (" + a[1] + ") Options: (" + data + ")");
  long long res = 0;
  if (!s.engine().applications().find(a[1])) {
    s.engine().log().warning("agi", "Could not find application (" + a[1] + ")");
    res = -2;
  } else {
    // AGIEXECFULL=yes substitutes variables in the arguments first (Asterisk's option).
    const auto full = s.channel().variable("AGIEXECFULL").value_or("");
    if (!full.empty() && (full == "1" || full[0] == 'y' || full[0] == 'Y' || full[0] == 't' || full[0] == 'T' ||
                          full == "on" || full == "ON"))
      data = s.exec().substitute(data);
    // The application shows as the channel's current one and AMI sees a Newexec, as pbx_exec does
    // for an AGI EXEC in Asterisk.
    s.channel().set_application(a[1], data);
    DialplanStep step;
    step.channel = s.channel().snapshot();
    step.application = a[1];
    step.data = data;
    s.engine().events().emit(std::move(step));
    const auto r = co_await s.exec().run_application(a[1], data);
    res = r == dialplan::AppResult::Continue ? 0 : -1;
    s.location_changed_by_dialplan();
  }
  s.send(result(res));
  co_return Status::Success;
}

asio::awaitable<Status> gosub(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 4 || a.size() > 5) co_return Status::ShowUsage;
  long long prio = 0;
  if (!scan_int(a[3], &prio) || prio < 1) {
    auto loc = s.exec().resolve_target(a[1] + "," + a[2] + "," + a[3]);
    if (!loc) {
      s.engine().log().error("agi", "Priority '" + a[3] + "' not found in '" + a[2] + "@" + a[1] + "'");
      s.send("200 result=-1 Gosub label not found\n");
      co_return Status::Failure;
    }
    prio = loc->priority;
  } else if (!s.exec().exists(a[1], a[2], static_cast<int>(prio))) {
    s.send("200 result=-1 Gosub label not found\n");
    co_return Status::Failure;
  }
  std::string target = a[1] + "," + a[2] + "," + std::to_string(prio);
  if (a.size() == 5) target += "(" + a[4] + ")";
  s.send("100 result=0 Trying...\n");
  auto r = co_await s.exec().run_subroutine(target);
  s.location_changed_by_dialplan();
  if (!r) {
    s.channel().set_variable("GOSUB_RETVAL", "");
    s.send("200 result=0 Gosub complete (abnormal exit)\n");
  } else {
    s.send("200 result=0 Gosub complete\n");
  }
  co_return Status::Success;
}

void add(std::vector<AgiCommand>& t, std::vector<std::string> words, bool dead, Documentation doc, CommandHandler h) {
  t.push_back(AgiCommand{std::move(words), dead, std::move(doc), std::move(h)});
}

}  // namespace

void add_channel_commands(std::vector<AgiCommand>& t) {
  add(t, {"answer"}, false,
      agi_doc("Answer channel", "ANSWER",
              "Answers the channel if it is not already up. Returns -1 on failure, 0 when the channel is answered."),
      answer);
  add(t, {"asyncagi", "break"}, true,
      agi_doc("Interrupts Async AGI", "ASYNCAGI BREAK",
              "Ends the async AGI session: the dialplan continues after AGI(agi:async). Returns 0.", {},
              {"AGI"}),
      asyncagi_break);
  add(t, {"channel", "status"}, false,
      agi_doc("Returns status of the connected channel.", "CHANNEL STATUS [CHANNELNAME]",
              "Returns the state of this channel, or of the named channel: 0 down and available, 1 down but "
              "reserved, 2 off hook, 3 digits dialed, 4 ringing, 5 remote end ringing, 6 up, 7 busy. -1 when no "
              "such channel exists.",
              {{"channelname", "another channel (default: this one)"}}),
      channel_status);
  add(t, {"exec"}, true,
      agi_doc("Executes a given Application", "EXEC APPLICATION OPTIONS",
              "Runs a dialplan application with the given options (one argument: quote it when it has spaces). "
              "Returns what the application returns: 0 to continue, -1 when it wants the call to end, -2 when no "
              "such application exists. Set AGIEXECFULL=yes to have variables in the options substituted first.",
              {{"application", "name"}, {"options", "its argument string, e.g. \"hello-world,noanswer\""}}),
      exec);
  add(t, {"gosub"}, false,
      agi_doc("Cause the channel to execute the specified dialplan subroutine.",
              "GOSUB CONTEXT EXTENSION PRIORITY [OPTIONAL-ARGUMENT]",
              "Runs the subroutine at context,extension,priority (a number or a label) and returns when it "
              "Returns. Replies 100 Trying first, then 200 result=0 Gosub complete; a missing target gives "
              "200 result=-1 Gosub label not found.",
              {{"optional-argument", "arguments, comma separated, as ${ARG1}…"}}, {"Gosub", "Return"}),
      gosub);
  add(t, {"hangup"}, false,
      agi_doc("Hangup a channel.", "HANGUP [CHANNELNAME]",
              "Hangs up this channel, or the named one. Returns 1 on success, -1 when the named channel does not "
              "exist.",
              {{"channelname", "another channel (default: this one)"}}),
      hangup);
  add(t, {"noop"}, true, agi_doc("Does nothing.", "NOOP", "Does nothing; returns 0."), noop);
  add(t, {"receive", "char"}, false,
      agi_doc("Receives one character from channels supporting it.", "RECEIVE CHAR TIMEOUT",
              "Waits up to TIMEOUT milliseconds (0: no limit) for text from the channel and returns the code of "
              "its first character, 0 (timeout) when none came, -1 (hangup) on hangup.",
              {{"timeout", "milliseconds, 0 for no limit"}}),
      receive_char);
  add(t, {"receive", "text"}, false,
      agi_doc("Receives text from channels supporting it.", "RECEIVE TEXT TIMEOUT",
              "Waits up to TIMEOUT milliseconds (0: no limit) for text from the channel; returns 1 (text) or -1 "
              "when nothing arrived.",
              {{"timeout", "milliseconds, 0 for no limit"}}),
      receive_text_cmd);
  add(t, {"send", "image"}, false,
      agi_doc("Sends images to channels supporting it.", "SEND IMAGE IMAGE",
              "Sends an image to the channel. No channel technology of this engine carries images; the reply is "
              "0, as Asterisk's for a live channel without image support.",
              {{"image", "file name without extension"}}),
      send_image);
  add(t, {"send", "text"}, false,
      agi_doc("Sends text to channels supporting it.", "SEND TEXT \"TEXT TO SEND\"",
              "Sends text to the channel (quote text with spaces). Returns 0; channels without text support "
              "ignore it.",
              {{"text to send", "the text"}}),
      send_text);
  add(t, {"set", "autohangup"}, false,
      agi_doc("Autohangup channel in some time.", "SET AUTOHANGUP TIME",
              "Hangs the channel up TIME seconds from now (fractions allowed; 0 cancels). Returns 0.",
              {{"time", "seconds"}}),
      set_autohangup);
  add(t, {"set", "callerid"}, false,
      agi_doc("Sets callerid for the current channel.", "SET CALLERID NUMBER",
              "Sets the caller ID from `\"Name\" <number>` or a bare number. Returns 1."),
      set_callerid);
  add(t, {"set", "context"}, false,
      agi_doc("Sets channel context.", "SET CONTEXT DESIRED CONTEXT",
              "Sets the context the dialplan continues in when the AGI ends. Returns 0."),
      set_context);
  add(t, {"set", "extension"}, false,
      agi_doc("Changes channel extension.", "SET EXTENSION NEW EXTENSION",
              "Sets the extension the dialplan continues at when the AGI ends. Returns 0."),
      set_extension);
  add(t, {"set", "priority"}, false,
      agi_doc("Set channel dialplan priority.", "SET PRIORITY PRIORITY",
              "Sets the priority (a number or a label) the dialplan continues at when the AGI ends. Returns 0."),
      set_priority);
  add(t, {"tdd", "mode"}, false,
      agi_doc("Toggles TDD mode (for the deaf).", "TDD MODE BOOLEAN",
              "Enables or disables TDD on channels that support it (on, off, tdd, mate). No channel here has a "
              "TDD modem, so the reply is 0 (not capable)."),
      tdd_mode);
  add(t, {"verbose"}, true,
      agi_doc("Logs a message to the asterisk verbose log.", "VERBOSE MESSAGE LEVEL",
              "Writes MESSAGE to the verbose log, prefixed with the AGI application's arguments. Returns 1.",
              {{"level", "verbosity 1-4 (accepted, all messages are logged at VERBOSE)"}}),
      verbose);
}

}  // namespace telephony::agi
