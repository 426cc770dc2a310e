// MusicOnHold, StartMusicOnHold, StopMusicOnHold: musiconhold.conf classes on the calling channel.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <functional>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/moh_module.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace media_apps;

// The class to play: the argument, else CHANNEL(musicclass), else "default"; an unknown name
// falls back to "default" with a warning (Asterisk does the same).
media::MohClass media_apps::resolve_moh_class(Engine& engine, Channel& chan, std::string name, std::string_view app) {
  if (name.empty()) {
    if (auto fn = engine.functions().find("CHANNEL"); fn && fn->read) {
      auto v = fn->read(FunctionCall{engine, &chan, "CHANNEL", "musicclass"});
      if (v) name = *v;
    }
  }
  if (auto c = media::find_moh_class(engine, name)) return *c;
  if (!name.empty() && name != "default")
    engine.log().warning(std::string(app), chan.name() + ": no music on hold class '" + name + "', using default");
  if (auto c = media::find_moh_class(engine, "default")) return *c;
  return media::default_moh_class();
}

media::MohClass media_apps::resolve_moh_class(Execution& x, std::string name, std::string_view app) {
  if (name.empty()) {
    if (auto fn = x.engine().functions().find("CHANNEL"); fn && fn->read) {
      auto v = fn->read(FunctionCall{x.engine(), &x.channel(), "CHANNEL", "musicclass"});
      if (v) name = *v;
    }
  }
  if (auto c = media::find_moh_class(x.engine(), name)) return *c;
  if (!name.empty() && name != "default") warn(x, app, "no music on hold class '" + name + "', using default");
  if (auto c = media::find_moh_class(x.engine(), "default")) return *c;
  return media::default_moh_class();
}

namespace {

asio::awaitable<AppResult> music_on_hold(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Channel& chan = x.channel();
  auto cls = resolve_moh_class(x, args.empty() ? std::string() : trim(args[0]), "MusicOnHold");
  auto duration = std::chrono::milliseconds(-1);
  if (args.size() > 1 && !trim(args[1]).empty()) {
    auto d = parse_seconds(args[1]);
    if (d && d->count() > 0) duration = *d;
    else if (!d) warn(x, "MusicOnHold", "invalid duration '" + args[1] + "', playing until hangup");
  }
  auto task = media::start_moh(x.channel_ptr(), cls);
  // Ends after `duration`, on hangup, or when something else takes the generator over.
  std::function<bool()> ended = [task] { return !task->running(); };  // named: see Milliwatt (GCC 12)
  co_await chan.wait_until(std::move(ended), duration);
  task->stop();
  co_return chan.hangup_requested() ? AppResult::Hangup : AppResult::Continue;
}

asio::awaitable<AppResult> start_music_on_hold(Execution& x, std::string_view data) {
  auto args = split_args(data);
  auto cls = resolve_moh_class(x, args.empty() ? std::string() : trim(args[0]), "StartMusicOnHold");
  media::start_moh(x.channel_ptr(), cls);
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> stop_music_on_hold(Execution& x, std::string_view) {
  media::stop_moh(x.channel_ptr());
  co_return AppResult::Continue;
}

}  // namespace

void register_moh_applications(Engine& engine) {
  add_application(engine, "MusicOnHold",
                  doc("Play Music On Hold indefinitely.", "MusicOnHold([class[,duration]])",
                      "Plays the music on hold class (default: CHANNEL(musicclass), else \"default\") until the "
                      "caller hangs up, or for duration seconds. Classes come from musiconhold.conf (mode=files); "
                      "without one, \"default\" is Debian's opsound music (or a quiet tone when not installed). "
                      "An unknown class plays \"default\" with a warning.",
                      {{"class", "musiconhold.conf class"}, {"duration", "seconds (empty: until hangup)"}},
                      {"StartMusicOnHold", "StopMusicOnHold"}),
                  music_on_hold);
  add_application(engine, "StartMusicOnHold",
                  doc("Play Music On Hold.", "StartMusicOnHold([class])",
                      "Starts music on hold in the background and continues; a prompt, StopMusicOnHold or another "
                      "tone stops it.",
                      {{"class", "musiconhold.conf class"}}, {"StopMusicOnHold", "MusicOnHold"}),
                  start_music_on_hold);
  add_application(engine, "StopMusicOnHold",
                  doc("Stop playing Music On Hold.", "StopMusicOnHold()",
                      "Stops the music on hold started by StartMusicOnHold (or any other background generator on the "
                      "channel) and continues.",
                      {},
                      {"StartMusicOnHold", "MusicOnHold"}),
                  stop_music_on_hold);
}

}  // namespace telephony::dialplan
