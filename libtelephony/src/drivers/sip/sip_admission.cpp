// Who gets in (docs/sip.md, "Who gets in"): the per-source failure limit, identification by
// source address then From user, the endpoint's ACLs and digest authentication. Every decision is
// reported as Asterisk's res_pjsip reports it: a core SecurityEvent (service "PJSIP": ChallengeSent,
// SuccessfulAuth, InvalidPassword, InvalidAccountID, FailedACL, with their fields) and, for each
// failure, one NOTICE line in the form fail2ban's `asterisk` filter reads.
#include "sip_stack.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

namespace {

bool rule_matches(const CidrRule& r, const asio::ip::address& a) {
  boost::system::error_code ec;
  auto net = asio::ip::make_address(r.network, ec);
  if (ec) return false;
  auto addr = a;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped() && net.is_v4())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  if (net.is_v4() != addr.is_v4()) return false;
  if (net.is_v4()) {
    const auto mask = r.prefix == 0 ? 0u : ~0u << (32 - r.prefix);
    return (net.to_v4().to_uint() & mask) == (addr.to_v4().to_uint() & mask);
  }
  const auto n = net.to_v6().to_bytes();
  const auto b = addr.to_v6().to_bytes();
  unsigned bits = r.prefix;
  for (std::size_t i = 0; i < 16 && bits; ++i) {
    const unsigned take = std::min(bits, 8u);
    const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((n[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// Asterisk's ACL rule: the last matching rule wins; no match permits.
bool rules_permit(const std::vector<CidrRule>& rules, const asio::ip::address& a) {
  bool permit = true;
  for (const auto& r : rules)
    if (rule_matches(r, a)) permit = r.permit;
  return permit;
}


// The user part of From, which Asterisk reports as the AccountID of an unidentified request.
std::string from_user(const Message& req) {
  auto from = parse_name_addr(req.value(Header::From));
  return from ? unescape(from->uri.user) : std::string();
}

}  // namespace

std::shared_ptr<const EndpointOptions> SipStack::admit(const SipConfig& cfg, ServerTransaction& txn) {
  const Message& req = txn.request();
  const Source& src = txn.source();
  const std::string ip = src.remote.ip.to_string();
  if (auth_.blocked(ip, cfg.global.auth_failure_limit, cfg.global.auth_failure_window)) {
    ++counters_.auth_failures;
    txn.respond_simple(403, "Too many failed authentications");
    return nullptr;
  }
  auto ep = identify(cfg, req, src);
  if (!ep) {
    // Nobody unknown gets in. Like Asterisk's artificial endpoint, answer with a challenge so
    // that a scanner cannot tell unknown users from wrong passwords; the credentials that come
    // back are refused.
    bool answered_challenge = false;
    for (Header h : {Header::Authorization, Header::ProxyAuthorization})
      req.for_each(h, [&](const HeaderField& f) { answered_challenge |= parse_digest_credentials(f.value).has_value(); });
    log_failed_request(req, src, "No matching endpoint found");
    security_event("InvalidAccountID", from_user(req), src, req.call_id());
    auth_.record_failure(ip, cfg.global.auth_failure_window);
    if (answered_challenge) {
      ++counters_.auth_failures;
      txn.respond_simple(403);
      return nullptr;
    }
    std::string extra;
    for (const auto& c : auth_.challenges(cfg.global.default_realm, false)) extra += "WWW-Authenticate: " + c + "\r\n";
    txn.respond_simple(401, {}, extra);
    return nullptr;
  }
  if (auto refused_by = acl_refusal(cfg, *ep, src.remote)) {
    log_failed_request(req, src, "Not match Endpoint ACL");
    security_event("FailedACL", ep->name, src, req.call_id(), {{"ACLName", *refused_by}});
    auth_.record_failure(ip, cfg.global.auth_failure_window);
    txn.respond_simple(403);
    return nullptr;
  }
  if (!authenticate(cfg, *ep, txn)) return nullptr;
  return ep;
}

std::shared_ptr<const EndpointOptions> SipStack::identify(const SipConfig& cfg, const Message& req,
                                                          const Source& src) const {
  // identify sections by source address first (trunks), then the From user (phones).
  for (const auto& id : cfg.identifies) {
    for (const auto& r : id.match)
      if (rule_matches(r, src.remote.ip)) return cfg.endpoint(id.endpoint);
  }
  auto from = parse_name_addr(req.value(Header::From));
  if (!from || !from->uri.is_sip()) return nullptr;
  const std::string user = unescape(from->uri.user);
  auto ep = cfg.endpoint(user);
  if (ep && std::find(ep->identify_by.begin(), ep->identify_by.end(), "username") != ep->identify_by.end()) return ep;
  // identify_by=auth_username: the endpoint whose inbound auth has this username.
  for (const auto& [name, e] : cfg.endpoints) {
    if (e->auth.empty()) continue;
    const auto* a = cfg.auth(e->auth);
    if (a && a->username == user &&
        (std::find(e->identify_by.begin(), e->identify_by.end(), "auth_username") != e->identify_by.end() ||
         std::find(e->identify_by.begin(), e->identify_by.end(), "username") != e->identify_by.end()))
      return e;
  }
  return nullptr;
}

std::optional<std::string> SipStack::acl_refusal(const SipConfig& cfg, const EndpointOptions& ep,
                                                const Address& from) const {
  for (const auto& name : ep.acl) {
    auto it = cfg.acls.find(name);
    if (it != cfg.acls.end() && !rules_permit(it->second.rules, from.ip)) return name;
  }
  if (!rules_permit(ep.rules, from.ip)) return ep.name;  // the endpoint's own permit/deny
  return std::nullopt;
}

bool SipStack::authenticate(const SipConfig& cfg, const EndpointOptions& ep, ServerTransaction& txn) {
  if (ep.auth.empty()) return true;  // e.g. a trunk identified by address
  const AuthOptions* auth = cfg.auth(ep.auth);
  if (!auth) return txn.respond_simple(500), false;
  const std::string realm = auth->realm.empty() ? cfg.global.default_realm : auth->realm;
  Authenticator::Presented presented;
  const auto verdict = auth_.verify(txn.request(), *auth, realm, cfg.global.nonce_lifetime, &presented);
  const Source& src = txn.source();
  const auto call_id = txn.request().call_id();
  auto challenge = [&](bool stale) {
    std::string extra;
    const auto values = auth_.challenges(realm, stale, auth->supported_algorithms_uas);
    for (const auto& c : values) extra += "WWW-Authenticate: " + c + "\r\n";
    txn.respond_simple(401, {}, extra);
    return Authenticator::nonce_of(values.front());
  };
  switch (verdict) {
    case Authenticator::Verdict::Ok:
      security_event("SuccessfulAuth", ep.name, src, call_id, {{"UsingPassword", "1"}});
      return true;
    case Authenticator::Verdict::NoCredentials:
    case Authenticator::Verdict::Stale: {
      const auto nonce = challenge(verdict == Authenticator::Verdict::Stale);
      security_event("ChallengeSent", ep.name, src, call_id, {{"Challenge", nonce}});
      return false;
    }
    case Authenticator::Verdict::WrongUser:
    case Authenticator::Verdict::WrongPassword:
    case Authenticator::Verdict::Malformed:
      ++counters_.auth_failures;
      log_failed_request(txn.request(), src, "Failed to authenticate");
      // As res_pjsip: the nonce the credentials answered and the hash they carried.
      security_event("InvalidPassword", ep.name, src, call_id,
                     {{"Challenge", presented.nonce}, {"ReceivedChallenge", presented.nonce},
                      {"ReceivedHash", presented.response}});
      auth_.record_failure(src.remote.ip.to_string(), cfg.global.auth_failure_window);
      challenge(false);
      return false;
  }
  return false;
}

void SipStack::log_failed_request(const Message& req, const Source& src, std::string_view reason) {
  // The NOTICE line fail2ban's asterisk filter reads ("Request 'X' from 'Y' failed for 'ip:port'
  // (callid: Z) - reason"). The logger's security channel writes the SecurityEvent as well.
  auto from = parse_name_addr(req.value(Header::From));
  const std::string from_text = from ? "<" + std::string(from->uri.text) + ">" : std::string(req.value(Header::From));
  engine_.log().notice("res_pjsip", "Request '" + std::string(req.method_name()) + "' from '" + from_text + "' failed for '" +
                                        src.remote.to_string() + "' (callid: " + std::string(req.call_id()) + ") - " +
                                        std::string(reason));
}

void SipStack::security_event(std::string_view name, std::string account, const Source& src, std::string_view call_id,
                              std::vector<std::pair<std::string, std::string>> fields) {
  SecurityEvent ev;
  ev.name = std::string(name);
  ev.severity = name == "SuccessfulAuth" || name == "ChallengeSent" ? "Informational" : "Error";
  ev.service = "PJSIP";
  ev.account_id = std::move(account);
  ev.session_id = std::string(call_id);
  const auto transport = src.transport->via_name();
  const auto local = src.transport->local();
  ev.local_address = telephony::security_address(transport, local.ip.to_string(), local.port);
  ev.remote_address = telephony::security_address(transport, src.remote.ip.to_string(), src.remote.port);
  ev.fields = std::move(fields);
  engine_.events().emit(std::move(ev));
}

}  // namespace telephony::sip
