// What the recording applications, AMI and the console share (mixmonitor_control.hpp), plus
// MIXMONITOR() and `mixmonitor start|stop|list`.
#include "recording/mixmonitor_control.hpp"

#include <atomic>
#include <ctime>
#include <future>

#include "apps/dialplan_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/engine.hpp"

namespace telephony::media {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr auto kWorkerWait = std::chrono::seconds(5);

// What a coroutine waits for: a worker-pool callback that wakes the channel.
struct Completion {
  std::atomic<bool> done{false};
  Result<std::string> result = std::string();
};

MixMonitorStarted completes(const std::shared_ptr<Completion>& c, const Channel::Ptr& chan) {
  return [c, chan](Result<std::string> r) {
    c->result = std::move(r);
    c->done.store(true);
    chan->wake();
  };
}

asio::awaitable<Result<std::string>> wait_for(std::shared_ptr<Completion> c, Channel::Ptr chan) {
  // Named, not temporaries: GCC 12 mishandles temporaries in a co_await operand.
  std::function<bool()> done = [c] { return c->done.load(); };
  const std::chrono::milliseconds limit = kWorkerWait;
  co_await chan->wait_until(done, limit);
  if (!c->done.load())
    co_return fail("the recording's files were not ready within 5 s", chan->name());
  co_return c->result;
}

}  // namespace

fs::path recording_path(std::string_view name, const fs::path& recordings) {
  fs::path p{std::string(name)};
  // Asterisk writes .wav49 as .WAV (GSM in WAV; its format follows the name).
  if (p.extension() == ".wav49") p.replace_extension(".WAV");
  return p.is_absolute() ? p : recordings / p;
}

std::optional<std::string> ChannelVariables::variable(std::string_view name) const {
  if (name == "CHANNEL") return chan_.name();
  if (name == "UNIQUEID") return chan_.uniqueid();
  if (name == "EPOCH") return std::to_string(std::time(nullptr));
  return chan_.variable(name);
}

std::optional<std::string> ChannelVariables::function(std::string_view name,
                                                      std::string_view args) const {
  auto fn = chan_.engine().functions().find(name);
  if (!fn || !fn->read) return std::nullopt;
  auto r = fn->read(dialplan::FunctionCall{chan_.engine(), &chan_, name, args});
  if (!r) return std::nullopt;
  return std::move(*r);
}

std::string post_command_text(std::string_view command, const dialplan::VariableResolver& vars) {
  // ^{X} stands for ${X}, evaluated now — after MIXMONITOR_FILENAME is set — not by the dialplan.
  std::string text(command);
  for (std::size_t p = 0; (p = text.find("^{", p)) != std::string::npos; ++p) text[p] = '$';
  return dialplan::substitute(text, vars);
}

void start_monitor(const Channel::Ptr& chan, MonitorRequest req, MixMonitorStarted done) {
  const fs::path dir = chan->engine().options().dirs.recordings;
  const std::string format = req.format.empty() ? std::string("wav") : req.format;
  const fs::path base = recording_path(req.base.empty() ? req.default_base : req.base, dir);
  // Already monitored: the new name (Asterisk's Monitor falls back to ChangeMonitor).
  if (rename_mixmonitor(*chan, "Monitor", base)) {
    if (done) done(std::string());
    return;
  }
  MixMonitorOptions o;
  o.kind = "Monitor";
  o.base = base;
  o.bridged_only = req.bridged_only;
  const fs::path in = base.string() + "-in." + format, out = base.string() + "-out." + format,
                 mixed = base.string() + "." + format;
  if (req.mix && !(req.record_in && req.record_out))
    chan->engine().log().warning(
        "Monitor", "Won't mix streams unless both input and output streams are recorded");
  if (req.mix && req.record_in && req.record_out && req.exec.empty()) {
    o.file = mixed;  // what Asterisk's soxmix of the two legs would leave
  } else {
    if (req.record_in) o.read_file = in;
    if (req.record_out) o.write_file = out;
    if (req.mix && req.record_in && req.record_out)
      o.command = req.exec + " \"" + in.string() + "\" \"" + out.string() + "\" \"" +
                  mixed.string() + "\" " + req.exec_args;
  }
  if (o.read_file.empty() && o.write_file.empty() && o.file.empty()) {
    if (done) done(fail("Monitor with both i and o records nothing", chan->name()));
    return;
  }
  start_mixmonitor(chan, std::move(o), std::move(done));
}

asio::awaitable<Result<std::string>> start_and_wait(Channel::Ptr chan, MixMonitorOptions opts) {
  auto c = std::make_shared<Completion>();
  start_mixmonitor(chan, std::move(opts), completes(c, chan));
  co_return co_await wait_for(c, chan);
}

asio::awaitable<Result<std::string>> start_monitor_and_wait(Channel::Ptr chan, MonitorRequest req) {
  auto c = std::make_shared<Completion>();
  start_monitor(chan, std::move(req), completes(c, chan));
  co_return co_await wait_for(c, chan);
}

asio::awaitable<bool> stop_and_wait(Channel::Ptr chan, std::string id, std::string kind) {
  auto c = std::make_shared<Completion>();
  auto started = completes(c, chan);
  if (!stop_mixmonitor(chan, id, kind, [started] { started(std::string()); })) co_return false;
  auto r = co_await wait_for(c, chan);
  co_return r.has_value();
}

void register_mixmonitor_function_and_command(Engine& engine) {
  dialplan::add_function(
      engine, "MIXMONITOR",
      Documentation{"Retrieve data pertaining to specific instances of MixMonitor on a channel.",
                    "MIXMONITOR(id,key)",
                    "Reads a running MixMonitor of the channel by the id its i() option stored.",
                    {{"id", "the MixMonitorID"}, {"key", "filename: the mixed file's full name"}},
                    {"MixMonitor"}},
      [](const dialplan::FunctionCall& call) -> Result<std::string> {
        if (!call.channel) return fail("MIXMONITOR() needs a channel");
        auto args = dialplan::split_args(call.args);
        if (args.size() < 2 || args[0].empty()) return fail("MIXMONITOR() needs an id and a key");
        if (args[1] != "filename") return fail("MIXMONITOR(): unknown key '" + args[1] + "'");
        for (const auto& m : list_mixmonitors(*call.channel))
          if (m.id == args[0]) return m.file.string();
        return fail("MIXMONITOR(): no MixMonitor with id '" + args[0] + "' on " +
                    call.channel->name());
      },
      {});
  Engine* e = &engine;
  auto channels = [e](const std::vector<std::string>& a) {
    std::vector<std::string> out;
    if (a.size() == 1) out = {"list", "start", "stop"};
    if (a.size() == 2)
      for (const auto& c : e->channels()) out.push_back(c->name());
    return out;
  };
  (void)engine.commands().add(ConsoleCommand{
      "mixmonitor",
      {"Execute a MixMonitor command",
       "mixmonitor {start|stop|list} <chan_name> [args]",
       "mixmonitor start <chan_name> [args]: the optional arguments are passed to the MixMonitor "
       "application "
       "(file,options,command). mixmonitor stop <chan_name> [args]: the optional argument is a "
       "MixMonitorID for "
       "StopMixMonitor. mixmonitor list <chan_name>: the channel's recordings.",
       {},
       {"core show channel"}},
      [e](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() < 2 || (a[0] != "start" && a[0] != "stop" && a[0] != "list"))
          return ConsoleResult{2, ""};
        auto chan = e->find_channel(a[1]);
        if (!chan) return ConsoleResult{1, "No channel matching '" + a[1] + "' found.\n"};
        std::string rest;
        for (std::size_t i = 2; i < a.size(); ++i) rest += (i > 2 ? " " : "") + a[i];
        if (a[0] == "list") {
          std::string out =
              "MixMonitor ID\tFile\tReceive File\tTransmit File\n"
              "=========================================================================\n";
          for (const auto& m : list_mixmonitors(*chan))
            out += m.id + "\t" + m.file.string() + "\t" + m.read_file.string() + "\t" +
                   m.write_file.string() + "\n";
          return ConsoleResult{0, out};
        }
        std::promise<Result<std::string>> outcome;
        auto future = outcome.get_future();
        auto promise = std::make_shared<std::promise<Result<std::string>>>(std::move(outcome));
        if (a[0] == "stop") {
          if (!stop_mixmonitor(chan, rest, "MixMonitor",
                               [promise] { promise->set_value(std::string()); }))
            return ConsoleResult{1, "No MixMonitor on " + chan->name() + ".\n"};
        } else {
          auto args = dialplan::split_args(rest);
          args.resize(3);
          auto parsed = parse_mixmonitor(args[0], args[1], args[2], e->options().dirs.recordings);
          if (!parsed) return ConsoleResult{1, parsed.error().to_string() + "\n"};
          chan->set_variable("MIXMONITOR_FILENAME", parsed->options.file.string());
          parsed->options.command =
              post_command_text(parsed->options.command, ChannelVariables(*chan));
          const std::string var = parsed->id_variable;
          start_mixmonitor(chan, std::move(parsed->options),
                           [promise, chan, var](Result<std::string> r) {
                             if (r && !var.empty()) chan->set_variable(var, *r);
                             promise->set_value(std::move(r));
                           });
        }
        if (future.wait_for(kWorkerWait) != std::future_status::ready)
          return ConsoleResult{1, "The recording's files did not respond within 5 s.\n"};
        auto r = future.get();
        if (!r) return ConsoleResult{1, r.error().to_string() + "\n"};
        return ConsoleResult{0, ""};
      },
      channels});
}

}  // namespace telephony::media
