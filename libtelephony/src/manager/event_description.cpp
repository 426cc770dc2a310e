// describe_event(): the manager's engine-event mapping (events.cpp) for consumers other than AMI.
#include "telephony/manager/event_description.hpp"

#include "engine_events.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::manager {

DescribedEvent describe_event(const Event& ev) {
  DescribedEvent out;
  if (auto mapped = map_engine_event(ev)) {
    out.name = std::string(mapped->message.event());
    out.ami = true;
    out.fields = std::move(mapped->message);
    return out;
  }
  out.name = std::string(ev.type());
  out.fields.add("Event", out.name);
  if (auto* lost = ev.as<EventsLost>()) {
    out.fields.add("Count", std::to_string(lost->count));
  } else if (auto* c = dynamic_cast<const ChannelEvent*>(&ev)) {
    add_channel_snapshot(out.fields, c->channel);
    if (auto* p = ev.as<PlaybackStarted>()) out.fields.add("Prompt", p->prompt).add("Path", p->path);
  }
  return out;
}

}  // namespace telephony::manager
