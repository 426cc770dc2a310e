// CdrEngine: engine events -> call detail records (cdr.hpp has the model; docs/cdr.md the rules).
#include "telephony/cdr.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

#include "telephony/bridge.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace {

using Clock = std::chrono::system_clock;

long long rounded_seconds(Clock::duration d, bool initiated) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms <= 0) return 0;
  return initiated ? (ms + 999) / 1000 : (ms + 500) / 1000;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(CdrDisposition d) {
  switch (d) {
    case CdrDisposition::NoAnswer: return "NO ANSWER";
    case CdrDisposition::Failed: return "FAILED";
    case CdrDisposition::Busy: return "BUSY";
    case CdrDisposition::Answered: return "ANSWERED";
    case CdrDisposition::Congestion: return "CONGESTION";
  }
  return "NO ANSWER";
}

std::string cdr_time(std::optional<Clock::time_point> t, bool utc) {
  if (!t) return {};
  const std::time_t tt = Clock::to_time_t(*t);
  std::tm tm{};
  if (utc) ::gmtime_r(&tt, &tm);
  else ::localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::optional<std::string> CdrRecord::field(std::string_view n, bool raw) const {
  auto epoch = [](std::optional<Clock::time_point> t) -> std::string {
    if (!t) return "0.000000";
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000), static_cast<long long>(us % 1000000));
    return buf;
  };
  // Asterisk's numeric values for CDR(x,u): AST_CDR_NOANSWER 0, NULL 1, FAILED 2, BUSY 4, ANSWERED 8, CONGESTION 16.
  static const int kDispNumber[] = {0, 2, 4, 8, 16};
  if (iequal(n, "clid")) return clid;
  if (iequal(n, "src")) return src;
  if (iequal(n, "dst")) return dst;
  if (iequal(n, "dcontext")) return dcontext;
  if (iequal(n, "channel")) return channel;
  if (iequal(n, "dstchannel")) return dstchannel;
  if (iequal(n, "lastapp")) return lastapp;
  if (iequal(n, "lastdata")) return lastdata;
  if (iequal(n, "start")) return raw ? epoch(start) : cdr_time(start);
  if (iequal(n, "answer")) return raw ? epoch(answer) : cdr_time(answer);
  if (iequal(n, "end")) return raw ? epoch(end.time_since_epoch().count() ? std::optional(end) : std::nullopt)
                                   : cdr_time(end.time_since_epoch().count() ? std::optional(end) : std::nullopt);
  if (iequal(n, "duration")) return std::to_string(duration);
  if (iequal(n, "billsec")) return std::to_string(billsec);
  if (iequal(n, "disposition"))
    return raw ? std::to_string(kDispNumber[static_cast<int>(disposition)]) : std::string(to_string(disposition));
  if (iequal(n, "amaflags")) return raw ? std::string("3") : amaflags;
  if (iequal(n, "accountcode")) return accountcode;
  if (iequal(n, "peeraccount")) return peeraccount;
  if (iequal(n, "uniqueid")) return uniqueid;
  if (iequal(n, "linkedid")) return linkedid;
  if (iequal(n, "userfield")) return userfield;
  if (iequal(n, "sequence")) return std::to_string(sequence);
  for (const auto& [k, v] : variables)
    if (iequal(k, n)) return v;
  return std::nullopt;
}

// ---- per-channel bookkeeping --------------------------------------------------------------------

struct Rec {
  CdrRecord r;
  std::string party_b;  // uniqueid
  bool dial_pending = false;
  bool bridged = false;
  bool dial_done = false;
};

struct ChanState {
  ChannelSnapshot snap;
  std::vector<Rec> open;       // records with this channel as Party A
  bool party_b = false;        // dialed by another channel: no record of its own
  bool disabled = false;       // NoCDR / CDR_PROP(disable)
  bool needs_new = false;      // a record ended while the channel lives on
  bool in_h = false;           // running the h extension
  std::optional<Clock::time_point> answered;
};

struct CdrEngine::State {
  std::map<std::string, ChanState, std::less<>> chans;         // by uniqueid
  std::map<std::string, std::vector<std::string>, std::less<>> bridges;  // bridge id -> members
};

namespace {

CdrRecord fresh_record(const ChannelSnapshot& s, Clock::time_point start) {
  CdrRecord r;
  r.channel = s.name;
  r.uniqueid = s.uniqueid;
  r.linkedid = s.linkedid;
  r.accountcode = s.accountcode;
  r.src = s.caller.number;
  r.clid = s.caller.number.empty() && s.caller.name.empty() ? std::string() : s.caller.to_string();
  r.dcontext = s.context;
  r.dst = s.exten;
  r.start = start;
  return r;
}

CdrDisposition from_dialstatus(std::string_view status, bool congestion) {
  if (status == "ANSWER") return CdrDisposition::Answered;
  if (status == "BUSY") return CdrDisposition::Busy;
  if (status == "CONGESTION") return congestion ? CdrDisposition::Congestion : CdrDisposition::Failed;
  if (status == "CHANUNAVAIL") return CdrDisposition::Failed;
  return CdrDisposition::NoAnswer;  // NOANSWER, CANCEL
}

CdrDisposition from_cause(HangupCause c, bool congestion) {
  switch (c) {
    case HangupCause::UserBusy: return CdrDisposition::Busy;
    case HangupCause::NormalCircuitCongestion:
    case HangupCause::SwitchCongestion: return congestion ? CdrDisposition::Congestion : CdrDisposition::Failed;
    case HangupCause::Unallocated:
    case HangupCause::NoRouteDestination:
    case HangupCause::ChanNotImplemented:
    case HangupCause::RequestedChanUnavail:
    case HangupCause::DestinationOutOfOrder: return CdrDisposition::Failed;
    default: return CdrDisposition::NoAnswer;
  }
}

}  // namespace

// ---- engine -------------------------------------------------------------------------------------

CdrEngine::CdrEngine(Engine& engine) : engine_(engine), state_(std::make_unique<State>()) {}

CdrEngine::~CdrEngine() { stop(); }

void CdrEngine::start() {
  if (sub_.active()) return;
  EventBus::SubscriberOptions o;
  o.name = "cdr";
  o.capacity = 1u << 18;
  o.overflow = EventBus::Overflow::DropOldest;
  std::weak_ptr<CdrEngine> weak = weak_from_this();
  sub_ = engine_.events().subscribe(std::move(o), [weak](const EventPtr& ev) {
    if (auto self = weak.lock()) self->on_event(ev);
  });
}

void CdrEngine::stop() { sub_.close(); }

void CdrEngine::set_settings(CdrSettings s) {
  std::lock_guard lock(mu_);
  settings_ = s;
}

CdrSettings CdrEngine::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

void CdrEngine::add_backend(std::shared_ptr<CdrBackend> b) {
  std::lock_guard lock(mu_);
  backends_.push_back(std::move(b));
}

void CdrEngine::clear_backends() {
  std::lock_guard lock(mu_);
  backends_.clear();
}

std::vector<std::string> CdrEngine::backend_names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& b : backends_) out.emplace_back(b->name());
  return out;
}

CdrStats CdrEngine::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::optional<CdrRecord> CdrEngine::current(std::string_view uniqueid) {
  const auto target = engine_.events().published();
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return applied_seq_ >= target || !sub_.active(); });
  auto it = current_.find(uniqueid);
  if (it == current_.end()) return std::nullopt;
  return it->second;
}

bool CdrEngine::flush(std::chrono::milliseconds timeout) {
  const auto target = engine_.events().published();
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout,
                      [&] { return (applied_seq_ >= target || !sub_.active()) && pending_.empty() && !writing_; });
}

void CdrEngine::post(CdrRecord r) {
  const auto s = settings();
  if (!s.enabled) return;
  if (!s.unanswered && r.disposition != CdrDisposition::Answered && r.dstchannel.empty()) return;
  {
    std::lock_guard lock(mu_);
    r.sequence = sequence_++;
    ++stats_.posted;
    ++stats_.by_disposition[static_cast<int>(r.disposition)];
    pending_.push_back(r);
  }
  CdrPosted ev;
  ev.record = std::move(r);
  engine_.events().emit(std::move(ev));
  drain_writes();
}

// One writer job at a time on the blocking pool, taking everything queued: records reach every
// backend in posting order, in batches under load (one SQLite transaction per batch).
void CdrEngine::drain_writes() {
  {
    std::lock_guard lock(mu_);
    if (writing_ || pending_.empty()) return;
    writing_ = true;
  }
  std::weak_ptr<CdrEngine> weak = weak_from_this();
  engine_.run_blocking([weak] {
    auto self = weak.lock();
    if (!self) return;
    for (;;) {
      std::vector<CdrRecord> batch;
      std::vector<std::shared_ptr<CdrBackend>> backends;
      {
        std::lock_guard lock(self->mu_);
        if (self->pending_.empty()) {
          self->writing_ = false;
          self->cv_.notify_all();
          return;
        }
        batch.swap(self->pending_);
        backends = self->backends_;
      }
      bool ok = true;
      for (const auto& b : backends) {
        if (auto r = b->write(batch); !r) {
          ok = false;
          self->engine_.log().error("cdr", "backend " + std::string(b->name()) + " failed: " + r.error().to_string());
        }
      }
      std::lock_guard lock(self->mu_);
      if (ok) self->stats_.written += batch.size();
      else self->stats_.write_errors += batch.size();
    }
  });
}

void CdrEngine::on_event(const EventPtr& ev) {
  auto& st = *state_;
  const auto now = ev->time;
  const auto cfg = settings();
  std::vector<CdrRecord> finished;

  auto finalize = [&](ChanState& c, Rec& rec, Clock::time_point end, std::optional<HangupCause> cause) {
    auto& r = rec.r;
    r.end = end;
    if (!rec.party_b.empty() && rec.dial_pending && cause) r.disposition = from_cause(*cause, cfg.congestion);
    if (rec.party_b.empty()) {
      if (r.answer) r.disposition = CdrDisposition::Answered;
      else if (cause) r.disposition = from_cause(*cause, cfg.congestion);
    }
    r.duration = rounded_seconds(r.end - r.start, false);
    r.billsec = r.answer ? rounded_seconds(r.end - *r.answer, cfg.initiatedseconds) : 0;
    if (!c.disabled) finished.push_back(r);
  };
  auto current_rec = [&](ChanState& c) -> Rec* { return c.open.empty() ? nullptr : &c.open.back(); };
  auto ensure_rec = [&](ChanState& c) -> Rec& {
    if (c.open.empty() || c.needs_new) {
      c.needs_new = false;
      c.open.push_back(Rec{fresh_record(c.snap, now)});
      if (c.answered) c.open.back().r.answer = now;
    }
    return c.open.back();
  };
  auto find = [&](std::string_view id) -> ChanState* {
    auto it = st.chans.find(id);
    return it == st.chans.end() ? nullptr : &it->second;
  };
  // Ends every open record of `a` whose Party B is `b_id` (or all with a Party B when empty).
  auto end_pair = [&](ChanState& a, std::string_view b_id) {
    for (auto it = a.open.begin(); it != a.open.end();) {
      if (!it->party_b.empty() && (b_id.empty() || it->party_b == b_id) && it->bridged) {
        finalize(a, *it, now, std::nullopt);
        it = a.open.erase(it);
        a.needs_new = true;
      } else {
        ++it;
      }
    }
  };

  if (auto* e = ev->as<ChannelCreated>()) {
    auto& c = st.chans[e->channel.uniqueid];
    c.snap = e->channel;
    if (e->channel.name.rfind("OutgoingSpoolFailed/", 0) != 0) c.open.push_back(Rec{fresh_record(e->channel, e->channel.created)});
  } else if (auto* e = ev->as<ChannelStateChanged>()) {
    if (auto* c = find(e->channel.uniqueid)) {
      c->snap = e->channel;
      if (e->channel.state == ChannelState::Up && !c->answered) {
        c->answered = now;
        for (auto& rec : c->open)
          if (rec.party_b.empty() && !rec.r.answer) rec.r.answer = now;
      }
    }
  } else if (auto* e = ev->as<ChannelCallerIdChanged>()) {
    if (auto* c = find(e->channel.uniqueid)) {
      c->snap = e->channel;
      for (auto& rec : c->open) {
        rec.r.src = e->channel.caller.number;
        rec.r.clid = e->channel.caller.to_string();
      }
    }
  } else if (auto* e = ev->as<DialplanStep>()) {
    if (auto* c = find(e->channel.uniqueid); c && !c->party_b) {
      c->snap = e->channel;
      if (e->channel.exten == "h") c->in_h = true;
      // A finished, unbridged Dial (BUSY, NO ANSWER...) is over once Party A moves on: it is
      // posted with lastapp Dial (Asterisk's dialed-pending -> finalized step).
      if (!c->open.empty() && !c->open.back().party_b.empty() && c->open.back().dial_done && !c->open.back().bridged) {
        for (auto& rec : c->open) finalize(*c, rec, now, std::nullopt);
        c->open.clear();
        c->needs_new = true;
      }
      // After its bridged record ended, a channel gets a new record only when it dials or is
      // bridged again; its later steps do not overwrite the posted one (CDR() keeps reading it).
      if (!c->needs_new && !(c->in_h && cfg.endbeforehexten)) {
        auto& rec = ensure_rec(*c);
        rec.r.lastapp = e->application;
        rec.r.lastdata = e->data;
        if (!c->in_h) {
          rec.r.dcontext = e->channel.context;
          rec.r.dst = e->channel.exten;
        }
        rec.r.accountcode = e->channel.accountcode;
      }
    }
  } else if (auto* e = ev->as<DialBegin>()) {
    auto* b = find(e->dest.uniqueid);
    if (e->caller && b) {
      b->party_b = true;
      b->open.clear();  // a dialed channel is its caller's Party B, not a record of its own
      if (auto* a = find(e->caller->uniqueid); a && !a->party_b) {
        Rec* cur = current_rec(*a);
        if (cur && !cur->party_b.empty() && cur->dial_pending) {
          Rec sibling{cur->r};  // parallel leg: same start, its own Party B
          sibling.r.answer.reset();
          a->open.push_back(std::move(sibling));
        } else if (cur && !cur->party_b.empty()) {
          Rec done = std::move(*cur);  // an earlier Dial is over: it is posted, a new record starts
          a->open.pop_back();
          finalize(*a, done, now, std::nullopt);
          a->open.push_back(Rec{fresh_record(a->snap, now)});
          a->open.back().r.lastapp = done.r.lastapp;
          a->open.back().r.lastdata = done.r.lastdata;
        } else {
          ensure_rec(*a);
        }
        auto& rec = a->open.back();
        rec.party_b = e->dest.uniqueid;
        rec.r.dstchannel = e->dest.name;
        rec.r.peeraccount = e->dest.accountcode;
        rec.r.answer.reset();
        rec.r.disposition = CdrDisposition::NoAnswer;
        rec.dial_pending = true;
      }
    }
  } else if (auto* e = ev->as<DialEnd>()) {
    if (e->caller)
      if (auto* a = find(e->caller->uniqueid))
        for (auto& rec : a->open)
          if (rec.party_b == e->dest.uniqueid && rec.dial_pending) {
            rec.dial_pending = false;
            rec.dial_done = true;
            rec.r.disposition = from_dialstatus(e->dialstatus, cfg.congestion);
            if (rec.r.disposition == CdrDisposition::Answered) rec.r.answer = now;
          }
  } else if (auto* e = ev->as<BridgeEntered>()) {
    auto& members = st.bridges[e->bridge.uniqueid];
    const std::string me = e->channel.uniqueid;
    for (const auto& other : members) {
      auto* x = find(me);
      auto* y = find(other);
      if (!x || !y) continue;
      bool paired = false;
      for (auto& rec : x->open)
        if (rec.party_b == other) rec.bridged = paired = true;
      for (auto& rec : y->open)
        if (rec.party_b == me) rec.bridged = paired = true;
      if (!paired && members.size() == 1) {
        // Two channels bridged without a Dial between them (AMI Bridge, transfers): the one that
        // was there first is Party A.
        ChanState* a = y->party_b ? x : y;
        const std::string b_id = a == y ? me : other;
        const auto& b_snap = a == y ? e->channel : y->snap;
        auto& rec = ensure_rec(*a);
        if (rec.party_b.empty()) {
          rec.party_b = b_id;
          rec.r.dstchannel = b_snap.name;
          rec.bridged = true;
          if (!rec.r.answer) rec.r.answer = now;
          rec.r.disposition = CdrDisposition::Answered;
        }
      }
    }
    members.push_back(me);
  } else if (auto* e = ev->as<BridgeLeft>()) {
    auto& members = st.bridges[e->bridge.uniqueid];
    std::erase(members, e->channel.uniqueid);
    if (auto* c = find(e->channel.uniqueid)) end_pair(*c, {});
    for (auto& [id, c] : st.chans) end_pair(c, e->channel.uniqueid);
    if (members.empty()) st.bridges.erase(e->bridge.uniqueid);
  } else if (auto* e = ev->as<ChannelHungUp>()) {
    if (auto* c = find(e->channel.uniqueid)) {
      c->snap = e->channel;
      for (auto& rec : c->open) finalize(*c, rec, now, e->cause);
      st.chans.erase(e->channel.uniqueid);
    }
    // A Party B that goes away ends its caller's bridged record (the caller may live on).
    for (auto& [id, c] : st.chans) end_pair(c, e->channel.uniqueid);
  } else if (auto* e = ev->as<CdrControl>()) {
    if (auto* c = find(e->uniqueid)) {
      using Op = CdrControl::Op;
      switch (e->op) {
        case Op::Disable: c->disabled = true; break;
        case Op::Enable: c->disabled = false; break;
        case Op::PartyA: c->party_b = false; break;
        case Op::SetField: {
          auto& r = ensure_rec(*c).r;
          if (iequal(e->name, "userfield")) r.userfield = e->value;
          else if (iequal(e->name, "accountcode")) r.accountcode = e->value;
          else if (iequal(e->name, "peeraccount")) r.peeraccount = e->value;
          else if (iequal(e->name, "amaflags")) r.amaflags = e->value;
          else {
            auto it = std::find_if(r.variables.begin(), r.variables.end(), [&](auto& kv) { return iequal(kv.first, e->name); });
            if (it != r.variables.end()) it->second = e->value;
            else r.variables.emplace_back(e->name, e->value);
          }
          break;
        }
        case Op::Reset: {
          // ResetCDR([v]): start again now; 'v' keeps the variables.
          auto& r = ensure_rec(*c).r;
          r.start = now;
          r.answer = c->snap.state == ChannelState::Up ? std::optional(now) : std::nullopt;
          if (e->options.find('v') == std::string::npos) r.variables.clear();
          break;
        }
        case Op::Fork: {
          // ForkCDR([options]): the current record ends now (posted) and a copy continues.
          auto& cur = ensure_rec(*c);
          Rec next = cur;
          finalize(*c, cur, now, std::nullopt);
          next.r.start = now;
          if (next.r.answer) next.r.answer = now;
          if (e->options.find('v') == std::string::npos) next.r.variables.clear();
          c->open.back() = std::move(next);
          break;
        }
      }
    }
  }

  {
    std::lock_guard lock(mu_);
    // CDR() reads: each live channel's current record, else its last posted one.
    if (auto* ce = dynamic_cast<const ChannelEvent*>(ev.get())) {
      if (auto* c = find(ce->channel.uniqueid); c && !c->open.empty()) current_[ce->channel.uniqueid] = c->open.back().r;
    } else if (auto* cc = ev->as<CdrControl>()) {
      if (auto* c = find(cc->uniqueid); c && !c->open.empty()) current_[cc->uniqueid] = c->open.back().r;
    } else if (auto* db = ev->as<DialBegin>(); db && db->caller) {
      if (auto* c = find(db->caller->uniqueid); c && !c->open.empty()) current_[db->caller->uniqueid] = c->open.back().r;
    } else if (auto* de = ev->as<DialEnd>(); de && de->caller) {
      if (auto* c = find(de->caller->uniqueid); c && !c->open.empty()) current_[de->caller->uniqueid] = c->open.back().r;
    }
    for (const auto& r : finished) current_[r.uniqueid] = r;
    if (auto* h = ev->as<ChannelHungUp>()) current_.erase(h->channel.uniqueid);
    applied_seq_ = std::max(applied_seq_, ev->seq);
  }
  cv_.notify_all();
  for (auto& r : finished) post(std::move(r));
}

}  // namespace telephony
