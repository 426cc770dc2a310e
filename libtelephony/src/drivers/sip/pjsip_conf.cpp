// pjsip.conf → SipConfig. One table of options per object type; each option parses its value or
// adds an Error at the entry's file:line. See telephony/sip/options.hpp.
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <functional>
#include <set>

#include "telephony/config/module_config.hpp"
#include "telephony/sip/options.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

using config::Entry;
using config::Section;

struct Ctx {
  Errors& errors;
  const Entry& entry;
  void error(const std::string& what) const {
    errors.items.push_back(Error{what, entry.where.to_string()});
  }
};

template <class T>
using Setter = std::function<void(T&, const Ctx&)>;

bool to_bool(const Ctx& c, bool& out) {
  if (config::is_true_word(c.entry.value)) out = true;
  else if (config::is_false_word(c.entry.value)) out = false;
  else {
    c.error("'" + c.entry.name + "' must be yes or no, not '" + c.entry.value + "'");
    return false;
  }
  return true;
}

bool to_uint(const Ctx& c, unsigned& out) {
  const auto& v = c.entry.value;
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    c.error("'" + c.entry.name + "' must be a number, not '" + v + "'");
    return false;
  }
  out = static_cast<unsigned>(std::stoul(v));
  return true;
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    auto comma = v.find(',', pos);
    auto item = trim_lws(v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

// "10.0.0.0/8", "192.168.0.0/255.255.0.0", "::1", "127.0.0.1" (a list, comma separated).
bool add_rules(const Ctx& c, bool permit, std::vector<CidrRule>& out) {
  for (const auto& item : split_list(c.entry.value)) {
    CidrRule r;
    r.permit = permit;
    auto slash = item.find('/');
    std::string addr = item.substr(0, slash);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(addr, ec);
    if (ec) {
      c.error("'" + item + "' is not an address or network");
      return false;
    }
    r.network = a.to_string();
    r.prefix = a.is_v4() ? 32 : 128;
    if (slash != std::string::npos) {
      std::string mask = item.substr(slash + 1);
      auto m = boost::asio::ip::make_address(mask, ec);
      if (!ec && m.is_v4()) {
        auto bits = m.to_v4().to_uint();
        r.prefix = 0;
        while (bits & 0x80000000u) {
          ++r.prefix;
          bits <<= 1;
        }
      } else if (!mask.empty() && std::all_of(mask.begin(), mask.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
                 std::stoul(mask) <= (a.is_v4() ? 32u : 128u)) {
        r.prefix = static_cast<unsigned>(std::stoul(mask));
      } else {
        c.error("'" + item + "' has a bad network mask");
        return false;
      }
    }
    out.push_back(r);
  }
  return true;
}

template <class T>
Setter<T> str(std::string T::*field) {
  return [field](T& o, const Ctx& c) { o.*field = c.entry.value; };
}
template <class T>
Setter<T> boolean(bool T::*field) {
  return [field](T& o, const Ctx& c) { to_bool(c, o.*field); };
}
template <class T>
Setter<T> number(unsigned T::*field) {
  return [field](T& o, const Ctx& c) { to_uint(c, o.*field); };
}
template <class T>
Setter<T> list(std::vector<std::string> T::*field) {
  return [field](T& o, const Ctx& c) {
    for (auto& v : split_list(c.entry.value)) (o.*field).push_back(v);
  };
}
template <class T>
Setter<T> ignored() {
  return [](T&, const Ctx&) {};
}
template <class T>
Setter<T> one_of(std::string T::*field, std::set<std::string> allowed) {
  return [field, allowed](T& o, const Ctx& c) {
    if (!allowed.count(c.entry.value)) {
      std::string list;
      for (auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      c.error("'" + c.entry.name + "' must be one of " + list + ", not '" + c.entry.value + "'");
      return;
    }
    o.*field = c.entry.value;
  };
}

template <class T>
using Table = std::map<std::string, Setter<T>, std::less<>>;

template <class T>
T build(const Section& s, const Table<T>& table, Errors& errors, std::string_view type) {
  T obj;
  // "alice/aor" names the aor "alice": YAML cannot repeat a key, so objects of different types
  // that share a name (the usual [alice] endpoint + [alice] aor + [alice] auth) are written so.
  std::string name = s.name;
  if (name.size() > type.size() + 1 && name.compare(name.size() - type.size() - 1, std::string::npos,
                                                    "/" + std::string(type)) == 0)
    name.resize(name.size() - type.size() - 1);
  if constexpr (requires { obj.name; }) obj.name = name;
  if constexpr (requires { obj.media; }) obj.media.endpoint = name;
  obj.where = s.where;
  for (const auto& e : s.entries) {
    if (iequals(e.name, "type")) continue;
    std::string key = e.name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });
    auto it = table.find(key);
    Ctx c{errors, e};
    if constexpr (requires { obj.media; }) {
      // Endpoint media keys go to the RTP layer's settings as well (it validates them); the
      // table below keeps the driver's own copy of those it reads (allow, dtmf_mode …).
      if (auto r = rtp::apply_endpoint_media_option(obj.media, key, e.value)) {
        const auto before = errors.items.size();
        if (it != table.end()) it->second(obj, c);  // the driver's own words first
        if (!*r && errors.items.size() == before) c.error("'" + e.name + "': " + r->error().message);
        continue;
      }
    }
    if (it == table.end()) {
      c.error("unknown option '" + e.name + "' for type=" + std::string(type));
      continue;
    }
    it->second(obj, c);
  }
  return obj;
}

Table<TransportOptions> transport_table() {
  using T = TransportOptions;
  Table<T> t;
  t["protocol"] = [](T& o, const Ctx& c) {
    if (iequals(c.entry.value, "udp")) o.protocol = TransportProtocol::Udp;
    else if (iequals(c.entry.value, "tcp")) o.protocol = TransportProtocol::Tcp;
    else if (iequals(c.entry.value, "tls")) o.protocol = TransportProtocol::Tls;
    else c.error("protocol must be udp, tcp or tls, not '" + c.entry.value + "' (ws/wss are not supported)");
  };
  t["bind"] = [](T& o, const Ctx& c) {
    std::string_view v = trim_lws(c.entry.value);
    std::string host(v);
    std::string port;
    if (!v.empty() && v[0] == '[') {
      auto close = v.find(']');
      if (close == std::string_view::npos) return c.error("bad bind address '" + c.entry.value + "'");
      host = std::string(v.substr(1, close - 1));
      if (close + 1 < v.size()) {
        if (v[close + 1] != ':') return c.error("bad bind address '" + c.entry.value + "'");
        port = std::string(v.substr(close + 2));
      }
    } else if (auto colon = v.find(':'); colon != std::string_view::npos && v.find(':', colon + 1) == std::string_view::npos) {
      host = std::string(v.substr(0, colon));
      port = std::string(v.substr(colon + 1));
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) return c.error("bind address '" + host + "' is not an IP address");
    o.bind_address = host;
    if (!port.empty()) {
      if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
          std::stoul(port) > 65535)
        return c.error("bad bind port '" + port + "'");
      o.bind_port = static_cast<std::uint16_t>(std::stoul(port));
    }
  };
  t["cert_file"] = str(&T::cert_file);
  t["priv_key_file"] = str(&T::priv_key_file);
  t["ca_list_file"] = str(&T::ca_list_file);
  t["method"] = str(&T::method);
  t["verify_client"] = boolean(&T::verify_client);
  t["verify_server"] = boolean(&T::verify_server);
  t["local_net"] = list(&T::local_net);
  t["external_media_address"] = str(&T::external_media_address);
  t["external_signaling_address"] = str(&T::external_signaling_address);
  t["external_signaling_port"] = [](T& o, const Ctx& c) {
    unsigned v = 0;
    if (to_uint(c, v)) o.external_signaling_port = static_cast<std::uint16_t>(v);
  };
  for (auto k : {"allow_reload", "ca_list_path", "cert_file_path", "cipher", "domain", "password", "require_client_cert",
                 "symmetric_transport", "tos", "cos", "websocket_write_timeout", "async_operations", "allow_wildcard_certs"})
    t[k] = ignored<T>();
  return t;
}

Table<EndpointOptions> endpoint_table() {
  using T = EndpointOptions;
  Table<T> t;
  t["context"] = str(&T::context);
  t["message_context"] = str(&T::message_context);
  t["disallow"] = [](T& o, const Ctx& c) {
    for (auto& v : split_list(c.entry.value)) {
      if (iequals(v, "all")) o.allow.clear();
      else std::erase(o.allow, v);
    }
  };
  t["allow"] = [](T& o, const Ctx& c) {
    for (auto& v : split_list(c.entry.value))
      if (std::find(o.allow.begin(), o.allow.end(), v) == o.allow.end()) o.allow.push_back(v);
  };
  t["aors"] = list(&T::aors);
  t["auth"] = str(&T::auth);
  t["outbound_auth"] = str(&T::outbound_auth);
  t["transport"] = str(&T::transport);
  t["callerid"] = str(&T::callerid);
  t["from_user"] = str(&T::from_user);
  t["from_domain"] = str(&T::from_domain);
  t["language"] = str(&T::language);
  t["accountcode"] = str(&T::accountcode);
  t["outbound_proxy"] = str(&T::outbound_proxy);
  t["identify_by"] = [](T& o, const Ctx& c) { o.identify_by = split_list(c.entry.value); };
  t["dtmf_mode"] = [](T& o, const Ctx& c) {
    const auto& v = c.entry.value;
    if (v == "rfc4733" || v == "rfc2833") o.dtmf_mode = DtmfMode::Rfc4733;
    else if (v == "inband") o.dtmf_mode = DtmfMode::Inband;
    else if (v == "info") o.dtmf_mode = DtmfMode::Info;
    else if (v == "auto" || v == "auto_info") o.dtmf_mode = DtmfMode::Auto;
    else c.error("dtmf_mode must be rfc4733, inband, info or auto, not '" + v + "'");
  };
  t["trust_id_inbound"] = boolean(&T::trust_id_inbound);
  t["send_pai"] = boolean(&T::send_pai);
  t["allow_transfer"] = boolean(&T::allow_transfer);
  t["direct_media"] = boolean(&T::direct_media);
  t["rtp_symmetric"] = boolean(&T::rtp_symmetric);
  t["force_rport"] = boolean(&T::force_rport);
  t["rewrite_contact"] = boolean(&T::rewrite_contact);
  t["allow_unauthenticated_options"] = boolean(&T::allow_unauthenticated_options);
  t["moh_passthrough"] = boolean(&T::moh_passthrough);
  t["timers"] = one_of(&T::timers, {"no", "yes", "required", "always", "forced"});
  t["timers_sess_expires"] = number(&T::timers_sess_expires);
  t["timers_min_se"] = number(&T::timers_min_se);
  t["100rel"] = one_of(&T::rel100, {"no", "yes", "required", "peer_supported"});
  t["device_state_busy_at"] = number(&T::device_state_busy_at);
  t["acl"] = list(&T::acl);
  t["permit"] = [](T& o, const Ctx& c) { add_rules(c, true, o.rules); };
  t["deny"] = [](T& o, const Ctx& c) { add_rules(c, false, o.rules); };
  t["set_var"] = [](T& o, const Ctx& c) {
    if (c.entry.value.find('=') == std::string::npos) return c.error("set_var needs NAME=value");
    o.set_vars.push_back(c.entry.value);
  };
  for (auto k : {"ice_support", "use_avpf", "media_encryption", "media_encryption_optimistic", "rtp_ipv6",
                 "rtp_timeout", "rtp_timeout_hold", "rtp_keepalive", "force_avp", "media_address", "bind_rtp_to_media_address",
                 "mailboxes", "voicemail_extension", "moh_suggest", "callerid_privacy", "callerid_tag", "connected_line_method",
                 "direct_media_method", "disable_direct_media_on_nat", "send_rpid", "send_diversion", "trust_id_outbound",
                 "tos_audio", "tos_video", "cos_audio", "cos_video", "sdp_owner", "sdp_session", "inband_progress",
                 "call_group", "pickup_group", "named_call_group", "named_pickup_group", "t38_udptl", "t38_udptl_ec",
                 "t38_udptl_nat", "fax_detect", "max_audio_streams", "max_video_streams", "webrtc", "dtls_auto_generate_cert",
                 "dtls_verify", "dtls_setup", "dtls_cert_file", "dtls_private_key", "dtls_ca_file", "dtls_fingerprint",
                 "srtp_tag_32", "subscribe_context", "aggregate_mwi", "mwi_from_user",
                 "allow_subscribe", "sub_min_expiry", "contact_acl", "contact_permit", "contact_deny", "user_eq_phone",
                 "one_touch_recording", "record_on_feature", "record_off_feature", "tone_zone",
                 "rpid_immediate", "refer_blind_progress", "notify_early_inuse_ringing", "asymmetric_rtp_codec",
                 "preferred_codec_only", "accept_multiple_sdp_answers", "suppress_q850_reason_headers",
                 "ignore_183_without_sdp", "incoming_call_offer_pref", "outgoing_call_offer_pref", "codec_prefs_incoming_offer",
                 "codec_prefs_outgoing_offer", "codec_prefs_incoming_answer", "codec_prefs_outgoing_answer",
                 "stir_shaken", "stir_shaken_profile", "allow_overlap", "overlap_context", "security_negotiation",
                 "security_mechanisms", "send_connected_line", "redirect_method", "stream_topology", "bundle",
                 "max_forwards", "follow_early_media_fork", "ignore_remote_hold", "outbound_auth_username",
                 "incoming_mwi_mailbox", "geoloc_incoming_call_profile", "geoloc_outgoing_call_profile"})
    t[k] = ignored<T>();
  return t;
}

Table<AuthOptions> auth_table() {
  using T = AuthOptions;
  Table<T> t;
  t["auth_type"] = one_of(&T::auth_type, {"userpass", "md5", "digest"});
  t["username"] = str(&T::username);
  t["password"] = str(&T::password);
  t["md5_cred"] = str(&T::md5_cred);
  t["realm"] = str(&T::realm);
  t["supported_algorithms_uas"] = [](T& o, const Ctx& c) {
    o.supported_algorithms_uas.clear();
    for (auto& v : split_list(c.entry.value)) {
      if (v != "MD5" && v != "SHA-256") {
        c.error("'supported_algorithms_uas' takes MD5 and SHA-256, not '" + v + "'");
        continue;
      }
      o.supported_algorithms_uas.push_back(v);
    }
    if (o.supported_algorithms_uas.empty()) o.supported_algorithms_uas = {"MD5"};
  };
  for (auto k : {"nonce_lifetime", "oauth_clientid", "oauth_secret", "refresh_token", "password_digest",
                 "supported_algorithms_uac"})
    t[k] = ignored<T>();
  return t;
}

Table<AorOptions> aor_table() {
  using T = AorOptions;
  Table<T> t;
  t["max_contacts"] = number(&T::max_contacts);
  t["remove_existing"] = boolean(&T::remove_existing);
  t["minimum_expiration"] = number(&T::minimum_expiration);
  t["default_expiration"] = number(&T::default_expiration);
  t["maximum_expiration"] = number(&T::maximum_expiration);
  t["qualify_frequency"] = number(&T::qualify_frequency);
  t["qualify_timeout"] = [](T& o, const Ctx& c) {
    try {
      o.qualify_timeout = std::stod(c.entry.value);
    } catch (...) {
      c.error("qualify_timeout must be a number of seconds, not '" + c.entry.value + "'");
    }
  };
  t["contact"] = list(&T::contacts);
  t["authenticate_qualify"] = boolean(&T::authenticate_qualify);
  for (auto k : {"mailboxes", "voicemail_extension", "outbound_proxy", "support_path", "remove_unavailable",
                 "qualify_2xx_only"})
    t[k] = ignored<T>();
  return t;
}

Table<IdentifyOptions> identify_table() {
  using T = IdentifyOptions;
  Table<T> t;
  t["endpoint"] = str(&T::endpoint);
  t["match"] = [](T& o, const Ctx& c) { add_rules(c, true, o.match); };
  for (auto k : {"srv_lookups", "match_header"}) t[k] = ignored<T>();
  return t;
}

Table<AclOptions> acl_table() {
  using T = AclOptions;
  Table<T> t;
  t["permit"] = [](T& o, const Ctx& c) { add_rules(c, true, o.rules); };
  t["deny"] = [](T& o, const Ctx& c) { add_rules(c, false, o.rules); };
  t["acl"] = ignored<T>();  // named acl.conf lists are not supported; see docs/sip.md
  return t;
}

Table<RegistrationOptions> registration_table() {
  using T = RegistrationOptions;
  Table<T> t;
  t["server_uri"] = str(&T::server_uri);
  t["client_uri"] = str(&T::client_uri);
  t["contact_user"] = str(&T::contact_user);
  t["outbound_auth"] = str(&T::outbound_auth);
  t["transport"] = str(&T::transport);
  t["outbound_proxy"] = str(&T::outbound_proxy);
  t["expiration"] = number(&T::expiration);
  t["retry_interval"] = number(&T::retry_interval);
  t["forbidden_retry_interval"] = number(&T::forbidden_retry_interval);
  t["max_retries"] = number(&T::max_retries);
  t["line"] = boolean(&T::line);
  t["endpoint"] = str(&T::endpoint);
  for (auto k : {"auth_rejection_permanent", "fatal_retry_interval", "support_path", "support_outbound"})
    t[k] = ignored<T>();
  return t;
}

Table<GlobalOptions> global_table() {
  using T = GlobalOptions;
  Table<T> t;
  t["user_agent"] = str(&T::user_agent);
  t["default_realm"] = str(&T::default_realm);
  t["endpoint_identifier_order"] = str(&T::endpoint_identifier_order);
  t["max_forwards"] = number(&T::max_forwards);
  t["keep_alive_interval"] = number(&T::keep_alive_interval);
  t["max_calls"] = number(&T::max_calls);
  t["max_transaction_rate"] = number(&T::max_transaction_rate);
  t["overload_retry_after"] = number(&T::overload_retry_after);
  t["auth_failure_limit"] = number(&T::auth_failure_limit);
  t["auth_failure_window"] = number(&T::auth_failure_window);
  t["nonce_lifetime"] = number(&T::nonce_lifetime);
  for (auto k : {"debug", "default_outbound_endpoint", "regcontext", "contact_expiration_check_interval",
                 "disable_multi_domain", "unidentified_request_count", "unidentified_request_period",
                 "unidentified_request_prune_interval", "mwi_tps_queue_high", "mwi_tps_queue_low",
                 "mwi_disable_initial_unsolicited", "ignore_uri_user_options", "use_callerid_contact",
                 "send_contact_status_on_update_registration", "taskprocessor_overload_trigger", "norefersub",
                 "allow_sending_180_after_183", "all_codecs_on_empty_reinvite", "default_voicemail_extension",
                 "default_from_user", "keep_alive_interval"})
    if (!t.count(k)) t[k] = ignored<T>();
  return t;
}

Table<SystemOptions> system_table() {
  using T = SystemOptions;
  Table<T> t;
  auto ms = [](std::chrono::milliseconds T::*field) -> Setter<T> {
    return [field](T& o, const Ctx& c) {
      unsigned v = 0;
      if (to_uint(c, v)) o.*field = std::chrono::milliseconds(v);
    };
  };
  t["timer_t1"] = ms(&T::timer_t1);
  t["timer_b"] = ms(&T::timer_b);
  t["timer_t2"] = ms(&T::timer_t2);
  t["timer_t4"] = ms(&T::timer_t4);
  for (auto k : {"compact_headers", "threadpool_initial_size", "threadpool_auto_increment", "threadpool_idle_timeout",
                 "threadpool_max_size", "disable_tcp_switch", "follow_early_media_fork",
                 "accept_multiple_sdp_answers", "disable_rport"})
    t[k] = ignored<T>();
  return t;
}

}  // namespace

std::string_view to_string(TransportProtocol p) {
  switch (p) {
    case TransportProtocol::Udp: return "udp";
    case TransportProtocol::Tcp: return "tcp";
    case TransportProtocol::Tls: return "tls";
  }
  return "udp";
}

std::shared_ptr<const EndpointOptions> SipConfig::endpoint(std::string_view name) const {
  auto it = endpoints.find(std::string(name));
  return it == endpoints.end() ? nullptr : it->second;
}
const AuthOptions* SipConfig::auth(std::string_view name) const {
  auto it = auths.find(std::string(name));
  return it == auths.end() ? nullptr : &it->second;
}
const AorOptions* SipConfig::aor(std::string_view name) const {
  auto it = aors.find(std::string(name));
  return it == aors.end() ? nullptr : &it->second;
}

Result<SipConfig, Errors> parse_sip_config(const config::ConfigFile& file) {
  SipConfig cfg;
  Errors errors;
  const auto transports = transport_table();
  const auto endpoints = endpoint_table();
  const auto auths = auth_table();
  const auto aors = aor_table();
  const auto identifies = identify_table();
  const auto acls = acl_table();
  const auto registrations = registration_table();
  const auto globals = global_table();
  const auto systems = system_table();
  auto dup = [&](const Section& s, std::string_view type) {
    errors.items.push_back(Error{"duplicate " + std::string(type) + " '" + s.name + "'", s.where.to_string()});
  };
  for (const auto& s : file.sections) {
    if (s.is_template) continue;
    const auto* type = s.find("type");
    if (!type) {
      errors.items.push_back(Error{"section [" + s.name + "] has no type=", s.where.to_string()});
      continue;
    }
    const std::string& t = type->value;
    if (t == "transport") {
      // protocol first so that bind's default port follows it
      auto o = build(s, transports, errors, t);
      if (std::any_of(cfg.transports.begin(), cfg.transports.end(), [&](auto& x) { return x.name == o.name; })) dup(s, t);
      cfg.transports.push_back(std::move(o));
    } else if (t == "endpoint") {
      auto o = build(s, endpoints, errors, t);
      if (cfg.endpoints.count(o.name)) dup(s, t);
      const std::string key = o.name;
      cfg.endpoints[key] = std::make_shared<const EndpointOptions>(std::move(o));
    } else if (t == "auth") {
      auto o = build(s, auths, errors, t);
      if (cfg.auths.count(o.name)) dup(s, t);
      const std::string key = o.name;
      cfg.auths[key] = std::move(o);
    } else if (t == "aor") {
      auto o = build(s, aors, errors, t);
      if (cfg.aors.count(o.name)) dup(s, t);
      const std::string key = o.name;
      cfg.aors[key] = std::move(o);
    } else if (t == "identify") {
      cfg.identifies.push_back(build(s, identifies, errors, t));
    } else if (t == "acl") {
      auto o = build(s, acls, errors, t);
      const std::string key = o.name;
      cfg.acls[key] = std::move(o);
    } else if (t == "registration") {
      cfg.registrations.push_back(build(s, registrations, errors, t));
    } else if (t == "global") {
      cfg.global = build(s, globals, errors, t);
    } else if (t == "system") {
      cfg.system = build(s, systems, errors, t);
    } else if (t == "domain_alias" || t == "contact" || t == "phoneprov" || t == "outbound-publish" ||
               t == "inbound-publication" || t == "resource_list") {
      // accepted, not acted on (docs/sip.md)
    } else {
      errors.items.push_back(Error{"unknown type '" + t + "'", type->where.to_string()});
    }
  }
  // The bind port default depends on the protocol, which may be written after bind=.
  for (auto& tr : cfg.transports) {
    if (tr.bind_port == 0) tr.bind_port = tr.protocol == TransportProtocol::Tls ? 5061 : 5060;
    if (tr.protocol == TransportProtocol::Tls && (tr.cert_file.empty() || tr.priv_key_file.empty()))
      errors.items.push_back(Error{"tls transport '" + tr.name + "' needs cert_file and priv_key_file", tr.where.to_string()});
  }
  // References between objects.
  auto ref_error = [&](const config::Location& where, const std::string& what) {
    errors.items.push_back(Error{what, where.to_string()});
  };
  auto has_transport = [&](const std::string& n) {
    return std::any_of(cfg.transports.begin(), cfg.transports.end(), [&](auto& x) { return x.name == n; });
  };
  for (const auto& [name, ep] : cfg.endpoints) {
    for (const auto& a : ep->aors)
      if (!cfg.aors.count(a)) ref_error(ep->where, "endpoint '" + name + "': aor '" + a + "' does not exist");
    if (!ep->auth.empty() && !cfg.auths.count(ep->auth))
      ref_error(ep->where, "endpoint '" + name + "': auth '" + ep->auth + "' does not exist");
    if (!ep->outbound_auth.empty() && !cfg.auths.count(ep->outbound_auth))
      ref_error(ep->where, "endpoint '" + name + "': outbound_auth '" + ep->outbound_auth + "' does not exist");
    if (!ep->transport.empty() && !has_transport(ep->transport))
      ref_error(ep->where, "endpoint '" + name + "': transport '" + ep->transport + "' does not exist");
    for (const auto& a : ep->acl)
      if (!cfg.acls.count(a)) ref_error(ep->where, "endpoint '" + name + "': acl '" + a + "' does not exist");
    if (auto p = parse_uri(ep->outbound_proxy); !ep->outbound_proxy.empty() && (!p || !p->is_sip()))
      ref_error(ep->where, "endpoint '" + name + "': bad outbound_proxy '" + ep->outbound_proxy + "'");
  }
  for (const auto& id : cfg.identifies) {
    if (id.endpoint.empty()) ref_error(id.where, "identify '" + id.name + "' has no endpoint");
    else if (!cfg.endpoints.count(id.endpoint))
      ref_error(id.where, "identify '" + id.name + "': endpoint '" + id.endpoint + "' does not exist");
    if (id.match.empty()) ref_error(id.where, "identify '" + id.name + "' has no match");
  }
  for (const auto& r : cfg.registrations) {
    if (!parse_uri(r.server_uri)) ref_error(r.where, "registration '" + r.name + "': bad server_uri '" + r.server_uri + "'");
    if (!parse_uri(r.client_uri)) ref_error(r.where, "registration '" + r.name + "': bad client_uri '" + r.client_uri + "'");
    if (auto p = parse_uri(r.outbound_proxy); !r.outbound_proxy.empty() && (!p || !p->is_sip()))
      ref_error(r.where, "registration '" + r.name + "': bad outbound_proxy '" + r.outbound_proxy + "'");
    if (!r.outbound_auth.empty() && !cfg.auths.count(r.outbound_auth))
      ref_error(r.where, "registration '" + r.name + "': outbound_auth '" + r.outbound_auth + "' does not exist");
  }
  for (const auto& [name, a] : cfg.auths)
    if (a.auth_type == "md5" ? a.md5_cred.empty() : a.password.empty() && a.username.empty())
      ref_error(a.where, "auth '" + name + "' has neither username/password nor md5_cred");
  for (const auto& [name, a] : cfg.aors)
    for (const auto& c : a.contacts)
      if (!parse_uri(c)) ref_error(a.where, "aor '" + name + "': bad contact '" + c + "'");
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return cfg;
}

Result<SipConfig, Errors> load_sip_config(const std::filesystem::path& config_dir) {
  auto file = config::load_module_config(config_dir, "pjsip.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  return parse_sip_config(*file);
}

}  // namespace telephony::sip
