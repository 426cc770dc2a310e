// Internal: a software span channel — DAHDI's kernel behaviour (hook timing, ring cadence, flash,
// wink, kewlstart and groundstart line states) emulated on top of a WireLink that carries the
// physical line signals to the far end (another span in memory, or a socket to another process).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "soft_spans.hpp"
#include "telephony/tdm/span.hpp"
#include "telephony/tdm/wire.hpp"

namespace telephony::tdm {

// The far end of one port. Any thread; never blocks, never allocates.
class WireLink {
 public:
  virtual ~WireLink() = default;
  virtual void send_signal(LineSignal s) = 0;
  virtual void send_audio(std::span<const std::uint8_t> g711) = 0;
  virtual std::string describe() const = 0;
  // The channel's executor once attached (deliveries run there), nullopt when detached.
  virtual void bind(std::optional<SpanChannel::Executor> ex) {}
  virtual SoftChannelStats stats() const { return {}; }
};

class SoftChannel : public SpanChannel {
 public:
  explicit SoftChannel(std::string where) : where_(std::move(where)) {}

  void set_link(std::shared_ptr<WireLink> link);
  WireLink* link() const { return link_.get(); }
  // From the link; run on the attached executor (see post_from_wire).
  void on_wire_signal(LineSignal s);
  void on_wire_audio(std::span<const std::uint8_t> g711);
  // The executor deliveries must run on, or empty when nobody is attached (then drop them).
  std::optional<Executor> delivery_executor() const;
  // Posts Alarm/NoAlarm to the listener (any thread).
  void notify_alarm(bool in_alarm);

  void attach(PortListener* listener, Executor ex, Signalling sig, PortTiming timing) override;
  void detach() override;
  void hook(HookCommand cmd) override;
  void set_cadence(std::vector<int> on_off_ms) override;
  void set_polarity(bool reversed) override;
  void write_audio(std::span<const std::uint8_t> g711) override;
  bool off_hook() const override { return off_hook_.load(); }
  std::string describe() const override;

 private:
  bool office_side() const { return faces_phone(sig_); }
  bool device_side() const { return faces_line(sig_); }
  bool em() const { return sig_ == Signalling::Em || sig_ == Signalling::EmE1; }
  void emit(PortEvent e);
  void send(LineSignal s);
  void start_ringing();
  void stop_ringing();
  void ring_step();
  void after(boost::asio::steady_timer& t, int ms, void (SoftChannel::*fn)());
  void flash_window_expired();
  void kewl_restore();
  void flash_restore();
  void wink_done();
  void groundstart_timeout();

  const std::string where_;
  std::shared_ptr<WireLink> link_;
  mutable std::mutex mu_;  // guards listener_/executor_ against the link's producer threads
  PortListener* listener_ = nullptr;
  std::optional<Executor> executor_;
  Signalling sig_ = Signalling::Unused;
  PortTiming timing_;
  std::atomic<bool> off_hook_{false};

  // Executor-only state.
  std::optional<boost::asio::steady_timer> ring_timer_, hook_timer_, aux_timer_;
  std::vector<int> cadence_{2000, 4000};
  bool ringing_ = false;
  bool bell_on_ = false;
  std::size_t cadence_pos_ = 0;
  bool flash_pending_ = false;   // office side: on-hook seen, waiting rxflash
  bool polarity_reversed_ = false;
  bool tip_grounded_ = false;    // device side (groundstart): office grounded tip
  bool seizing_ = false;         // device side (groundstart): ring grounded, waiting for tip
  std::uint64_t epoch_ = 0;      // bumps on detach; stale timer callbacks compare it
};

}  // namespace telephony::tdm
