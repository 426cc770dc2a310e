// SIP status ↔ Q.850 cause, as Asterisk's chan_pjsip maps them, so DIALSTATUS and HANGUPCAUSE
// read the same as on Asterisk (486 → 17 USER_BUSY → BUSY, 404 → 1 UNALLOCATED → CHANUNAVAIL,
// 503 → 34 CONGESTION → CONGESTION …).
#include "sip_stack.hpp"

namespace telephony::sip {

HangupCause cause_from_sip(int status) {
  switch (status) {
    case 401:
    case 402:
    case 403:
    case 407:
    case 603:
      return HangupCause::CallRejected;
    case 404:
    case 604:
      return HangupCause::Unallocated;
    case 405:
    case 406:
    case 413:
    case 414:
    case 416:
    case 481:
    case 482:
    case 491:
    case 505:
      return HangupCause::Interworking;
    case 408:
      return HangupCause::NoUserResponse;
    case 410:
      return HangupCause::NumberChanged;
    case 420:
    case 483:
      return HangupCause::NoRouteDestination;
    case 480:
      return HangupCause::NoAnswer;
    case 484:
    case 485:
      return HangupCause::InvalidNumberFormat;
    case 486:
    case 600:
      return HangupCause::UserBusy;
    case 487:
      return HangupCause::NormalClearing;
    case 488:
    case 606:
      return HangupCause::BearerCapabilityNotAvail;
    case 500:
      return HangupCause::NetworkOutOfOrder;
    case 501:
      return HangupCause::FacilityRejected;
    case 502:
      return HangupCause::DestinationOutOfOrder;
    case 503:
      return HangupCause::NormalCircuitCongestion;
    case 504:
      return HangupCause::RecoveryOnTimerExpire;
    default:
      if (status >= 200 && status < 300) return HangupCause::NormalClearing;
      if (status >= 500) return HangupCause::NetworkOutOfOrder;
      return HangupCause::NormalUnspecified;
  }
}

int sip_from_cause(HangupCause cause) {
  switch (cause) {
    case HangupCause::Unallocated:
    case HangupCause::NoRouteDestination:
    case HangupCause::NoRouteTransitNet:
      return 404;
    case HangupCause::NormalCircuitCongestion:
    case HangupCause::SwitchCongestion:
    case HangupCause::ChanNotImplemented:
    case HangupCause::RequestedChanUnavail:
      return 503;
    case HangupCause::NoUserResponse:
      return 408;
    case HangupCause::NoAnswer:
    case HangupCause::NormalUnspecified:
    case HangupCause::SubscriberAbsent:
      return 480;
    case HangupCause::CallRejected:
      return 403;
    case HangupCause::NumberChanged:
      return 410;
    case HangupCause::InvalidNumberFormat:
      return 484;
    case HangupCause::UserBusy:
      return 486;
    case HangupCause::NetworkOutOfOrder:
    case HangupCause::Interworking:
      return 500;
    case HangupCause::FacilityRejected:
      return 501;
    case HangupCause::DestinationOutOfOrder:
      return 502;
    case HangupCause::BearerCapabilityNotAvail:
    case HangupCause::IncompatibleDestination:
      return 488;
    default:
      return 0;  // the caller sends 603 Decline
  }
}

}  // namespace telephony::sip
