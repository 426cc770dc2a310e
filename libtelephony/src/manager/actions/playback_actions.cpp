// ControlPlayback: steer a ControlPlayback() stream from AMI (media/playback_control.hpp).
#include "action_context.hpp"
#include "telephony/media/playback_control.hpp"

namespace telephony::manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

void control_playback(const ActionContextPtr& ctx, const ResponderPtr& r) {
  const std::string name(header(*r, "Channel"));
  const std::string control(header(*r, "Control"));
  if (name.empty()) return r->error("Channel not specified.");
  if (control.empty()) return r->error("Control not specified.");
  auto chan = ctx->engine.find_channel(name);
  if (!chan) return r->error("No such channel");
  auto keys = std::static_pointer_cast<media::PlaybackControlKeys>(chan->datastore(media::kPlaybackControlDatastore));
  if (!keys) return r->error("Channel is not playing a controllable stream (ControlPlayback)");
  const std::string* which = ami::iequals(control, "stop")      ? &keys->stop
                             : ami::iequals(control, "forward") ? &keys->forward
                             : ami::iequals(control, "reverse") ? &keys->reverse
                             : ami::iequals(control, "pause")   ? &keys->pause
                             : ami::iequals(control, "restart") ? &keys->restart
                                                                : nullptr;
  if (!which) return r->error("Unknown control type");
  if (which->empty()) return r->error("The playback has no key for '" + control + "'");
  // As if the caller pressed the key: the application reads one input.
  chan->queue_frame(Frame::dtmf_end((*which)[0], std::chrono::milliseconds(100)));
  r->success();
}

}  // namespace

void register_playback_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action("ControlPlayback", Privilege::Call,
                         ActionDoc{"Control the playback of a file being played to a channel.",
                                   "Steers a ControlPlayback() stream: the control is delivered as the key "
                                   "ControlPlayback was given for it (forward/reverse default # and *; stop, pause, "
                                   "restart only when configured).",
                                   {{"Channel", true, "The name of the channel that currently has a file being played back to it."},
                                    {"Control", true, "stop, forward, reverse, pause or restart."}},
                                   {"Playback", "ControlPlayback"}},
                         [ctx](ResponderPtr r) { control_playback(ctx, r); });
}

}  // namespace telephony::manager
