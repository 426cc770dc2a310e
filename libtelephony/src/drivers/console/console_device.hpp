// Internal: one console device (a console.conf section) and its call. The device owns the ALSA
// streams while a call is up (opened at call start, closed at hangup, as chan_console does), the
// resamplers between the device rate and the channel's 16 kHz, the echo canceller / noise
// suppressor, and the playback queue the channel writes into.
//
// Threading: everything of a device runs on its strand except write_voice(), which runs on the
// channel's strand and only appends to the playback queue under the device's own mutex (one
// device, one call: never shared between calls).
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "alsa_stream.hpp"
#include "drivers/tdm/frame_pool.hpp"
#include "telephony/console/console_conf.hpp"
#include "telephony/console/console_dsp.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/resampler.hpp"
#include "telephony/media/tone.hpp"

namespace telephony::console {

inline constexpr unsigned kChannelRate = 16000;       // what Console channels speak (slin16)
inline constexpr std::size_t kFrame = kChannelRate / 50;  // 20 ms

class ConsoleDevice : public std::enable_shared_from_this<ConsoleDevice> {
 public:
  ConsoleDevice(Engine& engine, ConsoleDeviceConfig cfg);
  ~ConsoleDevice();

  const std::string& name() const { return name_; }
  ConsoleDeviceConfig config() const;
  void set_config(ConsoleDeviceConfig cfg);
  Channel::Ptr owner() const;
  bool muted() const { return muted_.load(); }
  void set_muted(bool m) { muted_ = m; }
  bool autoanswer() const { return autoanswer_.load(); }
  void set_autoanswer(bool on) { autoanswer_ = on; }
  void set_echo_cancel(bool on);
  void set_noise_suppress(bool on);
  bool echo_cancel() const { return echo_.load(); }
  bool noise_suppress() const { return denoise_.load(); }

  // Dial(Console/<dev>): a new outbound channel, or a refused one when a call is up.
  Channel::Ptr make_outbound(const ChannelRequest& req);
  // `console dial`: an inbound call from the console into the dialplan.
  Result<Channel::Ptr> dial(std::string exten, std::string context);
  // `console answer`: answer the ringing outbound call.
  Result<void> answer();
  // `console hangup`.
  Result<void> hangup();

  // ChannelTech side.
  void tech_call(const Channel::Ptr& chan);
  void tech_hangup();
  void tech_indicate(Control c);
  void write_voice(const Frame& f);

  struct Stats {
    unsigned device_rate_in = 0, device_rate_out = 0;
    std::uint64_t xruns = 0, frames_in = 0, frames_out = 0;
    bool streaming = false;
  };
  Stats stats() const;

 private:
  Channel::Ptr new_channel(ChannelDirection dir, const ChannelRequest* req);
  void start_streams();  // strand
  void stop_streams();   // strand
  void on_capture(std::span<std::int16_t> pcm);   // device rate
  void on_playback(std::span<std::int16_t> out);  // device rate

  Engine& engine_;
  const std::string name_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  mutable std::mutex mu_;  // config_, owner_
  ConsoleDeviceConfig config_;
  std::weak_ptr<Channel> owner_;
  std::atomic<bool> muted_{false}, autoanswer_{false}, echo_{false}, denoise_{false};
  std::atomic<bool> streaming_{false};

  // Strand-only.
  std::shared_ptr<AlsaStream> capture_, playback_;
  std::optional<media::Resampler> cap_rs_, play_rs_;
  std::optional<ConsoleDsp> dsp_;
  std::vector<std::int16_t> cap16_;  // capture at 16 kHz, waiting to fill a frame
  std::vector<std::int16_t> play_dev_;  // playback at the device rate, waiting to be written
  std::vector<std::int16_t> scratch_;
  tdm::PayloadPool pool_{kFrame * 2};
  std::optional<media::ToneGenerator> local_tone_;  // ringback/busy the console plays itself

  // Channel strand -> device strand.
  std::mutex play_mu_;
  std::deque<std::int16_t> play16_;
};

}  // namespace telephony::console
