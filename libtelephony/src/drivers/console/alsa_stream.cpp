// One ALSA direction on the event loop (see alsa_stream.hpp).
#include "alsa_stream.hpp"

#include <alsa/asoundlib.h>
#include <poll.h>
#include <unistd.h>

#include <climits>

namespace telephony::console {

namespace asio = boost::asio;

Result<std::shared_ptr<AlsaStream>> AlsaStream::open(Strand strand, Direction dir, const std::string& device,
                                                     unsigned rate, unsigned period_ms) {
  std::shared_ptr<AlsaStream> s(new AlsaStream(strand, dir));
  const auto stream = dir == Direction::Capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK;
  const char* what = dir == Direction::Capture ? "capture" : "playback";
  int err = snd_pcm_open(&s->pcm_, device.c_str(), stream, SND_PCM_NONBLOCK);
  if (err < 0) return fail(std::string("cannot open ALSA ") + what + " device '" + device + "': " + snd_strerror(err));
  err = snd_pcm_set_params(s->pcm_, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, rate, 1, period_ms * 4 * 1000);
  if (err < 0) return fail(std::string("ALSA ") + what + " device '" + device + "': " + snd_strerror(err));
  snd_pcm_uframes_t buffer = 0, period = 0;
  snd_pcm_get_params(s->pcm_, &buffer, &period);
  snd_pcm_hw_params_t* hw = nullptr;
  snd_pcm_hw_params_alloca(&hw);
  unsigned actual = rate;
  int sub = 0;
  if (snd_pcm_hw_params_current(s->pcm_, hw) == 0) snd_pcm_hw_params_get_rate(hw, &actual, &sub);
  s->rate_ = actual;
  // Our own period (20 ms at the actual rate) decides how much moves per step.
  s->period_ = std::max<std::size_t>(1, actual * period_ms / 1000);
  s->buffer_ = std::max<std::size_t>(buffer, s->period_ * 2);
  s->buf_.resize(s->period_);
  const int n = snd_pcm_poll_descriptors_count(s->pcm_);
  std::vector<pollfd> pfds(static_cast<std::size_t>(std::max(n, 0)));
  if (n > 0) snd_pcm_poll_descriptors(s->pcm_, pfds.data(), static_cast<unsigned>(n));
  for (const auto& p : pfds) {
    const int fd = ::dup(p.fd);
    if (fd < 0) continue;
    s->fds_.push_back(std::make_unique<asio::posix::stream_descriptor>(strand, fd));
    s->events_.push_back(p.events);
  }
  return s;
}

AlsaStream::~AlsaStream() {
  running_ = false;
  for (auto& d : fds_) {
    boost::system::error_code ec;
    d->close(ec);
  }
  if (pcm_) snd_pcm_close(pcm_);
}

void AlsaStream::start(Handler h) {
  handler_ = std::move(h);
  running_ = true;
  t0_ = std::chrono::steady_clock::now();
  if (dir_ == Direction::Capture) snd_pcm_start(pcm_);
  service();
}

void AlsaStream::stop() {
  if (!running_) return;
  running_ = false;
  timer_.cancel();
  for (auto& d : fds_) {
    boost::system::error_code ec;
    d->cancel(ec);
  }
  snd_pcm_drop(pcm_);
}

long AlsaStream::allowance() const {
  const auto elapsed = std::chrono::steady_clock::now() - t0_;
  const auto due = static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()) * rate_ / 1000000;
  // Capture may be two periods behind the clock; playback keeps three periods queued ahead of it.
  const long long slack = static_cast<long long>(period_) * (dir_ == Direction::Capture ? 2 : 3);
  const long long allow = due + slack - static_cast<long long>(total_);
  return allow > LONG_MAX ? LONG_MAX : static_cast<long>(allow);
}

void AlsaStream::service() {
  if (!running_) return;
  bool clock_bound = false;
  for (int steps = 0; steps < 64 && running_; ++steps) {
    snd_pcm_sframes_t avail = snd_pcm_avail_update(pcm_);
    if (avail < 0) {
      ++xruns_;
      if (snd_pcm_recover(pcm_, static_cast<int>(avail), 1) < 0) snd_pcm_prepare(pcm_);
      if (dir_ == Direction::Capture) snd_pcm_start(pcm_);
      continue;
    }
    // A PCM that keeps being ready with little data is a clocked device: stop limiting it.
    if (!paced_) {
      const auto a = static_cast<std::size_t>(avail);
      if (a >= period_ && a <= 2 * period_) {
        if (++small_avail_streak_ >= 20) paced_ = true;
      } else if (a > 2 * period_) {
        small_avail_streak_ = 0;
      }
    }
    if (static_cast<std::size_t>(avail) < period_) break;
    if (!paced_ && allowance() < static_cast<long>(period_)) {
      clock_bound = true;
      break;
    }
    snd_pcm_sframes_t n;
    if (dir_ == Direction::Capture) {
      n = snd_pcm_readi(pcm_, buf_.data(), period_);
      if (n > 0) {
        total_ += static_cast<std::uint64_t>(n);
        handler_(std::span<std::int16_t>(buf_.data(), static_cast<std::size_t>(n)));
      }
    } else {
      handler_(std::span<std::int16_t>(buf_));
      n = snd_pcm_writei(pcm_, buf_.data(), period_);
      if (n > 0) total_ += static_cast<std::uint64_t>(n);
    }
    if (n == -EAGAIN) break;
    if (n < 0) {
      ++xruns_;
      if (snd_pcm_recover(pcm_, static_cast<int>(n), 1) < 0) snd_pcm_prepare(pcm_);
      if (dir_ == Direction::Capture) snd_pcm_start(pcm_);
    }
  }
  if (!running_) return;
  // Wake up on the device's descriptors, or when the wall clock allows the next period. The timer
  // also backs the descriptors up (one period) for plugins whose descriptors never fire.
  auto self = shared_from_this();
  std::chrono::microseconds wait(static_cast<long long>(period_) * 1000000 / rate_);
  if (clock_bound) {
    const auto need = static_cast<long long>(total_ + period_) - static_cast<long long>(period_) * (dir_ == Direction::Capture ? 2 : 3);
    const auto at = t0_ + std::chrono::microseconds(std::max<long long>(0, need) * 1000000 / rate_);
    timer_.expires_at(at);
  } else {
    timer_.expires_after(wait);
    if (!waiting_) {
      waiting_ = true;
      for (std::size_t i = 0; i < fds_.size(); ++i) {
        const auto kind = (events_[i] & POLLOUT) ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read;
        fds_[i]->async_wait(kind, [self](const boost::system::error_code& ec) {
          if (ec || !self->waiting_) return;
          self->waiting_ = false;
          for (auto& d : self->fds_) {
            boost::system::error_code ignore;
            d->cancel(ignore);
          }
          self->timer_.cancel();
          self->service();
        });
      }
    }
  }
  timer_.async_wait([self](const boost::system::error_code& ec) {
    if (ec) return;
    self->service();
  });
}

}  // namespace telephony::console
