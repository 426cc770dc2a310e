// Page(): ring a list of devices at once and drop every one that answers into a new room on the
// mixing bridge as a muted listener (a talker with `d`); the caller joins as the one voice. The
// room ends when the caller leaves; every paged call is hung up then. Page builds its room on the
// MixingBridge directly (not through ConfBridge) so it needs no confbridge.conf profile and pays
// one shared encode per codec for all listeners. See docs/page.md.
#include <strings.h>

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "apps/dialplan_apps.hpp"
#include "apps/parallel_dialer.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/media/mixing_bridge.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/translator.hpp"

// GCC 12 reports -Wmismatched-new-delete on coroutines whose frame it inlines (asio's awaitable
// frame has its own operator new/delete pair); a known false positive, silenced for this file.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kSource = "app_page";

// The `r` option's recorder: a channel with no device whose every written voice frame (the room's
// shared listener mix, slin at 8 kHz) goes to a WAV file. It joins the room as a listener, like
// ConfBridge's recording channel does in Asterisk.
class RoomRecorderTech : public ChannelTech {
 public:
  explicit RoomRecorderTech(media::AudioFileWriter writer) : writer_(std::move(writer)) {}
  void write(Channel&, const Frame& f) override {
    if (f.kind != FrameKind::Voice || f.format != media::Format::slin(8000) || !writer_) return;
    (void)writer_->write(media::slin_samples(f.data()));
  }
  void hangup(Channel&) override {
    if (writer_) (void)writer_->close();
    writer_.reset();
  }
  std::vector<media::Format> native_formats() const override { return {media::Format::slin(8000)}; }

 private:
  std::optional<media::AudioFileWriter> writer_;
};

// Starts the recorder in `room`; returns the file name, or an error naming the path.
Result<std::string> start_room_recorder(Engine& engine, const Bridge::Ptr& room, media::MixingBridge& mix,
                                        const Channel& caller) {
  const auto dir = engine.options().dirs.recordings;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto path = dir / ("page-" + caller.uniqueid() + ".wav");
  auto writer = media::AudioFileWriter::create(path, media::Format::slin(8000));
  if (!writer) return fail("cannot record the page: " + writer.error().to_string(), path.string());
  Engine::ChannelInit init;
  init.tech = "Recorder";
  init.resource = "page-" + caller.uniqueid();
  init.impl = std::make_unique<RoomRecorderTech>(std::move(*writer));
  init.requestor = &caller;
  auto rec = engine.create_channel(std::move(init));
  rec->set_state(ChannelState::Up);
  mix.set_member_options(*rec, {.listen_only = true});
  auto token = rec->hold();
  asio::co_spawn(
      rec->strand(),
      [room, rec, token]() mutable -> asio::awaitable<void> {
        co_await room->join(rec);
        rec->request_hangup(HangupCause::NormalClearing);
        token.reset();
      },
      asio::detached);
  return path.string();
}

// "Test/alice" names the device of channel "Test/alice-0000002a" (and "Local/x@c" of
// "Local/x@c-0000002b;2"): the caller's own device is never paged.
bool is_own_device(const Channel& caller, std::string_view device) {
  std::string name = caller.name();
  if (auto semi = name.rfind(';'); semi != std::string::npos) name.resize(semi);
  if (auto dash = name.rfind('-'); dash != std::string::npos) name.resize(dash);
  return name.size() == device.size() && strncasecmp(name.data(), device.data(), name.size()) == 0;
}

// The devices Page will ring, after the skips Asterisk makes (with a log line for each).
std::vector<std::string> devices_to_page(Execution& x, std::string_view list, bool only_idle) {
  Engine& engine = x.engine();
  std::vector<std::string> out;
  for (auto& device : split_args(list, '&')) {
    if (device.empty()) continue;
    const auto slash = device.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == device.size()) {
      engine.log().warning(kSource, "Incomplete device '" + device + "': a page target is Tech/resource; skipped");
      continue;
    }
    if (is_own_device(x.channel(), device)) {
      engine.log().verbose(kSource, "Skipping " + device + ": it is the paging channel's own device");
      continue;
    }
    if (only_idle) {
      const auto state = engine.device_states().get(device);
      if (state != DeviceState::NotInUse) {
        engine.log().verbose(kSource, "Skipping " + device + ": device state is " + std::string(to_string(state)));
        continue;
      }
    }
    out.push_back(device);
  }
  return out;
}

asio::awaitable<void> play_announcement(Channel::Ptr chan, std::string file) {
  media::PlayOptions opts;
  std::string name = file;
  auto r = co_await media::play_file(chan, std::move(name), std::move(opts));
  if (r.status == media::PlayStatus::NotFound || r.status == media::PlayStatus::Failed)
    chan->engine().log().warning(kSource, "Announcement '" + file + "' on " + chan->name() + ": " + r.error);
}

// A paged device that answered: announcement, then into the room until the page ends.
asio::awaitable<void> device_joins(Bridge::Ptr room, media::MixingBridge* mix, bool duplex, std::string announcement,
                                   Channel::Ptr leg) {
  if (!announcement.empty()) co_await play_announcement(leg, announcement);
  if (leg->hangup_requested()) co_return;
  mix->set_member_options(*leg, {.listen_only = !duplex});
  co_await room->join(leg);
}

asio::awaitable<AppResult> page(Execution& x, std::string_view data) {
  Engine& engine = x.engine();
  Channel::Ptr caller = x.channel_ptr();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    engine.log().warning(kSource, "This application requires at least one argument (destination(s) to page)");
    co_return AppResult::Hangup;
  }
  ParsedOptions opts;
  if (args.size() > 1 && !args[1].empty()) {
    auto parsed = parse_options(args[1], "ABb");
    if (!parsed) {
      engine.log().warning(kSource, "Page options '" + args[1] + "': " + parsed.error().to_string());
      co_return AppResult::Hangup;
    }
    opts = std::move(*parsed);
    for (auto& w : opts.warnings) engine.log().warning(kSource, w);
    for (char f : opts.flags)
      if (std::string_view("ABbdinqrs").find(f) == std::string_view::npos)
        engine.log().notice(kSource, std::string("Page option '") + f + "' is unknown and was ignored");
  }
  std::chrono::milliseconds timeout(-1);
  if (args.size() > 2 && !args[2].empty()) {
    char* end = nullptr;
    const double secs = std::strtod(args[2].c_str(), &end);
    if (end != args[2].c_str() && *end == '\0' && secs > 0) timeout = std::chrono::milliseconds(static_cast<long long>(secs * 1000));
    else engine.log().warning(kSource, "Invalid timeout '" + args[2] + "': devices ring until the page ends");
  }
  const auto devices = devices_to_page(x, args[0], opts.has('s'));

  if (opts.has('B')) {
    auto r = co_await x.run_subroutine(gosub_from_option(opts.argument('B')));
    if (!r) engine.log().warning(kSource, "B(" + opts.argument('B') + "): " + r.error().to_string());
    if (caller->hangup_requested()) co_return AppResult::Hangup;
  }

  auto tech = std::make_unique<media::MixingBridge>();
  media::MixingBridge* mix = tech.get();
  auto room = Bridge::create(engine,
                             {.type = "conference", .name = "page-" + caller->uniqueid(), .creator = "Page",
                              .dissolve_when_alone = false},
                             std::move(tech));
  const bool duplex = opts.has('d');
  mix->set_member_options(*caller, {.listen_only = false});

  ParallelDialer::Settings settings;
  settings.timeout = timeout;
  settings.predial_gosub = opts.has('b') ? gosub_from_option(opts.argument('b')) : std::string();
  settings.first_answer_wins = false;
  settings.log_source = std::string(kSource);
  const std::string announcement = opts.argument('A');
  settings.on_answered = [room, mix, duplex, announcement](Channel::Ptr leg, std::size_t) {
    return device_joins(room, mix, duplex, announcement, std::move(leg));
  };
  auto dialer = ParallelDialer::create(caller, std::move(settings));
  engine.log().verbose(kSource, "Paging " + std::to_string(devices.size()) + " device(s) from " + caller->name() +
                                    (duplex ? " (full duplex)" : ""));
  dialer->dial(devices);

  if (caller->state() != ChannelState::Up) caller->answer();
  if (opts.has('r')) {
    auto file = start_room_recorder(engine, room, *mix, *caller);
    if (file) caller->set_variable("PAGE_RECORDING_FILE", *file);
    else engine.log().warning(kSource, file.error().to_string());
  }
  if (!announcement.empty() && !opts.has('n')) co_await play_announcement(caller, announcement);
  if (!opts.has('q') && !caller->hangup_requested()) {
    std::string beep = "beep";
    co_await play_announcement(caller, std::move(beep));
  }
  if (!caller->hangup_requested()) co_await room->join(caller);

  // The caller left: the page is over for everyone, ringing or listening.
  dialer->hangup_all(HangupCause::NormalClearing);
  room->dissolve();
  engine.log().verbose(kSource, "Page from " + caller->name() + " ended; " + std::to_string(dialer->answered_count()) +
                                    " device(s) had answered");
  co_return AppResult::Hangup;
}

Documentation page_doc() {
  return Documentation{
      "Page series of phones.",
      "Page(Technology/Resource[&Technology2/Resource2[&...]][,options[,timeout]])",
      "Places outbound calls to every listed device at once and puts each one that answers into a new conference "
      "room as a muted listener, so it only hears the caller (the marked user). The caller is answered and joins "
      "the room as its speaker. When the caller hangs up the room ends and every paged call, answered or still "
      "ringing, is hung up. A device without '/' is skipped with a warning, and so is the caller's own device. Page "
      "does not continue the dialplan after it ends (the h extension runs). The room is a mixing bridge of its own, "
      "not a ConfBridge conference, so no confbridge.conf profile applies.",
      {{"Technology/Resource", "devices to page, separated by '&'; any channel technology"},
       {"options",
        "A(x): play announcement x to every paged device before it joins, and to the caller; "
        "b(context^exten^priority(args)): Gosub on each paged channel before it is called; "
        "B(context^exten^priority(args)): Gosub on the caller before paging; d: full duplex (the devices can talk "
        "too); i: ignore call forwards (accepted; no driver forwards here); n: no announcement to the caller; "
        "q: no beep to the caller; r: record the page to <recordings>/page-<caller uniqueid>.wav (the name is left "
        "in PAGE_RECORDING_FILE); s: only page devices whose state is NOT_INUSE"},
       {"timeout", "seconds a device may ring; devices that have not answered by then are hung up"}},
      {"ConfBridge", "Dial"}};
}

}  // namespace

void register_page_application(Engine& engine) { add_application(engine, "Page", page_doc(), page); }

}  // namespace telephony::dialplan
