// The AGI command loop (see agi_session.hpp): environment, command dispatch with 510/511/520
// replies and AGIExecStart/End events, dead mode, and the async AGI variant driven from AMI.
#include "agi/agi_session.hpp"

#include <pthread.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>
#include <strings.h>

#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/version.hpp"

namespace telephony::agi {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string_view to_string(AgiStatus s) {
  switch (s) {
    case AgiStatus::Success: return "SUCCESS";
    case AgiStatus::Failure: return "FAILURE";
    case AgiStatus::NotFound: return "NOTFOUND";
    case AgiStatus::Hangup: return "HANGUP";
  }
  return "FAILURE";
}

std::filesystem::path AgiService::agi_dir() const {
  auto* self = const_cast<AgiService*>(this);
  std::lock_guard lock(self->mu);
  if (!settings.agi_dir.empty()) return settings.agi_dir;
  return engine.options().dirs.data / "agi-bin";
}

namespace {

// Asterisk's ast_true / ast_false.
bool is_true(std::string_view v) {
  for (const char* t : {"yes", "true", "y", "t", "1", "on"})
    if (strcasecmp(std::string(v).c_str(), t) == 0) return true;
  return false;
}
bool is_false(std::string_view v) {
  for (const char* t : {"no", "false", "n", "f", "0", "off"})
    if (strcasecmp(std::string(v).c_str(), t) == 0) return true;
  return false;
}

std::string command_id() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return std::to_string(rng() & 0x7fffffff);
}

// Event publication lives outside coroutines (GCC 12 mis-diagnoses event objects in frames).
void publish_exec_start(Channel& chan, const std::string& id, const std::string& command) {
  AgiExecStarted ev;
  ev.channel = chan.snapshot();
  ev.command_id = id;
  ev.command = command;
  chan.engine().events().emit(std::move(ev));
}

void publish_async_start(Channel& chan, const std::string& env) {
  AsyncAgiStarted ev;
  ev.channel = chan.snapshot();
  ev.env = uri_encode(env);
  chan.engine().events().emit(std::move(ev));
}

void publish_async_exec(Channel& chan, const std::string& result, const std::string& id) {
  AsyncAgiExecuted ev;
  ev.channel = chan.snapshot();
  ev.result = uri_encode(result);
  ev.command_id = id;
  chan.engine().events().emit(std::move(ev));
}

void publish_async_end(Channel& chan) {
  AsyncAgiEnded ev;
  ev.channel = chan.snapshot();
  chan.engine().events().emit(std::move(ev));
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

AgiSession::AgiSession(AgiService& service, dialplan::Execution& x, std::string request, std::vector<std::string> args,
                       bool dead)
    : service_(service), exec_(x), chan_(x.channel_ptr()), request_(std::move(request)), args_(std::move(args)),
      dead_(dead) {
  app_data_ = request_;
  for (const auto& a : args_) app_data_ += "," + a;
  sighup_ = !is_false(chan_->variable("AGISIGHUP").value_or(""));
  exit_on_hangup_ = is_true(chan_->variable("AGIEXITONHANGUP").value_or(""));
  const auto& loc = exec_.location();
  loc_context_ = loc.context;
  loc_exten_ = loc.exten;
  loc_priority_ = loc.priority;
}

AgiSession::~AgiSession() = default;

void AgiSession::send(std::string text) {
  if (service_.debug.load()) {
    std::string shown = text;
    while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    service_.engine.log().verbose("agi", "<" + chan_->name() + ">AGI Tx >> " + shown);
  }
  if (out_) out_(text);
}

std::string AgiSession::environment(bool enhanced) const {
  const auto snap = chan_->snapshot();
  const auto& loc = exec_.location();
  auto line = [](std::string& out, std::string_view k, std::string_view v) {
    out.append("agi_").append(k).append(": ").append(v).push_back('\n');
  };
  std::string env;
  env.reserve(512);
  line(env, "request", request_);
  line(env, "channel", snap.name);
  line(env, "language", snap.language);
  line(env, "type", chan_->tech_name());
  line(env, "uniqueid", snap.uniqueid);
  line(env, "version", library_version());
  line(env, "callerid", snap.caller.number.empty() ? "unknown" : snap.caller.number);
  line(env, "calleridname", snap.caller.name.empty() ? "unknown" : snap.caller.name);
  line(env, "callingpres", std::to_string(snap.caller.presentation));
  line(env, "callingani2", "0");
  line(env, "callington", "0");
  line(env, "callingtns", "0");
  line(env, "dnid", chan_->variable("DNID").value_or("unknown"));
  line(env, "rdnis", chan_->variable("RDNIS").value_or("unknown"));
  line(env, "context", loc.context);
  line(env, "extension", loc.exten);
  line(env, "priority", std::to_string(loc.priority));
  line(env, "enhanced", enhanced ? "1.0" : "0.0");
  line(env, "accountcode", snap.accountcode);
  line(env, "threadid", std::to_string(static_cast<unsigned long>(pthread_self())));
  for (std::size_t i = 0; i < args_.size(); ++i) line(env, "arg_" + std::to_string(i + 1), args_[i]);
  env.push_back('\n');
  return env;
}

void AgiSession::publish_exec_end(const std::string& id, const std::string& command, int code, std::string_view result) {
  AgiExecEnded ev;
  ev.channel = chan_->snapshot();
  ev.command_id = id;
  ev.command = command;
  ev.result_code = code;
  ev.result = std::string(result);
  chan_->engine().events().emit(std::move(ev));
}

asio::awaitable<CommandStatus> AgiSession::handle_line(const std::string& line) {
  if (service_.debug.load()) service_.engine.log().verbose("agi", "<" + chan_->name() + ">AGI Rx << " + line);
  const std::string id = command_id();
  publish_exec_start(*chan_, id, line);
  auto words = split_agi_words(line);
  if (words.truncated) service_.engine.log().warning("agi", "Too many arguments, truncating (" + chan_->name() + ")");
  const AgiCommand* cmd = find_agi_command(words.words);
  if (!cmd) {
    send("510 Invalid or unknown command\n");
    publish_exec_end(id, line, 510, "Invalid or unknown command");
    co_return CommandStatus::Success;
  }
  if (dead_ && !cmd->runs_dead) {
    send("511 Command Not Permitted on a dead channel or intercept routine\n");
    publish_exec_end(id, line, 511, "Command Not Permitted on a dead channel or intercept routine");
    co_return CommandStatus::Success;
  }
  const CommandStatus st = co_await cmd->run(*this, words.words);
  switch (st) {
    case CommandStatus::ShowUsage:
      publish_exec_end(id, line, 520, "Usage");
      send("520-Invalid command syntax.  Proper usage follows:\n" + agi_usage_text(*cmd) + "\n520 End of proper usage.\n");
      break;
    case CommandStatus::Failure:
      publish_exec_end(id, line, -1, "Failure");
      break;
    case CommandStatus::Success:
    case CommandStatus::AsyncBreak:
      publish_exec_end(id, line, 200, "Success");
      break;
  }
  co_return st;
}

// ---- location --------------------------------------------------------------------------------

void AgiSession::apply_location() {
  location_changed_ = true;
  exec_.jump(loc_context_, loc_exten_, loc_priority_ + 1);
}

void AgiSession::location_changed_by_dialplan() {
  if (exec_.jumped()) {
    const auto& l = exec_.location();
    loc_context_ = l.context;
    loc_exten_ = l.exten;
    loc_priority_ = l.priority - 1;
    location_changed_ = true;
  } else if (location_changed_) {
    apply_location();
  }
}

void AgiSession::set_context(std::string context) {
  loc_context_ = std::move(context);
  apply_location();
}
void AgiSession::set_extension(std::string exten) {
  loc_exten_ = std::move(exten);
  apply_location();
}
void AgiSession::set_priority(int priority) {
  // The PBX adds one when AGI returns (Asterisk's autoloop), so SET PRIORITY n continues at n.
  loc_priority_ = priority - 1;
  apply_location();
}

// ---- waiting ---------------------------------------------------------------------------------

asio::awaitable<std::optional<Frame>> AgiSession::read_frame(std::chrono::milliseconds timeout) {
  auto f = co_await chan_->read(timeout);
  if (f && audio_ && f->kind == FrameKind::Voice) audio_->write(*f);
  co_return f;
}

asio::awaitable<void> AgiSession::idle_wait() {
  if (!dead_) {
    // Any event wakes this wait: a frame (drained below: EAGI audio goes to the script, the rest
    // is dropped as Asterisk's idle ast_read does), a command line (the transport's waker calls
    // wake()), or a hangup.
    int checks = 0;
    co_await chan_->wait_until([&checks] { return checks++ > 0; }, std::chrono::milliseconds(-1));
    for (;;) {
      auto f = co_await chan_->read(0ms);
      if (!f) break;
      if (audio_ && f->kind == FrameKind::Voice) audio_->write(*f);
    }
    co_return;
  }
  // Dead: the channel wakes nobody any more; wait for the transport's doorbell.
  doorbell_->expires_at(std::chrono::steady_clock::time_point::max());
  boost::system::error_code ec;
  co_await doorbell_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void AgiSession::note_hangup(AgiTransport* transport) {
  dead_ = true;
  hangup_seen_ = true;
  if (sighup_ && transport) transport->notify_hangup();
}

// ---- script / FastAGI ------------------------------------------------------------------------

asio::awaitable<AgiStatus> AgiSession::run(std::shared_ptr<AgiTransport> transport, std::unique_ptr<EagiAudio> audio) {
  audio_ = std::move(audio);
  doorbell_ = std::make_unique<asio::steady_timer>(chan_->strand());
  out_ = [t = transport.get()](std::string_view text) { t->send(std::string(text)); };
  transport->set_waker([this] {
    if (doorbell_) doorbell_->cancel();
    chan_->wake();
  });
  send(environment(audio_ != nullptr));
  AgiStatus status = AgiStatus::Success;
  for (;;) {
    if (!dead_ && chan_->hangup_requested()) {
      if (status == AgiStatus::Success) status = AgiStatus::Hangup;
      note_hangup(transport.get());
      if (exit_on_hangup_) break;
    }
    if (auto line = transport->next_line()) {
      // A script that could not be executed says so with this line (Asterisk's convention).
      if (starts_with_ci(*line, "failure")) {
        status = AgiStatus::Failure;
        break;
      }
      const bool was_dead = dead_;
      const auto st = co_await handle_line(*line);
      if (st == CommandStatus::Failure && (was_dead || !chan_->hangup_requested())) status = AgiStatus::Failure;
      continue;
    }
    if (transport->closed()) {
      service_.engine.log().verbose("agi", "<" + chan_->name() + ">AGI Script " + request_ + " completed, returning " +
                                               std::string(to_string(status)));
      break;
    }
    co_await idle_wait();
  }
  transport->set_waker({});
  out_ = nullptr;
  // Asterisk tells the peer at the end too: HANGUP to a FastAGI server, SIGHUP to a script that
  // is still talking (left early: AGIEXITONHANGUP, a failure line). A script that closed its
  // output is left to exit by itself, so its exit status stays its own.
  const bool peer_closed = transport->closed();
  if (sighup_ && (transport->network() || !peer_closed)) transport->notify_hangup();
  const AgiStatus exit_status = co_await transport->finish(peer_closed);
  if (status == AgiStatus::Success && exit_status != AgiStatus::Success) status = exit_status;
  audio_.reset();
  co_return status;
}

// ---- async AGI -------------------------------------------------------------------------------

asio::awaitable<AgiStatus> AgiSession::run_async() {
  async_ = true;
  auto store = chan_->datastore_or_create(AsyncAgiQueue::kDatastore, [] { return std::make_shared<AsyncAgiQueue>(); });
  auto queue = std::static_pointer_cast<AsyncAgiQueue>(store);
  std::string pending;
  out_ = [&pending](std::string_view text) { pending.append(text); };
  request_ = "async";
  publish_async_start(*chan_, environment(false));
  AgiStatus status = AgiStatus::Success;
  bool done = false;
  while (!done) {
    while (!chan_->hangup_requested()) {
      std::optional<AsyncAgiQueue::Item> item;
      {
        std::lock_guard lock(queue->mu);
        if (!queue->items.empty()) {
          item = std::move(queue->items.front());
          queue->items.pop_front();
        }
      }
      if (!item) break;
      pending.clear();
      const auto st = co_await handle_line(item->command);
      publish_async_exec(*chan_, pending, item->id);
      if (st == CommandStatus::Failure && !chan_->hangup_requested()) {
        status = AgiStatus::Failure;
        done = true;
        break;
      }
      if (st == CommandStatus::AsyncBreak) {
        done = true;
        break;
      }
    }
    if (done) break;
    if (chan_->hangup_requested()) {
      status = AgiStatus::Hangup;
      break;
    }
    int checks = 0;
    co_await chan_->wait_until([&checks] { return checks++ > 0; }, std::chrono::milliseconds(-1));
    for (;;) {
      auto f = co_await chan_->read(0ms);
      if (!f) break;
    }
  }
  out_ = nullptr;
  publish_async_end(*chan_);
  co_return status;
}

}  // namespace telephony::agi
