// The smallest useful embedding of libtelephony: an engine with Local channels, an application of
// our own, a dialplan loaded from a string, and one call through it. Build it against an installed
// tree: cmake -S examples/embed -B /tmp/embed -DCMAKE_PREFIX_PATH=<prefix> (see CMakeLists.txt).
#include <atomic>
#include <cstdio>
#include <future>
#include <telephony/dialplan/executor.hpp>
#include <telephony/dialplan/loader.hpp>
#include <telephony/dialplan/module.hpp>
#include <telephony/engine.hpp>
#include <telephony/local/local_driver.hpp>
#include <telephony/originate.hpp>

namespace tp = telephony;
using tp::dialplan::AppResult;

int main() {
  tp::Engine engine({.threads = 2});
  (void)engine.drivers().add("Local", std::make_shared<tp::LocalDriver>());
  auto pbx = tp::dialplan::install_dialplan(engine);  // the executor and the built-in applications
  // Our application: a coroutine on the channel's strand, like every dialplan application.
  auto greet = std::make_shared<tp::dialplan::Application>();
  greet->name = "Greet";
  greet->run = [](tp::dialplan::Execution& x, std::string_view who) -> boost::asio::awaitable<AppResult> {
    x.channel().answer();
    std::printf("Greet: hello %.*s on %s\n", int(who.size()), who.data(), x.channel().name().c_str());
    co_return AppResult::Continue;
  };
  (void)engine.applications().add("Greet", greet);
  auto plan = tp::dialplan::load_dialplan_string("[embed]\nexten => 100,1,Greet(world)\n"
                                                 " same => n,Wait(0.2)\n same => n,Hangup()\n", "embed");
  if (!plan) return std::fprintf(stderr, "%s\n", plan.error().to_string().c_str()), 1;
  pbx->replace(*plan);
  std::promise<void> both_gone;
  std::atomic<int> hangups{0};
  auto sub = engine.events().subscribe({.name = "embed"}, [&](const tp::EventPtr& e) {
    if (e->as<tp::ChannelHungUp>() && ++hangups == 2) both_gone.set_value();
  });
  engine.start();
  std::promise<tp::OriginateResult> answered;
  tp::originate(engine, {.dial = "Local/100@embed", .application = "Wait", .data = "5"},
                [&](const tp::OriginateResult& r) { answered.set_value(r); });
  auto r = answered.get_future().get();
  std::printf("originate: %s, channel %s\n", std::string(tp::reason_text(r.reason)).c_str(), r.channel_name().c_str());
  const bool ended = both_gone.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  engine.stop();
  std::printf("%d channels hung up\n", hangups.load());
  return r.answered() && ended ? 0 : 1;
}
