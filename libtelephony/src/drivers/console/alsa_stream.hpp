// Internal: one direction of ALSA audio (capture or playback) driven from the engine's event loop.
//
// The PCM is opened non-blocking and its poll descriptors are watched by asio (duplicated fds, so
// asio's ownership never closes ALSA's), so a sound card wakes us exactly when a period is ready
// and nothing ever blocks a thread. Not every PCM keeps time: ALSA's null and file plugins (and a
// misbehaving driver) are always ready. So each stream also keeps a wall clock: it never moves
// more than `elapsed time × rate` plus a little slack; when a PCM runs ahead of the clock the
// stream waits on a timer instead of its descriptors. A stream that shows it is paced by hardware
// (it keeps being ready with less than two periods) drops the wall-clock limit, so a card whose
// crystal runs a little fast is never starved by our clock. Over- and underruns are recovered
// (snd_pcm_recover) and counted.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <string>
#include <vector>

#include "telephony/result.hpp"

typedef struct _snd_pcm snd_pcm_t;

namespace telephony::console {

class AlsaStream : public std::enable_shared_from_this<AlsaStream> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  // Capture: called with each period read. Playback: asked to fill each period to write.
  using Handler = std::function<void(std::span<std::int16_t>)>;

  enum class Direction { Capture, Playback };
  // Opens `device` (an ALSA PCM name) mono S16 at about `rate` (ALSA may resample to get it).
  static Result<std::shared_ptr<AlsaStream>> open(Strand strand, Direction dir, const std::string& device,
                                                  unsigned rate, unsigned period_ms);
  ~AlsaStream();

  unsigned rate() const { return rate_; }
  std::size_t period_frames() const { return period_; }
  void start(Handler h);  // strand
  void stop();            // strand; idempotent
  std::uint64_t xruns() const { return xruns_; }
  std::uint64_t frames() const { return total_; }
  bool paced_by_hardware() const { return paced_; }

 private:
  AlsaStream(Strand strand, Direction dir) : strand_(strand), dir_(dir), timer_(strand) {}
  void service();
  void arm();
  long allowance() const;  // frames the wall clock allows now (capture: to read; playback: to write)

  Strand strand_;
  Direction dir_;
  snd_pcm_t* pcm_ = nullptr;
  unsigned rate_ = 16000;
  std::size_t period_ = 320;
  std::size_t buffer_ = 1280;
  std::vector<std::unique_ptr<boost::asio::posix::stream_descriptor>> fds_;
  std::vector<short> events_;
  boost::asio::steady_timer timer_;
  Handler handler_;
  std::vector<std::int16_t> buf_;
  std::chrono::steady_clock::time_point t0_;
  std::uint64_t total_ = 0;
  std::uint64_t xruns_ = 0;
  int small_avail_streak_ = 0;
  bool paced_ = false;
  bool running_ = false;
  bool waiting_ = false;
};

}  // namespace telephony::console
