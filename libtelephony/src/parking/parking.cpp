// res_parking: lots, Park(), ParkedCall(), the parked call's wait (parking.hpp has the rules).
#include "telephony/parking.hpp"

#include <strings.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "../apps/dialplan_apps.hpp"
#include "parking_internal.hpp"
#include "telephony/bridge.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/edit.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/moh_module.hpp"
#include "telephony/media/music_on_hold.hpp"

namespace telephony {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool lot_key_is(const config::Entry& e, const char* k) { return ::strcasecmp(e.name.c_str(), k) == 0; }

// "SIP/alice-00000001" -> dial string "SIP/alice"; flattened (an extension name) "SIP_alice".
std::string dial_string_of(std::string_view name) {
  if (auto semi = name.rfind(';'); semi != std::string_view::npos) name = name.substr(0, semi);
  if (auto dash = name.rfind('-'); dash != std::string_view::npos) name = name.substr(0, dash);
  return std::string(name);
}
std::string flattened(std::string_view dial) {
  std::string out(dial);
  for (auto& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return out;
}

}  // namespace

Result<std::vector<ParkingLotConfig>, Errors> parse_parking_config(const fs::path& dir) {
  auto file = config::load_module_config(dir, "res_parking.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  std::vector<ParkingLotConfig> lots;
  Errors errors;
  auto err = [&](const config::Entry& e, const std::string& m) { errors.items.push_back({m, e.where.to_string()}); };
  for (const auto& sec : file->sections) {
    if (sec.is_template) continue;
    if (::strcasecmp(sec.name.c_str(), "general") == 0) {
      for (const auto& e : sec.entries)
        if (!lot_key_is(e, "parkeddynamic")) err(e, "unknown [general] setting '" + e.name + "'");
      continue;
    }
    ParkingLotConfig lot;
    lot.name = sec.name;
    for (const auto& e : sec.entries) {
      auto seconds = [&](std::chrono::seconds& target) {
        const int v = sec.get_int(e.name, -1);
        if (v <= 0) err(e, "'" + e.name + "' must be a positive number of seconds");
        else target = std::chrono::seconds(v);
      };
      if (lot_key_is(e, "parkext")) lot.parkext = e.value;
      else if (lot_key_is(e, "parkpos")) {
        int a = 0, b = 0;
        if (std::sscanf(e.value.c_str(), "%d-%d", &a, &b) != 2 || a <= 0 || b < a || b - a > 10000)
          err(e, "parkpos must be first-last (e.g. 701-720)");
        else lot.first = a, lot.last = b;
      } else if (lot_key_is(e, "context")) lot.context = e.value;
      else if (lot_key_is(e, "parkingtime")) seconds(lot.parkingtime);
      else if (lot_key_is(e, "comebackdialtime")) seconds(lot.comebackdialtime);
      else if (lot_key_is(e, "comebacktoorigin")) lot.comebacktoorigin = config::is_true_word(e.value);
      else if (lot_key_is(e, "comebackcontext")) lot.comebackcontext = e.value;
      else if (lot_key_is(e, "parkedmusicclass")) lot.mohclass = e.value;
      else if (lot_key_is(e, "findslot")) {
        if (e.value != "first" && e.value != "next") err(e, "findslot must be first or next");
        lot.findslot_next = e.value == "next";
      } else if (!(lot_key_is(e, "parkedcalltransfers") || lot_key_is(e, "parkedcallreparking") ||
                   lot_key_is(e, "parkedcallhangup") || lot_key_is(e, "parkedcallrecording") || lot_key_is(e, "parkinghints") ||
                   lot_key_is(e, "parkedplay") || lot_key_is(e, "courtesytone"))) {
        err(e, "unknown parking lot setting '" + e.name + "'");
      }
    }
    lots.push_back(std::move(lot));
  }
  if (lots.empty()) lots.emplace_back();  // Asterisk's implicit default lot
  if (!errors.items.empty()) return Unexpected<Errors>{errors};
  return lots;
}

// ---- state ----------------------------------------------------------------------------------------

void ParkingModule::State::emit(std::string_view kind, const ParkedCallInfo& info, std::optional<ChannelSnapshot> retriever) {
  ParkingEvent ev;
  ev.kind = kind;
  ev.call = info;
  ev.retriever = std::move(retriever);
  engine.events().emit(std::move(ev));
}

Result<std::shared_ptr<ParkingModule::State::Slot>> ParkingModule::State::take_space(const std::string& lot_name,
                                                                                  const Channel::Ptr& chan,
                                                                                  const Channel::Ptr& parker,
                                                                                  std::optional<std::chrono::seconds> timeout) {
  std::lock_guard lock(mu);
  const ParkingLotConfig* lot = nullptr;
  for (const auto& l : lots)
    if (lot_name.empty() ? l.name == "default" || lot == nullptr : l.name == lot_name) lot = &l;
  if (!lot) return fail("no parking lot '" + lot_name + "'");
  auto& spaces = parked[lot->name];
  int start = lot->first;
  if (lot->findslot_next && last_space.count(lot->name)) start = last_space[lot->name] + 1;
  for (int i = 0; i <= lot->last - lot->first; ++i) {
    const int space = lot->first + (start - lot->first + i) % (lot->last - lot->first + 1);
    if (spaces.count(space)) continue;
    auto slot = std::make_shared<Slot>();
    slot->lot = *lot;
    slot->chan = chan;
    slot->info.lot = lot->name;
    slot->info.space = space;
    slot->info.parkee = chan->snapshot();
    if (parker) {
      slot->info.parker = parker->snapshot();
      slot->info.parker_dial_string = dial_string_of(parker->name());
    }
    slot->info.since = std::chrono::system_clock::now();
    slot->info.timeout = timeout.value_or(lot->parkingtime);
    spaces[space] = slot;
    last_space[lot->name] = space;
    return slot;
  }
  return fail("parking lot '" + lot->name + "' is full");
}

void ParkingModule::State::release(const Slot& slot) {
  std::lock_guard lock(mu);
  auto it = parked.find(slot.info.lot);
  if (it != parked.end()) it->second.erase(slot.info.space);
}

DialplanLocation ParkingModule::State::comeback(Slot& slot) {
  auto& chan = *slot.chan;
  chan.set_variable("PARKINGSLOT", std::to_string(slot.info.space));
  chan.set_variable("PARKEDLOT", slot.info.lot);
  chan.set_variable("PARKER", slot.info.parker ? slot.info.parker->name : std::string());
  chan.set_variable("PARKERDIALSTRING", slot.info.parker_dial_string);
  const std::string flat = flattened(slot.info.parker_dial_string.empty() ? "s" : slot.info.parker_dial_string);
  if (slot.lot.comebacktoorigin && !slot.info.parker_dial_string.empty()) {
    // As Asterisk's park-dial context: one extension per parker, dialing its device back.
    if (auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine.pbx())) {
      dialplan::ExtensionAdd add{"park-dial", flat, "1", "Dial",
                                 slot.info.parker_dial_string + "," + std::to_string(slot.lot.comebackdialtime.count()), true};
      (void)dialplan::add_extension(*pbx, add, {"res_parking", 0});
    }
    return {"park-dial", flat, 1};
  }
  return {slot.lot.comebackcontext, flat, 1};
}

// The parked channel's side: music in its space until retrieved, gone or timed out. True when it
// timed out (the caller sends it to the comeback location); false when the call is over.
asio::awaitable<bool> ParkingModule::State::wait_parked(std::shared_ptr<Slot> slot) {
  auto chan = slot->chan;
  emit("ParkedCall", slot->info, std::nullopt);
  engine.log().verbose(3, "res_parking", "Parked " + chan->name() + " on " + std::to_string(slot->info.space) + "@" +
                                             slot->info.lot + ". Will timeout back to extension [" +
                                             comeback_preview(*slot) + "] in " +
                                             std::to_string(slot->info.timeout.count()) + " seconds");
  std::shared_ptr<media::GeneratorTask> moh;
  if (auto cls = media::find_moh_class(engine, slot->lot.mohclass)) moh = media::start_moh(chan, *cls);
  std::function<bool()> done = [slot] { return slot->retrieved.load(); };
  const bool retrieved = co_await chan->wait_until(std::move(done), slot->info.timeout);
  if (moh) moh->stop();
  release(*slot);
  if (retrieved && !chan->hangup_requested()) {
    co_await slot->bridge->join(chan);
    chan->request_hangup(HangupCause::NormalClearing);
    co_return false;
  }
  if (chan->hangup_requested()) {
    emit("ParkedCallGiveUp", slot->info, std::nullopt);
    co_return false;
  }
  emit("ParkedCallTimeOut", slot->info, std::nullopt);
  co_return true;
}

// The lots' extensions, as res_parking adds them: parkext => Park(lot), each space => ParkedCall(lot,space).
void ParkingModule::State::add_lot_extensions() {
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(engine.pbx());
  if (!pbx) return;
  std::vector<ParkingLotConfig> copy;
  {
    std::lock_guard lock(mu);
    copy = lots;
  }
  for (const auto& lot : copy) {
    (void)dialplan::add_extension(*pbx, {lot.context, lot.parkext, "1", "Park", lot.name, true}, {"res_parking", 0});
    for (int s = lot.first; s <= lot.last; ++s)
      (void)dialplan::add_extension(*pbx, {lot.context, std::to_string(s), "1", "ParkedCall", lot.name + "," + std::to_string(s), true},
                                    {"res_parking", 0});
  }
}

std::string ParkingModule::State::comeback_preview(const Slot& slot) const {
  const std::string flat = flattened(slot.info.parker_dial_string.empty() ? "s" : slot.info.parker_dial_string);
  return (slot.lot.comebacktoorigin && !slot.info.parker_dial_string.empty() ? std::string("park-dial")
                                                                             : slot.lot.comebackcontext) +
         "," + flat + ",1";
}

// ---- module ---------------------------------------------------------------------------------------

ParkingModule::ParkingModule(Engine& engine) : engine_(engine), state_(std::make_shared<State>(engine)) {}
ParkingModule::~ParkingModule() = default;

Result<void, Errors> ParkingModule::check(const fs::path& dir) {
  auto r = parse_parking_config(dir);
  if (!r) return Unexpected<Errors>{r.error()};
  return {};
}

Result<void, Errors> ParkingModule::load(const fs::path& dir) {
  auto lots = parse_parking_config(dir);
  if (!lots) return Unexpected<Errors>{lots.error()};
  {
    std::lock_guard lock(state_->mu);
    state_->lots = *lots;
  }
  state_->add_lot_extensions();
  if (!state_->registered) {
    state_->registered = true;
    register_parking_apps(engine_, state_);
    // A dialplan reload builds the plan from extensions.conf alone: put the lots back after it.
    std::weak_ptr<State> weak = state_;
    state_->reloads = engine_.events().subscribe({.name = "parking"}, [weak](const EventPtr& ev) {
      auto* r = ev->as<ModuleReloaded>();
      if (auto st = weak.lock(); st && r && r->module == "pbx_config" && r->status == "Success") st->add_lot_extensions();
    });
  }
  return {};
}

std::vector<ParkingLotConfig> ParkingModule::lots() const {
  std::lock_guard lock(state_->mu);
  return state_->lots;
}

std::vector<ParkedCallInfo> ParkingModule::parked(std::string_view lot) const {
  std::lock_guard lock(state_->mu);
  std::vector<ParkedCallInfo> out;
  for (const auto& [name, spaces] : state_->parked)
    if (lot.empty() || name == lot)
      for (const auto& [space, slot] : spaces) out.push_back(slot->info);
  return out;
}

Result<int> ParkingModule::park(const Channel::Ptr& chan, std::string_view lot, const Channel::Ptr& parker,
                                std::optional<std::chrono::seconds> timeout) {
  auto slot = state_->take_space(std::string(lot), chan, parker, timeout);
  if (!slot) return Unexpected<Error>{slot.error()};
  const int space = (*slot)->info.space;
  auto st = state_;
  auto s = *slot;
  // Taken from whatever runs it (a bridge, an application), as Asterisk's AMI Park does. The
  // redirect's first step is the parked wait; on timeout the channel continues at the comeback
  // location (computed now: it depends only on the lot and the parker).
  const auto to = st->comeback(*s);
  chan->request_redirect(to, [st, s](Channel::Ptr c) -> asio::awaitable<void> {
    if (c->state() != ChannelState::Up) c->answer();
    const bool timed_out = co_await st->wait_parked(s);
    if (!timed_out && !c->hangup_requested()) c->request_hangup(HangupCause::NormalClearing);
  });
  return space;
}

}  // namespace telephony
