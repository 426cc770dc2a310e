// The /dev/dahdi kernel backend (see kernel_span.hpp). Compiled in only with dahdi/user.h.
//
// Each channel is /dev/dahdi/channel bound with DAHDI_SPECIFY, in G.711 (not linear) mode with
// the line's block size. Readiness comes from the engine's event loop (an asio descriptor on the
// fd: readable = a block or an event; a read failing with ELAST = an event pending, fetched with
// DAHDI_GETEVENT), so no thread is spent per channel. The kernel already debounces hooks, times
// flashes and rings cadences; its events map one to one onto PortEvent.
#include "kernel_span.hpp"

#if defined(TELEPHONY_WITH_DAHDI)

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>

#include <dahdi/user.h>

namespace telephony::tdm {

namespace {

class KernelChannel : public SpanChannel {
 public:
  KernelChannel(boost::asio::io_context& io, int fd, int channo) : desc_(io, fd), fd_(fd), channo_(channo) {}
  ~KernelChannel() override {
    boost::system::error_code ec;
    desc_.close(ec);
  }

  void attach(PortListener* listener, Executor ex, Signalling sig, PortTiming timing) override {
    listener_ = listener;
    executor_ = ex;
    sig_ = sig;
    ++generation_;
    wait(generation_);
  }
  void detach() override {
    ++generation_;
    listener_ = nullptr;
    boost::system::error_code ec;
    desc_.cancel(ec);
  }
  void hook(HookCommand cmd) override {
    int x = DAHDI_ONHOOK;
    switch (cmd) {
      case HookCommand::OnHook: x = DAHDI_ONHOOK; break;
      case HookCommand::OffHook: x = DAHDI_OFFHOOK; break;
      case HookCommand::Wink: x = DAHDI_WINK; break;
      case HookCommand::Flash: x = DAHDI_FLASH; break;
      case HookCommand::Start: x = DAHDI_START; break;
      case HookCommand::Ring: x = DAHDI_RING; break;
      case HookCommand::RingOff: x = DAHDI_RINGOFF; break;
    }
    if (::ioctl(desc_.native_handle(), DAHDI_HOOK, &x) == 0) off_hook_ = cmd == HookCommand::OffHook;
  }
  void set_cadence(std::vector<int> on_off_ms) override {
    dahdi_ring_cadence c{};
    for (std::size_t i = 0; i < on_off_ms.size() && i < DAHDI_MAX_CADENCE; ++i) c.ringcadence[i] = on_off_ms[i];
    (void)::ioctl(desc_.native_handle(), DAHDI_SETCADENCE, &c);
  }
  void set_polarity(bool reversed) override {
    int x = reversed ? 1 : 0;
    (void)::ioctl(desc_.native_handle(), DAHDI_SETPOLARITY, &x);
  }
  void write_audio(std::span<const std::uint8_t> g711) override {
    (void)!::write(desc_.native_handle(), g711.data(), g711.size());
  }
  bool off_hook() const override {
    dahdi_params p{};
    p.channo = channo_;
    if (::ioctl(fd_, DAHDI_GET_PARAMS, &p) != 0) return off_hook_;
    return faces_phone(sig_) ? p.rxisoffhook != 0 : off_hook_;
  }
  std::string describe() const override { return "/dev/dahdi/channel " + std::to_string(channo_); }

  void alarm(bool on) {
    if (!executor_) return;
    auto self = std::static_pointer_cast<KernelChannel>(shared_from_this());
    boost::asio::post(*executor_, [self, on] {
      if (self->listener_) self->listener_->on_event(on ? PortEvent::Alarm : PortEvent::NoAlarm);
    });
  }

 private:
  void wait(std::uint64_t generation) {
    auto self = std::static_pointer_cast<KernelChannel>(shared_from_this());
    desc_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                     boost::asio::bind_executor(*executor_, [self, generation](const boost::system::error_code& ec) {
                       if (ec || generation != self->generation_) return;
                       self->readable();
                       self->wait(generation);
                     }));
  }

  void readable() {
    while (listener_) {
      const auto n = ::read(desc_.native_handle(), buf_.data(), buf_.size());
      if (n > 0) {
        listener_->on_audio(std::span<const std::uint8_t>(buf_.data(), static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == ELAST) {
        int ev = 0;
        if (::ioctl(desc_.native_handle(), DAHDI_GETEVENT, &ev) == 0) dispatch(ev);
        continue;
      }
      return;  // EAGAIN: nothing more now
    }
  }

  void dispatch(int ev) {
    const bool phone = faces_phone(sig_);
    const bool line = faces_line(sig_);
    switch (ev) {
      case DAHDI_EVENT_RINGOFFHOOK: emit(line ? PortEvent::RingStart : PortEvent::OffHook); break;
      case DAHDI_EVENT_RINGBEGIN: if (line) emit(PortEvent::RingStart); break;
      case DAHDI_EVENT_ONHOOK: emit(PortEvent::OnHook); break;
      case DAHDI_EVENT_WINKFLASH: emit(phone ? PortEvent::Flash : PortEvent::Wink); break;
      case DAHDI_EVENT_RINGERON: emit(PortEvent::RingerOn); break;
      case DAHDI_EVENT_RINGEROFF: emit(line ? PortEvent::RingStop : PortEvent::RingerOff); break;
      case DAHDI_EVENT_POLARITY: emit(PortEvent::Polarity); break;
      case DAHDI_EVENT_HOOKCOMPLETE: emit(PortEvent::HookComplete); break;
      case DAHDI_EVENT_ALARM: emit(PortEvent::Alarm); break;
      case DAHDI_EVENT_NOALARM: emit(PortEvent::NoAlarm); break;
      default: break;
    }
  }

  void emit(PortEvent e) {
    if (listener_) listener_->on_event(e);
  }

  boost::asio::posix::stream_descriptor desc_;
  const int fd_;  // desc_'s, for const queries
  const int channo_;
  PortListener* listener_ = nullptr;
  std::optional<Executor> executor_;
  Signalling sig_ = Signalling::Unused;
  std::atomic<std::uint64_t> generation_{0};
  bool off_hook_ = false;
  std::array<std::uint8_t, 320> buf_{};
};

class KernelSpan : public Span {
 public:
  KernelSpan(const KernelSpanInfo& info) : Span(info.number, info.name, info.description, info.law) {}
  void add(std::shared_ptr<KernelChannel> c) { channels_.push_back(std::move(c)); }
  void alarms_now(std::uint8_t bits) { set_alarms(bits); }

 protected:
  void notify_channels_alarm(bool in_alarm) override {
    for (auto& c : channels_) static_cast<KernelChannel&>(*c).alarm(in_alarm);
  }
};

std::uint8_t alarm_bits(int dahdi) {
  std::uint8_t b = 0;
  if (dahdi & DAHDI_ALARM_RED) b |= kAlarmRed;
  if (dahdi & DAHDI_ALARM_YELLOW) b |= kAlarmYellow;
  if (dahdi & DAHDI_ALARM_BLUE) b |= kAlarmBlue;
  return b;
}

}  // namespace

KernelInventory probe_kernel() {
  KernelInventory inv;
  const int ctl = ::open("/dev/dahdi/ctl", O_RDWR | O_CLOEXEC);
  if (ctl < 0) {
    inv.why = std::string("/dev/dahdi/ctl: ") + std::strerror(errno);
    return inv;
  }
  int next_channel = 1;
  for (int span = 1; span < DAHDI_MAX_SPANS; ++span) {
    dahdi_spaninfo s{};
    s.spanno = span;
    if (::ioctl(ctl, DAHDI_SPANSTAT, &s) != 0) break;
    KernelSpanInfo k;
    k.number = span;
    k.name = s.name;
    k.description = s.desc;
    k.channels = s.totalchans;
    k.first_channel = next_channel;
    next_channel += s.totalchans;
    k.alarms = alarm_bits(s.alarms);
    k.framing = s.lineconfig & DAHDI_CONFIG_D4 ? "D4" : s.lineconfig & DAHDI_CONFIG_ESF ? "ESF" : s.lineconfig & DAHDI_CONFIG_CCS ? "CCS" : "CAS";
    k.coding = s.lineconfig & DAHDI_CONFIG_B8ZS ? "B8ZS" : s.lineconfig & DAHDI_CONFIG_HDB3 ? "HDB3" : "AMI";
    k.law = (s.lineconfig & DAHDI_CONFIG_HDB3) ? Law::Alaw : Law::Ulaw;
    inv.spans.push_back(std::move(k));
  }
  ::close(ctl);
  inv.available = true;
  return inv;
}

Result<std::shared_ptr<Span>> make_kernel_span(boost::asio::io_context& io, const KernelSpanInfo& info, SpanLog log) {
  auto span = std::make_shared<KernelSpan>(info);
  for (int i = 0; i < info.channels; ++i) {
    int channo = info.first_channel + i;
    const int fd = ::open("/dev/dahdi/channel", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return fail(std::string("/dev/dahdi/channel: ") + std::strerror(errno), "span " + std::to_string(info.number));
    if (::ioctl(fd, DAHDI_SPECIFY, &channo) != 0) {
      const int err = errno;
      ::close(fd);
      return fail("DAHDI_SPECIFY " + std::to_string(channo) + ": " + std::strerror(err), "span " + std::to_string(info.number));
    }
    int bs = 160, linear = 0;
    (void)::ioctl(fd, DAHDI_SET_BLOCKSIZE, &bs);
    (void)::ioctl(fd, DAHDI_SETLINEAR, &linear);
    span->add(std::make_shared<KernelChannel>(io, fd, channo));
  }
  span->alarms_now(info.alarms);
  return std::shared_ptr<Span>(span);
}

}  // namespace telephony::tdm

#else  // !TELEPHONY_WITH_DAHDI

namespace telephony::tdm {

KernelInventory probe_kernel() {
  KernelInventory inv;
  inv.why = "this build has no DAHDI kernel support (dahdi/user.h was not found at configure time)";
  return inv;
}

Result<std::shared_ptr<Span>> make_kernel_span(boost::asio::io_context&, const KernelSpanInfo& info, SpanLog) {
  return fail("kernel span " + std::to_string(info.number) + ": " + probe_kernel().why);
}

}  // namespace telephony::tdm

#endif
