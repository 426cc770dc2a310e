// Transfers from a Dial() bridge: FeatureRelay detects the code, this file collects the target
// and moves the channels — blind: request_redirect on the transferee, hangup on the transferrer;
// attended: start_attended_transfer (apps/attended_transfer.cpp).
#include "apps/bridge_transfer.hpp"

#include "apps/attended_transfer.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::dialplan {

namespace {

constexpr std::string_view kSource = "features";

// Asterisk's transfer context: ${TRANSFER_CONTEXT}, else the transferrer's own context.
std::string transfer_context(const Channel& who, const std::string& fallback) {
  if (auto v = who.variable("TRANSFER_CONTEXT"); v && !v->empty()) return *v;
  if (!who.location().context.empty()) return who.location().context;
  return fallback;
}

void collect_and_transfer(media::FeatureRelay& relay, Engine& engine, const std::string& fallback,
                          const media::FeatureActivation& act) {
  auto bridge = act.bridge.lock();
  if (!bridge || !act.peer) return;
  auto pbx = std::dynamic_pointer_cast<DialplanPbx>(engine.pbx());
  if (!pbx) {
    engine.log().notice(kSource, "Transfer on " + act.who->name() + " needs the dialplan module; ignored");
    return;
  }
  const std::string context = transfer_context(*act.who, fallback);
  const std::string caller = act.who->caller().number;
  // The transferee waits on hold while the target is dialed (Asterisk does the same).
  act.peer->indicate(Control::Hold);
  media::FeatureRelay::DigitCapture capture;
  capture.timeout = relay.feature_map().transfer_digit_timeout;
  // As Asterisk: collection stops as soon as no longer extension could match.
  capture.complete = [pbx, context, caller](const std::string& digits) {
    return !pbx->snapshot()->match_more(context, digits, caller);
  };
  const bool attended = act.feature == media::Feature::AttendedTransfer;
  capture.finished = [&engine, pbx, context, attended, who = act.who, peer = act.peer](std::string digits) {
    if (digits.empty() || !pbx->exists(context, digits, 1, peer->caller().number)) {
      engine.log().notice(kSource, "Transfer by " + who->name() + " to '" + digits + "@" + context +
                                       "' failed: no such extension; the call continues");
      peer->indicate(Control::Unhold);
      return;
    }
    if (attended) {
      // The transferee keeps waiting (on music on hold) while the transferrer consults the target.
      if (auto started = start_attended_transfer(engine, who, peer, DialplanLocation{context, digits, 1}); !started) {
        engine.log().notice(kSource, "Attended transfer by " + who->name() + " failed: " + started.error().message);
        peer->indicate(Control::Unhold);
      }
      return;
    }
    engine.log().verbose(kSource, who->name() + " blind transferred " + peer->name() + " to " + digits + "@" + context);
    peer->set_variable("BLINDTRANSFER", who->name());
    peer->request_redirect(DialplanLocation{context, digits, 1});
    who->request_hangup(HangupCause::NormalClearing);
  };
  relay.capture_digits(*bridge, *act.who, std::move(capture));
}

}  // namespace

void connect_bridge_transfers(media::FeatureRelay& relay, Engine& engine, std::string fallback_context) {
  relay.on_transfer = [&relay, &engine, fallback = std::move(fallback_context)](const media::FeatureActivation& act) {
    collect_and_transfer(relay, engine, fallback, act);
  };
}

}  // namespace telephony::dialplan
