// FollowMe(): the caller waits on hold while a followme.conf profile's numbers are rung step by
// step (Local/NUMBER@context, the numbers of one step together); a callee who answers hears who
// is calling and presses takecall to take the call or declinecall to pass. The first callee who
// takes it is bridged with the caller.
#include <atomic>
#include <functional>
#include <filesystem>

#include "apps/dialplan_apps.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/followme.hpp"
#include "telephony/engine.hpp"
#include "apps/media_apps.hpp"
#include "apps/parallel_dialer.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/music_on_hold.hpp"
#include "telephony/media/playback.hpp"
#include "telephony/media/recording.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace media_apps;

namespace {

constexpr std::string_view kSource = "app_followme";

// What the caller's coroutine and the callee legs share.
struct FindMe {
  explicit FindMe(FollowMeProfile p) : profile(std::move(p)) {}
  const FollowMeProfile profile;
  std::string name_recording;  // the caller's recorded name (a prompt path), if any
  std::weak_ptr<Channel> caller;
  std::mutex mu;
  Channel::Ptr winner;
  Bridge::Ptr bridge;
  bool abandoned = false;
  // Answered legs whose callee has decided. The dialer reports finished() as soon as a leg
  // answers, before its prompt starts: the caller waits until every answered leg decided.
  std::size_t decided = 0;

  void wake_caller() {
    if (auto c = caller.lock()) c->wake();
  }
};

// The callee hears who is calling and chooses; true when it takes the call.
asio::awaitable<bool> callee_decides(std::shared_ptr<FindMe> f, Channel::Ptr leg) {
  const auto& p = f->profile;
  const std::size_t longest = std::max(p.takecall.size(), p.declinecall.size());
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> prompts;
    if (!f->name_recording.empty()) {
      prompts = {p.call_from_prompt, f->name_recording};
    } else if (!p.norecording_prompt.empty()) {
      prompts = {p.norecording_prompt};
    }
    if (!p.options_prompt.empty()) prompts.push_back(p.options_prompt);
    media::PlayOptions po;
    po.interrupt_digits = "any";
    po.skip_missing = true;
    auto played = co_await media::play_files(leg, std::move(prompts), std::move(po));
    if (played.status == media::PlayStatus::HungUp) co_return false;
    std::string digits;
    if (played.status == media::PlayStatus::Interrupted) digits += played.digit;
    while (digits.size() < longest && digits != p.takecall && digits != p.declinecall) {
      auto fr = co_await leg->read(p.digit_timeout);
      if (leg->hangup_requested()) co_return false;
      if (!fr) break;
      if (fr->kind == FrameKind::DtmfEnd) digits += fr->digit();
    }
    if (digits == p.takecall) co_return true;
    if (digits == p.declinecall) co_return false;
    {
      std::lock_guard lock(f->mu);
      if (f->winner || f->abandoned) co_return false;
    }
  }
  co_return false;
}

asio::awaitable<void> callee_answered(std::shared_ptr<FindMe> f, Channel::Ptr leg) {
  bool take = true;
  if (f->profile.callee_prompt) take = co_await callee_decides(f, leg);
  {
    std::lock_guard lock(f->mu);
    ++f->decided;
    if (take && !f->winner && !f->abandoned) f->winner = leg;
    else take = false;
  }
  f->wake_caller();
  if (!take) co_return;
  std::function<bool()> handed = [f] {
    std::lock_guard lock(f->mu);
    return f->bridge || f->abandoned;
  };
  co_await leg->wait_until(handed, std::chrono::milliseconds(-1));
  Bridge::Ptr bridge;
  {
    std::lock_guard lock(f->mu);
    bridge = f->bridge;
  }
  if (!bridge || leg->hangup_requested()) co_return;
  if (!f->profile.connecting_prompt.empty()) {
    std::vector<std::string> prompts{f->profile.connecting_prompt};
    media::PlayOptions po;
    po.skip_missing = true;
    co_await media::play_files(leg, std::move(prompts), std::move(po));
  }
  co_await bridge->join(leg);
}

asio::awaitable<bool> play(Channel::Ptr chan, std::string prompt) {
  if (prompt.empty()) co_return true;
  std::vector<std::string> prompts{std::move(prompt)};
  media::PlayOptions po;
  po.skip_missing = true;
  auto r = co_await media::play_files(std::move(chan), std::move(prompts), std::move(po));
  co_return r.status != media::PlayStatus::HungUp;
}

// Rings one step; true when a callee took the call.
asio::awaitable<bool> ring_step(Execution& x, const std::shared_ptr<FindMe>& f, const std::vector<const FollowMeNumber*>& step,
                                const std::string& predial) {
  Channel::Ptr caller = x.channel_ptr();
  std::vector<std::string> devices;
  std::chrono::seconds timeout{0};
  for (const auto* n : step) {
    for (const auto& num : n->numbers) devices.push_back("Local/" + num + "@" + f->profile.context);
    timeout = std::max(timeout, n->timeout);
  }
  ParallelDialer::Settings settings;
  settings.timeout = timeout;
  settings.first_answer_wins = false;
  settings.predial_gosub = predial;
  settings.log_source = std::string(kSource);
  settings.on_answered = [f](Channel::Ptr leg, std::size_t) { return callee_answered(f, std::move(leg)); };
  auto dialer = ParallelDialer::create(caller, std::move(settings));
  dialer->dial(devices);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ringing_over = false;
  std::function<bool()> news = [f, dialer] {
    std::lock_guard lock(f->mu);
    return f->winner || (dialer->finished() && f->decided >= dialer->answered_count());
  };
  for (;;) {
    co_await caller->wait_until(news, 200ms);
    while (co_await caller->read(0ms)) {
    }
    if (caller->hangup_requested()) break;
    {
      std::lock_guard lock(f->mu);
      if (f->winner || (dialer->finished() && f->decided >= dialer->answered_count())) break;
    }
    if (!ringing_over && std::chrono::steady_clock::now() >= deadline) {
      dialer->cancel_pending(LegOutcome::NoAnswer, HangupCause::NoAnswer);
      ringing_over = true;
    }
  }
  dialer->cancel_pending(LegOutcome::Cancel, HangupCause::AnsweredElsewhere);
  std::lock_guard lock(f->mu);
  co_return f->winner != nullptr;
}

asio::awaitable<AppResult> followme(Execution& x, std::string_view data) {
  Channel::Ptr chan = x.channel_ptr();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    warn(x, "FollowMe", "requires an argument (followmeid)");
    co_return AppResult::Hangup;
  }
  auto module = std::dynamic_pointer_cast<FollowMeModule>(x.engine().module("app_followme"));
  auto profile = module ? module->profile(args[0]) : std::nullopt;
  if (!profile) {
    x.engine().log().warning(std::string(kSource), "Profile requested, " + args[0] + ", not found in the configuration.");
    co_return AppResult::Continue;
  }
  ParsedOptions opts;
  if (args.size() > 1) {
    auto p = parse_options(args[1], "Bb");
    if (!p) warn(x, "FollowMe", p.error().to_string());
    else opts = std::move(*p);
  }
  if (opts.has('B')) {
    auto r = co_await x.run_subroutine(gosub_from_option(opts.argument('B')));
    if (!r) warn(x, "FollowMe", "B(" + opts.argument('B') + "): " + r.error().to_string());
  }
  const std::string predial = opts.has('b') ? gosub_from_option(opts.argument('b')) : std::string();
  const bool noanswer = opts.has('N') && chan->state() != ChannelState::Up;
  auto f = std::make_shared<FindMe>(std::move(*profile));
  f->caller = chan;
  const auto start = std::chrono::steady_clock::now();
  std::filesystem::path recording;
  if (noanswer) {
    chan->indicate(Control::Ringing);
  } else {
    if (chan->state() != ChannelState::Up) chan->answer();
    prepare_for_prompt(*chan, true);
    if (opts.has('s') && !co_await play(chan, f->profile.status_prompt)) co_return AppResult::Hangup;
    if (opts.has('a')) {
      if (!co_await play(chan, "vm-rec-name")) co_return AppResult::Hangup;
      recording = x.engine().options().dirs.spool / ("followme." + chan->uniqueid() + ".wav");
      std::error_code ec;
      std::filesystem::create_directories(recording.parent_path(), ec);
      media::RecordOptions ro;
      ro.max_duration = 5s;
      ro.silence = 2s;
      auto rec = co_await media::record_file(chan, recording, ro);
      if (rec.status == media::RecordStatus::Hangup) co_return AppResult::Hangup;
      if (rec.status != media::RecordStatus::Error && rec.samples > 0) f->name_recording = recording.string();
    }
    if (!opts.has('d') && !co_await play(chan, f->profile.pls_hold_prompt)) co_return AppResult::Hangup;
    media::start_moh(chan, resolve_moh_class(x, f->profile.moh_class, "FollowMe"));
  }
  // Steps in order; numbers of one order ring together.
  bool found = false;
  const auto& steps = f->profile.steps;
  for (std::size_t i = 0; i < steps.size() && !found && !chan->hangup_requested();) {
    std::vector<const FollowMeNumber*> step;
    const int order = steps[i].order;
    for (; i < steps.size() && steps[i].order == order; ++i) step.push_back(&steps[i]);
    found = co_await ring_step(x, f, step, predial);
  }
  if (!recording.empty()) {
    std::error_code ec;
    std::filesystem::remove(recording, ec);
  }
  if (!noanswer) media::stop_generator(chan);
  if (!found) {
    {
      std::lock_guard lock(f->mu);
      f->abandoned = true;
    }
    if (chan->hangup_requested()) co_return AppResult::Hangup;
    if (noanswer) chan->answer();
    if (opts.has('n') && !co_await play(chan, f->profile.sorry_prompt)) co_return AppResult::Hangup;
    co_return AppResult::Continue;
  }
  if (chan->state() != ChannelState::Up) chan->answer();
  auto bridge = Bridge::create(x.engine(), BridgeOptions{.type = "basic", .name = "", .creator = "FollowMe"});
  Channel::Ptr winner;
  {
    std::lock_guard lock(f->mu);
    f->bridge = bridge;
    winner = f->winner;
  }
  winner->wake();
  chan->set_connected(winner->caller());
  const auto answered = std::chrono::steady_clock::now();
  co_await bridge->join(chan);
  bridge->dissolve();
  auto secs = [](auto d) { return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()); };
  chan->set_variable("DIALEDTIME", secs(std::chrono::steady_clock::now() - start));
  chan->set_variable("ANSWEREDTIME", secs(std::chrono::steady_clock::now() - answered));
  co_return AppResult::Hangup;
}

}  // namespace

void register_followme_application(Engine& engine) {
  add_application(
      engine, "FollowMe",
      doc("Find-Me/Follow-Me application.", "FollowMe(followmeid[,options])",
          "Rings the numbers of the followme.conf profile followmeid as Local/NUMBER@context, step by step (numbers of "
          "one order together, each step for its timeout), while the caller hears music on hold. A callee who answers "
          "hears call_from_prompt with the caller's recorded name (or norecording_prompt) and options_prompt, and "
          "presses takecall (default 1) to take the call or declinecall (default 2) to pass; with "
          "enable_callee_prompt=no the first answer takes it. The caller is then bridged with that callee; when the "
          "call ends, FollowMe ends it (DIALEDTIME/ANSWEREDTIME are set). When nobody takes the call the dialplan "
          "continues (after sorry_prompt with n). An unknown profile is a warning and the dialplan continues.",
          {{"followmeid", "profile name in followme.conf"},
           {"options", "a: record the caller's name to announce it; B(context^exten^priority(args)): Gosub on the "
                       "caller before ringing; b(context^exten^priority(args)): Gosub on each callee before it rings; "
                       "d: no \"please hold\" prompt; I, l: accepted; N: do not answer until connecting (ringing "
                       "instead; a, s and the hold prompt are skipped); n: play sorry_prompt when nobody is reached; "
                       "s: play status_prompt first"}},
          {"Dial"}),
      followme);
}

}  // namespace telephony::dialplan
