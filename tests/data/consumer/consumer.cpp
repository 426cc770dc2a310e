// Uses the C++20 the public headers are written in from a project that sets no standard: a
// coroutine on a channel strand, a defaulted operator== (config::Location) and std::span (the
// mixer's sample buffers), through the installed package only.
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <telephony/config/config.hpp>
#include <telephony/engine.hpp>
#include <telephony/local/local_driver.hpp>

#include <atomic>
#include <cstdio>
#include <span>
#include <thread>

namespace {
class AnswerAfterAWait : public telephony::Pbx {
 public:
  void start(telephony::Channel::Ptr chan) override {
    auto token = chan->hold();
    boost::asio::co_spawn(
        chan->strand(),
        [chan, token]() -> boost::asio::awaitable<void> {
          chan->answer();
          co_await chan->sleep(std::chrono::milliseconds(20));
          chan->hangup();
        },
        boost::asio::detached);
  }
  bool exists(std::string_view, std::string_view, int, std::string_view) const override { return true; }
};
}  // namespace

int main() {
  telephony::config::Location a{"extensions.conf", 3}, b{"extensions.conf", 3};
  if (!(a == b)) return 2;
  const short samples[] = {1, 2, 3};
  std::span<const short> view(samples);
  telephony::Engine engine({.threads = 1});
  (void)engine.drivers().add("Local", std::make_shared<telephony::LocalDriver>());
  engine.set_pbx(std::make_shared<AnswerAfterAWait>());
  std::atomic<int> hangups{0};
  auto sub = engine.events().subscribe({.name = "consumer"}, [&](const telephony::EventPtr& e) {
    if (e->as<telephony::ChannelHungUp>()) ++hangups;
  });
  engine.start();
  auto chan = engine.request("Local/1@c");
  if (!chan || !(*chan)->call("", std::chrono::seconds(5))) return 3;
  for (int i = 0; i < 300 && hangups.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  engine.stop();
  std::printf("consumer: %zu samples, %d hangups\n", view.size(), hangups.load());
  return hangups.load() == 2 ? 0 : 1;
}
