// Console commands about the running engine, shaped like Asterisk's (main/cli.c): `core show
// channels [concise|verbose|count]`, `core show channel <name>`, `core show calls [uptime
// [seconds]]`, `core show taskprocessors`, `core set verbose|debug`, `core reload`,
// `core restart now|gracefully|when convenient`.
#include <algorithm>
#include <cstdio>
#include <set>

#include "console_format.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/format.hpp"

namespace telephony {

namespace {

std::string count_of(long long n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); }

long long seconds_since(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - t).count();
}

// Asterisk counts a call per channel the PBX runs; we count distinct linkedids of live channels,
// which is the same for every call shape we have (a Local pair or a bridged pair is one call).
std::size_t active_calls(const std::vector<Channel::Ptr>& chans) {
  std::set<std::string> ids;
  for (const auto& c : chans) ids.insert(c->linkedid());
  return ids.size();
}

std::string call_summary(Engine& e, const std::vector<Channel::Ptr>& chans) {
  const auto calls = static_cast<long long>(active_calls(chans));
  std::string out;
  if (const auto max = e.options().max_channels) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%lld of %zu max active call%s (%5.2f%% of capacity)\n", calls, max,
                  calls == 1 ? "" : "s", 100.0 * static_cast<double>(calls) / static_cast<double>(max));
    out += buf;
  } else {
    out += count_of(calls, "active call") + "\n";
  }
  out += count_of(static_cast<long long>(e.calls_processed()), "call") + " processed\n";
  return out;
}

ConsoleResult show_channels(Engine& engine, const std::vector<std::string>& args) {
  const std::string mode = args.empty() ? "" : args[0];
  if (args.size() > 1 || (!mode.empty() && mode != "concise" && mode != "verbose" && mode != "count")) return {2, ""};
  std::string out;
  auto chans = engine.channels();
  if (mode.empty())
    out += cols({{"Channel", 64}, {"Location", 32}, {"State", 7}, {"Application(Data)", 30}}) + "\n";
  else if (mode == "verbose")
    out += cols({{"Channel", 80}, {"Context", 24}, {"Extension", 24}, {"Prio", 4}, {"State", 7}, {"Application", 12},
                 {"Data", 25}, {"CallerID", 15}, {"Duration", -8}, {"Accountcode", 11}, {"PeerAccount", 11},
                 {"BridgeID", 20}}) + "\n";
  if (mode != "count") {
    for (auto& c : chans) {
      const auto s = c->snapshot();
      const auto secs = seconds_since(s.created);
      if (mode == "concise") {
        out += s.name + "!" + s.context + "!" + s.exten + "!" + std::to_string(s.priority) + "!" +
               std::string(to_string(s.state)) + "!" + (s.application.empty() ? "(None)" : s.application) + "!" + s.data +
               "!" + s.caller.number + "!" + s.accountcode + "!!3!" + std::to_string(secs) + "!" + s.bridge_id + "!" +
               s.uniqueid + "\n";
      } else if (mode == "verbose") {
        char dur[32];
        std::snprintf(dur, sizeof dur, "%02lld:%02lld:%02lld", secs / 3600, (secs % 3600) / 60, secs % 60);
        out += cols({{s.name, 80}, {s.context, 24}, {s.exten, 24}, {std::to_string(s.priority), -4},
                     {std::string(to_string(s.state)), 7}, {s.application.empty() ? "(None)" : s.application, 12},
                     {s.data.empty() ? "(Empty)" : s.data, 25}, {s.caller.number, 15}, {dur, -8}, {s.accountcode, 11},
                     {"", 11}, {s.bridge_id, 20}}) + "\n";
      } else {
        const std::string loc =
            s.context.empty() || s.exten.empty() ? "(None)" : s.exten + "@" + s.context + ":" + std::to_string(s.priority);
        const std::string appdata = s.application.empty() ? "(None)" : s.application + "(" + s.data + ")";
        out += cols({{s.name, 64}, {loc, 32}, {std::string(to_string(s.state)), 7}, {appdata, 30}}) + "\n";
      }
    }
  }
  if (mode != "concise") out += count_of(static_cast<long long>(chans.size()), "active channel") + "\n" + call_summary(engine, chans);
  return {0, out};
}

std::string or_na(const std::string& s, const char* na = "(N/A)") { return s.empty() ? na : s; }

std::string format_list(const std::vector<media::Format>& fs) {
  std::string out = "(";
  for (std::size_t i = 0; i < fs.size(); ++i) out += (i ? "|" : "") + fs[i].name();
  return out + ")";
}

ConsoleResult show_channel(Engine& engine, const std::vector<std::string>& args) {
  if (args.size() != 1) return {2, ""};
  auto chan = engine.find_channel(args[0]);
  if (!chan) return {1, args[0] + " is not a known channel\n"};
  const auto s = chan->snapshot();
  const auto secs = seconds_since(s.created);
  const std::string elapsed =
      std::to_string(secs / 3600) + "h" + std::to_string((secs % 3600) / 60) + "m" + std::to_string(secs % 60) + "s";
  auto write_fmt = chan->write_format();
  auto read_fmt = chan->read_format();
  const auto native = chan->native_format();
  std::string out;
  auto row = [&](std::string_view label, const std::string& value) {
    std::string l(label);
    if (l.size() < 15) l.insert(0, 15 - l.size(), ' ');
    out += l + ": " + value + "\n";
  };
  out += " -- General --\n";
  row("Name", s.name);
  row("Type", std::string(chan->tech_name()));
  row("UniqueID", s.uniqueid);
  row("LinkedID", s.linkedid);
  row("Caller ID", or_na(s.caller.number));
  row("Caller ID Name", or_na(s.caller.name));
  row("Connected Line ID", or_na(s.connected.number));
  row("Connected Line ID Name", or_na(s.connected.name));
  row("DNID Digits", or_na(chan->variable("DNID").value_or("")));
  row("Language", s.language);
  row("State", std::string(to_string(s.state)) + " (" + std::to_string(static_cast<int>(s.state)) + ")");
  row("NativeFormats", format_list(chan->native_formats()));
  const bool wt = write_fmt.codec != media::Codec::None && !(write_fmt == native);
  const bool rt = read_fmt.codec != media::Codec::None && !(read_fmt == native);
  row("WriteFormat", write_fmt.codec == media::Codec::None ? native.name() : write_fmt.name());
  row("ReadFormat", read_fmt.codec == media::Codec::None ? native.name() : read_fmt.name());
  row("WriteTranscode", wt ? "Yes " + write_fmt.name() + "->" + native.name() : std::string("No"));
  row("ReadTranscode", rt ? "Yes " + native.name() + "->" + read_fmt.name() : std::string("No"));
  row("Elapsed Time", elapsed);
  row("Bridge ID", s.bridge_id.empty() ? "(Not bridged)" : s.bridge_id);
  out += " --   PBX   --\n";
  row("Context", s.context);
  row("Extension", s.exten);
  row("Priority", std::to_string(s.priority));
  row("Application", or_na(s.application));
  row("Data", s.data.empty() ? "(Empty)" : s.data);
  row("Call Identifier", s.linkedid.empty() ? "(None)" : s.linkedid);
  // Driver lines (RTP statistics, transport, peer address for SIP): ChannelTech::status_lines.
  const auto extra = chan->tech().status_lines(*chan);
  if (!extra.empty()) {
    out += " -- " + std::string(chan->tech_name()) + " --\n";
    for (const auto& [k, v] : extra) row(k, v);
  }
  out += "      Variables:\n";
  for (const auto& v : chan->variables()) out += v.name + "=" + v.value + "\n";
  return {0, out};
}

ConsoleResult show_calls(Engine& engine, const std::vector<std::string>& args) {
  bool uptime = false, seconds = false;
  if (!args.empty()) {
    if (args[0] != "uptime" || args.size() > 2 || (args.size() == 2 && args[1] != "seconds")) return {2, ""};
    uptime = true;
    seconds = args.size() == 2;
  }
  std::string out = call_summary(engine, engine.channels());
  if (uptime) {
    const auto up = seconds_since(engine.started_at());
    out += "System uptime: " + (seconds ? std::to_string(up) : describe_duration(up)) + "\n";
  }
  return {0, out};
}

ConsoleResult show_taskprocessors(Engine& engine, const std::vector<std::string>& args) {
  if (!args.empty()) return {2, ""};
  std::string out = cols({{"Processor", 70}, {"Processed", -10}, {"In Queue", -10}, {"Max Depth", -10},
                          {"Dropped", -10}, {"High water", -10}}) + "\n";
  std::size_t n = 0;
  for (const auto& s : engine.events().subscriber_stats()) {
    out += cols({{"eventbus/" + s.name, 70}, {std::to_string(s.delivered), -10}, {std::to_string(s.queued), -10},
                 {std::to_string(s.high_water), -10}, {std::to_string(s.dropped), -10}, {std::to_string(s.capacity), -10}}) +
           "\n";
    ++n;
  }
  for (const auto& q : engine.queue_reporters_snapshot()) {
    for (const auto& s : q()) {
      out += cols({{s.name, 70}, {std::to_string(s.delivered), -10}, {std::to_string(s.queued), -10},
                   {std::to_string(s.high_water), -10}, {std::to_string(s.dropped), -10}, {std::to_string(s.capacity), -10}}) +
             "\n";
      ++n;
    }
  }
  out += "\n" + std::to_string(n) + " taskprocessors\n";
  return {0, out};
}

ConsoleResult set_level(Engine& e, const std::vector<std::string>& args, bool verbose) {
  // core set verbose [atleast] <level> ; core set debug {off|[atleast] <level>}
  std::vector<std::string> a = args;
  bool atleast = false;
  if (!a.empty() && a[0] == "atleast") {
    atleast = true;
    a.erase(a.begin());
  }
  if (a.size() != 1) return {2, ""};
  int level = 0;
  if (!verbose && a[0] == "off") {
    level = 0;
  } else {
    char* end = nullptr;
    const long v = std::strtol(a[0].c_str(), &end, 10);
    if (a[0].empty() || *end != '\0' || v < 0 || v > 100) return {2, ""};
    level = static_cast<int>(v);
  }
  auto& log = e.log();
  const int old = verbose ? log.verbose_level() : log.debug_level();
  if (atleast && level < old) level = old;
  if (verbose) log.set_verbose(level);
  else log.set_debug(level);
  const char* what = verbose ? "Verbosity" : "Core debug";
  if (level == old) return {0, std::string(what) + " is at least " + std::to_string(old) + "\n"};
  if (!verbose && level == 0) return {0, "Core debug is now OFF\n"};
  return {0, std::string(what) + " was " + std::to_string(old) + " and is now " + std::to_string(level) + "\n"};
}

}  // namespace

void register_status_commands(Engine& engine) {
  Engine* e = &engine;
  auto add = [&](std::string command, Documentation doc, std::function<ConsoleResult(const std::vector<std::string>&)> fn) {
    (void)engine.commands().add(ConsoleCommand{std::move(command), std::move(doc), std::move(fn)});
  };
  add("core show channels",
      {"Display information on channels", "core show channels [concise|verbose|count]",
       "Lists the live channels: Channel, Location (exten@context:priority), State, Application(Data). 'concise' "
       "prints '!'-separated fields (Asterisk's order); 'verbose' adds caller id, duration and bridge; 'count' only "
       "the totals.",
       {}, {"core show channel", "core show calls"}},
      [e](const std::vector<std::string>& a) { return show_channels(*e, a); });
  (void)engine.commands().add(ConsoleCommand{
      "core show channel",
      {"Display information on a specific channel", "core show channel <channel>",
       "Shows the channel's identity, state, formats and translation paths, bridge, dialplan location, "
       "driver-specific lines (RTP statistics for SIP) and every variable.",
       {{"channel", "a channel name or uniqueid"}}, {"core show channels"}},
      [e](const std::vector<std::string>& a) { return show_channel(*e, a); },
      [e](const std::vector<std::string>& a) {
        std::vector<std::string> names;
        if (a.size() == 1)
          for (const auto& c : e->channels()) names.push_back(c->name());
        return names;
      }});
  add("core show calls",
      {"Display information on calls", "core show calls [uptime [seconds]]",
       "Prints the number of active calls and of calls processed since start; with 'uptime' the uptime too.", {},
       {"core show channels"}},
      [e](const std::vector<std::string>& a) { return show_calls(*e, a); });
  add("core show taskprocessors",
      {"Display the queues of the event bus and the AMI sessions", "core show taskprocessors",
       "One line per queue: every event-bus subscriber (AMI, CDR, metrics, ...) and every AMI session's write "
       "queue, with events processed, queued now, the deepest it has been, events dropped and its capacity.",
       {}, {}},
      [e](const std::vector<std::string>& a) { return show_taskprocessors(*e, a); });
  add("core set verbose",
      {"Set level of verbose messages", "core set verbose [atleast] <level>",
       "Sets the verbosity of the console and of log channels configured with plain 'verbose'.", {},
       {"core set debug", "logger show channels"}},
      [e](const std::vector<std::string>& a) { return set_level(*e, a, true); });
  add("core set debug",
      {"Set level of debug messages", "core set debug {off|[atleast] <level>}",
       "Sets the level of DEBUG messages that log channels with 'debug' receive.", {}, {"core set verbose"}},
      [e](const std::vector<std::string>& a) { return set_level(*e, a, false); });
  add("core reload",
      {"Global reload", "core reload",
       "Reloads every module from its configuration file (as 'module reload' with no name).", {}, {"module reload"}},
      [e](const std::vector<std::string>& a) {
        if (!a.empty()) return ConsoleResult{2, ""};
        return e->commands().execute("module reload");
      });
  auto restart = [e](Engine::StopMode mode, const char* text) {
    return [e, mode, text](const std::vector<std::string>& a) {
      if (!a.empty()) return ConsoleResult{2, ""};
      e->request_restart(mode);
      return ConsoleResult{0, text};
    };
  };
  add("core restart now", {"Restart telephonyd immediately", "core restart now",
                           "Hangs up every call and starts telephonyd again in the same process.", {}, {}},
      restart(Engine::StopMode::Now, "Restarting now\n"));
  add("core restart gracefully",
      {"Restart telephonyd gracefully", "core restart gracefully",
       "Refuses new calls at once and restarts telephonyd when the last channel is gone.", {}, {}},
      restart(Engine::StopMode::Gracefully, "Refusing new calls; restarting when the last channel is gone\n"));
  add("core restart when convenient",
      {"Restart telephonyd at empty call volume", "core restart when convenient",
       "Restarts when the last channel is gone; new calls are refused meanwhile (as 'gracefully').", {}, {}},
      restart(Engine::StopMode::Gracefully, "Restarting when the last channel is gone\n"));
}

}  // namespace telephony
