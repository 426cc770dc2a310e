// The registrar (see registrar.hpp).
#include "registrar.hpp"

#include <algorithm>
#include <ctime>

#include "message_writer.hpp"
#include "telephony/engine.hpp"
#include "telephony/sip/events.hpp"
#include "telephony/sip/uri.hpp"
#include "transaction.hpp"

namespace telephony::sip {

Registrar::Registrar(Engine& engine) : engine_(engine) {}

Registrar::Shard& Registrar::shard(std::string_view aor) const {
  return shards_[std::hash<std::string_view>{}(aor) % kShards];
}

void Registrar::changed(const Binding& b, std::string_view what) {
  ContactStatusChanged ev;
  ev.uri = b.uri;
  ev.status = std::string(what);
  ev.aor = b.aor;
  ev.endpoint = b.endpoint;
  ev.rtt_us = b.rtt_us;
  ev.user_agent = b.user_agent;
  ev.reg_expire = std::chrono::duration_cast<std::chrono::seconds>(b.expires_wall.time_since_epoch()).count();
  ev.via_address = b.source.to_string();
  ev.call_id = b.call_id;
  engine_.events().emit(std::move(ev));
}

void Registrar::handle(ServerTransaction& txn, const EndpointOptions& ep, const SipConfig& cfg) {
  const Message& req = txn.request();
  auto to = parse_name_addr(req.value(Header::To));
  if (!to || !to->uri.is_sip()) return txn.respond_simple(400, "Bad To header: not a SIP AOR");
  const std::string aor_name = unescape(to->uri.user);
  const AorOptions* aor = cfg.aor(aor_name);
  const bool listed = std::find(ep.aors.begin(), ep.aors.end(), aor_name) != ep.aors.end();
  if (!aor || !listed) {
    engine_.log().warning("res_pjsip_registrar", "AOR '" + aor_name + "' not found for endpoint '" + ep.name + "' (" +
                                                     txn.source().remote.to_string() + ")");
    return txn.respond_simple(404);
  }
  if (aor->max_contacts == 0) {
    engine_.log().warning("res_pjsip_registrar",
                          "AOR '" + aor_name + "' has no configured max_contacts. Endpoint '" + ep.name + "' unable to register");
    return txn.respond_simple(403);
  }
  // Expires header (default) and each Contact's expires parameter.
  unsigned header_expires = aor->default_expiration;
  if (const auto* e = req.find(Header::Expires)) {
    auto v = trim_lws(e->value);
    if (!v.empty() && v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
      header_expires = static_cast<unsigned>(std::stoul(std::string(v)));
    else if (!v.empty())
      header_expires = aor->maximum_expiration;  // RFC 4475 §3.1.2.4: overlarge means "default"
  }
  struct Want {
    std::string uri;
    unsigned expires;
  };
  std::vector<Want> wants;
  bool star = false;
  bool bad = false;
  req.for_each(Header::Contact, [&](const HeaderField& f) {
    if (trim_lws(f.value) == "*") {
      star = true;
      return;
    }
    for_each_value(f.value, [&](std::string_view v) {
      auto na = parse_name_addr(v);
      if (!na) {
        bad = true;
        return;
      }
      unsigned exp = header_expires;
      if (auto pe = na->params.get("expires")) {
        auto t = trim_lws(*pe);
        if (!t.empty() && t.size() <= 9 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
          exp = static_cast<unsigned>(std::stoul(std::string(t)));
        else
          exp = aor->maximum_expiration;
      }
      wants.push_back({std::string(na->uri.text), exp});
    });
  });
  if (bad) return txn.respond_simple(400, "Bad Contact header");
  if (star && (!wants.empty() || header_expires != 0)) return txn.respond_simple(400, "Bad Contact: * needs Expires: 0");
  for (auto& w : wants) {
    if (w.expires != 0 && w.expires < aor->minimum_expiration)
      return txn.respond_simple(423, {}, "Min-Expires: " + std::to_string(aor->minimum_expiration) + "\r\n");
    w.expires = std::min(w.expires, aor->maximum_expiration);
  }

  const auto now = std::chrono::steady_clock::now();
  const auto wall = std::chrono::system_clock::now();
  std::vector<std::pair<Binding, std::string>> events;
  std::vector<Binding> current;
  std::string ua(trim_lws(req.value(Header::UserAgent)));
  {
    auto& sh = shard(aor_name);
    std::lock_guard lock(sh.mu);
    auto& list = sh.by_aor[aor_name];
    if (star) {
      for (auto& b : list) events.emplace_back(b, "Removed");
      list.clear();
    }
    for (const auto& w : wants) {
      auto it = std::find_if(list.begin(), list.end(), [&](const Binding& b) { return b.uri == w.uri; });
      if (w.expires == 0) {
        if (it != list.end()) {
          events.emplace_back(*it, "Removed");
          list.erase(it);
        }
        continue;
      }
      if (it != list.end()) {
        // RFC 3261 §10.3 step 7: an older CSeq from the same Call-ID is out of order.
        if (it->call_id == req.call_id() && req.cseq() <= it->cseq) continue;
      } else {
        if (list.size() >= aor->max_contacts) {
          if (!aor->remove_existing) {
            engine_.log().warning("res_pjsip_registrar", "Registration attempt from endpoint '" + ep.name + "' (" +
                                                             txn.source().remote.to_string() + ") to AOR '" + aor_name +
                                                             "' will exceed max contacts of " +
                                                             std::to_string(aor->max_contacts));
            return txn.respond_simple(403, "Too many contacts");
          }
          auto oldest = std::min_element(list.begin(), list.end(),
                                         [](const Binding& a, const Binding& b) { return a.expires_at < b.expires_at; });
          events.emplace_back(*oldest, "Removed");
          list.erase(oldest);
        }
        list.emplace_back();
        it = list.end() - 1;
        it->uri = w.uri;
        events.emplace_back(Binding{}, "Created");
      }
      it->aor = aor_name;
      it->endpoint = ep.name;
      it->user_agent = ua;
      it->call_id = std::string(req.call_id());
      it->cseq = req.cseq();
      it->expires_at = now + std::chrono::seconds(w.expires);
      it->expires_wall = wall + std::chrono::seconds(w.expires);
      it->source = txn.source().remote;
      it->transport = txn.source().transport;
      it->connection = txn.source().connection;
      if (!events.empty() && events.back().second == "Created" && events.back().first.uri.empty())
        events.back().first = *it;
      else
        events.emplace_back(*it, "Updated");
    }
    current = list;
    if (list.empty()) sh.by_aor.erase(aor_name);
  }
  std::string extra;
  for (const auto& b : current) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(b.expires_at - now).count();
    extra += "Contact: <" + b.uri + ">;expires=" + std::to_string(std::max<long long>(left, 0)) + "\r\n";
  }
  char date[64];
  const std::time_t t = std::chrono::system_clock::to_time_t(wall);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
  extra += date;
  txn.respond_simple(200, {}, extra);
  for (auto& [b, what] : events) {
    if (what == "Created")
      engine_.log().verbose("res_pjsip_registrar", "Added contact '" + b.uri + "' to AOR '" + b.aor + "' with expiration of " +
                                                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                                          b.expires_at - now).count()) + " seconds");
    else if (what == "Removed")
      engine_.log().verbose("res_pjsip_registrar", "Removed contact '" + b.uri + "' from AOR '" + b.aor + "' due to request");
    changed(b, what);
  }
}

std::vector<Binding> Registrar::contacts(const SipConfig& cfg, std::string_view aor) const {
  std::vector<Binding> out;
  if (const auto* a = cfg.aor(aor)) {
    for (const auto& uri : a->contacts) {
      Binding b;
      b.aor = std::string(aor);
      b.uri = uri;
      b.is_static = true;
      b.expires_at = std::chrono::steady_clock::time_point::max();
      out.push_back(std::move(b));
    }
  }
  auto& sh = shard(aor);
  std::lock_guard lock(sh.mu);
  auto it = sh.by_aor.find(aor);
  if (it != sh.by_aor.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  return out;
}

std::vector<Binding> Registrar::all() const {
  std::vector<Binding> out;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (auto& [aor, list] : sh.by_aor) out.insert(out.end(), list.begin(), list.end());
  }
  std::sort(out.begin(), out.end(), [](const Binding& a, const Binding& b) {
    return a.aor != b.aor ? a.aor < b.aor : a.uri < b.uri;
  });
  return out;
}

std::size_t Registrar::count() const {
  std::size_t n = 0;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (auto& [aor, list] : sh.by_aor) n += list.size();
  }
  return n;
}

void Registrar::expire() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<Binding> gone;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (auto it = sh.by_aor.begin(); it != sh.by_aor.end();) {
      auto& list = it->second;
      for (auto b = list.begin(); b != list.end();) {
        if (b->expires_at <= now) {
          gone.push_back(*b);
          b = list.erase(b);
        } else {
          ++b;
        }
      }
      it = list.empty() ? sh.by_aor.erase(it) : std::next(it);
    }
  }
  for (auto& b : gone) {
    engine_.log().verbose("res_pjsip_registrar", "Contact " + b.aor + "/" + b.uri + " has been deleted (expired)");
    changed(b, "Removed");
  }
}

void Registrar::set_status(const std::string& aor, const std::string& uri, const std::string& status, long rtt_us) {
  Binding copy;
  {
    auto& sh = shard(aor);
    std::lock_guard lock(sh.mu);
    auto it = sh.by_aor.find(aor);
    if (it == sh.by_aor.end()) return;
    auto b = std::find_if(it->second.begin(), it->second.end(), [&](const Binding& x) { return x.uri == uri; });
    if (b == it->second.end() || (b->status == status && status != "Reachable")) return;
    const bool change = b->status != status;
    b->status = status;
    b->rtt_us = rtt_us;
    if (!change) return;
    copy = *b;
  }
  changed(copy, status);
}

void Registrar::remove_aor(const std::string& aor) {
  std::vector<Binding> gone;
  {
    auto& sh = shard(aor);
    std::lock_guard lock(sh.mu);
    auto it = sh.by_aor.find(aor);
    if (it == sh.by_aor.end()) return;
    gone = std::move(it->second);
    sh.by_aor.erase(it);
  }
  for (auto& b : gone) changed(b, "Removed");
}

}  // namespace telephony::sip
