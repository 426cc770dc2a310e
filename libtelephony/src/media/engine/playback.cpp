// play_file/play_files: paced prompt playback with DTMF interruption (see media/playback.hpp).
#include "telephony/media/playback.hpp"

#include <cassert>

#include "paced_wait.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/codec.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/file_format.hpp"

namespace telephony::media {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string_view to_string(PlayStatus s) {
  switch (s) {
    case PlayStatus::Played: return "PLAYED";
    case PlayStatus::Interrupted: return "INTERRUPTED";
    case PlayStatus::NotFound: return "NOTFOUND";
    case PlayStatus::HungUp: return "HANGUP";
    case PlayStatus::Failed: return "FAILED";
  }
  return "FAILED";
}

namespace {
std::uint32_t samples_of(Format f, std::size_t bytes) {
  return static_cast<std::uint32_t>(f.codec == Codec::Slin ? bytes / 2 : bytes);
}
}  // namespace

asio::awaitable<PaceOutcome> wait_for_deadline(Channel& chan, std::chrono::steady_clock::time_point deadline,
                                               std::string_view digits) {
  for (;;) {
    if (chan.hangup_requested()) co_return PaceOutcome{PaceOutcome::HungUp, '\0'};
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return PaceOutcome{PaceOutcome::Due, '\0'};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    auto f = co_await chan.read(left);
    if (!f) continue;  // timeout (re-checked above) or hangup
    if (f->kind == FrameKind::DtmfEnd && !digits.empty() && digits.find(f->digit()) != std::string_view::npos)
      co_return PaceOutcome{PaceOutcome::Digit, f->digit()};
    // Inbound voice and other frames are not for a prompt: dropped, as Playback() does.
  }
}

// Not a coroutine on purpose: an event object in a coroutine frame trips GCC 12's
// -Wmismatched-new-delete on asio's frame allocator.
void publish_playback_started(Channel& chan, std::string_view prompt, std::string_view path) {
  PlaybackStarted ev;
  ev.channel = chan.snapshot();
  ev.prompt = std::string(prompt);
  ev.path = std::string(path);
  chan.engine().events().emit(std::move(ev));
}

asio::awaitable<PlayResult> play_files(Channel::Ptr chan, std::vector<std::string> names, PlayOptions opts) {
  assert(chan->strand().running_in_this_thread());
  PlayResult r;
  const std::string digits = opts.interrupt_digits == "any" ? std::string(kDtmfDigits) : opts.interrupt_digits;
  const std::string lang = opts.language.empty() ? chan->language() : opts.language;
  const auto& sounds = chan->engine().options().dirs.sounds;
  const auto start = std::chrono::steady_clock::now();
  auto deadline = start;
  bool first = true;
  auto finish = [&](PlayStatus s) {
    r.status = s;
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return r;
  };
  for (const auto& name : names) {
    auto path = find_sound_file(sounds, lang, name, chan->native_format());
    if (!path) {
      if (opts.skip_missing) continue;
      r.file = name;
      r.error = sound_not_found_message(sounds, lang, name);
      chan->engine().log().warning("playback", chan->name() + ": " + r.error);
      co_return finish(PlayStatus::NotFound);
    }
    auto reader = AudioFileReader::open(*path);
    if (!reader) {
      r.file = path->string();
      r.error = reader.error().to_string();
      chan->engine().log().warning("playback", chan->name() + ": " + r.error);
      co_return finish(PlayStatus::Failed);
    }
    r.file = path->string();
    publish_playback_started(*chan, name, r.file);
    if (first && opts.skip.count() > 0)
      reader->seek_samples(static_cast<std::size_t>(opts.skip.count()) * reader->rate() / 1000);
    first = false;
    const Format fmt = reader->format();
    for (;;) {
      auto bytes = reader->read_frame();
      if (bytes.empty()) break;
      auto w = co_await wait_for_deadline(*chan, deadline, digits);
      if (w.kind == PaceOutcome::HungUp) co_return finish(PlayStatus::HungUp);
      if (w.kind == PaceOutcome::Digit) {
        r.digit = w.digit;
        co_return finish(PlayStatus::Interrupted);
      }
      chan->write(Frame::voice(fmt, std::vector<std::uint8_t>(bytes.begin(), bytes.end()), samples_of(fmt, bytes.size())));
      ++r.frames;
      deadline += 20ms;
    }
  }
  // The last frame still has to be heard: return when its 20 ms are over, so N frames take
  // N*20 ms and a following prompt continues without a gap or an overlap.
  auto w = co_await wait_for_deadline(*chan, deadline, digits);
  if (w.kind == PaceOutcome::HungUp) co_return finish(PlayStatus::HungUp);
  if (w.kind == PaceOutcome::Digit) {
    r.digit = w.digit;
    co_return finish(PlayStatus::Interrupted);
  }
  co_return finish(PlayStatus::Played);
}

asio::awaitable<PlayResult> play_file(Channel::Ptr chan, std::string name, PlayOptions opts) {
  std::vector<std::string> one;  // not a braced list: GCC 12 mis-compiles those in co_await operands
  one.push_back(std::move(name));
  co_return co_await play_files(std::move(chan), std::move(one), std::move(opts));
}

}  // namespace telephony::media
