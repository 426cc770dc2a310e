// tdmphone's device (see device.hpp).
#include "device.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "telephony/media/codec.hpp"
#include "telephony/media/resampler.hpp"
#include "telephony/media/spectrum.hpp"

namespace tdmphone {

using namespace telephony;
using telephony::tdm::LineSignal;

namespace {

constexpr std::size_t kBlock = 160;  // 20 ms

std::string fixed(double v, int digits = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The two strongest frequencies of a buffer (Goertzel scan, 5 Hz steps, refined by the media
// core); the second is reported only when it holds at least a tenth of the first's power.
std::pair<double, double> two_peaks(std::span<const std::int16_t> pcm) {
  const double f1 = media::dominant_frequency(pcm, 8000, 100, 3800, 5);
  const double p1 = media::goertzel_power(pcm, 8000, f1);
  double best = 0, best_p = 0;
  for (double f = 100; f <= 3800; f += 5) {
    if (std::abs(f - f1) < 50) continue;
    const double p = media::goertzel_power(pcm, 8000, f);
    if (p > best_p) {
      best_p = p;
      best = f;
    }
  }
  if (best_p < p1 / 10) return {f1, 0};
  // Refine the second peak the same way the first was (a narrow search around it).
  const double f2 = media::dominant_frequency(pcm, 8000, best - 10, best + 10, 1);
  return {f1, f2};
}

}  // namespace

Device::Device(Options opts, EventSink sink) : opts_(std::move(opts)), sink_(std::move(sink)) {
  if (auto r = tdm::CallerIdReceiver::create(tdm::CidSignalling::Bell)) cid_bell_.emplace(std::move(*r));
  if (auto r = tdm::CallerIdReceiver::create(tdm::CidSignalling::V23)) cid_v23_.emplace(std::move(*r));
  if (auto r = tdm::CallerIdReceiver::create(tdm::CidSignalling::Dtmf)) cid_dtmf_.emplace(std::move(*r));
}

Device::~Device() {
  stop_recording();
  if (fd_ >= 0) ::close(fd_);
  if (!bound_path_.empty()) ::unlink(bound_path_.c_str());
}

bool Device::open(std::string& error) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  // Bind to a name of our own so the port can answer; the abstract namespace leaves no file behind.
  sockaddr_un me{};
  me.sun_family = AF_UNIX;
  const std::string abstract = "tdmphone-" + std::to_string(::getpid()) + "-" + opts_.name;
  std::memcpy(me.sun_path + 1, abstract.data(), std::min(abstract.size(), sizeof(me.sun_path) - 2));
  const auto me_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + std::min(abstract.size(), sizeof(me.sun_path) - 2));
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&me), me_len) < 0) {
    error = std::string("bind: ") + std::strerror(errno);
    return false;
  }
  sockaddr_un port{};
  port.sun_family = AF_UNIX;
  if (opts_.socket_path.size() >= sizeof(port.sun_path)) {
    error = "socket path too long: " + opts_.socket_path;
    return false;
  }
  std::memcpy(port.sun_path, opts_.socket_path.data(), opts_.socket_path.size());
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&port), sizeof port) < 0) {
    error = "connect " + opts_.socket_path + ": " + std::strerror(errno);
    return false;
  }
  std::array<std::uint8_t, tdm::kWireHeader + tdm::kWireMaxHello> buf;
  const auto n = tdm::encode_wire_hello(buf, seq_++, opts_.name);
  send_raw(buf.data(), n);
  if (!opts_.record_path.empty() && !start_recording(opts_.record_path, error)) return false;
  return true;
}

void Device::send_raw(const std::uint8_t* data, std::size_t n) {
  if (!n) return;
  if (::send(fd_, data, n, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED) {
    // The port's socket was bound again (dahdi restart): attach to the new one.
    sockaddr_un port{};
    port.sun_family = AF_UNIX;
    std::memcpy(port.sun_path, opts_.socket_path.data(), std::min(opts_.socket_path.size(), sizeof(port.sun_path) - 1));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&port), sizeof port) == 0) {
      std::array<std::uint8_t, tdm::kWireHeader + tdm::kWireMaxHello> hello;
      (void)::send(fd_, hello.data(), tdm::encode_wire_hello(hello, seq_++, opts_.name), MSG_DONTWAIT);
      (void)::send(fd_, data, n, MSG_DONTWAIT);
      emit("reattached");
    }
  }
}

void Device::send_signal(LineSignal s) {
  std::array<std::uint8_t, tdm::kWireHeader> buf;
  send_raw(buf.data(), tdm::encode_wire_signal(buf, seq_++, s));
}

void Device::send_alarm(std::uint8_t bits) {
  std::array<std::uint8_t, tdm::kWireHeader> buf;
  send_raw(buf.data(), tdm::encode_wire_alarm(buf, seq_++, bits));
}

void Device::set_hook(bool off) {
  if (off == off_hook_) return;
  off_hook_ = off;
  if (!off) rings_ = 0;
  send_signal(off ? LineSignal::HookOff : LineSignal::HookOn);
}

void Device::flash(int ms) {
  if (!off_hook_) return;
  send_signal(LineSignal::HookOn);
  flash_until_ = Clock::now() + std::chrono::milliseconds(ms);
}

bool Device::dial(const std::string& digits, int on_ms, int off_ms, std::string& error) {
  for (char c : digits)
    if (!media::dtmf_tones(c)) {
      error = std::string("not a DTMF digit: '") + c + "'";
      return false;
    }
  source_ = DtmfSrc{media::DtmfGenerator(8000), digits, 0, on_ms, off_ms};
  return true;
}

bool Device::play_file(const std::string& path, std::string& error) {
  auto reader = media::AudioFileReader::open(path);
  if (!reader) {
    error = reader.error().to_string();
    return false;
  }
  FileSrc src;
  std::vector<std::int16_t> raw;
  for (auto frame = reader->read_slin(); !frame.empty(); frame = reader->read_slin()) raw.insert(raw.end(), frame.begin(), frame.end());
  if (reader->rate() != 8000) {
    auto rs = media::Resampler::create(reader->rate(), 8000);
    if (!rs) {
      error = rs.error().to_string();
      return false;
    }
    src.pcm.resize(rs->output_size(raw.size()) + 16);
    src.pcm.resize(rs->process(raw, src.pcm));
  } else {
    src.pcm = std::move(raw);
  }
  source_ = std::move(src);
  return true;
}

bool Device::play_tone(const std::string& spec, std::string& error) {
  auto parsed = media::parse_tone_spec(spec);
  if (!parsed) {
    error = parsed.error().to_string();
    return false;
  }
  source_ = ToneSrc{media::ToneGenerator(std::move(*parsed), 8000)};
  return true;
}

bool Device::send_callerid(tdm::CidSignalling standard, tdm::CallerIdMessage m, std::string& error) {
  auto gen = tdm::CallerIdGenerator::create(standard);
  if (!gen) {
    error = gen.error().to_string();
    return false;
  }
  if (auto r = gen->start(m); !r) {
    error = r.error().to_string();
    return false;
  }
  source_ = CidSrc{std::move(*gen)};
  return true;
}

void Device::silence() { source_ = std::monostate{}; }

bool Device::start_recording(const std::string& path, std::string& error) {
  stop_recording();
  auto w = media::AudioFileWriter::create(path, media::Format::slin(8000));
  if (!w) {
    error = w.error().to_string();
    return false;
  }
  recorder_.emplace(std::move(*w));
  last_rx_ = Clock::now();
  return true;
}

void Device::stop_recording() {
  if (recorder_) (void)recorder_->close();
  recorder_.reset();
}

void Device::start_measure(double seconds) {
  measure_buf_.clear();
  measure_left_ = std::max(1, static_cast<int>(std::lround(seconds * 50)));
}

void Device::set_dialtone(bool on) {
  dialtone_ = on;
  std::string err;
  if (on) play_tone(opts_.dialtone, err);
  else if (std::holds_alternative<ToneSrc>(source_)) silence();
}

void Device::ring_cadence(std::vector<int> pattern, int rings) {
  cadence_ = std::move(pattern);
  cadence_rings_ = rings;
  cadence_pos_ = 0;
  bell_ = true;
  send_signal(LineSignal::RingOn);
  cadence_next_ = Clock::now() + std::chrono::milliseconds(cadence_.empty() ? 2000 : cadence_[0]);
}

void Device::ring_step() {
  if (cadence_.empty() || Clock::now() < cadence_next_) return;
  if (seized_) {  // answered: stop ringing
    if (bell_) send_signal(LineSignal::RingOff);
    cadence_.clear();
    return;
  }
  cadence_pos_ = (cadence_pos_ + 1) % cadence_.size();
  bell_ = cadence_pos_ % 2 == 0;
  if (bell_ && --cadence_rings_ <= 0) {
    cadence_.clear();
    return;
  }
  send_signal(bell_ ? LineSignal::RingOn : LineSignal::RingOff);
  cadence_next_ += std::chrono::milliseconds(cadence_[cadence_pos_]);
}

// ---- receiving -------------------------------------------------------------------------------

void Device::on_readable() {
  std::array<std::uint8_t, tdm::kWireMaxDatagram + 1> buf;
  while (true) {
    const auto n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) return;
    auto msg = tdm::decode_wire(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
    if (!msg) {
      emit("error", "bad datagram: " + msg.error().to_string());
      continue;
    }
    if (msg->type == tdm::WireType::Signal) on_signal(msg->signal());
    else if (msg->type == tdm::WireType::Audio) on_audio(msg->payload);
  }
}

void Device::on_signal(LineSignal s) {
  switch (s) {
    case LineSignal::RingOn:
      ringing_ = true;
      ++rings_;
      emit("ring", "on");
      if (opts_.auto_answer_rings > 0 && rings_ >= opts_.auto_answer_rings && !off_hook_) {
        set_hook(true);
        emit("answered", "rings=" + std::to_string(rings_));
      }
      break;
    case LineSignal::RingOff:
      ringing_ = false;
      emit("ring", "off");
      break;
    case LineSignal::HookOff:
      seized_ = true;
      digits_.clear();  // a new seizure: a new number is coming
      emit("hookoff");
      if (opts_.line_role && opts_.auto_dialtone && digits_.empty()) set_dialtone(true);
      break;
    case LineSignal::HookOn:
      seized_ = false;
      emit("hookon");
      if (dialtone_) set_dialtone(false);
      break;
    case LineSignal::RingGround:
      emit("ringground");
      send_signal(LineSignal::TipGround);  // the exchange acknowledges a groundstart seizure
      break;
    default: emit(std::string(tdm::to_string(s))); break;
  }
}

void Device::on_audio(std::span<const std::uint8_t> g711) {
  std::array<std::int16_t, tdm::kWireMaxAudio> pcm{};
  const std::span<std::int16_t> out(pcm.data(), g711.size());
  if (opts_.law == tdm::WireLaw::Alaw) media::g711::alaw_decode(g711, out);
  else media::g711::ulaw_decode(g711, out);
  const std::span<const std::int16_t> in(out);
  last_rx_ = Clock::now();
  if (recorder_) (void)recorder_->write(in);
  for (const auto& ev : dtmf_.process(in)) {
    if (ev.begin) continue;
    digits_.push_back(ev.digit);
    emit("digit", std::string(1, ev.digit));
    if (dialtone_) set_dialtone(false);
  }
  if (off_hook_ && !opts_.line_role) detect_cas(in);
  if (!off_hook_ || opts_.line_role || last_rx_ < cw_listen_until_) {
    for (auto* rx : {&cid_bell_, &cid_v23_, &cid_dtmf_}) {
      if (!*rx) continue;
      if (auto m = (*rx)->process(in)) {
        // Bell 202 and V.23 tones are close enough that both receivers may decode one burst:
        // report a message once.
        const auto now = Clock::now();
        const std::string key = m->number + "|" + m->name + "|" + m->datetime;
        if (key == last_cid_ && now - last_cid_at_ < std::chrono::seconds(3)) continue;
        last_cid_ = key;
        last_cid_at_ = now;
        std::string args = "number=" + (m->number_absent ? std::string(1, m->number_absent) : m->number) + " name=" +
                           (m->name_absent ? std::string(1, m->name_absent) : m->name);
        args += " format=" + std::string(tdm::to_string(m->format));
        args += std::string(" standard=") + (rx == &cid_bell_ ? "bell" : rx == &cid_v23_ ? "v23" : "dtmf");
        if (!m->datetime.empty()) args += " datetime=" + m->datetime;
        emit("cid", args);
      }
    }
  }
  if (measure_left_ > 0) measure_buf_.insert(measure_buf_.end(), in.begin(), in.end());
}

// Type 2 (call-waiting) caller ID as a phone does it: in a call, the CPE Alert Signal (2130 Hz +
// 2750 Hz, 80 ms) asks whether the phone can show caller ID; it answers DTMF D and listens for
// the FSK that follows. Each of the two tones must hold a quarter of the block's energy.
void Device::detect_cas(std::span<const std::int16_t> pcm) {
  double energy = 0;
  for (auto x : pcm) energy += double(x) * x;
  auto share = [&](double hz) {
    const double k = 2 * std::cos(2 * M_PI * hz / 8000.0);
    double s1 = 0, s2 = 0;
    for (auto x : pcm) {
      const double s0 = x + k * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (double(pcm.size()) * energy);
  };
  const bool cas = energy / double(pcm.size()) > 100.0 * 100.0 && share(2130) > 0.25 && share(2750) > 0.25;
  if (cas) {
    ++cas_blocks_;
    return;
  }
  // The acknowledgement follows the end of the CAS (a phone answers within 100 ms).
  const bool heard = cas_blocks_ >= 2;
  cas_blocks_ = 0;
  if (!heard) return;
  emit("cas");
  std::string error;
  dial("D", 60, 40, error);
  cw_listen_until_ = Clock::now() + std::chrono::seconds(3);
}

void Device::finish_measure() {
  const std::span<const std::int16_t> pcm(measure_buf_);
  if (pcm.size() < 400) {
    emit("measure", "samples=" + std::to_string(pcm.size()) + " level=-inf");
    return;
  }
  const double level = media::power_dbfs(media::mean_power(pcm));
  if (level < -50) {
    emit("measure", "samples=" + std::to_string(pcm.size()) + " freq=0 freq2=0 level=" + fixed(level));
    return;
  }
  auto [f1, f2] = two_peaks(pcm);
  emit("measure", "samples=" + std::to_string(pcm.size()) + " freq=" + fixed(f1) + " freq2=" + fixed(f2) + " level=" + fixed(level));
}

// ---- the 20 ms clock -------------------------------------------------------------------------

void Device::on_tick() {
  const auto now = Clock::now();
  if (flash_until_ && now >= *flash_until_) {
    flash_until_.reset();
    send_signal(LineSignal::HookOff);
  }
  ring_step();
  if (measure_left_ > 0 && --measure_left_ == 0) finish_measure();
  if (recorder_ && now - last_rx_ > std::chrono::milliseconds(60)) {
    // Nothing heard for a while: keep the recording on the wall clock with silence.
    std::array<std::int16_t, kBlock> zero{};
    (void)recorder_->write(zero);
    last_rx_ += std::chrono::milliseconds(20);
  }
  const bool active = sending();
  if (!active && !loop_closed()) return;
  std::array<std::int16_t, kBlock> pcm{};
  bool finished = false;
  if (auto* t = std::get_if<ToneSrc>(&source_)) {
    t->gen.generate(pcm);
    finished = t->gen.finished();
  } else if (auto* d = std::get_if<DtmfSrc>(&source_)) {
    if (!d->gen.busy() && d->next < d->digits.size())
      d->gen.play(d->digits[d->next++], static_cast<std::uint32_t>(d->on), static_cast<std::uint32_t>(d->off));
    finished = !d->gen.generate(pcm) && d->next >= d->digits.size();
  } else if (auto* f = std::get_if<FileSrc>(&source_)) {
    const std::size_t n = std::min(kBlock, f->pcm.size() - f->pos);
    std::copy_n(f->pcm.begin() + static_cast<std::ptrdiff_t>(f->pos), n, pcm.begin());
    f->pos += n;
    finished = f->pos >= f->pcm.size();
  } else if (auto* c = std::get_if<CidSrc>(&source_)) {
    finished = c->gen.generate(pcm) == 0;
  }
  std::array<std::uint8_t, kBlock> g711;
  if (opts_.law == tdm::WireLaw::Alaw) media::g711::alaw_encode(pcm, g711);
  else media::g711::ulaw_encode(pcm, g711);
  std::array<std::uint8_t, tdm::kWireHeader + kBlock> buf;
  send_raw(buf.data(), tdm::encode_wire_audio(buf, seq_++, opts_.law, g711));
  if (finished) {
    const char* what = std::holds_alternative<DtmfSrc>(source_) ? "dialed"
                       : std::holds_alternative<FileSrc>(source_) ? "played"
                       : std::holds_alternative<CidSrc>(source_) ? "cidsent"
                                                                  : "tonedone";
    source_ = std::monostate{};
    emit(what);
  }
}

}  // namespace tdmphone
