// Q.850 cause names/texts (Asterisk's AST_CAUSE_* table), caller-id text, device-state names.
#include <strings.h>

#include <charconv>

#include "telephony/channel.hpp"
#include "telephony/driver.hpp"

namespace telephony {

namespace {
struct CauseRow {
  HangupCause cause;
  std::string_view name;
  std::string_view text;
};
constexpr CauseRow kCauses[] = {
    {HangupCause::Unallocated, "UNALLOCATED", "Unallocated (unassigned) number"},
    {HangupCause::NoRouteTransitNet, "NO_ROUTE_TRANSIT_NET", "No route to specified transmit network"},
    {HangupCause::NoRouteDestination, "NO_ROUTE_DESTINATION", "No route to destination"},
    {HangupCause::ChannelUnacceptable, "CHANNEL_UNACCEPTABLE", "Channel unacceptable"},
    {HangupCause::CallAwardedDelivered, "CALL_AWARDED_DELIVERED", "Call awarded and being delivered in an established channel"},
    {HangupCause::NormalClearing, "NORMAL_CLEARING", "Normal Clearing"},
    {HangupCause::UserBusy, "USER_BUSY", "User busy"},
    {HangupCause::NoUserResponse, "NO_USER_RESPONSE", "No user responding"},
    {HangupCause::NoAnswer, "NO_ANSWER", "User alerting, no answer"},
    {HangupCause::SubscriberAbsent, "SUBSCRIBER_ABSENT", "Subscriber absent"},
    {HangupCause::CallRejected, "CALL_REJECTED", "Call Rejected"},
    {HangupCause::NumberChanged, "NUMBER_CHANGED", "Number changed"},
    {HangupCause::RedirectedToNewDestination, "REDIRECTED_TO_NEW_DESTINATION", "Redirected to new destination"},
    {HangupCause::AnsweredElsewhere, "ANSWERED_ELSEWHERE", "Answered elsewhere"},
    {HangupCause::DestinationOutOfOrder, "DESTINATION_OUT_OF_ORDER", "Destination out of order"},
    {HangupCause::InvalidNumberFormat, "INVALID_NUMBER_FORMAT", "Invalid number format"},
    {HangupCause::FacilityRejected, "FACILITY_REJECTED", "Facility rejected"},
    {HangupCause::ResponseToStatusEnquiry, "RESPONSE_TO_STATUS_ENQUIRY", "Response to STATus ENQuiry"},
    {HangupCause::NormalUnspecified, "NORMAL_UNSPECIFIED", "Normal, unspecified"},
    {HangupCause::NormalCircuitCongestion, "NORMAL_CIRCUIT_CONGESTION", "Circuit/channel congestion"},
    {HangupCause::NetworkOutOfOrder, "NETWORK_OUT_OF_ORDER", "Network out of order"},
    {HangupCause::NormalTemporaryFailure, "NORMAL_TEMPORARY_FAILURE", "Temporary failure"},
    {HangupCause::SwitchCongestion, "SWITCH_CONGESTION", "Switching equipment congestion"},
    {HangupCause::AccessInfoDiscarded, "ACCESS_INFO_DISCARDED", "Access information discarded"},
    {HangupCause::RequestedChanUnavail, "REQUESTED_CHAN_UNAVAIL", "Requested channel not available"},
    {HangupCause::FacilityNotSubscribed, "FACILITY_NOT_SUBSCRIBED", "Facility not subscribed"},
    {HangupCause::OutgoingCallBarred, "OUTGOING_CALL_BARRED", "Outgoing call barred"},
    {HangupCause::IncomingCallBarred, "INCOMING_CALL_BARRED", "Incoming call barred"},
    {HangupCause::BearerCapabilityNotAuth, "BEARERCAPABILITY_NOTAUTH", "Bearer capability not authorized"},
    {HangupCause::BearerCapabilityNotAvail, "BEARERCAPABILITY_NOTAVAIL", "Bearer capability not available"},
    {HangupCause::BearerCapabilityNotImpl, "BEARERCAPABILITY_NOTIMPL", "Bearer capability not implemented"},
    {HangupCause::ChanNotImplemented, "CHAN_NOT_IMPLEMENTED", "Channel not implemented"},
    {HangupCause::FacilityNotImplemented, "FACILITY_NOT_IMPLEMENTED", "Facility not implemented"},
    {HangupCause::InvalidCallReference, "INVALID_CALL_REFERENCE", "Invalid call reference value"},
    {HangupCause::IncompatibleDestination, "INCOMPATIBLE_DESTINATION", "Incompatible destination"},
    {HangupCause::InvalidMsgUnspecified, "INVALID_MSG_UNSPECIFIED", "Invalid message unspecified"},
    {HangupCause::MandatoryIeMissing, "MANDATORY_IE_MISSING", "Mandatory information element is missing"},
    {HangupCause::MessageTypeNonexist, "MESSAGE_TYPE_NONEXIST", "Message type nonexist."},
    {HangupCause::WrongMessage, "WRONG_MESSAGE", "Wrong message"},
    {HangupCause::IeNonexist, "IE_NONEXIST", "Info. element nonexist or not implemented"},
    {HangupCause::InvalidIeContents, "INVALID_IE_CONTENTS", "Invalid information element contents"},
    {HangupCause::WrongCallState, "WRONG_CALL_STATE", "Message not compatible with call state"},
    {HangupCause::RecoveryOnTimerExpire, "RECOVERY_ON_TIMER_EXPIRE", "Recover on timer expiry"},
    {HangupCause::MandatoryIeLengthError, "MANDATORY_IE_LENGTH_ERROR", "Mandatory IE length error"},
    {HangupCause::ProtocolError, "PROTOCOL_ERROR", "Protocol error, unspecified"},
    {HangupCause::Interworking, "INTERWORKING", "Interworking, unspecified"},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::string_view cause_text(HangupCause c) {
  for (const auto& r : kCauses)
    if (r.cause == c) return r.text;
  return "Unknown";
}

std::string_view cause_name(HangupCause c) {
  for (const auto& r : kCauses)
    if (r.cause == c) return r.name;
  return "NOTDEFINED";
}

std::optional<HangupCause> cause_from_name(std::string_view name) {
  name = trim(name);
  int n = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec == std::errc() && p == name.data() + name.size()) {
    if (n < 0 || n > 127) return std::nullopt;
    return static_cast<HangupCause>(n);
  }
  for (const auto& r : kCauses)
    if (r.name.size() == name.size() && ::strncasecmp(r.name.data(), name.data(), name.size()) == 0)
      return r.cause;
  return std::nullopt;
}

CallerId CallerId::parse(std::string_view text) {
  CallerId c;
  text = trim(text);
  auto lt = text.rfind('<');
  auto gt = text.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
    c.number = std::string(trim(text.substr(lt + 1, gt - lt - 1)));
    auto name = trim(text.substr(0, lt));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    c.name = std::string(name);
    return c;
  }
  // No brackets: digits-like text is a number, anything else a name (ast_callerid_parse).
  bool numberish = !text.empty();
  for (char ch : text)
    if (!(std::isdigit(static_cast<unsigned char>(ch)) || ch == '+' || ch == '*' || ch == '#' || ch == '-' ||
          ch == '(' || ch == ')' || ch == ' ' || ch == '.'))
      numberish = false;
  if (numberish) {
    c.number = std::string(text);
  } else {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
    c.name = std::string(text);
  }
  return c;
}

std::string CallerId::to_string() const {
  if (name.empty()) return number.empty() ? std::string() : "<" + number + ">";
  return "\"" + name + "\" <" + number + ">";
}

std::string_view to_string(DeviceState s) {
  switch (s) {
    case DeviceState::Unknown: return "UNKNOWN";
    case DeviceState::NotInUse: return "NOT_INUSE";
    case DeviceState::InUse: return "INUSE";
    case DeviceState::Busy: return "BUSY";
    case DeviceState::Invalid: return "INVALID";
    case DeviceState::Unavailable: return "UNAVAILABLE";
    case DeviceState::Ringing: return "RINGING";
    case DeviceState::RingInUse: return "RINGINUSE";
    case DeviceState::OnHold: return "ONHOLD";
  }
  return "UNKNOWN";
}

}  // namespace telephony
