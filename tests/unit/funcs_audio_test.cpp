// The channel-audio functions (VOLUME, PITCH_SHIFT, DENOISE, AGC, TALK_DETECT, JITTERBUFFER,
// MUTEAUDIO) on a Test channel: argument parsing and errors as Asterisk words them, the samples a
// hook hands on (gain, DTMF volume control), the talking events, and no allocation on the
// per-frame path once every hook is warm. The audible effects through telephonyd are measured in
// tests/integration/test_audio_functions.py.
#include <boost/asio/post.hpp>
#include <cmath>
#include <future>

#include "allocation_counter.hpp"
#include "funcs_test_support.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/media/translator.hpp"

using namespace funcs_test;

namespace {

constexpr std::uint32_t kFrame = 160;  // 20 ms at 8 kHz

Frame tone_frame(double hz, double amplitude, std::size_t index) {
  std::vector<std::uint8_t> bytes(kFrame * 2);
  auto* s = reinterpret_cast<std::int16_t*>(bytes.data());
  for (std::size_t i = 0; i < kFrame; ++i)
    s[i] = static_cast<std::int16_t>(
        std::lround(amplitude * std::sin(2 * M_PI * hz * double(index * kFrame + i) / 8000.0)));
  return Frame::voice(media::Format::slin(8000), std::move(bytes), kFrame);
}

double peak(const Frame& f) {
  auto s = media::slin_samples(f.data());
  int most = 0;
  for (auto x : s) most = std::max(most, std::abs(static_cast<int>(x)));
  return most;
}

struct AudioFunctions : FunctionsFixture {
  void on_strand(const std::function<void()>& fn) {
    std::promise<void> done;
    boost::asio::post(chan->strand(), [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
  static bool eventually(const std::function<bool()>& ok) {
    for (int i = 0; i < 200; ++i) {
      if (ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ok();
  }
  std::string error_of(std::string_view name, std::string_view args, std::string_view v) {
    auto r = write(name, args, v);
    return r ? std::string("ok") : r.error().message;
  }
  // Frames read from the device (RX) after the hooks, as a bridge would take them.
  std::vector<Frame> read_through(const std::vector<Frame>& in) {
    std::vector<Frame> out;
    on_strand([&] {
      chan->set_frame_sink([&](const Frame& f) {
        if (f.kind == FrameKind::Voice) out.push_back(f);
      });
      for (const auto& f : in) chan->queue_frame(f);
      chan->set_frame_sink({});
    });
    return out;
  }
};

}  // namespace

TEST_F(AudioFunctions, ArgumentsAndErrorsAsAsteriskWordsThem) {
  EXPECT_EQ(error_of("VOLUME", "", "2"), "VOLUME: direction must be specified (TX or RX)");
  EXPECT_EQ(error_of("VOLUME", "up", "2"), "VOLUME: direction must be either RX or TX, not 'up'");
  EXPECT_EQ(value("VOLUME", "TX"), "ERROR: VOLUME: no volume has been set on this channel");
  EXPECT_EQ(error_of("VOLUME", "tx", "3"), "ok");  // keywords in any case
  EXPECT_EQ(value("VOLUME", "TX"), "3.000000");
  EXPECT_EQ(error_of("VOLUME", "RX", "-4"), "ok");
  EXPECT_EQ(value("VOLUME", "rx"), "-4.000000");

  EXPECT_EQ(error_of("PITCH_SHIFT", "tx", "5"),
            "PITCH_SHIFT: invalid amount '5' (above 0 up to 4.0, or highest, higher, high, low, "
            "lower, lowest)");
  EXPECT_EQ(error_of("PITCH_SHIFT", "tx", "0"),
            "PITCH_SHIFT: invalid amount '0' (above 0 up to 4.0, or highest, higher, high, low, "
            "lower, lowest)");
  EXPECT_EQ(error_of("PITCH_SHIFT", "sideways", "high"),
            "PITCH_SHIFT: direction must be rx, tx or both, not 'sideways'");
  EXPECT_EQ(error_of("PITCH_SHIFT", "BOTH", "Highest"), "ok");
  EXPECT_EQ(error_of("PITCH_SHIFT", "rx", "0.5"), "ok");

  EXPECT_EQ(value("DENOISE", "rx"), "ERROR: DENOISE: not set on this channel");
  EXPECT_EQ(error_of("DENOISE", "RX", "on"), "ok");
  EXPECT_EQ(value("DENOISE", "rx"), "1");
  EXPECT_EQ(value("DENOISE", "tx"), "0");
  EXPECT_EQ(error_of("DENOISE", "up", "on"),
            "DENOISE: direction must be either rx or tx, not 'up'");
  EXPECT_EQ(error_of("AGC", "Tx", "on"), "ok");
  EXPECT_EQ(value("AGC", "tx"), "8000.0");
  EXPECT_EQ(error_of("AGC", "rx", "40000"), "ok");  // clamped, with a warning
  EXPECT_EQ(value("AGC", "rx"), "32768.0");
  EXPECT_EQ(error_of("AGC", "rx", "off"), "ok");
  EXPECT_EQ(value("AGC", "rx"), "0.0");

  EXPECT_EQ(error_of("TALK_DETECT", "", ""), "TALK_DETECT: requires an argument (set or remove)");
  EXPECT_EQ(
      error_of("TALK_DETECT", "remove", ""),
      "TALK_DETECT: cannot remove TALK_DETECT from Test/alice-00000001: not currently enabled");
  EXPECT_EQ(error_of("TALK_DETECT", "set", "abc"),
            "TALK_DETECT: failed to parse 'abc' for dsp_silence_threshold");
  EXPECT_EQ(error_of("TALK_DETECT", "set", "0"),
            "TALK_DETECT: invalid value 0 for dsp_silence_threshold");
  EXPECT_EQ(error_of("TALK_DETECT", "set", ",40000"),
            "TALK_DETECT: invalid value 40000 for dsp_talking_threshold");
  EXPECT_EQ(error_of("TALK_DETECT", "toggle", ""),
            "TALK_DETECT: unknown action 'toggle' (set or remove)");
  EXPECT_EQ(error_of("TALK_DETECT", "SET", "1200,128"), "ok");
  EXPECT_EQ(error_of("TALK_DETECT", "Remove", ""), "ok");

  EXPECT_EQ(value("JITTERBUFFER", "fixed"), "");
  EXPECT_EQ(error_of("JITTERBUFFER", "fixed", "default"), "ok");
  EXPECT_EQ(value("JITTERBUFFER", ""), "fixed,200,1000,40,no");
  EXPECT_EQ(error_of("JITTERBUFFER", "ADAPTIVE", "200,,60"), "ok");
  EXPECT_EQ(value("JITTERBUFFER", ""), "adaptive,200,1000,60,no");
  EXPECT_EQ(error_of("JITTERBUFFER", "fixed", "300,1500,,yes"), "ok");
  EXPECT_EQ(value("JITTERBUFFER", ""), "fixed,300,1500,40,yes");
  EXPECT_EQ(error_of("JITTERBUFFER", "fixed", "abc"),
            "JITTERBUFFER: invalid max_size 'abc' (a whole number of milliseconds, at least 1)");
  EXPECT_EQ(
      error_of("JITTERBUFFER", "fixed", "200,-5"),
      "JITTERBUFFER: invalid resync_threshold '-5' (a whole number of milliseconds, at least 1)");
  EXPECT_EQ(error_of("JITTERBUFFER", "fixed", "200,,,maybe"),
            "JITTERBUFFER: invalid sync_video 'maybe' (yes or no)");
  EXPECT_EQ(error_of("JITTERBUFFER", "wobbly", ""),
            "JITTERBUFFER: unknown jitterbuffer type 'wobbly' (fixed, adaptive or disabled)");
  EXPECT_EQ(value("JITTERBUFFER", ""), "fixed,300,1500,40,yes");  // a bad write keeps the request
  EXPECT_EQ(error_of("JITTERBUFFER", "disabled", ""), "ok");
  EXPECT_EQ(value("JITTERBUFFER", ""), "");

  EXPECT_EQ(error_of("MUTEAUDIO", "sideways", "on"),
            "MUTEAUDIO: direction must be in, out or all, not 'sideways'");
  EXPECT_EQ(error_of("MUTEAUDIO", "IN", "on"), "ok");
  EXPECT_TRUE(chan->audio_muted_in());
  EXPECT_FALSE(chan->audio_muted_out());
  EXPECT_EQ(value("MUTEAUDIO", "in"), "1");
  EXPECT_EQ(value("MUTEAUDIO", "all"), "0");
  EXPECT_EQ(error_of("MUTEAUDIO", "all", "off"), "ok");
  EXPECT_FALSE(chan->audio_muted_in());

  for (const char* n :
       {"VOLUME", "PITCH_SHIFT", "DENOISE", "AGC", "TALK_DETECT", "JITTERBUFFER", "MUTEAUDIO"}) {
    SCOPED_TRACE(n);
    auto fn = engine.functions().find(n);
    ASSERT_TRUE(fn);
    EXPECT_FALSE(fn->doc.synopsis.empty());
    EXPECT_EQ(fn->doc.syntax.rfind(n, 0), 0u);
  }
}

TEST_F(AudioFunctions, VolumeScalesEachDirectionAndDtmfMovesIt) {
  std::vector<Frame> in;
  for (std::size_t i = 0; i < 5; ++i) in.push_back(tone_frame(500, 4000, i));
  ASSERT_TRUE(write("VOLUME", "RX,p", "2"));
  auto out = read_through(in);
  ASSERT_EQ(out.size(), in.size());
  EXPECT_NEAR(peak(out[2]) / peak(in[2]), 2.0, 0.01);
  ASSERT_TRUE(write("VOLUME", "RX,p", "-4"));
  out = read_through(in);
  EXPECT_NEAR(peak(out[2]) / peak(in[2]), 0.25, 0.01);

  // p: * from the device raises both gains by one (-4 -> -3), # lowers them.
  read_through({Frame::dtmf_end('*', std::chrono::milliseconds(100))});
  EXPECT_TRUE(eventually([&] { return value("VOLUME", "rx") == "-3.000000"; }))
      << value("VOLUME", "rx");
  EXPECT_EQ(value("VOLUME", "tx"), "1.000000");
  read_through({Frame::dtmf_end('#', std::chrono::milliseconds(100)),
                Frame::dtmf_end('#', std::chrono::milliseconds(100))});
  EXPECT_TRUE(eventually([&] { return value("VOLUME", "rx") == "-5.000000"; }))
      << value("VOLUME", "rx");
  ASSERT_TRUE(write("VOLUME", "RX", "3"));  // without p the keys change nothing
  read_through({Frame::dtmf_end('*', std::chrono::milliseconds(100))});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(value("VOLUME", "rx"), "3.000000");

  // TX: what the device is sent.
  auto ep = driver->endpoint("alice");
  ASSERT_TRUE(write("VOLUME", "TX", "-2"));
  on_strand([&] { chan->write(in[1]); });
  std::lock_guard lock(ep->mu);
  ASSERT_FALSE(ep->written.empty());
  EXPECT_NEAR(peak(ep->written.back()) / peak(in[1]), 0.5, 0.01);
}

TEST_F(AudioFunctions, TalkDetectRaisesStartAndStopWithTheTalkingDuration) {
  std::mutex mu;
  std::vector<std::string> seen;
  std::chrono::milliseconds duration{-1};
  auto sub = engine.events().subscribe({}, [&](const EventPtr& ev) {
    std::lock_guard lock(mu);
    if (ev->as<ChannelTalkingStarted>()) seen.push_back("start");
    if (auto* e = ev->as<ChannelTalkingStopped>()) {
      seen.push_back("stop");
      duration = e->duration;
    }
  });
  ASSERT_TRUE(write("TALK_DETECT", "set", "300,200"));
  std::vector<Frame> in;
  for (std::size_t i = 0; i < 10; ++i)
    in.push_back(tone_frame(500, 50, i));  // 200 ms quiet (below 200)
  for (std::size_t i = 0; i < 40; ++i) in.push_back(tone_frame(500, 3000, i));  // 800 ms talking
  for (std::size_t i = 0; i < 25; ++i) in.push_back(tone_frame(500, 0, i));     // 500 ms silence
  read_through(in);
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(mu);
      if (seen.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::string>{"start", "stop"}));
  EXPECT_EQ(duration.count(), 800);
}

TEST_F(AudioFunctions, ThePerFramePathDoesNotAllocate) {
  const std::size_t frames = 300;
  std::vector<Frame> rx, tx;
  for (std::size_t i = 0; i < frames; ++i) {
    rx.push_back(tone_frame(500, 3000, i));
    tx.push_back(tone_frame(1000, 300, i));
  }
  driver->endpoint("alice")->keep_frames = false;
  ASSERT_TRUE(write("VOLUME", "RX,p", "2"));
  ASSERT_TRUE(write("VOLUME", "TX", "-2"));
  ASSERT_TRUE(write("PITCH_SHIFT", "both", "high"));
  ASSERT_TRUE(write("DENOISE", "rx", "on"));
  ASSERT_TRUE(write("AGC", "tx", "on"));
  ASSERT_TRUE(write("TALK_DETECT", "set", ""));
  std::vector<long> per_frame;
  per_frame.reserve(frames);
  on_strand([&] {
    chan->set_frame_sink([](const Frame&) {});  // delivered frames go nowhere, as in a bridge
    for (std::size_t i = 0; i < 50; ++i) {      // warm-up: decoders, buffers, preprocessors
      chan->queue_frame(rx[i]);
      chan->write(tx[i]);
    }
    for (std::size_t i = 50; i < frames; ++i) {
      const long before = telephony::testing::thread_allocation_count();
      chan->queue_frame(rx[i]);
      chan->write(tx[i]);
      per_frame.push_back(telephony::testing::thread_allocation_count() - before);
    }
    chan->set_frame_sink({});
  });
  long total = 0;
  for (long n : per_frame) total += n;
  EXPECT_EQ(total, 0) << "allocations over " << per_frame.size() << " frames each way";
  std::vector<std::string> kinds;
  on_strand([&] {
    for (auto k : chan->audio_hook_kinds()) kinds.emplace_back(k);
  });
  EXPECT_EQ(kinds, (std::vector<std::string>{"VOLUME", "PITCH_SHIFT", "speex", "TALK_DETECT"}));
}
