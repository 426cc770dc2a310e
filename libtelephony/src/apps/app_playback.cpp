// Playback, Background and ControlPlayback: prompts on the calling channel with Asterisk's
// arguments, options and status variables (PLAYBACKSTATUS, BACKGROUNDSTATUS, CPLAYBACKSTATUS).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "telephony/media/playback_control.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/dtmf.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

// Plays `prompts` one by one so that a missing one can be skipped (Playback goes on with the
// next file and reports FAILED at the end) or stop the sequence (Background).
struct SequenceOutcome {
  media::PlayStatus status = media::PlayStatus::Played;
  char digit = '\0';
  bool missing = false;  // some prompt was not found / unreadable
};

asio::awaitable<SequenceOutcome> play_sequence(Channel::Ptr chan, std::vector<std::string> prompts,
                                               media::PlayOptions opts, bool stop_on_missing) {
  SequenceOutcome out;
  for (auto& prompt : prompts) {
    media::PlayOptions one = opts;
    std::string name = prompt;
    auto r = co_await media::play_file(chan, std::move(name), std::move(one));
    if (r.status == media::PlayStatus::NotFound || r.status == media::PlayStatus::Failed) {
      out.missing = true;
      if (stop_on_missing) {
        out.status = r.status;
        co_return out;
      }
      continue;
    }
    if (r.status != media::PlayStatus::Played) {
      out.status = r.status;
      out.digit = r.digit;
      co_return out;
    }
  }
  co_return out;
}

asio::awaitable<AppResult> playback(Execution& x, std::string_view data) {
  auto args = split_args(data);
  auto prompts = split_prompts(args.empty() ? std::string() : args[0]);
  Channel& chan = x.channel();
  if (prompts.empty()) {
    warn(x, "Playback", "requires an argument (filename)");
    chan.set_variable("PLAYBACKSTATUS", "FAILED");
    co_return AppResult::Hangup;
  }
  const std::string options = args.size() > 1 ? lower(args[1]) : std::string();
  const bool skip = options.find("skip") != std::string::npos;
  const bool noanswer = options.find("noanswer") != std::string::npos;
  if (chan.state() != ChannelState::Up && skip) {
    chan.set_variable("PLAYBACKSTATUS", "SUCCESS");
    co_return AppResult::Continue;
  }
  prepare_for_prompt(chan, noanswer);
  media::PlayOptions opts;  // no interrupt digits: Playback() is not interruptible
  auto r = co_await play_sequence(x.channel_ptr(), std::move(prompts), std::move(opts), false);
  chan.set_variable("PLAYBACKSTATUS", r.missing ? "FAILED" : "SUCCESS");
  co_return r.status == media::PlayStatus::HungUp ? AppResult::Hangup : AppResult::Continue;
}

asio::awaitable<AppResult> background(Execution& x, std::string_view data) {
  auto args = split_args(data);
  auto prompts = split_prompts(args.empty() ? std::string() : args[0]);
  Channel& chan = x.channel();
  if (prompts.empty()) {
    warn(x, "Background", "requires an argument (filename)");
    chan.set_variable("BACKGROUNDSTATUS", "FAILED");
    co_return AppResult::Hangup;
  }
  const std::string options = args.size() > 1 ? args[1] : std::string();
  const std::string lang = args.size() > 2 ? trim(args[2]) : std::string();
  std::string context = args.size() > 3 ? trim(args[3]) : std::string();
  if (context.empty()) context = x.location().context;
  const bool skip = options.find('s') != std::string::npos;
  const bool noanswer = options.find('n') != std::string::npos;
  const bool only_one_digit_extens = options.find('m') != std::string::npos;
  const bool uninterruptible = options.find('p') != std::string::npos;

  if (chan.state() != ChannelState::Up && skip) {
    chan.set_variable("BACKGROUNDSTATUS", "SUCCESS");
    co_return AppResult::Continue;
  }
  prepare_for_prompt(chan, noanswer);
  media::PlayOptions opts;
  opts.language = lang;
  if (!uninterruptible) {
    if (only_one_digit_extens) {
      for (char d : media::kDtmfDigits)
        if (x.exists(context, std::string(1, d), 1)) opts.interrupt_digits += d;
    } else {
      opts.interrupt_digits = "any";
    }
  }
  auto r = co_await play_sequence(x.channel_ptr(), std::move(prompts), std::move(opts), true);
  if (r.missing) {
    chan.set_variable("BACKGROUNDSTATUS", "FAILED");
    co_return AppResult::Hangup;  // "call processing will be terminated"
  }
  chan.set_variable("BACKGROUNDSTATUS", "SUCCESS");
  if (r.status == media::PlayStatus::HungUp) co_return AppResult::Hangup;
  if (r.status != media::PlayStatus::Interrupted) co_return AppResult::Continue;
  // A digit: the caller started dialing an extension of `context`. Collect the rest the way the
  // PBX does (TIMEOUT(digit) per further digit while more can match), then jump there or to `i`.
  if (context != x.location().context) x.jump(context, x.location().exten, x.location().priority);
  std::string dialed(1, r.digit);  // named: GCC 12 destroys temporaries in a co_await operand twice
  co_return co_await x.collect_extension(std::move(dialed), x.digit_timeout);
}

// --- ControlPlayback ---------------------------------------------------------------------------

struct ControlKeys {
  std::string ff = "#", rew = "*", stop, pause, restart;
  std::chrono::milliseconds skip{3000};
  std::string all() const { return ff + rew + stop + pause + restart; }
};

enum class WaitKind { Due, Digit, HungUp };
struct WaitOutcome {
  WaitKind kind;
  char digit;
};

// Waits for `deadline` (none: forever) while reading inbound frames; returns early for a DTMF
// digit in `keys` or a hangup. Other frames are dropped, as during any prompt.
asio::awaitable<WaitOutcome> wait_key(Channel& chan, std::optional<std::chrono::steady_clock::time_point> deadline,
                                      const std::string& keys) {
  for (;;) {
    if (chan.hangup_requested()) co_return WaitOutcome{WaitKind::HungUp, '\0'};
    auto wait = std::chrono::milliseconds(-1);
    if (deadline) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= *deadline) co_return WaitOutcome{WaitKind::Due, '\0'};
      wait = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
    }
    auto f = co_await chan.read(wait);
    if (!f) continue;
    if (f->kind == FrameKind::DtmfEnd && keys.find(f->digit()) != std::string::npos)
      co_return WaitOutcome{WaitKind::Digit, f->digit()};
  }
}

asio::awaitable<AppResult> control_playback(Execution& x, std::string_view data) {
  auto args = split_args(data);
  Channel& chan = x.channel();
  auto set_status = [&](const char* status, long long offset_ms) {
    chan.set_variable("CPLAYBACKSTATUS", status);
    chan.set_variable("CPLAYBACKOFFSET", std::to_string(offset_ms));
  };
  const std::string name = args.empty() ? std::string() : trim(args[0]);
  if (name.empty()) {
    warn(x, "ControlPlayback", "requires an argument (filename)");
    set_status("ERROR", -1);
    co_return AppResult::Continue;
  }
  ControlKeys keys;
  if (args.size() > 1 && !trim(args[1]).empty()) {
    auto ms = parse_integer(args[1]);
    if (ms && *ms > 0) keys.skip = std::chrono::milliseconds(*ms);
    else warn(x, "ControlPlayback", "invalid skipms '" + args[1] + "', using 3000");
  }
  auto key_arg = [&](std::size_t i, std::string& out) {
    if (args.size() > i) {
      auto v = trim(args[i]);
      if (!v.empty() || i > 3) out = v;  // ff/rew keep their defaults when left empty
    }
  };
  key_arg(2, keys.ff);
  key_arg(3, keys.rew);
  key_arg(4, keys.stop);
  key_arg(5, keys.pause);
  key_arg(6, keys.restart);
  long long offset_ms = 0;
  if (args.size() > 7) {
    auto parsed = parse_options(args[7], "o");
    if (!parsed) {
      warn(x, "ControlPlayback", parsed.error().to_string());
    } else if (parsed->has('o')) {
      auto v = parse_integer(parsed->argument('o'));
      if (v) offset_ms = *v;
      else warn(x, "ControlPlayback", "invalid offset o(" + parsed->argument('o') + ")");
    }
  }

  auto chan_ptr = x.channel_ptr();
  auto path = media::find_sound_file(chan.engine().options().dirs.sounds, chan.language(), name, chan.native_format());
  if (!path) {
    warn(x, "ControlPlayback",
         media::sound_not_found_message(chan.engine().options().dirs.sounds, chan.language(), name));
    set_status("ERROR", -1);
    co_return AppResult::Continue;
  }
  auto reader = media::AudioFileReader::open(*path);
  if (!reader) {
    warn(x, "ControlPlayback", reader.error().to_string());
    set_status("ERROR", -1);
    co_return AppResult::Continue;
  }
  prepare_for_prompt(chan, true);
  media::publish_playback_started(chan, name, path->string());
  const auto rate = reader->rate();
  const auto total = reader->total_samples();
  const auto skip = static_cast<std::size_t>(keys.skip.count()) * rate / 1000;
  auto ms_at = [rate](std::size_t sample) { return static_cast<long long>(sample) * 1000 / rate; };
  reader->seek_samples(std::min(total, static_cast<std::size_t>(offset_ms) * rate / 1000));
  const std::string watched = keys.all();
  // The keys, for the AMI ControlPlayback action, while the stream runs.
  chan.remove_datastore(media::kPlaybackControlDatastore);
  chan.datastore_or_create(media::kPlaybackControlDatastore, [&] {
    return std::make_shared<media::PlaybackControlKeys>(
        media::PlaybackControlKeys{keys.ff, keys.rew, keys.stop, keys.pause, keys.restart});
  });
  struct Cleanup {
    Channel& c;
    ~Cleanup() { c.remove_datastore(media::kPlaybackControlDatastore); }
  } cleanup{chan};
  const media::Format fmt = reader->format();
  const std::size_t sample_bytes = fmt.codec == media::Codec::Slin ? 2 : 1;
  // Each frame is written, then its 20 ms are waited out while watching the keys, so position()
  // is always what the caller has heard when a key arrives.
  auto deadline = std::chrono::steady_clock::now();
  for (;;) {
    auto bytes = reader->read_frame();
    if (bytes.empty()) {
      set_status("SUCCESS", -1);
      co_return AppResult::Continue;
    }
    chan.write(Frame::voice(fmt, std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
                            static_cast<std::uint32_t>(bytes.size() / sample_bytes)));
    deadline += 20ms;
    auto w = co_await wait_key(chan, deadline, watched);
    if (w.kind == WaitKind::Due) continue;
    const std::size_t here = reader->position();
    if (w.kind == WaitKind::HungUp) {
      set_status("ERROR", ms_at(here));
      co_return AppResult::Hangup;
    }
    const char d = w.digit;
    if (keys.stop.find(d) != std::string::npos) {
      set_status("USERSTOPPED", ms_at(here));
      chan.set_variable("CPLAYBACKSTOPKEY", std::string(1, d));
      co_return AppResult::Continue;
    }
    if (keys.ff.find(d) != std::string::npos) {
      reader->seek_samples(std::min(total, here + skip));
    } else if (keys.rew.find(d) != std::string::npos) {
      reader->seek_samples(here > skip ? here - skip : 0);
    } else if (keys.restart.find(d) != std::string::npos) {
      reader->seek_samples(0);
    } else if (keys.pause.find(d) != std::string::npos) {
      // Paused: nothing is sent until the pause key again (or a stop key, or hangup).
      const std::string resume = keys.pause + keys.stop;
      auto p = co_await wait_key(chan, std::nullopt, resume);
      if (p.kind == WaitKind::HungUp) {
        set_status("ERROR", ms_at(here));
        co_return AppResult::Hangup;
      }
      if (keys.pause.find(p.digit) == std::string::npos) {
        set_status("USERSTOPPED", ms_at(here));
        chan.set_variable("CPLAYBACKSTOPKEY", std::string(1, p.digit));
        co_return AppResult::Continue;
      }
    }
    deadline = std::chrono::steady_clock::now();
  }
}

}  // namespace

void register_playback_applications(Engine& engine) {
  add_application(
      engine, "Playback",
      doc("Play a file.", "Playback(filename[&filename2[&...]][,options])",
          "Plays the prompts one after the other, answering the channel first unless `noanswer` is given. The "
          "playback cannot be interrupted by DTMF (use Background or ControlPlayback for that). A prompt that "
          "does not exist is skipped with a warning and the next one plays. Sets PLAYBACKSTATUS to SUCCESS when "
          "every prompt played, FAILED when one could not be found or read. A hangup ends the playback at once.",
          {{"filenames", "prompt names (no extension) relative to the sounds folder, or absolute paths, joined by &"},
           {"options", "skip: do nothing if the channel is not answered; noanswer: play without answering"}},
          {"Background", "ControlPlayback", "SayDigits", "SayNumber"}),
      playback);
  add_application(
      engine, "Background",
      doc("Play an audio file while waiting for digits of an extension to go to.",
          "Background(filename1[&filename2[&...]][,options[,langoverride[,context]]])",
          "Plays the prompts while listening for DTMF. A digit stops the playback and starts dialing: further "
          "digits are collected with TIMEOUT(digit) while a longer extension could still match, then the call "
          "continues at that extension of `context` (default: the current context), or at `i` when none "
          "matches. When the prompts end without a digit the next priority runs (usually WaitExten). A missing "
          "prompt ends the call. Sets BACKGROUNDSTATUS to SUCCESS or FAILED.",
          {{"filenames", "prompt names joined by &"},
           {"options", "s: skip when not answered; n: do not answer; m: only digits that are a one-digit "
                       "extension of the context interrupt; p: not interruptible"},
           {"langoverride", "language to look prompts up in instead of the channel's"},
           {"context", "the context a dialed extension is looked up and continued in"}},
          {"WaitExten", "Playback", "TIMEOUT"}),
      background);
  add_application(
      engine, "ControlPlayback",
      doc("Play a file with fast forward and rewind.",
          "ControlPlayback(filename[,skipms[,ff[,rew[,stop[,pause[,restart[,options]]]]]]])",
          "Plays one prompt while the caller controls it with DTMF: ff/rew jump skipms forward/back, stop ends "
          "it, pause halts until pause is pressed again, restart starts over. Sets CPLAYBACKSTATUS (SUCCESS, "
          "USERSTOPPED, ERROR), CPLAYBACKOFFSET (ms into the file where it stopped; -1 at the end of the file) "
          "and CPLAYBACKSTOPKEY (the stop digit pressed).",
          {{"filename", "prompt name"}, {"skipms", "milliseconds per ff/rew press (default 3000)"},
           {"ff", "fast-forward digit(s) (default #)"}, {"rew", "rewind digit(s) (default *)"},
           {"stop", "digit(s) that stop playback"}, {"pause", "digit(s) that pause/resume"},
           {"restart", "digit(s) that restart from the beginning"}, {"options", "o(ms): start ms into the file"}},
          {"Playback", "Background"}),
      control_playback);
}

}  // namespace telephony::dialplan
