#include "telephony/local/local_driver.hpp"

#include <atomic>
#include <cstdio>

#include "telephony/bridge.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace {

struct LocalPair {
  std::mutex mu;
  std::weak_ptr<Channel> half[2];  // [0] = ";1" (the dialed side), [1] = ";2" (runs the dialplan)
  std::string exten;
  std::string context;
  bool no_optimize = false;
  // Set when the pair starts optimising itself away: from then on a half's hangup is not passed
  // to the other (the optimisation hangs both up once the far channel has moved).
  std::atomic<bool> optimizing{false};
};

class LocalTech : public ChannelTech, public DriverTransfer, public DriverText {
 public:
  LocalTech(std::shared_ptr<LocalPair> pair, int side) : pair_(std::move(pair)), side_(side) {}

  Channel::Ptr peer() const {
    std::lock_guard lock(pair_->mu);
    return pair_->half[1 - side_].lock();
  }

  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override {
    if (side_ != 0) return fail("only the ;1 half of a Local channel can be called", chan.name());
    auto two = peer();
    if (!two) return fail("Local channel pair is gone", chan.name());
    auto pbx = chan.engine().pbx();
    auto cid = chan.caller();
    if (!pbx || !pbx->exists(pair_->context, pair_->exten, 1, cid.number)) {
      chan.engine().log().notice("chan_local", "No such extension/context " + pair_->exten + "@" +
                                                   pair_->context + " while calling Local channel");
      return fail("No such extension/context " + pair_->exten + "@" + pair_->context, chan.name());
    }
    // ;2 is a new inbound call into the dialplan carrying ;1's identity and variables.
    two->set_caller(cid);
    two->set_connected(chan.connected());
    two->set_language(chan.language());
    two->set_accountcode(chan.accountcode());
    // Asterisk's local_call copies every variable of ;1 (not only `_`/`__` ones), which is how
    // Originate/call-file variables reach the dialplan running on ;2.
    for (const auto& v : chan.variables())
      two->set_variable(std::string(static_cast<std::size_t>(v.inherit), '_') + v.name, v.value);
    two->set_state(ChannelState::Ring);
    pbx->start(two);
    return {};
  }

  void answer(Channel& chan) override {
    if (side_ == 1)
      if (auto one = peer()) one->queue_frame(Frame::control(Control::Answer));
  }

  void hangup(Channel& chan) override {
    if (pair_->optimizing.load()) return;
    if (auto p = peer(); p && !p->is_hung_up()) p->request_hangup(chan.hangup_cause());
  }

  void write(Channel&, const Frame& f) override {  // voice: Channel::write dispatches the rest
    if (auto p = peer()) p->queue_frame(f);
  }

  void indicate_data(Channel&, Control c, const IndicationData& data) override {
    if (auto p = peer()) p->queue_frame(indication_frame(c, data));  // the data crosses the pair
  }

  void send_digit_begin(Channel&, char digit) override {
    if (auto p = peer()) p->queue_frame(Frame::dtmf_begin(digit));
  }

  void send_digit_end(Channel&, char digit, std::chrono::milliseconds held) override {
    if (auto p = peer()) p->queue_frame(Frame::dtmf_end(digit, held));
  }

  void send_text(Channel&, std::string_view text) override {
    if (auto p = peer()) p->queue_frame(Frame::text(text));
  }

  // SendText(): the other half reads the text (ReceiveText(), a bridged peer); nothing answers,
  // so handing it over is success.
  boost::asio::awaitable<TextResult> deliver_text(Channel&, TextMessage msg) override {
    auto p = peer();
    if (!p) co_return TextResult{TextResult::Status::Failure, 0};
    p->queue_frame(Frame::text(msg.body));
    co_return TextResult{};
  }

  // Transfer() on one half: the parties bridged to the OTHER half (the caller who dialed this
  // Local channel) are sent to `dest` ("exten" or "exten@context"; the context defaults to this
  // half's), as a SIP phone's REFER moves its far end. The emptied bridge then dissolves and the
  // pair is hung up by whoever owned it.
  boost::asio::awaitable<TransferResult> transfer(Channel& chan, std::string dest) override {
    using Status = TransferResult::Status;
    auto other = peer();
    auto pbx = chan.engine().pbx();
    if (!other || !pbx) co_return TransferResult{Status::Failure, 0};
    auto bridge = chan.engine().find_bridge(other->snapshot().bridge_id);
    if (!bridge) co_return TransferResult{Status::Failure, 0};
    DialplanLocation to{chan.location().context, dest, 1};
    if (auto at = dest.find('@'); at != std::string::npos) {
      to.exten = dest.substr(0, at);
      to.context = dest.substr(at + 1);
    }
    std::vector<Channel::Ptr> moved;
    for (const auto& m : bridge->members())
      if (m != other) moved.push_back(m);
    if (moved.empty()) co_return TransferResult{Status::Failure, 0};
    for (const auto& m : moved)
      if (!pbx->exists(to.context, to.exten, to.priority, m->caller().number)) co_return TransferResult{Status::Failure, 0};
    for (const auto& m : moved) {
      BlindTransferDone ev;
      ev.result = "Success";
      ev.transferer = other->snapshot();
      ev.transferee = m->snapshot();
      ev.bridge = bridge->snapshot();
      ev.context = to.context;
      ev.exten = to.exten;
      ev.external = true;
      chan.engine().events().emit(std::move(ev));
      m->request_redirect(to);
    }
    co_return TransferResult{Status::Success, 0};
  }

  std::vector<media::Format> native_formats() const override {
    return {media::Format::slin(), media::Format::ulaw(), media::Format::alaw()};
  }

  const std::shared_ptr<LocalPair>& pair() const { return pair_; }

 private:
  std::shared_ptr<LocalPair> pair_;
  int side_;
};

std::shared_ptr<LocalPair> pair_of(Channel& chan) {
  auto* tech = dynamic_cast<LocalTech*>(&chan.tech());
  return tech ? tech->pair() : nullptr;
}

std::atomic<unsigned> g_optimization_id{0};
std::mutex g_optimizer_mu;  // one decision at a time: chained pairs share bridges

// The other member of a two-party basic bridge that holds `half`, with the bridge; nulls when the
// bridge is anything else (a conference, three members, dissolving).
std::pair<Bridge::Ptr, Channel::Ptr> bridged_with(Engine& engine, const Channel::Ptr& half) {
  const auto id = half->snapshot().bridge_id;
  auto bridge = id.empty() ? nullptr : engine.find_bridge(id);
  if (!bridge || bridge->dissolved() || bridge->snapshot().type != "basic") return {};
  auto members = bridge->members();
  if (members.size() != 2 || (members[0] != half && members[1] != half)) return {};
  return {bridge, members[0] == half ? members[1] : members[0]};
}

bool busy(const Channel::Ptr& c) {
  if (!c || c->hangup_requested() || c->has_audio_hooks()) return true;
  auto p = pair_of(*c);  // the far channel is itself a Local half that is moving
  return p && p->optimizing.load();
}

// Asterisk's swap optimisation: C (;2's bridge partner) takes ;1's place in A's bridge.
void try_optimize(Engine& engine, const std::shared_ptr<LocalPair>& pair) {
  std::lock_guard guard(g_optimizer_mu);
  Channel::Ptr one, two;
  {
    std::lock_guard lock(pair->mu);
    if (pair->no_optimize || pair->optimizing.load()) return;
    one = pair->half[0].lock();
    two = pair->half[1].lock();
  }
  if (busy(one) || busy(two)) return;
  auto [dest, a] = bridged_with(engine, one);
  auto [source, c] = bridged_with(engine, two);
  if (!dest || !source || dest == source || busy(a) || busy(c)) return;
  pair->optimizing.store(true);
  const unsigned id = g_optimization_id.fetch_add(1);
  LocalOptimizationEvent begin;
  begin.one = one->snapshot();
  begin.two = two->snapshot();
  begin.source = c->snapshot();
  begin.dest_bridge = dest->uniqueid();
  begin.id = id;
  engine.events().emit(std::move(begin));
  engine.log().verbose(4, "chan_local", "Move-swap optimizing " + one->name() + " <-- " + c->name() + ".");
  Engine* eng = &engine;
  auto finished = [eng, one, two, id](bool moved) {
    LocalOptimizationEvent end;
    end.begin = false;
    end.one = one->snapshot();
    end.two = two->snapshot();
    end.success = moved;
    end.id = id;
    eng->events().emit(std::move(end));
    // The pair is out of the media path (or its far side is gone): both halves go.
    one->request_hangup(HangupCause::NormalClearing);
    two->request_hangup(HangupCause::NormalClearing);
  };
  if (!source->move_to(c, dest, one, finished)) {
    pair->optimizing.store(false);
    return;
  }
  // ;2 must not go on in the dialplan once its bridge dissolves (it would run Dial's next
  // priority); its hangup does not reach ;1 while the pair is optimizing.
  two->request_hangup(HangupCause::NormalClearing);
}

}  // namespace

Result<void> local_optimize_away(const Channel::Ptr& chan) {
  auto pair = pair_of(*chan);
  if (!pair) return fail("not a Local channel", chan->name());
  {
    std::lock_guard lock(pair->mu);
    pair->no_optimize = false;
  }
  try_optimize(chan->engine(), pair);
  return {};
}

Result<Channel::Ptr> LocalDriver::request(Engine& engine, const ChannelRequest& req) {
  std::call_once(watching_, [&] {
    Engine* eng = &engine;
    bridges_ = engine.events().subscribe({.name = "chan_local"}, [eng](const EventPtr& ev) {
      auto* entered = ev->as<BridgeEntered>();
      if (!entered) return;
      auto bridge = eng->find_bridge(entered->bridge.uniqueid);
      if (!bridge) return;
      for (const auto& m : bridge->members())
        if (auto pair = pair_of(*m)) try_optimize(*eng, pair);
    });
  });
  std::string_view res = req.resource;
  std::string_view opts;
  if (auto slash = res.find('/'); slash != std::string_view::npos) {
    opts = res.substr(slash + 1);
    res = res.substr(0, slash);
  }
  if (res.empty()) return fail("Local channel needs exten@context", "Local/" + req.resource);
  auto pair = std::make_shared<LocalPair>();
  if (auto at = res.find('@'); at != std::string_view::npos) {
    pair->exten = std::string(res.substr(0, at));
    pair->context = std::string(res.substr(at + 1));
  } else {
    pair->exten = std::string(res);
    pair->context = "default";
  }
  if (pair->exten.empty() || pair->context.empty())
    return fail("Local channel needs exten@context", "Local/" + req.resource);
  for (char o : opts) {
    if (o == 'n') pair->no_optimize = true;
  }
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%08x", engine.next_channel_sequence());
  std::string base = "Local/" + pair->exten + "@" + pair->context + suffix;

  Engine::ChannelInit one;
  one.tech = "Local";
  one.impl = std::make_unique<LocalTech>(pair, 0);
  one.requestor = req.requestor;
  one.direction = ChannelDirection::Outbound;
  one.name_override = base + ";1";
  one.uniqueid = req.uniqueid;
  auto c1 = engine.create_channel(std::move(one));

  Engine::ChannelInit two;
  two.tech = "Local";
  two.impl = std::make_unique<LocalTech>(pair, 1);
  two.requestor = c1.get();
  two.direction = ChannelDirection::Inbound;
  two.name_override = base + ";2";
  two.uniqueid = req.other_uniqueid;
  auto c2 = engine.create_channel(std::move(two));
  // Both halves carry exten@context, as Asterisk's Local channels do (Dial then gives ;1 the
  // dialing extension; Pickup(exten@context) finds ringing ;1 halves by them).
  c1->set_location({pair->context, pair->exten, 1});
  c2->set_location({pair->context, pair->exten, 1});
  {
    std::lock_guard lock(pair->mu);
    pair->half[0] = c1;
    pair->half[1] = c2;
  }
  return c1;
}

Channel::Ptr local_peer(const Channel& chan) {
  // The tech object is private to this file; recognise it by the channel name's ";1"/";2".
  const auto& n = chan.name();
  if (n.rfind("Local/", 0) != 0 || n.size() < 2) return nullptr;
  std::string other = n.substr(0, n.size() - 1) + (n.back() == '1' ? "2" : "1");
  return chan.engine().find_channel(other);
}

}  // namespace telephony
