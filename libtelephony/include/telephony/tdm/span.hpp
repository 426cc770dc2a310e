// Spans and their channels: the TDM hardware as the channel driver sees it, in DAHDI's shape.
//
// A Span is a group of channels with one framing, one companding law (µ-law or A-law) and one
// alarm state (red, yellow, blue). Each SpanChannel is what /dev/dahdi/channel is once a channel
// number is chosen: 8 kHz G.711 audio in blocks (10-40 ms), hook commands (DAHDI_HOOK: on/off
// hook, ring, flash, wink, start), a ring cadence, a polarity, and events back (DAHDI_EVENT_*:
// off-hook, on-hook, flash, ring begin/end, ringer on/off, wink, polarity, alarm).
//
// Backends: the kernel backend drives real DAHDI channels; the software spans (loc: two spans
// wired back to back in memory; sock: each channel a Unix datagram socket carrying the physical
// line signals of tdm/wire.hpp to another process) emulate what the DAHDI kernel does on top of
// a wire — hook timing (a short on-hook is a flash, a long one a hang-up), ring cadences that
// switch the bell on and off, kewlstart loop-current drops, groundstart tip/ring grounding — so
// the channel driver above runs the same logic on all of them.
//
// Threading: attach() binds a channel to a listener and an executor (a strand). Every listener
// call and every timer of the channel runs on that executor, and hook()/set_cadence()/
// set_polarity() must be called on it. write_audio() may be called from any thread; it never
// blocks and never allocates.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/tdm/system_conf.hpp"
#include "telephony/tdm/wire.hpp"

namespace telephony::tdm {

enum class Law : std::uint8_t { Ulaw, Alaw };
std::string_view to_string(Law l);

enum class HookCommand : std::uint8_t { OnHook, OffHook, Wink, Flash, Start, Ring, RingOff };

enum class PortEvent : std::uint8_t {
  OffHook,       // FXS port: phone lifted or ringing answered; E&M: far end seized/answered
  OnHook,        // FXS port: phone hung up (after rxflash); FXO/E&M port: far end disconnected
  Flash,         // FXS port: the phone flashed the hook switch
  Wink,          // E&M: wink received
  RingStart,     // FXO port: ringing voltage began
  RingStop,      // FXO port: ringing voltage ended
  RingerOn,      // FXS port: our cadence switched the bell on
  RingerOff,     // FXS port: ... and off
  Polarity,      // FXO port: battery polarity reversed
  HookComplete,  // the flash or wink we sent is over
  TipGround,     // FXO groundstart port: the office grounded tip
  Alarm,         // the span went into alarm
  NoAlarm,       // the span's alarm cleared
};
std::string_view to_string(PortEvent e);

// DAHDI's hook timings in ms (chan_dahdi.conf flash=, rxflash= ...; -1 there keeps these).
struct PortTiming {
  int flash = 750;     // on-hook time of a flash we send
  int rxflash = 1250;  // an on-hook shorter than this is a flash, longer a hang-up
  int rxwink = 300;
  int wink = 150;
  int start = 1500;    // groundstart: wait this long for the tip ground
  int debounce = 600;
  int prewink = 50;
  int preflash = 50;
  int kewl = 500;      // loop-current drop that tells a kewlstart phone the far end hung up
};

class PortListener {
 public:
  virtual ~PortListener() = default;
  virtual void on_event(PortEvent e) = 0;
  // One block of G.711 in the span's law, as received.
  virtual void on_audio(std::span<const std::uint8_t> g711) = 0;
};

class SpanChannel : public std::enable_shared_from_this<SpanChannel> {
 public:
  // A concrete strand, not a type-erased executor: posting a block to it (the loc span does once
  // per burst) must not allocate, and copying it is a reference count.
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  virtual ~SpanChannel() = default;
  virtual void attach(PortListener* listener, Executor ex, Signalling sig, PortTiming timing) = 0;
  virtual void detach() = 0;
  virtual void hook(HookCommand cmd) = 0;
  // Ring pattern (ms on, off, ...) used by the next HookCommand::Ring.
  virtual void set_cadence(std::vector<int> on_off_ms) = 0;
  virtual void set_polarity(bool reversed) = 0;
  virtual void write_audio(std::span<const std::uint8_t> g711) = 0;
  // Hook state of the far device as this port sees it (FXS ports) or our own (FXO ports).
  virtual bool off_hook() const = 0;
  // Where it lives ("socket /run/telephony/tdm/1", "loc 1:0 <-> 1:1").
  virtual std::string describe() const = 0;
};

class Span {
 public:
  using AlarmObserver = std::function<void(Span&, std::uint8_t before, std::uint8_t now)>;

  Span(int number, std::string name, std::string description, Law law)
      : number_(number), name_(std::move(name)), description_(std::move(description)), law_(law) {}
  virtual ~Span() = default;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  int number() const { return number_; }
  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  Law law() const { return law_; }
  std::size_t channel_count() const { return channels_.size(); }
  SpanChannel& channel(std::size_t index) { return *channels_.at(index); }
  std::shared_ptr<SpanChannel> channel_ptr(std::size_t index) { return channels_.at(index); }
  // AlarmBits (tdm/wire.hpp); 0 = OK.
  std::uint8_t alarms() const { return alarms_.load(); }
  // "OK", "RED", "YEL/RED" ... as `dahdi show status` prints them.
  std::string alarm_text() const;
  void set_alarm_observer(AlarmObserver o);
  // Opens sockets, links peers. Errors name the span.
  virtual Result<void> start() { return {}; }
  virtual void stop() {}
  // Framing/coding for `dahdi show status` (from a span= line; software spans default to CAS/AMI).
  std::string framing = "CAS";
  std::string coding = "AMI";

 protected:
  // Called by backends; notifies the observer and every attached channel (Alarm/NoAlarm).
  void set_alarms(std::uint8_t bits);
  virtual void notify_channels_alarm(bool in_alarm) = 0;
  // Shared: timers and pending I/O of a channel keep it alive until they complete, so a span can
  // be torn down (dahdi restart) while handlers are still queued.
  std::vector<std::shared_ptr<SpanChannel>> channels_;

 private:
  const int number_;
  const std::string name_;
  const std::string description_;
  const Law law_;
  std::atomic<std::uint8_t> alarms_{0};
  std::mutex observer_mu_;
  AlarmObserver observer_;
};

std::string alarm_text(std::uint8_t bits);

}  // namespace telephony::tdm
