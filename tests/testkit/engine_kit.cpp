#include "testkit/engine_kit.hpp"

#include "telephony/driver_abilities.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <thread>

namespace telephony::testkit {

namespace {
class TestTech : public ChannelTech, public DriverText {
 public:
  explicit TestTech(std::shared_ptr<TestEndpoint> ep) : ep_(std::move(ep)) {}
  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override {
    std::function<void(Channel&)> behaviour;
    {
      std::lock_guard lock(ep_->mu);
      ++ep_->calls;
      behaviour = ep_->on_call;
    }
    if (behaviour) {
      behaviour(chan);
    } else {
      chan.queue_frame(Frame::control(Control::Ringing));
      chan.queue_frame(Frame::control(Control::Answer));
    }
    return {};
  }
  void answer(Channel&) override {
    std::lock_guard lock(ep_->mu);
    ep_->answered = true;
  }
  void hangup(Channel&) override {
    std::lock_guard lock(ep_->mu);
    ep_->hung_up = true;
  }
  void write(Channel&, const Frame& f) override {
    std::function<void(const Frame&)> hook;
    {
      std::lock_guard lock(ep_->mu);
      ++ep_->frames_written;
      if (ep_->keep_frames) ep_->written.push_back(f);
      hook = ep_->on_write;
    }
    if (hook) hook(f);
  }
  std::vector<media::Format> native_formats() const override {
    std::lock_guard lock(ep_->mu);
    return ep_->formats.empty() ? std::vector<media::Format>{media::Format::slin()} : ep_->formats;
  }
  bool wants_inband_dtmf() const override {
    std::lock_guard lock(ep_->mu);
    return ep_->inband_dtmf;
  }
  void indicate_data(Channel&, Control c, const IndicationData& data) override {
    std::lock_guard lock(ep_->mu);
    ep_->indications.push_back(c);
    ep_->indication_data.push_back(data);
  }
  // Digits reach a driver through send_digit_begin/end (Channel::send_digit, and DTMF frames a
  // bridge writes): recorded in `digits_sent` and, in order with the voice, in `written`.
  void send_digit_begin(Channel&, char d) override {
    std::lock_guard lock(ep_->mu);
    if (ep_->keep_frames) ep_->written.push_back(Frame::dtmf_begin(d));
  }
  void send_digit_end(Channel&, char d, std::chrono::milliseconds held) override {
    std::lock_guard lock(ep_->mu);
    ep_->digits_sent += d;
    if (ep_->keep_frames) ep_->written.push_back(Frame::dtmf_end(d, held));
  }
  void send_text(Channel&, std::string_view text) override {
    std::lock_guard lock(ep_->mu);
    ep_->texts_sent.emplace_back(text);
  }
  boost::asio::awaitable<TextResult> deliver_text(Channel& chan, TextMessage msg) override {
    send_text(chan, msg.body);
    co_return TextResult{};
  }

 private:
  std::shared_ptr<TestEndpoint> ep_;
};
}  // namespace

std::shared_ptr<TestEndpoint> TestDriver::endpoint(const std::string& name) {
  std::lock_guard lock(mu_);
  auto& ep = endpoints_[name];
  if (!ep) ep = std::make_shared<TestEndpoint>();
  return ep;
}

Result<Channel::Ptr> TestDriver::request(Engine& engine, const ChannelRequest& req) {
  if (req.resource.empty()) return fail("Test channel needs a device name");
  Engine::ChannelInit init;
  init.tech = "Test";
  init.resource = req.resource;
  init.impl = std::make_unique<TestTech>(endpoint(req.resource));
  init.requestor = req.requestor;
  init.uniqueid = req.uniqueid;
  return engine.create_channel(std::move(init));
}

Channel::Ptr TestDriver::inbound(Engine& engine, const std::string& name, const std::string& context,
                                 const std::string& exten) {
  Engine::ChannelInit init;
  init.tech = "Test";
  init.resource = name;
  init.impl = std::make_unique<TestTech>(endpoint(name));
  init.direction = ChannelDirection::Inbound;
  auto chan = engine.create_channel(std::move(init));
  chan->set_location({context, exten, 1});
  chan->set_state(ChannelState::Ring);
  if (auto pbx = engine.pbx()) pbx->start(chan);
  return chan;
}

void ScriptedPbx::add(const std::string& key, Script s) {
  std::lock_guard lock(mu_);
  scripts_[key] = std::move(s);
}

bool ScriptedPbx::exists(std::string_view context, std::string_view exten, int, std::string_view) const {
  std::lock_guard lock(mu_);
  return scripts_.count(std::string(exten) + "@" + std::string(context)) > 0;
}

void ScriptedPbx::start(Channel::Ptr chan) {
  auto loc = chan->location();
  Script script;
  {
    std::lock_guard lock(mu_);
    auto it = scripts_.find(loc.exten + "@" + loc.context);
    if (it != scripts_.end()) script = it->second;
  }
  auto token = chan->hold();
  boost::asio::co_spawn(
      chan->strand(),
      [chan, script, token]() -> boost::asio::awaitable<void> {
        chan->set_pbx_running(true);
        if (script) co_await script(chan);
        chan->set_pbx_running(false);
        chan->hangup();
      },
      boost::asio::detached);
}

EventLog::EventLog(EventBus& bus) {
  sub_ = bus.subscribe({.name = "test-event-log"}, [this](const EventPtr& ev) {
    std::lock_guard lock(mu_);
    events_.push_back(ev);
    cv_.notify_all();
  });
}

std::vector<EventPtr> EventLog::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

bool EventLog::wait_for(const std::function<bool(const std::vector<EventPtr>&)>& pred,
                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(events_); });
}

bool EventLog::wait_for_type(std::string_view type, const std::function<bool(const Event&)>& match,
                             std::chrono::milliseconds timeout) const {
  return wait_for(
      [&](const std::vector<EventPtr>& evs) {
        for (auto& e : evs)
          if (e->type() == type && (!match || match(*e))) return true;
        return false;
      },
      timeout);
}

std::vector<std::string> EventLog::types_for_channel(const std::string& channel) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (auto& e : events_)
    if (auto* ce = e->as<ChannelEvent>(); ce && ce->channel.name == channel) out.emplace_back(e->type());
  return out;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

}  // namespace telephony::testkit
