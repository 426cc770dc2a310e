#include "telephony/frame.hpp"

namespace telephony {

std::string_view to_string(Control c) {
  switch (c) {
    case Control::Hangup: return "Hangup";
    case Control::Ring: return "Ring";
    case Control::Ringing: return "Ringing";
    case Control::Answer: return "Answer";
    case Control::Busy: return "Busy";
    case Control::TakeOffHook: return "Take Off Hook";
    case Control::OffHook: return "Off Hook";
    case Control::Congestion: return "Congestion";
    case Control::Flash: return "Flash";
    case Control::Wink: return "Wink";
    case Control::Option: return "Option";
    case Control::RadioKey: return "Key Radio";
    case Control::RadioUnkey: return "Unkey Radio";
    case Control::Progress: return "Call Progress";
    case Control::Proceeding: return "Proceeding";
    case Control::Hold: return "Hold";
    case Control::Unhold: return "Unhold";
    case Control::SrcUpdate: return "Media Source Update";
    case Control::Transfer: return "Transfer";
    case Control::ConnectedLine: return "Connected Line";
    case Control::Redirecting: return "Redirecting";
    case Control::SrcChange: return "Media Source Change";
  }
  return "Unknown";
}

Frame Frame::voice(media::Format f, std::vector<std::uint8_t> bytes, std::uint32_t samples) {
  return voice(f, std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)), samples);
}

Frame Frame::voice(media::Format f, std::shared_ptr<const std::vector<std::uint8_t>> bytes,
                   std::uint32_t samples) {
  Frame fr;
  fr.kind = FrameKind::Voice;
  fr.format = f;
  fr.samples = samples;
  fr.payload = std::move(bytes);
  return fr;
}

Frame Frame::dtmf_begin(char digit) {
  Frame fr;
  fr.kind = FrameKind::DtmfBegin;
  fr.subclass = digit;
  return fr;
}

Frame Frame::dtmf_end(char digit, std::chrono::milliseconds held) {
  Frame fr;
  fr.kind = FrameKind::DtmfEnd;
  fr.subclass = digit;
  fr.duration = held;
  return fr;
}

Frame Frame::control(Control c) {
  Frame fr;
  fr.kind = FrameKind::Control;
  fr.subclass = static_cast<int>(c);
  return fr;
}

Frame Frame::text(std::string_view t) {
  Frame fr;
  fr.kind = FrameKind::Text;
  fr.payload = std::make_shared<const std::vector<std::uint8_t>>(t.begin(), t.end());
  return fr;
}

}  // namespace telephony
