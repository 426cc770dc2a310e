// Test-only engine helpers: a scriptable channel driver ("Test/<name>") whose endpoints record
// what the engine sent them and let the test inject frames; a Pbx whose extensions are C++
// coroutines; and an event recorder with bounded waits. Never installed.
#pragma once

#include <utility>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "telephony/driver.hpp"
#include "telephony/engine.hpp"
#include "telephony/events.hpp"
#include "telephony/pbx.hpp"

namespace telephony::testkit {

// What a Test/<name> device saw. All fields guarded by `mu`.
struct TestEndpoint {
  std::mutex mu;
  std::vector<Frame> written;
  std::vector<Control> indications;
  std::string digits_sent;
  std::vector<std::string> texts_sent;
  int calls = 0;
  bool answered = false;
  bool hung_up = false;
  // What the far end does when called (runs on the channel strand): default rings then answers.
  std::function<void(Channel&)> on_call;
  // Set before the channel is created: the device's native formats (default slin) and whether
  // it needs inband DTMF.
  std::vector<media::Format> formats;
  bool inband_dtmf = false;
  // Called (on the channel strand, without `mu` held) for every frame the engine writes, after
  // it is recorded: lets a test wire a device's output into another channel.
  std::function<void(const Frame&)> on_write;
  // When false, written frames are only counted (benchmarks with many channels).
  bool keep_frames = true;
  std::size_t frames_written = 0;
  std::vector<IndicationData> indication_data;  // beside `indications`, in the same order
};

class TestDriver : public ChannelDriver {
 public:
  std::string_view technology() const override { return "Test"; }
  std::string_view description() const override { return "Scriptable test channel"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override;
  // An inbound call from device `name` starting the dialplan at exten@context.
  Channel::Ptr inbound(Engine& engine, const std::string& name, const std::string& context,
                       const std::string& exten);
  std::shared_ptr<TestEndpoint> endpoint(const std::string& name);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<TestEndpoint>> endpoints_;
};

// A Pbx whose extensions are coroutines, keyed "exten@context". Runs each on the channel strand
// holding the channel, and hangs the channel up when the coroutine ends.
class ScriptedPbx : public Pbx {
 public:
  using Script = std::function<boost::asio::awaitable<void>(Channel::Ptr)>;
  void add(const std::string& exten_at_context, Script s);
  void start(Channel::Ptr chan) override;
  bool exists(std::string_view context, std::string_view exten, int priority,
              std::string_view caller) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Script> scripts_;
};

// Records every event of the bus in order.
class EventLog {
 public:
  explicit EventLog(EventBus& bus);
  std::vector<EventPtr> events() const;
  // Waits (bounded) until pred holds for the recorded list.
  bool wait_for(const std::function<bool(const std::vector<EventPtr>&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Waits for an event of type `type` for which match(ev) is true.
  bool wait_for_type(std::string_view type, const std::function<bool(const Event&)>& match = nullptr,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  std::vector<std::string> types_for_channel(const std::string& channel) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<EventPtr> events_;
  EventBus::Subscription sub_;
};

// Polls `pred` until true or timeout.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace telephony::testkit
