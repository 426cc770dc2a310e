// `pjsip show endpoints|endpoint|contacts|aors|auths|registrations|transports|channels`,
// `pjsip set logger on|off`, `pjsip reload`, in the layout of Asterisk's res_pjsip CLI.
#include "sip_console.hpp"

#include <cstdio>

#include "call_session.hpp"
#include "sip_stack.hpp"
#include "telephony/engine.hpp"

namespace telephony::sip {

namespace {

constexpr const char* kRule =
    "==========================================================================================\n";

std::string pad(std::string s, std::size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

std::string contact_status(const Binding& b) {
  if (b.status == "Reachable") return "Avail";
  if (b.status == "Unreachable") return "Unavail";
  return "NonQual";
}

std::string contact_line(const Binding& b) {
  char rtt[32];
  std::snprintf(rtt, sizeof rtt, "%10.3f", static_cast<double>(b.rtt_us) / 1000.0);
  const std::string hash = std::to_string(std::hash<std::string>{}(b.uri) % 100000000);
  return "  Contact:  " + pad(b.aor + "/" + b.uri, 42) + " " + pad(hash, 10) + " " + pad(contact_status(b), 8) + rtt + "\n";
}

std::string endpoint_block(SipStack& stack, const SipConfig& cfg, const EndpointOptions& ep, bool detail) {
  auto driver = stack.engine().drivers().find("SIP");
  const auto state = driver ? driver->device_state(ep.name) : DeviceState::Unknown;
  std::string state_text = state == DeviceState::Unavailable ? "Unavailable"
                           : state == DeviceState::NotInUse  ? "Not in use"
                           : state == DeviceState::InUse     ? "In use"
                           : state == DeviceState::Ringing   ? "Ringing"
                           : state == DeviceState::Busy      ? "Busy"
                                                             : std::string(to_string(state));
  int channels = 0;
  for (const auto& s : stack.sessions())
    if (s->endpoint_name() == ep.name && s->info().state != "Terminated") ++channels;
  std::string out = " Endpoint:  " + pad(ep.name + (ep.callerid.empty() ? "" : "/" + ep.callerid), 53) + " " +
                    pad(state_text, 12) + " " + std::to_string(channels) + " of inf\n";
  if (!ep.auth.empty())
    if (const auto* a = cfg.auth(ep.auth)) out += "     InAuth:  " + a->name + "/" + a->username + "\n";
  if (!ep.outbound_auth.empty())
    if (const auto* a = cfg.auth(ep.outbound_auth)) out += "    OutAuth:  " + a->name + "/" + a->username + "\n";
  for (const auto& aor_name : ep.aors) {
    const auto* aor = cfg.aor(aor_name);
    out += "        Aor:  " + pad(aor_name, 53) + " " + std::to_string(aor ? aor->max_contacts : 0) + "\n";
    for (const auto& b : stack.registrar().contacts(cfg, aor_name)) out += "    " + contact_line(b);
  }
  if (!ep.transport.empty()) out += "  Transport:  " + ep.transport + "\n";
  for (const auto& id : cfg.identifies)
    if (id.endpoint == ep.name) {
      out += "   Identify:  " + id.name + "/" + id.endpoint + "\n";
      for (const auto& m : id.match) out += "        Match: " + m.network + "/" + std::to_string(m.prefix) + "\n";
    }
  for (const auto& s : stack.sessions()) {
    if (s->endpoint_name() != ep.name) continue;
    auto i = s->info();
    if (i.state == "Terminated") continue;
    out += "    Channel:  " + pad(i.channel, 49) + " " + i.state + "\n";
  }
  if (detail) {
    out += "\n ParameterName                      : ParameterValue\n";
    out += " ===================================================\n";
    auto kv = [&](std::string k, std::string v) { out += " " + pad(k, 35) + ": " + v + "\n"; };
    kv("context", ep.context);
    kv("aors", [&] {
      std::string s;
      for (auto& a : ep.aors) s += (s.empty() ? "" : ",") + a;
      return s;
    }());
    kv("auth", ep.auth);
    kv("outbound_auth", ep.outbound_auth);
    kv("callerid", ep.callerid);
    kv("transport", ep.transport);
    kv("dtmf_mode", ep.dtmf_mode == DtmfMode::Info ? "info" : ep.dtmf_mode == DtmfMode::Inband ? "inband"
                    : ep.dtmf_mode == DtmfMode::Auto ? "auto" : "rfc4733");
    kv("allow", [&] {
      std::string s;
      for (auto& a : ep.allow) s += (s.empty() ? "" : ",") + a;
      return s;
    }());
  }
  return out;
}

}  // namespace

void register_sip_console(Engine& engine, const std::shared_ptr<SipStack>& stack) {
  std::weak_ptr<SipStack> weak = stack;
  auto add = [&](std::string cmd, std::string synopsis, std::string syntax,
                 std::function<ConsoleResult(SipStack&, const std::vector<std::string>&)> run) {
    ConsoleCommand c;
    c.command = std::move(cmd);
    c.doc.synopsis = std::move(synopsis);
    c.doc.syntax = std::move(syntax);
    c.run = [weak, run = std::move(run)](const std::vector<std::string>& args) {
      auto s = weak.lock();
      if (!s) return ConsoleResult{1, "The SIP stack is not running.\n"};
      return run(*s, args);
    };
    (void)engine.commands().add(std::move(c));
  };
  add("pjsip show endpoints", "List PJSIP Endpoints", "pjsip show endpoints [like <pattern>]",
      [](SipStack& s, const std::vector<std::string>& args) {
        auto cfg = s.config();
        std::string out =
            "\n Endpoint:  <Endpoint/CID.....................................>  <State.....>  <Channels.>\n"
            "    I/OAuth:  <AuthId/UserName...........................................................>\n"
            "        Aor:  <Aor............................................>  <MaxContact>\n"
            "      Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n"
            "    Channel:  <ChannelId......................................>  <State.....>  <Time.....>\n";
        out += kRule;
        std::size_t n = 0;
        for (const auto& [name, ep] : cfg->endpoints) {
          if (args.size() == 2 && args[0] == "like" && name.find(args[1]) == std::string::npos) continue;
          out += "\n" + endpoint_block(s, *cfg, *ep, false);
          ++n;
        }
        if (n == 0) return ConsoleResult{0, "\nNo objects found.\n\n"};
        out += "\nObjects found: " + std::to_string(n) + "\n";
        return ConsoleResult{0, out};
      });
  add("pjsip show endpoint", "Show PJSIP Endpoint", "pjsip show endpoint <id>",
      [](SipStack& s, const std::vector<std::string>& args) {
        if (args.empty()) return ConsoleResult{2, "Usage: pjsip show endpoint <id>\n"};
        auto cfg = s.config();
        auto ep = cfg->endpoint(args[0]);
        if (!ep) return ConsoleResult{1, "Unable to find object " + args[0] + ".\n\n"};
        return ConsoleResult{0, "\n" + endpoint_block(s, *cfg, *ep, true)};
      });
  add("pjsip show contacts", "List PJSIP Contacts", "pjsip show contacts", [](SipStack& s, const std::vector<std::string>&) {
    auto cfg = s.config();
    std::string out = "\n  Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n";
    out += kRule;
    std::size_t n = 0;
    for (const auto& [name, aor] : cfg->aors)
      for (const auto& b : s.registrar().contacts(*cfg, name)) {
        out += contact_line(b);
        ++n;
      }
    if (n == 0) return ConsoleResult{0, "\nNo objects found.\n\n"};
    return ConsoleResult{0, out + "\nObjects found: " + std::to_string(n) + "\n"};
  });
  add("pjsip show aors", "List PJSIP Aors", "pjsip show aors", [](SipStack& s, const std::vector<std::string>&) {
    auto cfg = s.config();
    std::string out = "\n      Aor:  <Aor..............................................>  <MaxContact>\n";
    out += kRule;
    for (const auto& [name, aor] : cfg->aors) {
      out += "\n      Aor:  " + pad(name, 53) + " " + std::to_string(aor.max_contacts) + "\n";
      for (const auto& b : s.registrar().contacts(*cfg, name)) out += "  " + contact_line(b);
    }
    if (cfg->aors.empty()) return ConsoleResult{0, "\nNo objects found.\n\n"};
    return ConsoleResult{0, out + "\nObjects found: " + std::to_string(cfg->aors.size()) + "\n"};
  });
  add("pjsip show auths", "List PJSIP Auths", "pjsip show auths", [](SipStack& s, const std::vector<std::string>&) {
    auto cfg = s.config();
    std::string out = "\n I/OAuth:  <AuthId/UserName.............................................................>\n";
    out += kRule;
    for (const auto& [name, a] : cfg->auths) out += "\n    Auth:  " + name + "/" + a.username + "\n";
    if (cfg->auths.empty()) return ConsoleResult{0, "\nNo objects found.\n\n"};
    return ConsoleResult{0, out + "\nObjects found: " + std::to_string(cfg->auths.size()) + "\n"};
  });
  add("pjsip show registrations", "List PJSIP Registrations", "pjsip show registrations",
      [](SipStack& s, const std::vector<std::string>&) {
        std::string out = "\n <Registration/ServerURI..............................>  <Auth....................>  <Status.......>\n";
        out += kRule;
        auto regs = s.registrations();
        for (const auto& r : regs) {
          const auto& o = r->options();
          std::string status = r->status();
          if (status == "Registered") status += " (exp. " + std::to_string(r->next_refresh()) + "s)";
          out += "\n " + pad(o.name + "/" + o.server_uri, 56) + " " + pad(o.outbound_auth, 26) + " " + status + "\n";
        }
        if (regs.empty()) return ConsoleResult{0, "\nNo objects found.\n\n"};
        return ConsoleResult{0, out + "\nObjects found: " + std::to_string(regs.size()) + "\n"};
      });
  add("pjsip show transports", "List PJSIP Transports", "pjsip show transports",
      [](SipStack& s, const std::vector<std::string>&) {
        std::string out = "\nTransport:  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress....................>\n";
        out += kRule;
        auto ts = s.transports();
        for (const auto& t : ts)
          out += "\nTransport:  " + pad(t->options().name, 22) + " " + pad(std::string(to_string(t->protocol())), 7) +
                 "  0      0  " + t->local().to_string() + "\n";
        if (ts.empty()) return ConsoleResult{0, "\nNo objects found.\n\n"};
        return ConsoleResult{0, out + "\nObjects found: " + std::to_string(ts.size()) + "\n"};
      });
  add("pjsip show channels", "List active PJSIP channels", "pjsip show channels",
      [](SipStack& s, const std::vector<std::string>&) {
        std::string out = "\n  Channel:  <ChannelId......................................>  <State.....>  <Time.....>\n";
        out += kRule;
        std::size_t n = 0;
        for (const auto& sess : s.sessions()) {
          auto i = sess->info();
          if (i.state == "Terminated") continue;
          out += "\n  Channel:  " + pad(i.channel, 49) + " " + pad(i.state, 12) + "\n";
          out += "    CallID: " + i.call_id + "  Peer: " + i.remote + "\n";
          ++n;
        }
        if (n == 0) return ConsoleResult{0, "\nNo objects found.\n\n"};
        return ConsoleResult{0, out + "\nObjects found: " + std::to_string(n) + "\n"};
      });
  add("pjsip set logger", "Enable/Disable PJSIP Logger Output", "pjsip set logger {on|off}",
      [](SipStack& s, const std::vector<std::string>& args) {
        if (args.size() != 1 || (args[0] != "on" && args[0] != "off"))
          return ConsoleResult{2, "Usage: pjsip set logger {on|off}\n"};
        s.set_message_logging(args[0] == "on");
        return ConsoleResult{0, args[0] == "on" ? "PJSIP Logging enabled\n" : "PJSIP Logging disabled\n"};
      });
  add("pjsip reload", "Reload res_pjsip, its transports excepted", "pjsip reload",
      [e = &engine](SipStack&, const std::vector<std::string>&) {
        return e->commands().execute("module reload res_pjsip");
      });
}

void unregister_sip_console(Engine& engine) {
  for (const char* c : {"pjsip show endpoints", "pjsip show endpoint", "pjsip show contacts", "pjsip show aors",
                        "pjsip show auths", "pjsip show registrations", "pjsip show transports", "pjsip show channels",
                        "pjsip set logger", "pjsip reload"})
    engine.commands().remove(c);
}

}  // namespace telephony::sip
