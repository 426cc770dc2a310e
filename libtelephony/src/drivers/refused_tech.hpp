// Internal: the channel a driver returns when the device exists but cannot take the call (a busy
// DAHDI line, a console already in a call). Calling it reports Busy (or Congestion) and hangs up
// with the matching cause, so Dial() sets DIALSTATUS=BUSY/CONGESTION as Asterisk does — the
// driver API has no way to fail a request with a cause.
#pragma once

#include "telephony/channel.hpp"

namespace telephony {

class RefusedTech : public ChannelTech {
 public:
  RefusedTech(Control c, HangupCause cause, media::Format format = media::Format::ulaw())
      : control_(c), cause_(cause), format_(format) {}
  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override {
    chan.queue_frame(Frame::control(control_));
    chan.set_hangup_cause(cause_);
    chan.request_hangup(cause_);
    return {};
  }
  std::vector<media::Format> native_formats() const override { return {format_}; }

 private:
  Control control_;
  HangupCause cause_;
  media::Format format_;
};

}  // namespace telephony
