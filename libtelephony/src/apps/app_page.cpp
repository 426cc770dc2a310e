// Page(): ring a list of devices at once; each one that answers joins a ConfBridge conference
// named by a random number, as Asterisk's app_page names it, as a quiet end_marked user, muted
// unless `d`; the caller joins it after the beep as the quiet marked (and admin) user. When the
// caller leaves, the marked user is gone: every paged phone leaves (ENDMARKED) and is hung up, and
// so is every phone still ringing. The page is an ordinary conference -- confbridge list,
// ConfbridgeList, ConfbridgeKick/Mute/Unmute work on it -- and its muted phones share one encode
// per codec in the mixing bridge. See docs/page.md.
#include <strings.h>

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <random>

#include "apps/confbridge_room.hpp"
#include "apps/dialplan_apps.hpp"
#include "apps/media_apps.hpp"
#include "apps/parallel_dialer.hpp"
#include "telephony/confbridge.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/playback.hpp"

// GCC 12 reports -Wmismatched-new-delete on coroutines whose frame it inlines (asio's awaitable
// frame has its own operator new/delete pair); a known false positive, silenced for this file.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kSource = "app_page";

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

// The conference name: a random number, as Asterisk's app_page draws it (never one in use).
std::string new_page_conference(confbridge::ConferenceRegistry& reg) {
  static std::mutex mu;
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<std::uint32_t> dist(0, 0x7fffffff);
  for (;;) {
    std::string name;
    {
      std::lock_guard lock(mu);
      name = std::to_string(dist(rng));
    }
    if (!reg.room(name)) return name;
  }
}

// The profiles app_page sets with CONFBRIDGE(): default_bridge (+ record_conference for `r`),
// and default_user made quiet, then end_marked (+ startmuted unless `d`) for the phones and
// marked for the caller. The announcement goes to the phones, and to the caller unless `n`.
struct PageProfiles {
  confbridge::ConferenceUser caller;
  confbridge::ConferenceUser device;
};

PageProfiles page_profiles(Engine& engine, confbridge::ConferenceRegistry& reg, const std::string& conference,
                           const ParsedOptions& opts, Channel& caller) {
  const auto profiles = reg.profiles();
  confbridge::ConferenceUser base;
  base.conference = conference;
  if (auto* b = profiles->bridge("default_bridge")) base.bridge = *b;
  if (auto* u = profiles->user("default_user")) base.user = *u;
  if (auto* m = profiles->menu("default_menu")) base.menu = *m;
  base.user.quiet = true;
  if (opts.has('r')) {
    base.bridge.record_conference = true;
    // The name ConfBridge would choose, fixed here so that the caller can be told it.
    base.bridge.record_file = "confbridge-" + conference + "-" + std::to_string(std::time(nullptr)) + ".wav";
  }
  const std::string announcement = opts.argument('A');
  PageProfiles p{base, base};
  p.device.user.end_marked = true;
  p.device.user.startmuted = !opts.has('d');
  p.device.user.announcement = announcement;
  p.caller.user.marked = true;
  // Our addition to app_page: the caller is also admin, so `participants` (kick, mute) means the
  // paged phones and never the person paging (docs/compatibility.md).
  p.caller.user.admin = true;
  if (!opts.has('n')) p.caller.user.announcement = announcement;
  p.caller.moh = media_apps::resolve_moh_class(engine, caller, p.caller.user.music_on_hold_class, "Page");
  p.device.moh = p.caller.moh;
  return p;
}

// One paged phone's part (a coroutine of its own, so that it owns copies of what it uses).
asio::awaitable<void> paged_phone(std::shared_ptr<confbridge::ConferenceRegistry> reg, Channel::Ptr leg,
                                  confbridge::ConferenceUser device) {
  (void)co_await confbridge::run_conference_user(std::move(reg), std::move(leg), std::move(device));
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

  auto reg = confbridge::conference_registry(engine);
  if (!reg) reg = confbridge::install_confbridge(engine);  // Asterisk's app_page needs app_confbridge
  const std::string conference = new_page_conference(*reg);
  const auto profiles = page_profiles(engine, *reg, conference, opts, *caller);

  ParallelDialer::Settings settings;
  settings.timeout = timeout;
  settings.predial_gosub = opts.has('b') ? gosub_from_option(opts.argument('b')) : std::string();
  settings.first_answer_wins = false;
  settings.log_source = std::string(kSource);
  // A phone that answers runs ConfBridge; the dialer hangs it up when it leaves the conference.
  settings.on_answered = [reg, device = profiles.device](Channel::Ptr leg, std::size_t) {
    return paged_phone(reg, std::move(leg), device);
  };
  auto dialer = ParallelDialer::create(caller, std::move(settings));
  engine.log().verbose(kSource, "Paging " + std::to_string(devices.size()) + " device(s) from " + caller->name() +
                                    " into conference " + conference + (opts.has('d') ? " (full duplex)" : ""));
  dialer->dial(devices);

  if (caller->state() != ChannelState::Up) caller->answer();
  if (opts.has('r'))
    caller->set_variable("PAGE_RECORDING_FILE", (engine.options().dirs.recordings / profiles.caller.bridge.record_file).string());
  if (!opts.has('q') && !caller->hangup_requested()) {
    std::string beep = "beep";
    co_await play_announcement(caller, std::move(beep));
  }
  if (!caller->hangup_requested()) (void)co_await confbridge::run_conference_user(reg, caller, profiles.caller);

  // The caller left: the page is over for everyone, ringing or listening.
  dialer->hangup_all(HangupCause::NormalClearing);
  engine.log().verbose(kSource, "Page from " + caller->name() + " ended; " + std::to_string(dialer->answered_count()) +
                                    " device(s) had answered");
  co_return AppResult::Hangup;
}

Documentation page_doc() {
  return Documentation{
      "Page series of phones.",
      "Page(Technology/Resource[&Technology2/Resource2[&...]][,options[,timeout]])",
      "Places outbound calls to every listed device at once and puts each one that answers into a ConfBridge "
      "conference as a muted participant (quiet, end_marked; not muted with d), so it only hears the caller. The "
      "caller is answered, hears a beep (unless q) and joins the conference as its marked (and admin) user. The "
      "conference is named by a random number, as Asterisk names it, and is an ordinary conference: confbridge "
      "list, ConfbridgeList, ConfbridgeListRooms, ConfbridgeKick/Mute/Unmute and the Confbridge* events cover it; "
      "its profiles are default_bridge, default_user and default_menu of confbridge.conf with Page's changes. When "
      "the caller hangs up every paged call, answered or still ringing, is hung up and the conference ends. A device "
      "without '/' is skipped with a warning, and so is the caller's own device. Page does not continue the dialplan "
      "after it ends (the h extension runs).",
      {{"Technology/Resource", "devices to page, separated by '&'; any channel technology"},
       {"options",
        "A(x): play announcement x to every paged device before it joins, and to the caller; "
        "b(context^exten^priority(args)): Gosub on each paged channel before it is called; "
        "B(context^exten^priority(args)): Gosub on the caller before paging; d: full duplex (the devices can talk "
        "too); i: ignore call forwards (accepted; no driver forwards here); n: no announcement to the caller; "
        "q: no beep to the caller; r: record the conference (CONFBRIDGE(bridge,record_conference)) to "
        "<recordings>/confbridge-<conference>-<unix time>.wav, the path left in PAGE_RECORDING_FILE; s: only page "
        "devices whose state is NOT_INUSE"},
       {"timeout", "seconds a device may ring; devices that have not answered by then are hung up"}},
      {"ConfBridge", "Dial"}};
}

}  // namespace

void register_page_application(Engine& engine) { add_application(engine, "Page", page_doc(), page); }

}  // namespace telephony::dialplan
