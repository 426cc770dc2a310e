// A console device and its one call (see console_device.hpp).
#include "console_device.hpp"

#include <boost/asio/post.hpp>
#include <cstring>

#include "drivers/refused_tech.hpp"

namespace telephony::console {

namespace asio = boost::asio;

namespace {

class ConsoleTech : public ChannelTech {
 public:
  explicit ConsoleTech(std::shared_ptr<ConsoleDevice> dev) : dev_(std::move(dev)) {}
  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override {
    dev_->tech_call(chan.shared_from_this());
    return {};
  }
  void hangup(Channel&) override { dev_->tech_hangup(); }
  void write(Channel&, const Frame& f) override {
    if (f.kind == FrameKind::Voice) dev_->write_voice(f);
  }
  void indicate(Channel&, Control c) override { dev_->tech_indicate(c); }
  void send_text(Channel& chan, std::string_view text) override {
    chan.engine().log().verbose("chan_console", "Text for the console: " + std::string(text));
  }
  std::vector<media::Format> native_formats() const override { return {media::Format::slin(kChannelRate)}; }

 private:
  std::shared_ptr<ConsoleDevice> dev_;
};

constexpr std::size_t kMaxQueued = kChannelRate / 5;  // 200 ms of playback backlog at most

}  // namespace

ConsoleDevice::ConsoleDevice(Engine& engine, ConsoleDeviceConfig cfg)
    : engine_(engine), name_(cfg.name), strand_(asio::make_strand(engine.io())), config_(std::move(cfg)) {
  autoanswer_ = config_.autoanswer;
  echo_ = config_.echocancel;
  denoise_ = config_.noisesuppress;
}

ConsoleDevice::~ConsoleDevice() = default;

ConsoleDeviceConfig ConsoleDevice::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void ConsoleDevice::set_config(ConsoleDeviceConfig cfg) {
  std::lock_guard lock(mu_);
  autoanswer_ = cfg.autoanswer;
  config_ = std::move(cfg);
}

Channel::Ptr ConsoleDevice::owner() const {
  std::lock_guard lock(mu_);
  return owner_.lock();
}

void ConsoleDevice::set_echo_cancel(bool on) {
  echo_ = on;
  asio::post(strand_, [self = shared_from_this(), on] {
    if (self->dsp_) self->dsp_->set_echo_cancel(on);
  });
}

void ConsoleDevice::set_noise_suppress(bool on) {
  denoise_ = on;
  asio::post(strand_, [self = shared_from_this(), on] {
    if (self->dsp_) self->dsp_->set_noise_suppress(on);
  });
}

Channel::Ptr ConsoleDevice::new_channel(ChannelDirection dir, const ChannelRequest* req) {
  const auto cfg = config();
  Engine::ChannelInit init;
  init.tech = "Console";
  init.resource = name_;
  init.impl = std::make_unique<ConsoleTech>(shared_from_this());
  init.direction = dir;
  init.name_override = "Console/" + name_;
  if (req) {
    init.requestor = req->requestor;
    init.uniqueid = req->uniqueid;
  }
  auto chan = engine_.create_channel(std::move(init));
  if (!cfg.language.empty()) chan->set_language(cfg.language);
  std::lock_guard lock(mu_);
  owner_ = chan;
  return chan;
}

Channel::Ptr ConsoleDevice::make_outbound(const ChannelRequest& req) {
  {
    std::lock_guard lock(mu_);
    if (auto busy = owner_.lock()) {
      engine_.log().notice("chan_console", "Console channel already active!");
      Engine::ChannelInit init;
      init.tech = "Console";
      init.resource = name_;
      init.impl = std::make_unique<RefusedTech>(Control::Busy, HangupCause::UserBusy, media::Format::slin(kChannelRate));
      init.requestor = req.requestor;
      return engine_.create_channel(std::move(init));
    }
  }
  return new_channel(ChannelDirection::Outbound, &req);
}

Result<Channel::Ptr> ConsoleDevice::dial(std::string exten, std::string context) {
  if (owner()) return fail("already in a call");
  auto pbx = engine_.pbx();
  if (!pbx || !pbx->exists(context, exten, 1, "")) return fail("No such extension '" + exten + "' in context '" + context + "'");
  const auto cfg = config();
  auto chan = new_channel(ChannelDirection::Inbound, nullptr);
  chan->set_caller(cfg.callerid);
  chan->set_location({context, exten, 1});
  chan->set_state(ChannelState::Ringing);
  asio::post(strand_, [self = shared_from_this()] { self->start_streams(); });
  pbx->start(chan);
  return chan;
}

Result<void> ConsoleDevice::answer() {
  auto chan = owner();
  if (!chan || chan->direction() != ChannelDirection::Outbound) return fail("No one is calling us");
  asio::post(strand_, [self = shared_from_this()] { self->local_tone_.reset(); });
  chan->queue_frame(Frame::control(Control::Answer));
  return {};
}

Result<void> ConsoleDevice::hangup() {
  auto chan = owner();
  if (!chan) return fail("No call to hang up");
  chan->request_hangup(HangupCause::NormalClearing);
  return {};
}

void ConsoleDevice::tech_call(const Channel::Ptr& chan) {
  const auto caller = chan->caller();
  engine_.log().notice("chan_console", "Call to device '" + name_ + "' on console from '" + caller.name + "' <" +
                                           caller.number + ">");
  asio::post(strand_, [self = shared_from_this()] { self->start_streams(); });
  if (autoanswer_.load()) {
    engine_.log().notice("chan_console", "Auto-answered");
    chan->queue_frame(Frame::control(Control::Answer));
  } else {
    engine_.log().notice("chan_console", "Type 'console answer' to answer, or use the 'autoanswer' option for future calls");
    chan->queue_frame(Frame::control(Control::Ringing));
  }
}

void ConsoleDevice::tech_hangup() {
  {
    std::lock_guard lock(mu_);
    owner_.reset();
  }
  engine_.log().notice("chan_console", "Hung up on console device '" + name_ + "'");
  asio::post(strand_, [self = shared_from_this()] { self->stop_streams(); });
}

void ConsoleDevice::tech_indicate(Control c) {
  // The console has no phone to ring back: it plays the progress tones itself (chan_console asks
  // the core for in-band indications).
  asio::post(strand_, [self = shared_from_this(), c] {
    const char* tone = c == Control::Ringing ? "440+480/2000,0/4000"
                       : c == Control::Busy ? "480+620/500,0/500"
                       : c == Control::Congestion ? "480+620/250,0/250"
                                                  : nullptr;
    if (c == Control::Answer || c == Control::Progress || c == Control::Unhold) self->local_tone_.reset();
    if (!tone) return;
    auto spec = media::parse_tone_spec(tone);
    if (spec) self->local_tone_.emplace(std::move(*spec), kChannelRate);
  });
}

void ConsoleDevice::write_voice(const Frame& f) {
  if (f.format.codec != media::Codec::Slin || f.format.rate != kChannelRate) return;
  const auto bytes = f.data();
  const std::size_t n = bytes.size() / 2;
  std::lock_guard lock(play_mu_);
  for (std::size_t i = 0; i < n; ++i) {
    std::int16_t s;
    std::memcpy(&s, bytes.data() + 2 * i, 2);
    play16_.push_back(s);
  }
  while (play16_.size() > kMaxQueued) play16_.pop_front();  // a bursty writer must not build delay
}

ConsoleDevice::Stats ConsoleDevice::stats() const {
  Stats s;
  s.streaming = streaming_.load();
  return s;
}

void ConsoleDevice::start_streams() {
  if (capture_ || playback_) return;
  const auto cfg = config();
  auto cap = AlsaStream::open(strand_, AlsaStream::Direction::Capture, cfg.input_device, cfg.samplerate, 20);
  auto play = AlsaStream::open(strand_, AlsaStream::Direction::Playback, cfg.output_device, cfg.samplerate, 20);
  if (!cap || !play) {
    engine_.log().error("chan_console", "Console/" + name_ + ": " + (!cap ? cap.error().message : play.error().message));
    if (auto chan = owner()) chan->request_hangup(HangupCause::ChanNotImplemented);
    return;
  }
  capture_ = *cap;
  playback_ = *play;
  cap_rs_.reset();
  play_rs_.reset();
  if (capture_->rate() != kChannelRate)
    if (auto r = media::Resampler::create(capture_->rate(), kChannelRate)) cap_rs_.emplace(std::move(*r));
  if (playback_->rate() != kChannelRate)
    if (auto r = media::Resampler::create(kChannelRate, playback_->rate())) play_rs_.emplace(std::move(*r));
  if (auto d = ConsoleDsp::create(kChannelRate, kFrame, cfg.echotail_ms)) {
    dsp_.emplace(std::move(*d));
    dsp_->set_echo_cancel(echo_.load());
    dsp_->set_noise_suppress(denoise_.load());
  }
  cap16_.clear();
  play_dev_.clear();
  {
    std::lock_guard lock(play_mu_);
    play16_.clear();
  }
  engine_.log().verbose("chan_console", "Console/" + name_ + ": capture '" + cfg.input_device + "' at " +
                                            std::to_string(capture_->rate()) + " Hz, playback '" + cfg.output_device +
                                            "' at " + std::to_string(playback_->rate()) + " Hz");
  streaming_ = true;
  auto self = shared_from_this();
  capture_->start([self](std::span<std::int16_t> pcm) { self->on_capture(pcm); });
  playback_->start([self](std::span<std::int16_t> out) { self->on_playback(out); });
}

void ConsoleDevice::stop_streams() {
  if (capture_) capture_->stop();
  if (playback_) playback_->stop();
  capture_.reset();
  playback_.reset();
  dsp_.reset();
  local_tone_.reset();
  streaming_ = false;
}

void ConsoleDevice::on_capture(std::span<std::int16_t> pcm) {
  // Device rate -> 16 kHz -> 20 ms frames -> echo cancel / denoise -> the channel.
  if (cap_rs_) {
    scratch_.resize(cap_rs_->output_size(pcm.size()) + 2);
    const auto n = cap_rs_->process(pcm, scratch_);
    cap16_.insert(cap16_.end(), scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(n));
  } else {
    cap16_.insert(cap16_.end(), pcm.begin(), pcm.end());
  }
  auto chan = owner();
  while (cap16_.size() >= kFrame) {
    std::span<std::int16_t> frame(cap16_.data(), kFrame);
    if (dsp_) dsp_->captured(frame);
    if (chan && !muted_.load()) {
      auto payload = pool_.take([&](std::uint8_t* out) { std::memcpy(out, frame.data(), kFrame * 2); });
      chan->queue_frame(Frame::voice(media::Format::slin(kChannelRate), std::move(payload), kFrame));
    }
    cap16_.erase(cap16_.begin(), cap16_.begin() + static_cast<std::ptrdiff_t>(kFrame));
  }
}

void ConsoleDevice::on_playback(std::span<std::int16_t> out) {
  // Refill the device-rate queue 20 ms at a time from what the channel wrote (or silence), the
  // same frames passing the echo canceller as its reference.
  while (play_dev_.size() < out.size()) {
    std::array<std::int16_t, kFrame> frame{};
    {
      std::lock_guard lock(play_mu_);
      const std::size_t n = std::min(kFrame, play16_.size());
      std::copy_n(play16_.begin(), n, frame.begin());
      play16_.erase(play16_.begin(), play16_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (local_tone_) {
      std::array<std::int16_t, kFrame> tone{};
      local_tone_->generate(tone);
      for (std::size_t i = 0; i < kFrame; ++i) frame[i] = static_cast<std::int16_t>(std::clamp(frame[i] + tone[i], -32768, 32767));
    }
    if (dsp_) dsp_->played(frame);
    if (play_rs_) {
      scratch_.resize(play_rs_->output_size(kFrame) + 2);
      const auto n = play_rs_->process(frame, scratch_);
      play_dev_.insert(play_dev_.end(), scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(n));
    } else {
      play_dev_.insert(play_dev_.end(), frame.begin(), frame.end());
    }
  }
  std::copy_n(play_dev_.begin(), out.size(), out.begin());
  play_dev_.erase(play_dev_.begin(), play_dev_.begin() + static_cast<std::ptrdiff_t>(out.size()));
}

}  // namespace telephony::console
