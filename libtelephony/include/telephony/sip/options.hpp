// The SIP driver's configuration: the objects of pjsip.conf (res_pjsip's sorcery types) as plain
// structs, and the parser that turns a config::ConfigFile (from pjsip.conf or pjsip.yaml) into
// one immutable SipConfig.
//
// Sections are typed by `type=`: transport, endpoint, aor, auth, registration, identify, acl,
// global, system. Templates and `(+)` come from the config dialect. Every problem is one Error
// with "file:line": a missing or unknown type, an option the type does not have, a bad value
// (number, yes/no, address, enum), a reference to an object that does not exist (endpoint
// aors/auth/outbound_auth/transport/acl, identify endpoint, registration outbound_auth), two
// objects of one type with one name. Options Asterisk has that this driver does not act on are
// accepted and listed in docs/sip.md, so a working pjsip.conf loads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telephony/rtp/media_settings.hpp"

#include "telephony/config/config.hpp"
#include "telephony/result.hpp"

namespace telephony::sip {

enum class TransportProtocol { Udp, Tcp, Tls };
std::string_view to_string(TransportProtocol p);  // "udp", "tcp", "tls"

struct TransportOptions {
  std::string name;
  TransportProtocol protocol = TransportProtocol::Udp;
  std::string bind_address = "0.0.0.0";  // bind= host part ("[::1]" → "::1")
  std::uint16_t bind_port = 0;           // 0: not given (5060, or 5061 for tls)
  std::string cert_file;
  std::string priv_key_file;
  std::string ca_list_file;
  std::string method;                    // tlsv1_2, tlsv1_3, sslv23 … (informational)
  bool verify_client = false;
  bool verify_server = false;
  std::vector<std::string> local_net;    // networks that are not NATed
  std::string external_media_address;
  std::string external_signaling_address;
  std::uint16_t external_signaling_port = 0;
  config::Location where;
};

struct CidrRule {
  bool permit = true;
  std::string network;  // address text
  unsigned prefix = 0;
};

struct AclOptions {
  std::string name;
  std::vector<CidrRule> rules;  // permit=/deny= in order; the last match wins; none: permit
  config::Location where;
};

enum class DtmfMode { Rfc4733, Inband, Info, Auto };

struct EndpointOptions {
  std::string name;
  std::string context = "default";
  std::string message_context;          // incoming MESSAGE; empty: context
  std::vector<std::string> allow;        // codec names in preference order (after disallow)
  std::vector<std::string> aors;
  std::string auth;                      // inbound auth object
  std::string outbound_auth;
  std::string transport;
  std::string callerid;                  // "Name" <num>
  std::string from_user;
  std::string from_domain;
  std::string language;
  std::string accountcode;
  std::string outbound_proxy;
  std::vector<std::string> identify_by = {"username", "ip"};
  DtmfMode dtmf_mode = DtmfMode::Rfc4733;
  bool trust_id_inbound = false;
  bool send_pai = false;
  bool allow_transfer = true;
  bool direct_media = false;
  bool rtp_symmetric = false;
  bool force_rport = true;
  bool rewrite_contact = false;
  bool allow_unauthenticated_options = false;
  // The bridged peer's hold reaches this phone as a re-INVITE (sendonly, then sendrecv) instead
  // of music on hold played here (chan_pjsip's moh_passthrough; call_hold.cpp).
  bool moh_passthrough = false;
  std::string timers = "yes";            // no / yes / required / always
  unsigned timers_sess_expires = 1800;
  unsigned timers_min_se = 90;
  std::string rel100 = "yes";            // 100rel: no / yes / required / peer_supported
  unsigned device_state_busy_at = 0;
  std::vector<std::string> acl;          // names of type=acl objects
  std::vector<CidrRule> rules;           // permit=/deny= on the endpoint itself
  std::vector<std::string> set_vars;     // set_var= lines, "NAME=value" each
  // The media keys (allow/disallow, dtmf_mode, media_encryption, rtp_timeout …) as the RTP layer
  // reads them; each call's rtp::MediaSession starts from these (call_media.cpp).
  rtp::MediaSettings media;
  config::Location where;
};

struct AuthOptions {
  std::string name;
  std::string auth_type = "userpass";  // userpass / md5
  std::string username;
  std::string password;
  std::string md5_cred;
  std::string realm;                   // empty: the global default_realm
  // Digest algorithms challenged with, in order (MD5, SHA-256). Asterisk's default is MD5 only,
  // and some UAs (baresip's libre) give up on a challenge set holding an algorithm they lack.
  std::vector<std::string> supported_algorithms_uas{"MD5"};
  config::Location where;
};

struct AorOptions {
  std::string name;
  unsigned max_contacts = 0;  // 0: no registrations allowed (Asterisk's default)
  bool remove_existing = false;
  unsigned minimum_expiration = 60;
  unsigned default_expiration = 3600;
  unsigned maximum_expiration = 7200;
  unsigned qualify_frequency = 0;  // seconds; 0: no qualify
  double qualify_timeout = 3.0;
  std::vector<std::string> contacts;  // static contact URIs
  bool authenticate_qualify = false;
  config::Location where;
};

struct IdentifyOptions {
  std::string name;
  std::string endpoint;
  std::vector<CidrRule> match;  // addresses/networks (permit rules)
  config::Location where;
};

struct RegistrationOptions {
  std::string name;
  std::string server_uri;
  std::string client_uri;
  std::string contact_user;
  std::string outbound_auth;
  std::string transport;
  std::string outbound_proxy;
  unsigned expiration = 3600;
  unsigned retry_interval = 60;
  unsigned forbidden_retry_interval = 0;
  unsigned max_retries = 10;
  bool line = false;
  std::string endpoint;
  config::Location where;
};

struct GlobalOptions {
  std::string user_agent = "libtelephony";
  std::string default_realm = "asterisk";
  std::string endpoint_identifier_order = "ip,username,anonymous";
  unsigned max_forwards = 70;
  unsigned keep_alive_interval = 90;
  // Overload protection (our extension, see docs/sip.md): past max_calls live SIP calls or
  // max_transaction_rate new server transactions per second, new INVITEs get 503 + Retry-After.
  unsigned max_calls = 0;              // 0: unlimited
  unsigned max_transaction_rate = 0;   // 0: unlimited
  unsigned overload_retry_after = 5;   // seconds
  // Authentication failures from one source within `auth_failure_window` beyond
  // `auth_failure_limit` make that source get 403 without a challenge until the window passes.
  unsigned auth_failure_limit = 10;
  unsigned auth_failure_window = 60;   // seconds
  unsigned nonce_lifetime = 32;        // seconds a nonce is accepted before stale=true
  config::Location where;
};

struct SystemOptions {
  std::chrono::milliseconds timer_t1{500};
  std::chrono::milliseconds timer_t2{4000};
  std::chrono::milliseconds timer_t4{5000};
  std::chrono::milliseconds timer_b{32000};  // 64*T1 by default
  std::size_t max_message_size = 65535;
  config::Location where;
};

// One immutable configuration snapshot; calls keep the snapshot (endpoint) they started with.
struct SipConfig {
  std::vector<TransportOptions> transports;
  std::map<std::string, std::shared_ptr<const EndpointOptions>> endpoints;
  std::map<std::string, AuthOptions> auths;
  std::map<std::string, AorOptions> aors;
  std::vector<IdentifyOptions> identifies;
  std::map<std::string, AclOptions> acls;
  std::vector<RegistrationOptions> registrations;
  GlobalOptions global;
  SystemOptions system;

  std::shared_ptr<const EndpointOptions> endpoint(std::string_view name) const;
  const AuthOptions* auth(std::string_view name) const;
  const AorOptions* aor(std::string_view name) const;
};

Result<SipConfig, Errors> parse_sip_config(const config::ConfigFile& file);
// DIR/pjsip.conf (or pjsip.yaml) read and parsed.
Result<SipConfig, Errors> load_sip_config(const std::filesystem::path& config_dir);

}  // namespace telephony::sip
