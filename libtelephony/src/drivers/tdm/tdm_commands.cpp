// `dahdi ...` console commands, in chan_dahdi's output shapes (column widths and field names),
// so scripts that parse `asterisk -rx "dahdi show channels"` keep working.
#include <cstdio>
#include <optional>

#include "module_state.hpp"
#include "telephony/console.hpp"

namespace telephony::tdm {

namespace {

std::string fmt(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

constexpr const char* kLbo[] = {"0 db (CSU)/0-133 feet (DSX-1)", "133-266 feet (DSX-1)", "266-399 feet (DSX-1)",
                                "399-533 feet (DSX-1)",          "533-655 feet (DSX-1)", "-7.5db (CSU)",
                                "-15db (CSU)",                   "-22.5db (CSU)"};

// A channel number argument, or nullopt (the caller shows the usage).
std::optional<int> number_arg(const std::string& text) {
  try {
    std::size_t used = 0;
    const int n = std::stoi(text, &used);
    if (used == text.size()) return n;
  } catch (...) {
  }
  return std::nullopt;
}

ConsoleResult not_running() { return {1, "No DAHDI channels are configured (chan_dahdi is not loaded).\n"}; }

ConsoleResult show_channels(const std::shared_ptr<TdmState>& state, const std::vector<std::string>& args) {
  if (!(args.empty() || args.size() == 2)) return {2, ""};
  auto system = state->current();
  if (!system) return not_running();
  std::uint64_t group_mask = 0;
  std::string context;
  if (args.size() == 2) {
    if (args[0] == "group") {
      const auto g = number_arg(args[1]);
      if (!g || *g < 0 || *g > 63) return {2, ""};
      group_mask = std::uint64_t{1} << *g;
    } else if (args[0] == "context") {
      context = args[1];
    } else {
      return {2, ""};
    }
  }
  const char* f2 = "%7s %4s %-20.20s %-10.10s %-15.15s %-8.8s %-20.20s %-10.10s %-10.10s %-12.12s %-32.32s\n";
  const char* f = "%7s %4d %-20.20s %-10.10s %-15.15s %-8.8s %-20.20s %-10.10s %-10.10s %-12.12s %-32.32s\n";
  std::string out = fmt(f2, "Chan", "Span", "Signalling", "Extension", "Context", "Language", "MOH Interpret", "Blocked",
                        "In Service", "Alarms", "Description");
  for (const auto& line : system->lines()) {
    auto cfg = line->config();
    const auto& s = cfg->settings;
    if (group_mask && !(s.group & group_mask)) continue;
    if (!context.empty() && s.context != context) continue;
    const auto st = line->status();
    out += fmt(f, std::to_string(line->number()).c_str(), cfg->span, std::string(signalling_description(cfg->signalling)).c_str(),
               st.dialed.c_str(), s.context.c_str(), s.language.c_str(), s.mohinterpret.c_str(), "",
               st.in_alarm ? "No" : "Yes", system->alarm_of(*line).c_str(), s.description.c_str());
  }
  return {0, out};
}

ConsoleResult show_channel(const std::shared_ptr<TdmState>& state, const std::vector<std::string>& args) {
  if (args.size() != 1) return {2, ""};
  auto system = state->current();
  if (!system) return not_running();
  const auto number = number_arg(args[0]);
  if (!number) return {2, ""};
  const int n = *number;
  auto line = system->line(n);
  if (!line) return {1, fmt("Unable to find given channel %d\n", n)};
  auto cfg = line->config();
  const auto& s = cfg->settings;
  const auto st = line->status();
  auto span = system->spans()[static_cast<std::size_t>(cfg->span - 1)];
  const auto stats = soft_channel_stats(*span, static_cast<std::size_t>(n - system->plan().spans[static_cast<std::size_t>(cfg->span - 1)].first_channel));
  std::string out;
  out += fmt("Channel: %d\n", n);
  out += "Description: " + s.description + "\n";
  out += "Port: " + line->port().describe() + "\n";
  out += fmt("Span: %d\n", cfg->span);
  out += "Extension: " + st.dialed + "\n";
  out += fmt("Dialing: %s\n", st.dialing ? "yes" : "no");
  out += "Context: " + s.context + "\n";
  out += "Caller ID: " + s.callerid.number + "\n";
  out += "Calling TON: 0\n";
  out += "Caller ID name: " + s.callerid.name + "\n";
  out += "Mailbox: " + (s.mailbox.empty() ? std::string("none") : s.mailbox) + "\n";
  if (!s.setvar.empty()) {
    out += "Variables:\n";
    for (const auto& [k, v] : s.setvar) out += "       " + k + " = " + v + "\n";
  }
  out += fmt("InAlarm: %d\n", st.in_alarm ? 1 : 0);
  out += "Signalling Type: " + std::string(signalling_description(cfg->signalling)) + (cfg->em_wink ? " (wink start)" : "") + "\n";
  out += "Owner: " + (st.owner.empty() ? std::string("<None>") : st.owner) + "\n";
  out += "Line State: " + std::string(to_string(st.state)) + "\n";
  out += fmt("Busy Detection: %s\n", s.busydetect ? "yes" : "no");
  if (s.busydetect) {
    out += fmt("    Busy Count: %d\n", s.busycount);
    const auto& p = s.busypattern;
    out += fmt("    Busy Pattern: %d,%d,%d,%d\n", p.size() > 0 ? p[0] : 0, p.size() > 1 ? p[1] : 0, p.size() > 3 ? p[2] : 0,
               p.size() > 3 ? p[3] : 0);
  }
  out += fmt("Call Progress: %s\n", s.callprogress ? "yes" : "no");
  out += fmt("Relax DTMF: %s\n", s.relaxdtmf ? "yes" : "no");
  out += "Default law: " + std::string(to_string(cfg->law)) + "\n";
  out += "Tone zone: " + cfg->zone.country + "\n";
  out += fmt("SW Gains (RX/TX): %.2f/%.2f\n", s.rxgain, s.txgain);
  out += fmt("DND: %s\n", st.dnd ? "yes" : "no");
  out += "Echo Cancellation:\n\t" + (cfg->echocanceller.empty() ? std::string("none") : cfg->echocanceller) + "\n";
  out += fmt("Wait for dialtone: %dms\n", s.waitfordialtone);
  out += fmt("Hookstate (FXS only): %s\n", st.off_hook ? "Offhook" : "Onhook");
  out += fmt("Calls: %llu\n", static_cast<unsigned long long>(st.calls));
  if (!stats.peer.empty() || stats.rx_messages)
    out += fmt("Wire: peer %s, %llu received, %llu rejected, %llu dropped on send\n", stats.peer.c_str(),
               static_cast<unsigned long long>(stats.rx_messages), static_cast<unsigned long long>(stats.rx_rejected),
               static_cast<unsigned long long>(stats.tx_dropped));
  return {0, out};
}

ConsoleResult show_status(const std::shared_ptr<TdmState>& state) {
  auto system = state->current();
  if (!system) return {1, "No DAHDI found. chan_dahdi is not loaded.\n"};
  const char* f2 = "%4s %-40.40s %-7.7s %-6.6s %-6.6s %-6.6s %-3.3s %-4.4s %-8.8s %s\n";
  const char* f = "%4d %-40.40s %-7.7s %-6d %-6d %-6d %-3.3s %-4.4s %-8.8s %s\n";
  std::string out = fmt(f2, "Span", "Description", "Alarms", "IRQ", "bpviol", "CRC", "Framing", "Coding", "Options", "LBO");
  for (const auto& span : system->spans())
    out += fmt(f, span->number(), span->description().c_str(), span->alarm_text().c_str(), 0, 0, 0, span->framing.c_str(),
               span->coding.c_str(), "", kLbo[0]);
  return {0, out};
}

ConsoleResult show_cadences(const std::shared_ptr<TdmState>& state) {
  auto system = state->current();
  if (!system) return not_running();
  std::string out;
  if (system->lines().empty()) return {0, out};
  const auto& cadences = system->lines().front()->config()->cadences;
  for (std::size_t i = 0; i < cadences.size(); ++i) {
    out += fmt("r%zu: ", i + 1);
    for (std::size_t j = 0; j < cadences[i].pattern.size(); ++j)
      out += (j ? "," : "") + std::to_string(cadences[i].pattern[j]);
    out += fmt("  (caller ID after ring %d)\n", cadences[i].cid_after_ring);
  }
  return {0, out};
}

ConsoleResult set_dnd(const std::shared_ptr<TdmState>& state, const std::vector<std::string>& args) {
  if (args.size() != 2) return {2, ""};
  auto system = state->current();
  if (!system) return not_running();
  const auto number = number_arg(args[0]);
  if (!number) return {2, ""};
  const int n = *number;
  auto line = system->line(n);
  if (!line) return {1, fmt("No such DAHDI channel %d\n", n)};
  const bool on = config::is_true_word(args[1]) || args[1] == "enable";
  if (!on && !config::is_false_word(args[1]) && args[1] != "disable") return {2, ""};
  line->set_dnd(on);
  return {0, fmt("%s DND on channel %d\n", on ? "Enabled" : "Disabled", n)};
}

const char* kCommands[] = {"dahdi show channels", "dahdi show channel", "dahdi show status", "dahdi show cadences",
                           "dahdi show version",  "dahdi restart",      "dahdi set dnd"};

}  // namespace

void register_dahdi_commands(Engine& engine, const std::shared_ptr<TdmState>& state, TdmModule& module) {
  auto& cmds = engine.commands();
  (void)cmds.add({"dahdi show channels",
                  {.synopsis = "Show active DAHDI channels",
                   .syntax = "dahdi show channels [ group <group> | context <context> ]",
                   .description = "Shows a list of available channels with optional filtering\n"
                                  "<group> must be a number between 0 and 63"},
                  [state](const std::vector<std::string>& a) { return show_channels(state, a); }});
  (void)cmds.add({"dahdi show channel",
                  {.synopsis = "Show information on a channel",
                   .syntax = "dahdi show channel <chan num>",
                   .description = "Detailed information about a given channel"},
                  [state](const std::vector<std::string>& a) { return show_channel(state, a); }});
  (void)cmds.add({"dahdi show status",
                  {.synopsis = "Show all DAHDI cards status",
                   .syntax = "dahdi show status",
                   .description = "Shows a list of DAHDI spans with status (alarms, framing, coding)"},
                  [state](const std::vector<std::string>&) { return show_status(state); }});
  (void)cmds.add({"dahdi show cadences",
                  {.synopsis = "List cadences",
                   .syntax = "dahdi show cadences",
                   .description = "Shows all cadences currently defined (distinctive ring r1, r2 ...)"},
                  [state](const std::vector<std::string>&) { return show_cadences(state); }});
  (void)cmds.add({"dahdi show version",
                  {.synopsis = "Show the DAHDI version in use", .syntax = "dahdi show version"},
                  [state](const std::vector<std::string>&) {
                    auto inv = probe_kernel();
                    return ConsoleResult{0, std::string("DAHDI Version: libtelephony TDM driver (software spans loc, sock") +
                                                (inv.available ? "; kernel DAHDI present" : "") + ") Echo Canceller: none\n"};
                  }});
  (void)cmds.add({"dahdi restart",
                  {.synopsis = "Fully restart DAHDI channels",
                   .syntax = "dahdi restart",
                   .description = "Restarts the DAHDI channels: destroys them all (hanging up their calls) and then "
                                  "re-reads the configuration."},
                  [&module](const std::vector<std::string>&) {
                    auto r = module.restart();
                    if (!r) return ConsoleResult{1, r.error().to_string() + "\n"};
                    return ConsoleResult{0, ""};
                  }});
  (void)cmds.add({"dahdi set dnd",
                  {.synopsis = "Sets/resets DND (Do Not Disturb) mode on a DAHDI channel",
                   .syntax = "dahdi set dnd <chan#> <on|off>",
                   .description = "Sets/resets DND (Do Not Disturb) mode on a DAHDI channel.\n"
                                  "Changes take effect immediately. A channel in DND refuses calls (busy)."},
                  [state](const std::vector<std::string>& a) { return set_dnd(state, a); }});
}

void unregister_dahdi_commands(Engine& engine) {
  for (const char* c : kCommands) engine.commands().remove(c);
}

}  // namespace telephony::tdm
