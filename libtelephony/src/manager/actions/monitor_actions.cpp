// MixMonitor, StopMixMonitor, MixMonitorMute and the Monitor family (Monitor, StopMonitor,
// ChangeMonitor, PauseMonitor, UnpauseMonitor) as aliases onto MixMonitor (media/mixmonitor.hpp).
// Answers and errors are Asterisk's app_mixmonitor / res_monitor texts. Start and stop answer
// once the files are open / closed, so a client that reads the file after StopMixMonitor's
// response finds it complete.
#include "action_context.hpp"
#include "recording/mixmonitor_control.hpp"
#include "telephony/media/mixmonitor.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

Channel::Ptr target_channel(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string name(header(*r, "Channel"));
  if (name.empty()) {
    r->error("No channel specified");
    return nullptr;
  }
  auto chan = ctx->engine.find_channel(name);
  if (!chan) r->error("No such channel");
  return chan;
}

void mixmonitor(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto chan = target_channel(ctx, r);
  if (!chan) return;
  auto parsed =
      media::parse_mixmonitor(header(*r, "File"), header(*r, "Options"), header(*r, "Command"),
                              ctx->engine.options().dirs.recordings);
  if (!parsed) {
    ctx->engine.log().warning("manager",
                              "MixMonitor on " + chan->name() + ": " + parsed.error().to_string());
    return r->error("Could not start monitoring channel");
  }
  chan->set_variable("MIXMONITOR_FILENAME", parsed->options.file.string());
  parsed->options.command =
      media::post_command_text(parsed->options.command, media::ChannelVariables(*chan));
  const std::string var = parsed->id_variable;
  Engine* engine = &ctx->engine;
  media::start_mixmonitor(
      chan, std::move(parsed->options), [r, chan, var, engine](Result<std::string> id) {
        if (!id) {
          engine->log().warning("manager",
                                "MixMonitor on " + chan->name() + ": " + id.error().to_string());
          return r->error("Could not start monitoring channel");
        }
        ami::Message m;
        m.add("Response", "Success");
        // Asterisk answers with the id only when i() named a variable for it.
        if (!var.empty()) {
          chan->set_variable(var, *id);
          m.add("MixMonitorID", *id);
        }
        r->send(std::move(m));
      });
}

void stop_mixmonitor(const ActionContextPtr& ctx, const ResponderPtr& r, std::string kind) {
  auto chan = target_channel(ctx, r);
  if (!chan) return;
  const std::string id(kind == "MixMonitor" ? header(*r, "MixMonitorID") : std::string_view());
  const bool monitor = kind == "Monitor";
  if (!media::stop_mixmonitor(chan, id, kind, [r, monitor] {
        monitor ? r->success("Stopped monitoring channel") : r->success();
      }))
    r->error("Could not stop monitoring channel");
}

void mixmonitor_mute(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string direction(header(*r, "Direction"));
  if (direction.empty()) return r->error("No direction specified. Must be read, write or both");
  const bool read = ami::iequals(direction, "read") || ami::iequals(direction, "both");
  const bool write = ami::iequals(direction, "write") || ami::iequals(direction, "both");
  if (!read && !write) return r->error("Invalid direction specified. Must be read, write or both");
  if (header(*r, "Channel").empty()) return r->error("No channel specified");
  const std::string state(header(*r, "State"));
  if (state.empty()) return r->error("No state specified");
  auto chan = target_channel(ctx, r);
  if (!chan) return;
  const bool on = header_true(*r, "State");
  const std::string id(header(*r, "MixMonitorID"));
  const int count = media::mute_mixmonitor(*chan, id, "MixMonitor", read, write, on);
  if (count == 0) return r->error("Cannot set mute flag");
  media::MixMonitorEvent ev;
  ev.name = "MixMonitorMute";
  ev.channel = chan->snapshot();
  ev.fields = {{"Direction", direction}, {"State", on ? "1" : "0"}};
  ctx->engine.events().emit(std::move(ev));
  r->success();
}

void monitor(const ActionContextPtr& ctx, const ResponderPtr& r) {
  auto chan = target_channel(ctx, r);
  if (!chan) return;
  media::MonitorRequest req;
  req.format = std::string(header(*r, "Format"));
  req.base = std::string(header(*r, "File"));
  req.default_base = chan->name();  // the channel's name with '/' as '-', as Asterisk's action
  for (auto& c : req.default_base)
    if (c == '/') c = '-';
  req.mix = header_true(*r, "Mix");
  Engine* engine = &ctx->engine;
  media::start_monitor(chan, std::move(req), [r, engine, chan](Result<std::string> started) {
    if (!started) {
      engine->log().warning("manager",
                            "Monitor on " + chan->name() + ": " + started.error().to_string());
      return r->error("Could not start monitoring channel");
    }
    r->success("Started monitoring channel");
  });
}

void change_monitor(const ActionContextPtr& ctx, const ResponderPtr& r) {
  if (header(*r, "Channel").empty()) return r->error("No channel specified");
  const std::string file(header(*r, "File"));
  if (file.empty()) return r->error("No filename specified");
  auto chan = target_channel(ctx, r);
  if (!chan) return;
  if (!media::rename_mixmonitor(*chan, "Monitor",
                                media::recording_path(file, ctx->engine.options().dirs.recordings)))
    return r->error("Could not change monitored filename of channel");
  r->success("Changed monitor filename");
}

void pause_monitor(const ActionContextPtr& ctx, const ResponderPtr& r, bool pause) {
  auto chan = target_channel(ctx, r);
  if (!chan) return;
  media::pause_mixmonitor(*chan, "Monitor",
                          pause);  // acknowledged even when not monitored, as Asterisk
  r->success(pause ? "Paused monitoring of the channel" : "Unpaused monitoring of the channel");
}

ActionArgument channel_param(std::string what) { return {"Channel", true, std::move(what)}; }

}  // namespace

void register_monitor_actions(Server& server, const ActionContextPtr& ctx) {
  // Asterisk's classes: MixMonitor needs system, StopMixMonitor/MixMonitorMute system+call,
  // the Monitor family call.
  const PrivilegeSet system = Privilege::System;
  const PrivilegeSet system_call = Privilege::System | Privilege::Call;
  const PrivilegeSet call = Privilege::Call;
  server.register_action(
      "MixMonitor", system,
      ActionDoc{"Record a call and mix the audio during the recording.",
                "Records the channel as the MixMonitor application does (File, Options, Command as "
                "its three "
                "arguments) and answers once the files are open. MIXMONITOR_FILENAME is set on the "
                "channel; "
                "MixMonitorID is in the answer when Options has i(var).",
                {channel_param("Used to specify the channel to record."),
                 {"File", false,
                  "The file name (relative: in the monitor directory); may be empty with r()/t()."},
                 {"Options", false, "The MixMonitor application's options."},
                 {"Command", false, "Run when the recording is over; ^{X} becomes ${X} at start."}},
                {"StopMixMonitor", "MixMonitorMute", "MixMonitor"}},
      [ctx](ResponderPtr r) { mixmonitor(ctx, r); });
  server.register_action(
      "StopMixMonitor", system_call,
      ActionDoc{"Stop recording a call through MixMonitor, and free the recording's file handle.",
                "Stops the MixMonitor with MixMonitorID (or the newest one of the channel) and "
                "answers once its files "
                "are closed.",
                {channel_param("The name of the channel monitored."),
                 {"MixMonitorID", false,
                  "If a valid ID is provided, then this command will stop only that specific "
                  "MixMonitor."}},
                {"MixMonitor"}},
      [ctx](ResponderPtr r) { stop_mixmonitor(ctx, r, "MixMonitor"); });
  server.register_action(
      "MixMonitorMute", system_call,
      ActionDoc{
          "Mute / unMute a Mixmonitor recording.",
          "The muted direction is recorded as silence of the same length (the recording keeps its "
          "timing). "
          "Raises MixMonitorMute.",
          {channel_param("Used to specify the channel to mute."),
           {"Direction", true, "read, write or both (from the channel, to the channel, both)."},
           {"State", true, "1 to mute, 0 to unmute."},
           {"MixMonitorID", false,
            "Only this MixMonitor (default: every MixMonitor of the channel)."}},
          {"MixMonitor"}},
      [ctx](ResponderPtr r) { mixmonitor_mute(ctx, r); });
  server.register_action(
      "Monitor", call,
      ActionDoc{
          "Monitor a channel.",
          "An alias onto MixMonitor: File-in.Format and File-out.Format in the monitor directory, "
          "or one mixed "
          "File.Format with Mix: true.",
          {channel_param("Used to specify the channel to record."),
           {"File", false,
            "Is the name of the file created in the monitor spool directory. Defaults to the same "
            "name as the channel (with slashes replaced with dashes)."},
           {"Format", false, "Is the audio recording format. Defaults to wav."},
           {"Mix", false,
            "Boolean parameter as to whether to mix the input and output channels together."}},
          {"StopMonitor", "ChangeMonitor", "PauseMonitor", "UnpauseMonitor", "MixMonitor"}},
      [ctx](ResponderPtr r) { monitor(ctx, r); });
  server.register_action(
      "StopMonitor", call,
      ActionDoc{"Stop monitoring a channel.",
                "Ends a Monitor (action or application); answers once the files are closed.",
                {channel_param("The name of the channel monitored.")},
                {"Monitor"}},
      [ctx](ResponderPtr r) { stop_mixmonitor(ctx, r, "Monitor"); });
  server.register_action(
      "ChangeMonitor", call,
      ActionDoc{
          "Change monitoring filename of a channel.",
          "The Monitor files take the new name (with -in/-out and the format) when closed.",
          {channel_param("Used to specify the channel to record."),
           {"File", true, "Is the new name of the file created in the monitor spool directory."}},
          {"Monitor"}},
      [ctx](ResponderPtr r) { change_monitor(ctx, r); });
  server.register_action("PauseMonitor", call,
                         ActionDoc{"Pause monitoring of a channel.",
                                   "Nothing is written until UnpauseMonitor.",
                                   {channel_param("Used to specify the channel to record.")},
                                   {"UnpauseMonitor", "Monitor"}},
                         [ctx](ResponderPtr r) { pause_monitor(ctx, r, true); });
  server.register_action("UnpauseMonitor", call,
                         ActionDoc{"Unpause monitoring of a channel.",
                                   "Monitor writes again after PauseMonitor.",
                                   {channel_param("Used to specify the channel to record.")},
                                   {"PauseMonitor", "Monitor"}},
                         [ctx](ResponderPtr r) { pause_monitor(ctx, r, false); });
}

}  // namespace telephony::manager
