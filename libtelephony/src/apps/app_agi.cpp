// AGI(), EAGI() and DeadAGI(): pick the transport from the location (script, agi://, agi:async),
// run the session, set AGISTATUS. Registered by agi::install_agi() with the console commands.
#include <csignal>
#include <map>
#include <mutex>

#include "agi/agi_session.hpp"
#include "agi/agi_transport.hpp"
#include "apps/dialplan_apps.hpp"
#include "telephony/agi/agi.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"

namespace telephony::agi {

void register_agi_console_commands(Engine& engine, const std::shared_ptr<AgiService>& service);  // agi_console.cpp

namespace {

namespace asio = boost::asio;
using dialplan::AppResult;
using dialplan::Execution;

std::vector<std::string> script_environment(Engine& engine, const std::filesystem::path& agi_dir) {
  const auto& d = engine.options().dirs;
  return {"AST_CONFIG_DIR=" + d.config.string(),       "AST_CONFIG_FILE=" + (d.config / "telephony.conf").string(),
          "AST_MODULE_DIR=" + (d.data / "modules").string(), "AST_SPOOL_DIR=" + d.spool.string(),
          "AST_MONITOR_DIR=" + d.recordings.string(),  "AST_VAR_DIR=" + d.db.string(),
          "AST_DATA_DIR=" + d.data.string(),           "AST_LOG_DIR=" + d.log.string(),
          "AST_AGI_DIR=" + agi_dir.string(),           "AST_KEY_DIR=" + (d.data / "keys").string(),
          "AST_RUN_DIR=" + d.run.string()};
}

// Runs one AGI; `enhanced` for EAGI. Returns AGISTATUS.
asio::awaitable<AgiStatus> run_agi(AgiService& service, Execution& x, std::vector<std::string> args, bool enhanced) {
  auto& log = service.engine.log();
  Channel& chan = x.channel();
  const bool dead = chan.hangup_requested();
  auto where = parse_agi_location(args[0]);
  if (!where) {
    log.warning("agi", where.error().to_string() + " (" + chan.name() + ")");
    co_return AgiStatus::Failure;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  AgiSession session(service, x, args[0], rest, dead);
  switch (where->kind) {
    case AgiLocationKind::Async:
      if (enhanced) {
        log.warning("agi", "Async AGI does not support Enhanced AGI yet (" + chan.name() + ")");
        co_return AgiStatus::Failure;
      }
      co_return co_await session.run_async();
    case AgiLocationKind::Srv:
      log.warning("agi", "AGI location '" + args[0] +
                             "': hagi:// needs DNS SRV lookups (_agi._tcp." + where->host +
                             "), which this engine does not do; use agi://host[:port]/script instead");
      co_return AgiStatus::Failure;
    case AgiLocationKind::FastAgi: {
      if (enhanced) {
        log.warning("agi", "EAGI needs a local script; FastAGI (" + args[0] + ") cannot carry the audio");
        co_return AgiStatus::Failure;
      }
      auto transport = co_await connect_fastagi(x.channel_ptr(), *where);
      if (!transport) {
        log.warning("agi", "FastAGI to '" + args[0] + "' failed: " + transport.error().to_string());
        co_return AgiStatus::Failure;
      }
      co_return co_await session.run(*transport, nullptr);
    }
    case AgiLocationKind::Script: {
      ScriptLaunch launch;
      const auto dir = service.agi_dir();
      launch.path = where->script.front() == '/' ? std::filesystem::path(where->script) : dir / where->script;
      launch.argv = args;
      launch.env = script_environment(service.engine, dir);
      launch.enhanced = enhanced;
      auto started = launch_script(chan, launch);
      if (!started) {
        log.warning("agi", started.error().second + " (" + chan.name() + ")");
        co_return started.error().first == LaunchError::NotFound ? AgiStatus::NotFound : AgiStatus::Failure;
      }
      co_return co_await session.run(std::move(started->transport), std::move(started->audio));
    }
  }
  co_return AgiStatus::Failure;
}

asio::awaitable<AppResult> agi_app(std::shared_ptr<AgiService> service, Execution& x, std::string_view data,
                                   bool enhanced) {
  Channel& chan = x.channel();
  auto args = dialplan::split_args(data);
  if (args.empty() || args[0].empty()) {
    service->engine.log().warning("agi", "AGI requires an argument (script) (" + chan.name() + ")");
    co_return AppResult::Hangup;
  }
  std::optional<media::Format> restore;
  if (enhanced) {
    if (chan.hangup_requested()) {
      service->engine.log().error("agi", "EAGI cannot be run on a dead/hungup channel, please use AGI.");
      co_return AppResult::Continue;
    }
    media::Format want = media::Format::slin();
    if (auto name = chan.variable("EAGI_AUDIO_FORMAT")) {
      if (auto f = media::Format::from_name(*name)) want = *f;
      else service->engine.log().error("agi", "Could not find requested format: " + *name);
    }
    restore = chan.read_format();
    chan.set_read_format(want);
  }
  const AgiStatus status = co_await run_agi(*service, x, std::move(args), enhanced);
  if (restore) chan.set_read_format(*restore);
  chan.set_variable("AGISTATUS", std::string(to_string(status)));
  co_return status == AgiStatus::Hangup ? AppResult::Hangup : AppResult::Continue;
}

Documentation agi_app_doc() {
  return Documentation{
      "Executes an AGI compliant application.",
      "AGI(command|agi://host[:port][/script]|agi:async[,arg1[,arg2[,...]]])",
      "Runs an AGI program for the call: a local script (relative names under the AGI directory, astagidir), a "
      "FastAGI server over TCP (agi://host:port/script; hagi:// SRV lookups are refused), or async AGI driven by "
      "AMI (agi:async: the AGI action queues commands, AsyncAGIStart/AsyncAGIExec/AsyncAGIEnd report them). The "
      "program reads the agi_* environment, then sends one command per line and reads one status line back. When "
      "the channel hangs up, the program gets SIGHUP (a HANGUP line over FastAGI) unless AGISIGHUP=no, and may "
      "go on with the commands allowed on a dead channel until it exits; AGIEXITONHANGUP=yes ends the AGI at "
      "the hangup instead. Sets AGISTATUS to SUCCESS, FAILURE, NOTFOUND or HANGUP; HANGUP ends the dialplan (h "
      "runs). `agi show commands` lists the commands.",
      {{"command", "script path, agi://… URL or agi:async"}, {"args", "passed as argv and as agi_arg_1 …"}},
      {"EAGI", "DeadAGI", "AGISTATUS"}};
}

}  // namespace

void install_agi(Engine& engine, AgiSettings settings) {
  // One service per engine; a second call only replaces the settings.
  static std::mutex installed_mu;
  static std::map<const Engine*, std::weak_ptr<AgiService>> installed;
  std::lock_guard lock(installed_mu);
  if (auto it = installed.find(&engine); it != installed.end()) {
    if (auto existing = it->second.lock()) {
      std::lock_guard settings_lock(existing->mu);
      existing->settings = std::move(settings);
      return;
    }
  }
  auto service = std::make_shared<AgiService>(engine);
  service->settings = std::move(settings);
  installed[&engine] = service;
  // The daemon ignores SIGPIPE; an embedding host that does not would die when a script closes its
  // stdin early. Only the default disposition is changed.
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) std::signal(SIGPIPE, SIG_IGN);

  dialplan::add_application(engine, "AGI", agi_app_doc(), [service](Execution& x, std::string_view data) {
    return agi_app(service, x, data, false);
  });
  dialplan::add_application(
      engine, "EAGI",
      Documentation{"Executes an EAGI compliant application.",
                    "EAGI(command[,arg1[,arg2[,...]]])",
                    "As AGI() for a local script, and the script also reads the caller's audio on file descriptor 3: "
                    "signed linear 8 kHz (or EAGI_AUDIO_FORMAT, e.g. slin16), written as it arrives; audio the script "
                    "does not read in time is dropped. FastAGI and async AGI cannot carry audio (AGISTATUS=FAILURE). "
                    "Refuses to run on a hung-up channel.",
                    {{"command", "script path"}, {"args", "as for AGI()"}},
                    {"AGI", "DeadAGI"}},
      [service](Execution& x, std::string_view data) { return agi_app(service, x, data, true); });
  dialplan::add_application(
      engine, "DeadAGI",
      Documentation{"Executes AGI on a hungup channel.", "DeadAGI(command[,arg1[,arg2[,...]]])",
                    "Kept for old dialplans: AGI() itself notices a hung-up channel (in the h extension, or after a "
                    "hangup during the script) and then allows only the commands marked \"Runs Dead\" in `agi show "
                    "commands`; others get 511. DeadAGI behaves exactly as AGI().",
                    {{"command", "as for AGI()"}},
                    {"AGI"}},
      [service](Execution& x, std::string_view data) { return agi_app(service, x, data, false); });
  register_agi_console_commands(engine, service);
}

Result<void> queue_async_agi_command(Engine& engine, std::string_view channel, std::string command,
                                     std::string command_id) {
  auto chan = engine.find_channel(channel);
  if (!chan) return fail("Channel " + std::string(channel) + " does not exist.");
  auto store = chan->datastore(AsyncAgiQueue::kDatastore);
  if (!store) return fail("Failed to add AGI command to channel " + chan->name() + " queue");
  auto queue = std::static_pointer_cast<AsyncAgiQueue>(store);
  {
    std::lock_guard lock(queue->mu);
    queue->items.push_back(AsyncAgiQueue::Item{std::move(command), std::move(command_id)});
  }
  chan->wake();
  return {};
}

}  // namespace telephony::agi
