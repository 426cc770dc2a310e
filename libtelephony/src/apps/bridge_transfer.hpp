// Transfers started by DTMF codes inside a Dial() bridge (internal to the applications).
//
// connect_bridge_transfers() plugs the dialplan side into FeatureRelay::on_transfer: for a blind
// transfer the transferrer's next digits are collected (transferdigittimeout, or until no longer
// extension can match) in ${TRANSFER_CONTEXT} or the transferrer's context; a valid target sends
// the other party there and hangs the transferrer up, as Asterisk does. The attended code
// collects the target the same way and then starts an attended transfer. See docs/dial.md.
#pragma once

#include <string>

#include "telephony/engine.hpp"
#include "telephony/media/features.hpp"

namespace telephony::dialplan {

// `fallback_context`: where a transferrer without a dialplan location (a device leg that never
// ran the dialplan) collects its target — the Dial caller's context.
void connect_bridge_transfers(media::FeatureRelay& relay, Engine& engine, std::string fallback_context);

}  // namespace telephony::dialplan
