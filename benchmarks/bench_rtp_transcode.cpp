// The decoded path at scale: N calls whose legs speak different codecs (opus on one phone, PCMU
// on the other), bridged through the engine's channels and a two-party bridge, so every frame is
// decoded, (resampled) and re-encoded. Baseline in the same run: the bare library calls for the
// same work on one thread, along the route the engine's translation graph picked (today opus is
// decoded straight to 8 kHz and encoded straight from 8 kHz: no resampler; the baseline does the
// same, so the ratio is the engine's overhead, not a difference of route). Also the one-way
// latency of the frame path (µ-law both sides, jitter buffer on, no native relay).
//
// Loss: over a measuring window long enough that the packets in flight at its two edges (about
// three per stream in the jitter buffers) are noise below 0.05 %: packets the phones' sockets did
// not receive (a µ-law frame missing at playout sends nothing) plus opus frames the engine had
// to conceal (PLC fills the gap with a packet, but the listener lost that frame).
//
//   ./build/bin/bench_rtp_transcode                      (see docs/benchmarks/rtp.md)
//   TELEPHONY_BENCH_SECONDS=60 ./build/bin/bench_rtp_transcode --benchmark_filter=Transcode
#include <benchmark/benchmark.h>
#include <opus/opus.h>
#include <time.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "rtp_load.hpp"
#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/resampler.hpp"
#include "telephony/media/translator.hpp"
#include "telephony/rtp/media_session.hpp"
#include "telephony/rtp/rtp_config.hpp"

namespace {

using namespace telephony;
using namespace rtp_bench;
using namespace std::chrono_literals;

// A SIP-like channel tech: what the channel writes goes to the session.
class SessionTech : public ChannelTech {
 public:
  explicit SessionTech(rtp::MediaSession::Ptr s) : session_(std::move(s)) {}
  void write(Channel&, const Frame& f) override { session_->write(f); }
  void send_digit_begin(Channel&, char d) override { session_->send_digit_begin(d); }
  void send_digit_end(Channel&, char d, std::chrono::milliseconds held) override { session_->send_digit_end(d, held); }
  std::vector<media::Format> native_formats() const override { return session_->formats(); }

 private:
  rtp::MediaSession::Ptr session_;
};

std::string phone_sdp(std::uint16_t port, std::string_view fmt, std::string_view rtpmap) {
  return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP " + std::string(fmt) + "\r\n" + std::string(rtpmap);
}

std::vector<std::uint8_t> opus_tone_packet() {
  auto enc = media::OpusFrameEncoder::create({.rate = 48000, .bitrate = 32000, .complexity = 5, .fec = true});
  std::vector<std::int16_t> pcm(960);
  for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>(8000 * std::sin(2 * 3.14159265 * 1000 * i / 48000.0));
  std::vector<std::uint8_t> out(media::kMaxOpusPacket);
  auto n = enc->encode(pcm, out);
  out.resize(n ? *n : 0);
  return out;
}

// The rate the engine's route decodes opus to (opus -> ulaw) and encodes opus from (ulaw -> opus).
struct OpusRates {
  std::uint32_t decode_to = 48000, encode_from = 48000;
  std::string label;
};
OpusRates engine_opus_rates() {
  const auto& g = media::TranslationGraph::shared();
  const auto down = g.route(media::Format::opus(), media::Format::ulaw());
  const auto up = g.route(media::Format::ulaw(), media::Format::opus());
  OpusRates r;
  if (down.size() >= 2) r.decode_to = down[1].rate;
  if (up.size() >= 2) r.encode_from = up[up.size() - 2].rate;
  auto text = [](const std::vector<media::Format>& route) {
    std::string t;
    for (const auto& f : route) t += (t.empty() ? "" : ">") + f.name();
    return t;
  };
  r.label = text(down) + " " + text(up);
  return r;
}

// An encoder with the engine's settings (media::OpusSettings: 32 kb/s, complexity 5, FEC, voice).
OpusEncoder* bare_opus_encoder(std::uint32_t rate) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(static_cast<opus_int32>(rate), 1, OPUS_APPLICATION_VOIP, &err);
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
  opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  return enc;
}

// Bare library cost of one call's 20 ms in both directions along `rates`' route, µs.
double bare_transcode_us(const std::vector<std::uint8_t>& opus_packet, const OpusRates& rates) {
  int err = 0;
  OpusDecoder* dec = opus_decoder_create(static_cast<opus_int32>(rates.decode_to), 1, &err);
  OpusEncoder* enc = bare_opus_encoder(rates.encode_from);
  const std::size_t dec_n = rates.decode_to / 50, enc_n = rates.encode_from / 50;
  std::optional<media::Resampler> down, up;
  if (rates.decode_to != 8000) down.emplace(std::move(*media::Resampler::create(rates.decode_to, 8000)));
  if (rates.encode_from != 8000) up.emplace(std::move(*media::Resampler::create(8000, rates.encode_from)));
  std::vector<std::int16_t> pcm_dec(dec_n), pcm8(160), pcm_enc(enc_n);
  std::vector<std::uint8_t> ulaw(160), out(1500);
  const int rounds = 500;
  // Thread CPU time, like the engine side: the machine is shared, wall time is not ours.
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
  };
  const double t0 = cpu_now();
  for (int r = 0; r < rounds; ++r) {
    benchmark::DoNotOptimize(opus_decode(dec, opus_packet.data(), static_cast<opus_int32>(opus_packet.size()), pcm_dec.data(),
                                         static_cast<int>(dec_n), 0));
    if (down) down->process(pcm_dec, pcm8);
    media::g711::ulaw_encode(down ? std::span<const std::int16_t>(pcm8) : std::span<const std::int16_t>(pcm_dec), ulaw);
    media::g711::ulaw_decode(ulaw, pcm8);
    if (up) up->process(pcm8, pcm_enc);
    const auto& enc_in = up ? pcm_enc : pcm8;
    benchmark::DoNotOptimize(opus_encode(enc, enc_in.data(), static_cast<int>(enc_n), out.data(), static_cast<opus_int32>(out.size())));
  }
  const double us = (cpu_now() - t0) / rounds;
  opus_decoder_destroy(dec);
  opus_encoder_destroy(enc);
  return us;
}

// The baseline of the whole job: one thread, epoll over every call's two sockets, recvmmsg,
// the bare library calls along the engine's route (opus decode -> µ-law one way, µ-law decode ->
// opus encode the other), a fresh RTP header, sendmmsg to the other phone. No jitter buffer, no
// PLC, no channels: the least a transcoding relay can do.
class BareTranscoder {
 public:
  struct Call {
    Socket opus_leg, ulaw_leg;               // stand-ins for the engine's two legs
    std::uint16_t opus_phone, ulaw_phone;    // where each leg's phone listens
    OpusDecoder* dec = nullptr;
    OpusEncoder* enc = nullptr;
    std::optional<media::Resampler> down, up;
    std::uint16_t seq[2] = {0, 0};
    std::uint32_t ts[2] = {0, 0};
  };
  BareTranscoder(std::vector<Call> calls, const OpusRates& rates) : calls_(std::move(calls)), rates_(rates) {
    ep_ = ::epoll_create1(0);
    int err = 0;
    for (std::size_t i = 0; i < calls_.size(); ++i) {
      auto& c = calls_[i];
      c.dec = opus_decoder_create(static_cast<opus_int32>(rates.decode_to), 1, &err);
      c.enc = bare_opus_encoder(rates.encode_from);
      if (rates.decode_to != 8000) c.down.emplace(std::move(*media::Resampler::create(rates.decode_to, 8000)));
      if (rates.encode_from != 8000) c.up.emplace(std::move(*media::Resampler::create(8000, rates.encode_from)));
      for (int side = 0; side < 2; ++side) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i * 2 + static_cast<std::uint64_t>(side);
        ::epoll_ctl(ep_, EPOLL_CTL_ADD, side ? c.ulaw_leg.fd : c.opus_leg.fd, &ev);
      }
    }
  }
  ~BareTranscoder() {
    stop();
    for (auto& c : calls_) {
      ::close(c.opus_leg.fd);
      ::close(c.ulaw_leg.fd);
      opus_decoder_destroy(c.dec);
      opus_encoder_destroy(c.enc);
    }
    ::close(ep_);
  }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  pid_t tid() const { return tid_.load(); }

 private:
  // One packet from `from_ulaw`'s leg into `out` (header + payload); its length.
  std::size_t transcode(Call& c, bool from_ulaw, std::span<const std::uint8_t> in, std::uint8_t* out) {
    if (in.size() <= 12) return 0;
    const auto payload = in.subspan(12);
    std::size_t n = 0;
    if (!from_ulaw) {  // opus -> µ-law
      const int got = opus_decode(c.dec, payload.data(), static_cast<opus_int32>(payload.size()), pcm_dec_.data(),
                                  static_cast<int>(rates_.decode_to / 50), 0);
      if (got <= 0) return 0;
      std::span<const std::int16_t> pcm8(pcm_dec_.data(), 160);
      if (c.down) {
        c.down->process(std::span<const std::int16_t>(pcm_dec_.data(), static_cast<std::size_t>(got)), pcm8_);
        pcm8 = pcm8_;
      }
      media::g711::ulaw_encode(pcm8, std::span<std::uint8_t>(out + 12, 160));
      n = 160;
    } else {  // µ-law -> opus
      media::g711::ulaw_decode(payload.first(std::min<std::size_t>(payload.size(), 160)), pcm8_);
      std::span<const std::int16_t> pcm = pcm8_;
      if (c.up) {
        c.up->process(pcm8_, pcm_enc_);
        pcm = pcm_enc_;
      }
      const int len = opus_encode(c.enc, pcm.data(), static_cast<int>(rates_.encode_from / 50), out + 12, 1400);
      if (len <= 0) return 0;
      n = static_cast<std::size_t>(len);
    }
    const int dir = from_ulaw ? 1 : 0;
    out[0] = 0x80;
    out[1] = from_ulaw ? 107 : 0;
    out[2] = static_cast<std::uint8_t>(c.seq[dir] >> 8);
    out[3] = static_cast<std::uint8_t>(c.seq[dir]);
    for (int k = 0; k < 4; ++k) out[4 + k] = static_cast<std::uint8_t>(c.ts[dir] >> (24 - 8 * k));
    for (int k = 0; k < 4; ++k) out[8 + k] = static_cast<std::uint8_t>((0xBA5E0000u + dir) >> (24 - 8 * k));
    ++c.seq[dir];
    c.ts[dir] += from_ulaw ? 960 : 160;
    return 12 + n;
  }

  void run() {
    tid_ = current_tid();
    constexpr int kBatch = 32;
    std::vector<std::uint8_t> in_bufs(kBatch * 2048), out_bufs(kBatch * 2048);
    mmsghdr in_msgs[kBatch], out_msgs[kBatch];
    iovec in_iov[kBatch], out_iov[kBatch];
    epoll_event events[256];
    while (!stop_) {
      const int n = ::epoll_wait(ep_, events, 256, 50);
      for (int i = 0; i < n; ++i) {
        auto& c = calls_[events[i].data.u64 / 2];
        const bool from_ulaw = events[i].data.u64 % 2;
        const int in = from_ulaw ? c.ulaw_leg.fd : c.opus_leg.fd;
        const int out = from_ulaw ? c.opus_leg.fd : c.ulaw_leg.fd;
        sockaddr_in to = loopback(from_ulaw ? c.opus_phone : c.ulaw_phone);
        for (;;) {
          prepare_recv(in_msgs, in_iov, in_bufs.data(), kBatch);
          const int got = ::recvmmsg(in, in_msgs, kBatch, MSG_DONTWAIT, nullptr);
          if (got <= 0) break;
          unsigned ready = 0;
          for (int k = 0; k < got; ++k) {
            std::uint8_t* o = out_bufs.data() + ready * 2048;
            const std::size_t len = transcode(c, from_ulaw, {in_bufs.data() + k * 2048, in_msgs[k].msg_len}, o);
            if (len == 0) continue;
            out_iov[ready] = {o, len};
            out_msgs[ready] = {};
            out_msgs[ready].msg_hdr.msg_iov = &out_iov[ready];
            out_msgs[ready].msg_hdr.msg_iovlen = 1;
            out_msgs[ready].msg_hdr.msg_name = &to;
            out_msgs[ready].msg_hdr.msg_namelen = sizeof to;
            ++ready;
          }
          if (ready) ::sendmmsg(out, out_msgs, ready, MSG_DONTWAIT);
          if (got < kBatch) break;
        }
      }
    }
  }

  std::vector<Call> calls_;
  OpusRates rates_;
  std::vector<std::int16_t> pcm_dec_ = std::vector<std::int16_t>(960), pcm8_ = std::vector<std::int16_t>(160),
                            pcm_enc_ = std::vector<std::int16_t>(960);
  int ep_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<pid_t> tid_{0};
};

// Packets sent and received, and CPU spent, over one measuring window.
struct Window {
  std::uint64_t sent = 0, got = 0, cpu_ns = 0;
  double loss_pct(std::uint64_t concealed) const {
    const double missing = sent > got ? static_cast<double>(sent - got) : 0;
    return sent ? 100.0 * (missing + static_cast<double>(concealed)) / static_cast<double>(sent) : 0;
  }
  // One "call-frame" = 20 ms of one call in both directions (one packet each way).
  double us_per_call_frame() const { return got ? static_cast<double>(cpu_ns) / 1000.0 / (static_cast<double>(got) / 2) : 0; }
};

// Drives `opus_flows` and `ulaw_flows` at 50 packets/s each, counts what `sink_fds` receive; after
// 2 s of settling, measures `seconds`. `cpu(generator and sink tids)` reads the CPU under test;
// `at_edges()` runs at both edges of the window (snapshots of the engine's own counters).
template <class CpuFn, class EdgeFn>
Window drive(const std::vector<Flow>& opus_flows, const std::vector<Flow>& ulaw_flows, const std::vector<int>& sink_fds,
             const std::vector<std::uint8_t>& opus_packet, double seconds, CpuFn cpu, EdgeFn at_edges) {
  Sink sink(sink_fds, false);
  Generator gen_opus(opus_flows, opus_packet, false), gen_ulaw(ulaw_flows, std::vector<std::uint8_t>(160, 0xff), false);
  sink.start();
  gen_opus.start();
  gen_ulaw.start();
  std::this_thread::sleep_for(2s);  // jitter buffers settle
  const std::vector<pid_t> load = {gen_opus.tid(), gen_ulaw.tid(), sink.tid()};
  Window w;
  at_edges();
  const std::uint64_t cpu0 = cpu(load);
  const std::uint64_t sent0 = gen_opus.sent() + gen_ulaw.sent();
  const std::uint64_t got0 = sink.received_since_start();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  w.cpu_ns = cpu(load) - cpu0;
  w.got = sink.received_since_start() - got0;
  w.sent = gen_opus.sent() + gen_ulaw.sent() - sent0;
  at_edges();
  gen_opus.stop();
  gen_ulaw.stop();
  sink.stop();
  return w;
}

// The measuring window: long enough that edge effects stay below the loss target.
double window_seconds(int calls) {
  if (const char* e = std::getenv("TELEPHONY_BENCH_SECONDS")) return std::max(1.0, std::atof(e));
  return calls >= 100 ? 30 : 10;
}

struct Call {
  Socket phone_x, phone_y;
  rtp::MediaSession::Ptr x, y;
  Channel::Ptr cx, cy;
  std::shared_ptr<void> hold_x, hold_y;
};

// Builds `calls` calls bridged through channels; `opus_x`: leg x speaks opus, else µ-law.
std::vector<Call> bridged_calls(Engine& engine, int calls, bool opus_x, std::vector<Bridge::Ptr>& bridges) {
  rtp::MediaSettings sx, sy;
  sx.endpoint = "x";
  sy.endpoint = "y";
  sx.codecs = *rtp::CodecPreferences::from_allow(opus_x ? "opus" : "ulaw");
  sy.codecs = *rtp::CodecPreferences::from_allow("ulaw");
  sx.bind_address = sy.bind_address = "127.0.0.1";
  if (const char* e = std::getenv("TELEPHONY_BENCH_LATE_RATE")) sx.jitter.max_late_rate = sy.jitter.max_late_rate = static_cast<std::uint32_t>(std::atoi(e));
  std::vector<Call> out;
  for (int i = 0; i < calls; ++i) {
    Call c;
    c.phone_x = open_udp();
    c.phone_y = open_udp();
    c.x = *rtp::MediaSession::create(engine, sx);
    c.y = *rtp::MediaSession::create(engine, sy, c.x.get());
    (void)c.x->answer_offer(opus_x ? phone_sdp(c.phone_x.port, "107", "a=rtpmap:107 opus/48000/2\r\n")
                                   : phone_sdp(c.phone_x.port, "0", ""));
    (void)c.y->answer_offer(phone_sdp(c.phone_y.port, "0", ""));
    c.cx = engine.create_channel({.tech = "SIP", .resource = "x", .impl = std::make_unique<SessionTech>(c.x),
                                  .direction = ChannelDirection::Inbound});
    c.cy = engine.create_channel({.tech = "SIP", .resource = "y", .impl = std::make_unique<SessionTech>(c.y)});
    c.hold_x = c.cx->hold();
    c.hold_y = c.cy->hold();
    c.cx->set_state(ChannelState::Up);
    c.cy->set_state(ChannelState::Up);
    c.x->attach(c.cx);
    c.y->attach(c.cy);
    auto b = Bridge::create(engine);
    boost::asio::co_spawn(c.cx->strand(), b->join(c.cx), boost::asio::detached);
    boost::asio::co_spawn(c.cy->strand(), b->join(c.cy), boost::asio::detached);
    bridges.push_back(b);
    out.push_back(std::move(c));
  }
  return out;
}

// Two engine threads and two RTP shards on loopback, as both benchmarks here run the engine.
void start_with_rtp(Engine& engine) {
  engine.start();
  rtp::RtpConfig c;
  c.bind_address = "127.0.0.1";
  c.io_threads = 2;
  rtp::rtp_module(engine)->set_config(c);
}

void teardown(std::vector<Call>& calls, std::vector<Bridge::Ptr>& bridges) {
  for (auto& b : bridges) b->dissolve();
  for (auto& c : calls) {
    c.x->stop();
    c.y->stop();
    c.cx->request_hangup();
    c.cy->request_hangup();
    c.hold_x.reset();
    c.hold_y.reset();
    ::close(c.phone_x.fd);
    ::close(c.phone_y.fd);
  }
  calls.clear();
  bridges.clear();
}

void BM_TranscodeOpusPcmu(benchmark::State& state) {
  const int calls = static_cast<int>(state.range(0));
  const double seconds = window_seconds(calls);
  const auto packet = opus_tone_packet();
  const auto rates = engine_opus_rates();
  for (auto _ : state) {
    // ---- engine ----
    Window engine_w;
    std::uint64_t concealed_in_window = 0;
    {
      Engine engine(EngineOptions{.threads = 2});
      start_with_rtp(engine);
      std::vector<Bridge::Ptr> bridges;
      auto set = bridged_calls(engine, calls, true, bridges);
      std::this_thread::sleep_for(300ms);  // joins settle
      std::vector<Flow> opus_flows, ulaw_flows;
      std::vector<int> fds;
      for (std::size_t i = 0; i < set.size(); ++i) {
        opus_flows.push_back({set[i].phone_x.fd, set[i].x->local_rtp_port(), 0, 0x100u + static_cast<std::uint32_t>(i), 107, 960});
        ulaw_flows.push_back({set[i].phone_y.fd, set[i].y->local_rtp_port(), 0, 0x900u + static_cast<std::uint32_t>(i), 0});
        fds.push_back(set[i].phone_x.fd);
        fds.push_back(set[i].phone_y.fd);
      }
      // Opus frames the engine concealed: PLC sent a packet, but the listener lost that frame.
      std::optional<std::uint64_t> concealed0;
      auto snapshot = [&] {
        std::uint64_t n = 0;
        for (auto& call : set) n += call.x->statistics().concealed_frames + call.y->statistics().concealed_frames;
        if (concealed0) concealed_in_window = n - *concealed0;
        else concealed0 = n;
      };
      const pid_t me = current_tid();
      engine_w = drive(opus_flows, ulaw_flows, fds, packet, seconds, [me](std::vector<pid_t> load) {
        load.push_back(me);
        return cpu_ns("", load);
      }, snapshot);
      teardown(set, bridges);
      std::this_thread::sleep_for(300ms);
      engine.stop();
    }
    // ---- baseline: the bare transcoding loop over the same number of calls ----
    Window bare_w;
    {
      std::vector<BareTranscoder::Call> bare_calls;
      std::vector<Flow> opus_flows, ulaw_flows;
      std::vector<int> fds;
      std::vector<Socket> phones;
      for (int i = 0; i < calls; ++i) {
        Socket px = open_udp(), py = open_udp();
        BareTranscoder::Call bc;
        bc.opus_leg = open_udp();
        bc.ulaw_leg = open_udp();
        bc.opus_phone = px.port;
        bc.ulaw_phone = py.port;
        opus_flows.push_back({px.fd, bc.opus_leg.port, 0, 0x100u + static_cast<std::uint32_t>(i), 107, 960});
        ulaw_flows.push_back({py.fd, bc.ulaw_leg.port, 0, 0x900u + static_cast<std::uint32_t>(i), 0});
        fds.push_back(px.fd);
        fds.push_back(py.fd);
        phones.push_back(px);
        phones.push_back(py);
        bare_calls.push_back(std::move(bc));
      }
      BareTranscoder bare(std::move(bare_calls), rates);
      bare.start();
      bare_w = drive(opus_flows, ulaw_flows, fds, packet, seconds, [&bare](const std::vector<pid_t>&) {
        for (const auto& t : thread_cpu())
          if (t.tid == bare.tid()) return t.ns;
        return std::uint64_t{0};
      }, [] {});
      bare.stop();
      for (auto& p : phones) ::close(p.fd);
    }
    const double codec_us = bare_transcode_us(packet, rates);
    state.SetIterationTime(seconds * 2);
    state.SetLabel(rates.label);
    state.counters["calls"] = calls;
    state.counters["engine_us_per_call_frame"] = engine_w.us_per_call_frame();
    state.counters["bare_loop_us_per_call_frame"] = bare_w.us_per_call_frame();
    state.counters["ratio_to_bare_loop"] = bare_w.us_per_call_frame() > 0 ? engine_w.us_per_call_frame() / bare_w.us_per_call_frame() : 0;
    state.counters["codec_only_us"] = codec_us;
    state.counters["ratio_to_codec_only"] = codec_us > 0 ? engine_w.us_per_call_frame() / codec_us : 0;
    state.counters["engine_loss_pct"] = engine_w.loss_pct(concealed_in_window);
    state.counters["bare_loss_pct"] = bare_w.loss_pct(0);
    state.counters["plc_frames"] = static_cast<double>(concealed_in_window);
  }
}
BENCHMARK(BM_TranscodeOpusPcmu)->Arg(20)->Arg(200)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

// One-way latency through the decoded (frame) path: µ-law both sides, jitter buffer on, packets
// cross channels and the bridge. The payload carries the send time, so the sink can read it.
void BM_FramePathLatency(benchmark::State& state) {
  const int calls = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Engine engine(EngineOptions{.threads = 2});
    start_with_rtp(engine);
    std::vector<Bridge::Ptr> bridges;
    auto set = bridged_calls(engine, calls, false, bridges);
    std::this_thread::sleep_for(300ms);
    std::vector<Flow> flows;
    std::vector<int> fds;
    for (std::size_t i = 0; i < set.size(); ++i) {
      flows.push_back({set[i].phone_x.fd, set[i].x->local_rtp_port(), 0, 0x100u + static_cast<std::uint32_t>(i), 0});
      fds.push_back(set[i].phone_y.fd);
    }
    Sink sink(fds, true);
    Generator gen(flows, std::vector<std::uint8_t>(160, 0xff));
    sink.start();
    gen.start();
    std::this_thread::sleep_for(1s);
    sink.reset();
    std::this_thread::sleep_for(3s);
    gen.stop();
    std::this_thread::sleep_for(200ms);
    sink.stop();
    state.counters["calls"] = calls;
    state.counters["frame_path_lat_us"] = sink.mean_latency_us();
    state.counters["frame_path_max_lat_us"] = sink.max_latency_us();
    state.SetIterationTime(3);
    teardown(set, bridges);
    std::this_thread::sleep_for(300ms);
    engine.stop();
  }
}
BENCHMARK(BM_FramePathLatency)->Arg(10)->Arg(200)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace
