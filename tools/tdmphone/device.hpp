// tdmphone's device: the far end of one TDM socket port — an analog phone (role "phone", for an
// FXS port: fxo_* signalling) or a telephone line / exchange (role "line", for an FXO port: fxs_*
// signalling). It speaks tdm/wire.hpp over a Unix datagram socket, sends audio every 20 ms while it
// has something to say or the loop is closed, and reports what it sees and hears as events:
// ring cadence, hook changes, polarity, caller ID (Bell 202 / V.23 FSK, DTMF), DTMF digits, and
// tone measurements.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "telephony/media/dtmf.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/tone.hpp"
#include "telephony/tdm/callerid.hpp"
#include "telephony/tdm/wire.hpp"

namespace tdmphone {

using Clock = std::chrono::steady_clock;

// One line of output: "<ms since start> <name> [args]".
using EventSink = std::function<void(const std::string& name, const std::string& args)>;

struct Options {
  std::string socket_path;
  bool line_role = false;
  telephony::tdm::WireLaw law = telephony::tdm::WireLaw::Ulaw;
  std::string name = "tdmphone";
  std::string record_path;
  bool auto_dialtone = false;  // line role: dial tone while seized and nothing dialed yet
  int auto_answer_rings = 0;   // phone role: go off-hook after this many rings (0: never)
  std::string dialtone = "350+440";
};

class Device {
 public:
  Device(Options opts, EventSink sink);
  ~Device();
  bool open(std::string& error);
  int fd() const { return fd_; }

  // Called by the loop: a datagram is waiting / 20 ms passed.
  void on_readable();
  void on_tick();

  // --- actions ---
  void set_hook(bool off);                 // phone
  void flash(int ms);                      // phone: on-hook for ms, then off-hook
  void send_signal(telephony::tdm::LineSignal s);
  void send_alarm(std::uint8_t bits);
  bool dial(const std::string& digits, int on_ms, int off_ms, std::string& error);
  bool play_file(const std::string& path, std::string& error);
  bool play_tone(const std::string& spec, std::string& error);
  bool send_callerid(telephony::tdm::CidSignalling standard, telephony::tdm::CallerIdMessage m, std::string& error);
  void silence();
  bool start_recording(const std::string& path, std::string& error);
  void stop_recording();
  void start_measure(double seconds);
  void set_dialtone(bool on);
  void ring_cadence(std::vector<int> pattern, int rings);  // line: ring with this cadence

  bool sending() const { return !std::holds_alternative<std::monostate>(source_); }
  bool measuring() const { return measure_left_ > 0; }
  bool off_hook() const { return off_hook_; }
  bool seized() const { return seized_; }
  const std::string& digits() const { return digits_; }
  void clear_digits() { digits_.clear(); }

 private:
  struct ToneSrc { telephony::media::ToneGenerator gen; };
  struct DtmfSrc {
    telephony::media::DtmfGenerator gen;
    std::string digits;
    std::size_t next = 0;
    int on, off;
  };
  struct FileSrc {
    std::vector<std::int16_t> pcm;
    std::size_t pos = 0;
  };
  struct CidSrc { telephony::tdm::CallerIdGenerator gen; };
  using Source = std::variant<std::monostate, ToneSrc, DtmfSrc, FileSrc, CidSrc>;

  void emit(const std::string& name, const std::string& args = {}) { sink_(name, args); }
  void send_raw(const std::uint8_t* data, std::size_t n);
  void on_signal(telephony::tdm::LineSignal s);
  void on_audio(std::span<const std::uint8_t> g711);
  void finish_measure();
  void detect_cas(std::span<const std::int16_t> pcm);
  void ring_step();
  bool loop_closed() const { return opts_.line_role ? seized_ : off_hook_; }

  Options opts_;
  EventSink sink_;
  int fd_ = -1;
  std::string bound_path_;
  std::uint16_t seq_ = 0;
  bool off_hook_ = false;     // phone role: our hook
  bool seized_ = false;       // line role: the port closed the loop
  bool ringing_ = false;      // phone role: ring voltage present
  int rings_ = 0;
  Clock::time_point ring_started_{};
  Source source_;
  std::optional<Clock::time_point> flash_until_;
  std::optional<telephony::media::AudioFileWriter> recorder_;
  Clock::time_point last_rx_{};
  telephony::media::DtmfDetector dtmf_;
  std::string digits_;
  std::optional<telephony::tdm::CallerIdReceiver> cid_bell_, cid_v23_, cid_dtmf_;
  std::string last_cid_;
  int cas_blocks_ = 0;                  // consecutive blocks holding the CAS (2130 + 2750 Hz)
  Clock::time_point cw_listen_until_{};  // off-hook: FSK caller ID expected after our CAS ack
  Clock::time_point last_cid_at_{};
  std::vector<std::int16_t> measure_buf_;
  int measure_left_ = 0;      // ticks
  bool dialtone_ = false;
  // line role ring generator
  std::vector<int> cadence_;
  int cadence_rings_ = 0;
  std::size_t cadence_pos_ = 0;
  Clock::time_point cadence_next_{};
  bool bell_ = false;
};

}  // namespace tdmphone
