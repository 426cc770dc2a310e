// AGI console commands: `agi show commands [topic …]`, `agi set debug on|off`, `agi exec`.
#include <strings.h>

#include <cstdio>

#include "agi/agi_command.hpp"
#include "agi/agi_session.hpp"
#include "telephony/agi/agi.hpp"
#include "telephony/engine.hpp"

namespace telephony::agi {

namespace {

std::string listing(const std::vector<const AgiCommand*>& cmds) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%5.5s %30.30s   %s\n", "Dead", "Command", "Description");
  out += buf;
  for (const auto* c : cmds) {
    std::snprintf(buf, sizeof buf, "%5.5s %30.30s   ", c->runs_dead ? "Yes" : "No", agi_command_name(*c).c_str());
    out += buf;
    out += c->doc.synopsis.empty() ? std::string("Not available") : c->doc.synopsis;
    out += '\n';
  }
  return out;
}

const AgiCommand* exact_command(const std::vector<std::string>& words) {
  for (const auto& c : agi_commands()) {
    if (c.words.size() != words.size()) continue;
    bool same = true;
    for (std::size_t i = 0; same && i < words.size(); ++i) same = strcasecmp(c.words[i].c_str(), words[i].c_str()) == 0;
    if (same) return &c;
  }
  return nullptr;
}

ConsoleResult show_commands(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::vector<const AgiCommand*> all;
    for (const auto& c : agi_commands()) all.push_back(&c);
    return {0, listing(all)};
  }
  if (strcasecmp(args[0].c_str(), "topic") != 0 || args.size() < 2) return {2, ""};
  const std::vector<std::string> words(args.begin() + 1, args.end());
  std::string name;
  for (const auto& w : words) name += (name.empty() ? "" : " ") + w;
  if (const auto* c = exact_command(words)) {
    std::string out = render_help("AGI", name, c->doc);
    out += "[Runs Dead]\n" + std::string(c->runs_dead ? "Yes" : "No") + "\n\n";
    return {0, out};
  }
  auto matches = agi_commands_with_prefix(words);
  if (!matches.empty()) return {0, listing(matches)};
  return {1, "No such command '" + name + "'.\n"};
}

}  // namespace

void register_agi_console_commands(Engine& engine, const std::shared_ptr<AgiService>& service) {
  std::weak_ptr<AgiService> weak = service;
  (void)engine.commands().add(ConsoleCommand{
      "agi show commands",
      Documentation{"List AGI commands or specific help",
                    "agi show commands [topic] <topic>",
                    "Without a topic, lists every AGI command with whether it runs on a dead (hung-up) channel. With "
                    "`topic` and a command (\"agi show commands topic stream file\") shows that command's usage; a "
                    "partial command lists the commands it starts.",
                    {{"topic", "the command words"}},
                    {"agi set debug"}},
      show_commands});
  (void)engine.commands().add(ConsoleCommand{
      "agi set debug",
      Documentation{"Enable/Disable AGI debugging",
                    "agi set debug [on|off]",
                    "Logs every AGI line sent (Tx >>) and received (Rx <<), per channel, at VERBOSE.",
                    {{"on|off", "enable or disable"}},
                    {"agi show commands"}},
      [weak](const std::vector<std::string>& args) -> ConsoleResult {
        auto svc = weak.lock();
        if (!svc || args.size() != 1) return {2, ""};
        if (strncasecmp(args[0].c_str(), "off", 3) == 0) svc->debug = false;
        else if (strncasecmp(args[0].c_str(), "on", 2) == 0) svc->debug = true;
        else return {2, ""};
        return {0, std::string("AGI Debugging ") + (svc->debug ? "Enabled" : "Disabled") + "\n"};
      }});
  Engine* e = &engine;
  (void)engine.commands().add(ConsoleCommand{
      "agi exec",
      Documentation{"Add AGI command to a channel in Async AGI",
                    "agi exec <channel name> <app and arguments> [id]",
                    "Queues an AGI command (quote it) for a channel running AGI(agi:async), as the AMI AGI action "
                    "does; the result comes as an AsyncAGIExec event with the id as CommandId.",
                    {{"channel name", "the channel"}, {"app and arguments", "the AGI command line"},
                     {"id", "CommandId of the result event"}},
                    {"AGI"}},
      [e](const std::vector<std::string>& args) -> ConsoleResult {
        if (args.size() < 2) return {2, ""};
        auto r = queue_async_agi_command(*e, args[0], args[1], args.size() > 2 ? args[2] : std::string());
        if (!r) return {1, r.error().message + "\n"};
        return {0, ""};
      }});
}

}  // namespace telephony::agi
