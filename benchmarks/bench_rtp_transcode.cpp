// The decoded path at scale: N calls whose legs speak different codecs (opus on one phone, PCMU
// on the other), bridged through the engine's channels and a two-party bridge, so every frame is
// decoded, resampled and re-encoded. Baseline in the same run: the bare library calls for the
// same work (opus_decode + resample + µ-law encode one way, µ-law decode + resample + opus_encode
// the other) on one thread. Also the one-way latency of the frame path (µ-law both sides, jitter
// buffer on, no native relay) against the native relay.
//
//   ./build/bin/bench_rtp_transcode                      (see docs/benchmarks/rtp.md)
#include <benchmark/benchmark.h>
#include <opus/opus.h>
#include <time.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "rtp_load.hpp"
#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/resampler.hpp"
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

// Bare library cost of one call's 20 ms in both directions, µs.
double bare_transcode_us(const std::vector<std::uint8_t>& opus_packet) {
  int err = 0;
  OpusDecoder* dec = opus_decoder_create(48000, 1, &err);
  OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
  opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
  auto down = media::Resampler::create(48000, 8000);
  auto up = media::Resampler::create(8000, 48000);
  std::vector<std::int16_t> pcm48(960), pcm8(160), back48(960);
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
    benchmark::DoNotOptimize(opus_decode(dec, opus_packet.data(), static_cast<opus_int32>(opus_packet.size()), pcm48.data(), 960, 0));
    down->process(pcm48, pcm8);
    media::g711::ulaw_encode(pcm8, ulaw);
    media::g711::ulaw_decode(ulaw, pcm8);
    up->process(pcm8, back48);
    benchmark::DoNotOptimize(opus_encode(enc, back48.data(), 960, out.data(), static_cast<opus_int32>(out.size())));
  }
  const double us = (cpu_now() - t0) / rounds;
  opus_decoder_destroy(dec);
  opus_encoder_destroy(enc);
  return us;
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
  const double seconds = 5;
  const auto packet = opus_tone_packet();
  for (auto _ : state) {
    Engine engine(EngineOptions{.threads = 2});
    engine.start();
    rtp::RtpConfig c;
    c.bind_address = "127.0.0.1";
    c.io_threads = 2;
    rtp::rtp_module(engine)->set_config(c);
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
    Sink sink(fds, false);
    Generator gen_opus(opus_flows, packet, false), gen_ulaw(ulaw_flows, std::vector<std::uint8_t>(160, 0xff), false);
    sink.start();
    gen_opus.start();
    gen_ulaw.start();
    std::this_thread::sleep_for(1s);
    const pid_t me = current_tid();
    auto engine_cpu = [&] { return cpu_ns("", {me, gen_opus.tid(), gen_ulaw.tid(), sink.tid()}); };
    const std::uint64_t cpu0 = engine_cpu();
    const std::uint64_t sent0 = gen_opus.sent() + gen_ulaw.sent();
    sink.reset();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const std::uint64_t cpu1 = engine_cpu();
    const std::uint64_t got = sink.received();
    const std::uint64_t sent = gen_opus.sent() + gen_ulaw.sent() - sent0;
    gen_opus.stop();
    gen_ulaw.stop();
    sink.stop();
    std::uint64_t concealed = 0;
    for (auto& call : set) concealed += call.x->statistics().concealed_frames;
    teardown(set, bridges);
    std::this_thread::sleep_for(300ms);
    engine.stop();
    const double bare_us = bare_transcode_us(packet);
    // One "call-frame" = 20 ms of one call in both directions (one packet each way).
    const double frames = static_cast<double>(got) / 2;
    const double engine_us = frames > 0 ? static_cast<double>(cpu1 - cpu0) / 1000.0 / frames : 0;
    state.SetIterationTime(seconds);
    state.counters["calls"] = calls;
    state.counters["engine_us_per_call_frame"] = engine_us;
    state.counters["bare_us_per_call_frame"] = bare_us;
    state.counters["ratio_to_bare"] = bare_us > 0 ? engine_us / bare_us : 0;
    state.counters["delivered_pct"] = sent ? 100.0 * static_cast<double>(got) / static_cast<double>(sent) : 0;
    state.counters["plc_frames"] = static_cast<double>(concealed);
  }
}
BENCHMARK(BM_TranscodeOpusPcmu)->Arg(20)->Arg(200)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

// One-way latency through the decoded (frame) path: µ-law both sides, jitter buffer on, packets
// cross channels and the bridge. The payload carries the send time, so the sink can read it.
void BM_FramePathLatency(benchmark::State& state) {
  const int calls = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Engine engine(EngineOptions{.threads = 2});
    engine.start();
    rtp::RtpConfig c;
    c.bind_address = "127.0.0.1";
    c.io_threads = 2;
    rtp::rtp_module(engine)->set_config(c);
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
