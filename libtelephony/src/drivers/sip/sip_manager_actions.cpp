// PJSIP* AMI actions with Asterisk's list shapes (Response: Success / EventList: start, one event
// per object, then the …Complete event with ListItems). Registered on the manager's server when
// the manager module is loaded.
#include <chrono>

#include "call_session.hpp"
#include "sip_console.hpp"
#include "sip_stack.hpp"
#include "telephony/engine.hpp"
#include "telephony/manager/module.hpp"

namespace telephony::sip {

namespace {

using manager::ActionArgument;
using manager::ActionDoc;
using manager::ActionResponder;
using manager::Privilege;
using ResponderPtr = std::shared_ptr<ActionResponder>;

std::string header(const ActionResponder& r, std::string_view name) {
  return std::string(r.request().get_or(name));
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string device_state_text(SipStack& s, const std::string& ep) {
  auto d = s.engine().drivers().find("SIP");
  return std::string(to_string(d ? d->device_state(ep) : DeviceState::Unknown));
}

std::string contact_status(const Binding& b) {
  if (b.status == "Reachable") return "Reachable";
  if (b.status == "Unreachable") return "Unreachable";
  return "NonQualified";
}

long long expiry_seconds(const Binding& b) {
  if (b.is_static) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(b.expires_wall.time_since_epoch()).count();
}

ami::Message contact_event(std::string_view name, const Binding& b, const AorOptions* aor) {
  ami::Message ev;
  ev.add("Event", name);
  ev.add("ObjectType", "contact");
  ev.add("ObjectName", b.aor + ";@" + std::to_string(std::hash<std::string>{}(b.uri) % 100000000));
  ev.add("ViaAddr", b.source.ip.is_unspecified() ? "" : b.source.ip.to_string());
  ev.add("ViaPort", std::to_string(b.source.port));
  ev.add("QualifyTimeout", aor ? std::to_string(aor->qualify_timeout) : "3.000000");
  ev.add("CallId", b.call_id);
  ev.add("RegServer", "");
  ev.add("PruneOnBoot", "no");
  ev.add("Path", "");
  ev.add("Endpoint", b.endpoint);
  ev.add("AuthenticateQualify", aor && aor->authenticate_qualify ? "Yes" : "No");
  ev.add("Uri", b.uri);
  ev.add("QualifyFrequency", aor ? std::to_string(aor->qualify_frequency) : "0");
  ev.add("UserAgent", b.user_agent);
  ev.add("ExpirationTime", std::to_string(expiry_seconds(b)));
  ev.add("OutboundProxy", "");
  ev.add("Status", contact_status(b));
  ev.add("RoundtripUsec", b.rtt_us ? std::to_string(b.rtt_us) : "N/A");
  return ev;
}

ami::Message contact_status_detail(const Binding& b, const std::string& endpoint) {
  ami::Message cs;
  cs.add("Event", "ContactStatusDetail");
  cs.add("AOR", b.aor);
  cs.add("URI", b.uri);
  cs.add("UserAgent", b.user_agent);
  cs.add("RegExpire", std::to_string(expiry_seconds(b)));
  cs.add("ViaAddress", b.source.to_string());
  cs.add("CallID", b.call_id);
  cs.add("Status", contact_status(b));
  cs.add("RoundtripUsec", std::to_string(b.rtt_us));
  cs.add("EndpointName", endpoint);
  return cs;
}

ami::Message aor_event(std::string_view name, const std::string& aor_name, const AorOptions& a,
                       const std::vector<Binding>& contacts) {
  ami::Message ev;
  ev.add("Event", name);
  ev.add("ObjectType", "aor");
  ev.add("ObjectName", aor_name);
  ev.add("MinimumExpiration", std::to_string(a.minimum_expiration));
  ev.add("DefaultExpiration", std::to_string(a.default_expiration));
  ev.add("MaximumExpiration", std::to_string(a.maximum_expiration));
  ev.add("QualifyFrequency", std::to_string(a.qualify_frequency));
  ev.add("MaxContacts", std::to_string(a.max_contacts));
  ev.add("RemoveExisting", a.remove_existing ? "true" : "false");
  ev.add("AuthenticateQualify", a.authenticate_qualify ? "true" : "false");
  std::vector<std::string> uris;
  for (const auto& b : contacts) uris.push_back(b.aor + "/" + b.uri);
  ev.add("Contacts", join(uris));
  ev.add("TotalContacts", std::to_string(contacts.size()));
  ev.add("ContactsRegistered", std::to_string(std::count_if(contacts.begin(), contacts.end(),
                                                             [](const Binding& b) { return !b.is_static; })));
  return ev;
}

ami::Message endpoint_list_event(SipStack& s, const SipConfig& cfg, const EndpointOptions& ep) {
  ami::Message ev;
  ev.add("Event", "EndpointList");
  ev.add("ObjectType", "endpoint");
  ev.add("ObjectName", ep.name);
  ev.add("Transport", ep.transport);
  ev.add("Aor", join(ep.aors));
  ev.add("Auths", ep.auth);
  ev.add("OutboundAuths", ep.outbound_auth);
  std::vector<std::string> contacts;
  for (const auto& a : ep.aors)
    for (const auto& b : s.registrar().contacts(cfg, a)) contacts.push_back(b.aor + "/" + b.uri);
  ev.add("Contacts", join(contacts));
  ev.add("DeviceState", device_state_text(s, ep.name));
  int active = 0;
  for (const auto& sess : s.sessions())
    if (sess->endpoint_name() == ep.name && sess->info().state != "Terminated") ++active;
  ev.add("ActiveChannels", active ? std::to_string(active) : "");
  return ev;
}

void register_actions(manager::Server& server, std::weak_ptr<SipStack> weak) {
  auto with = [weak](std::function<void(SipStack&, const ResponderPtr&)> f) {
    return [weak, f = std::move(f)](ResponderPtr r) {
      auto s = weak.lock();
      if (!s) return r->error("The SIP stack is not running");
      f(*s, r);
    };
  };
  server.register_action(
      "PJSIPShowEndpoints", Privilege::System,
      ActionDoc{"Lists PJSIP endpoints.",
                "Provides a listing of all endpoints. For each endpoint an EndpointList event is raised that "
                "contains relevant attributes and status information. Once all endpoints have been listed an "
                "EndpointListComplete event is issued.",
                {},
                {"PJSIPShowEndpoint"}},
      with([](SipStack& s, const ResponderPtr& r) {
        auto cfg = s.config();
        if (cfg->endpoints.empty()) return r->error("No endpoints found");
        r->list_start("A listing of Endpoints follows, presented as EndpointList events");
        for (const auto& [name, ep] : cfg->endpoints) r->list_item(endpoint_list_event(s, *cfg, *ep));
        r->list_complete("EndpointListComplete");
      }));
  server.register_action(
      "PJSIPShowEndpoint", Privilege::System,
      ActionDoc{"Detail listing of an endpoint and its objects.",
                "Provides a detailed listing of the endpoint: an EndpointDetail event, then AorDetail, "
                "AuthDetail, ContactStatusDetail and IdentifyDetail events for its objects, then "
                "EndpointDetailComplete.",
                {ActionArgument{"Endpoint", true, "The endpoint to list."}},
                {"PJSIPShowEndpoints"}},
      with([](SipStack& s, const ResponderPtr& r) {
        const auto name = header(*r, "Endpoint");
        if (name.empty()) return r->error("Endpoint parameter missing.");
        auto cfg = s.config();
        auto ep = cfg->endpoint(name);
        if (!ep) return r->error("Unable to retrieve endpoint " + name);
        r->list_start("Following are Events for each object associated with the Endpoint");
        ami::Message ev;
        ev.add("Event", "EndpointDetail");
        ev.add("ObjectType", "endpoint");
        ev.add("ObjectName", ep->name);
        ev.add("Context", ep->context);
        ev.add("Allow", "(" + [&] {
          std::string a;
          for (auto& c : ep->allow) a += (a.empty() ? "" : "|") + c;
          return a;
        }() + ")");
        ev.add("Aors", join(ep->aors));
        ev.add("Auth", ep->auth);
        ev.add("OutboundAuth", ep->outbound_auth);
        ev.add("Callerid", ep->callerid);
        ev.add("Transport", ep->transport);
        ev.add("DtmfMode", ep->dtmf_mode == DtmfMode::Info     ? "info"
                           : ep->dtmf_mode == DtmfMode::Inband ? "inband"
                           : ep->dtmf_mode == DtmfMode::Auto   ? "auto"
                                                               : "rfc4733");
        ev.add("DeviceState", device_state_text(s, ep->name));
        r->list_item(std::move(ev));
        for (const auto& a : ep->aors) {
          const auto* aor = cfg->aor(a);
          if (!aor) continue;
          auto contacts = s.registrar().contacts(*cfg, a);
          r->list_item(aor_event("AorDetail", a, *aor, contacts));
          for (const auto& b : contacts) r->list_item(contact_status_detail(b, ep->name));
        }
        for (const auto* auth_name : {&ep->auth, &ep->outbound_auth}) {
          const auto* a = auth_name->empty() ? nullptr : cfg->auth(*auth_name);
          if (!a) continue;
          ami::Message au;
          au.add("Event", "AuthDetail");
          au.add("ObjectType", "auth");
          au.add("ObjectName", a->name);
          au.add("Username", a->username);
          au.add("Realm", a->realm);
          au.add("AuthType", a->auth_type);
          au.add("EndpointName", ep->name);
          r->list_item(std::move(au));
        }
        for (const auto& id : cfg->identifies) {
          if (id.endpoint != ep->name) continue;
          ami::Message idv;
          idv.add("Event", "IdentifyDetail");
          idv.add("ObjectType", "identify");
          idv.add("ObjectName", id.name);
          std::vector<std::string> m;
          for (const auto& rule : id.match) m.push_back(rule.network + "/" + std::to_string(rule.prefix));
          idv.add("Match", join(m));
          idv.add("Endpoint", id.endpoint);
          r->list_item(std::move(idv));
        }
        r->list_complete("EndpointDetailComplete");
      }));
  server.register_action(
      "PJSIPShowContacts", Privilege::System,
      ActionDoc{"Lists PJSIP Contacts.",
                "Provides a listing of all Contacts. For each Contact a ContactList event is raised; then "
                "ContactListComplete.",
                {},
                {"PJSIPShowAors"}},
      with([](SipStack& s, const ResponderPtr& r) {
        auto cfg = s.config();
        r->list_start("A listing of Contacts follows, presented as ContactList events");
        for (const auto& [name, aor] : cfg->aors)
          for (const auto& b : s.registrar().contacts(*cfg, name)) r->list_item(contact_event("ContactList", b, &aor));
        r->list_complete("ContactListComplete");
      }));
  server.register_action(
      "PJSIPShowAors", Privilege::System,
      ActionDoc{"Lists PJSIP AORs.",
                "Provides a listing of all AORs. For each AOR an AorList event is raised; then AorListComplete.",
                {},
                {"PJSIPShowContacts"}},
      with([](SipStack& s, const ResponderPtr& r) {
        auto cfg = s.config();
        if (cfg->aors.empty()) return r->error("No AORs found");
        r->list_start("A listing of AORs follows, presented as AorList events");
        for (const auto& [name, aor] : cfg->aors)
          r->list_item(aor_event("AorList", name, aor, s.registrar().contacts(*cfg, name)));
        r->list_complete("AorListComplete");
      }));
  server.register_action(
      "PJSIPShowAuths", Privilege::System,
      ActionDoc{"Lists PJSIP Auths.",
                "Provides a listing of all Auths. For each Auth an AuthList event is raised; then AuthListComplete. "
                "Passwords are never shown.",
                {},
                {"PJSIPShowEndpoint"}},
      with([](SipStack& s, const ResponderPtr& r) {
        auto cfg = s.config();
        if (cfg->auths.empty()) return r->error("No Auths found");
        r->list_start("A listing of Auths follows, presented as AuthList events");
        for (const auto& [name, a] : cfg->auths) {
          ami::Message ev;
          ev.add("Event", "AuthList");
          ev.add("ObjectType", "auth");
          ev.add("ObjectName", name);
          ev.add("Username", a.username);
          ev.add("Realm", a.realm);
          ev.add("AuthType", a.auth_type);
          ev.add("NonceLifetime", std::to_string(cfg->global.nonce_lifetime));
          r->list_item(std::move(ev));
        }
        r->list_complete("AuthListComplete");
      }));
  server.register_action(
      "PJSIPShowRegistrationsInbound", Privilege::System,
      ActionDoc{"Lists PJSIP inbound registrations.",
                "Lists all AORs that have registered contacts as InboundRegistrationDetail events; then "
                "InboundRegistrationDetailComplete.",
                {},
                {"PJSIPShowRegistrationInboundContactStatuses"}},
      with([](SipStack& s, const ResponderPtr& r) {
        auto cfg = s.config();
        r->list_start("Following are Events for each Inbound registration");
        for (const auto& [name, aor] : cfg->aors) {
          auto contacts = s.registrar().contacts(*cfg, name);
          if (std::none_of(contacts.begin(), contacts.end(), [](const Binding& b) { return !b.is_static; })) continue;
          auto ev = aor_event("InboundRegistrationDetail", name, aor, contacts);
          r->list_item(std::move(ev));
        }
        r->list_complete("InboundRegistrationDetailComplete");
      }));
  server.register_action(
      "PJSIPShowRegistrationInboundContactStatuses", Privilege::System,
      ActionDoc{"Lists ContactStatuses for PJSIP inbound registrations.",
                "Lists every registered contact as a ContactStatusDetail event; then "
                "ContactStatusDetailComplete.",
                {},
                {"PJSIPShowRegistrationsInbound"}},
      with([](SipStack& s, const ResponderPtr& r) {
        r->list_start("Following are ContactStatusEvents for each Inbound registration");
        for (const auto& b : s.registrar().all()) r->list_item(contact_status_detail(b, b.endpoint));
        r->list_complete("ContactStatusDetailComplete");
      }));
  server.register_action(
      "PJSIPShowRegistrationsOutbound", Privilege::System,
      ActionDoc{"Lists PJSIP outbound registrations.",
                "Lists every outbound registration as an OutboundRegistrationDetail event; then "
                "OutboundRegistrationDetailComplete with Registered and NotRegistered counts.",
                {},
                {"PJSIPRegister", "PJSIPUnregister"}},
      with([](SipStack& s, const ResponderPtr& r) {
        r->list_start("Following are Events for each Outbound registration");
        int registered = 0;
        int not_registered = 0;
        for (const auto& reg : s.registrations()) {
          const auto& o = reg->options();
          const auto status = reg->status();
          (status == "Registered" ? registered : not_registered)++;
          ami::Message ev;
          ev.add("Event", "OutboundRegistrationDetail");
          ev.add("ObjectType", "registration");
          ev.add("ObjectName", o.name);
          ev.add("ServerUri", o.server_uri);
          ev.add("ClientUri", o.client_uri);
          ev.add("OutboundAuth", o.outbound_auth);
          ev.add("Expiration", std::to_string(o.expiration));
          ev.add("RetryInterval", std::to_string(o.retry_interval));
          ev.add("MaxRetries", std::to_string(o.max_retries));
          ev.add("ContactUser", o.contact_user);
          ev.add("Status", status);
          ev.add("NextReg", std::to_string(reg->next_refresh()));
          r->list_item(std::move(ev));
        }
        ami::Message done;
        done.add("Event", "OutboundRegistrationDetailComplete");
        done.add("EventList", "Complete");
        done.add("Registered", std::to_string(registered));
        done.add("NotRegistered", std::to_string(not_registered));
        r->respond(std::move(done));
      }));
  for (const bool reg : {true, false}) {
    const std::string name = reg ? "PJSIPRegister" : "PJSIPUnregister";
    server.register_action(
        name, Privilege::System,
        ActionDoc{reg ? "Register an outbound registration." : "Unregister an outbound registration.",
                  reg ? "Sends a REGISTER for the outbound registration now and keeps it refreshed."
                      : "Sends a REGISTER with Expires: 0 and stops refreshing until PJSIPRegister.",
                  {ActionArgument{"Registration", true, "The outbound registration to (un)register, or *all."}},
                  {"PJSIPShowRegistrationsOutbound"}},
        with([reg](SipStack& s, const ResponderPtr& r) {
          const auto which = header(*r, "Registration");
          if (which.empty()) return r->error("Registration parameter missing.");
          int n = 0;
          for (const auto& x : s.registrations()) {
            if (which != "*all" && x->options().name != which) continue;
            if (reg) x->start();
            else x->unregister();
            ++n;
          }
          if (n == 0) return r->error("Unable to retrieve registration entry " + which);
          r->success(reg ? "Register sent" : "Unregister sent");
        }));
  }
  server.register_action(
      "PJSIPQualify", Privilege::System,
      ActionDoc{"Qualify a chan_pjsip endpoint.",
                "Sends an OPTIONS request to every contact of the endpoint's AORs; each result arrives as a "
                "ContactStatus event (Reachable with RoundtripUsec, or Unreachable).",
                {ActionArgument{"Endpoint", true, "The name of the endpoint you want to qualify."}},
                {"PJSIPShowContacts"}},
      with([](SipStack& s, const ResponderPtr& r) {
        const auto name = header(*r, "Endpoint");
        if (name.empty()) return r->error("Endpoint parameter missing.");
        auto ep = s.config()->endpoint(name);
        if (!ep) return r->error("Unable to retrieve endpoint " + name);
        if (ep->aors.empty()) return r->error("No AoRs configured for endpoint " + name);
        for (const auto& a : ep->aors) s.qualify(a);
        r->success("Endpoint found, will qualify");
      }));
}

}  // namespace

void register_sip_manager_actions(Engine& engine, const std::shared_ptr<SipStack>& stack) {
  auto mod = std::dynamic_pointer_cast<manager::ManagerModule>(engine.module("manager"));
  if (!mod || !mod->server()) return;
  register_actions(*mod->server(), stack);
}

}  // namespace telephony::sip
