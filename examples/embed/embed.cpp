// The smallest embedding of libtelephony: an engine with Local channels, an event subscriber,
// and a host-defined PBX that answers every call and hangs up — a PBX inside your own program.
#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <atomic>
#include <cstdio>
#include <thread>

#include <telephony/engine.hpp>
#include <telephony/local/local_driver.hpp>

namespace {
// A host's own call logic: answer, wait 100 ms, hang up.
class AnswerAndHangup : public telephony::Pbx {
 public:
  void start(telephony::Channel::Ptr chan) override {
    auto token = chan->hold();
    boost::asio::co_spawn(
        chan->strand(),
        [chan, token]() -> boost::asio::awaitable<void> {
          chan->answer();
          co_await chan->sleep(std::chrono::milliseconds(100));
          chan->hangup();
        },
        boost::asio::detached);
  }
  bool exists(std::string_view, std::string_view, int, std::string_view) const override { return true; }
};
}  // namespace

int main() {
  telephony::Engine engine({.threads = 2});
  (void)engine.drivers().add("Local", std::make_shared<telephony::LocalDriver>());
  engine.set_pbx(std::make_shared<AnswerAndHangup>());
  std::atomic<int> hangups{0};
  auto sub = engine.events().subscribe({.name = "embed"}, [&](const telephony::EventPtr& e) {
    if (auto* h = e->as<telephony::ChannelHungUp>()) {
      std::printf("hangup %s cause %d (%s)\n", h->channel.name.c_str(), static_cast<int>(h->cause),
                  std::string(telephony::cause_text(h->cause)).c_str());
      ++hangups;
    }
  });
  engine.start();
  auto chan = engine.request("Local/100@demo");
  if (!chan) {
    std::fprintf(stderr, "request failed: %s\n", chan.error().to_string().c_str());
    return 1;
  }
  if (auto r = (*chan)->call("", std::chrono::seconds(5)); !r) {
    std::fprintf(stderr, "call failed: %s\n", r.error().to_string().c_str());
    return 1;
  }
  for (int i = 0; i < 200 && hangups.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  engine.stop();
  std::printf("%d channels hung up\n", hangups.load());
  return hangups.load() == 2 ? 0 : 1;
}
