// The parts of a two-party call bridge that Dial() and Bridge() share (internal): the bridge
// technology their feature options ask for, and the S()/L() call-duration limit.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "telephony/bridge.hpp"
#include "telephony/dialplan/args.hpp"

namespace telephony::dialplan {

// t/T: the called/calling party may transfer (blind and attended), h/H: may disconnect with the
// features.conf codes. A FeatureRelay wired to the dialplan's transfer collection when any is
// set (transfer targets are looked up in `fallback_context` for a party without a location),
// a plain TwoPartyRelay otherwise.
std::unique_ptr<BridgeTechnology> call_bridge_technology(Engine& engine, const Channel& caller, const Channel& peer,
                                                         const ParsedOptions& opts, std::string fallback_context);

// S(x) seconds and L(x[:warning[:repeat]]) milliseconds, the smaller of the two; bad values are
// warned about (naming `source`) and ignored. Warnings before the limit are not played.
std::optional<std::chrono::milliseconds> call_limit(Engine& engine, const ParsedOptions& opts, std::string_view source);

// Hangs both parties up `limit` after `from` (Asterisk measures from the answer). Runs on the
// caller's strand; cancel the returned timer when the call ends first.
std::shared_ptr<boost::asio::steady_timer> arm_call_limit(Engine& engine, const Channel::Ptr& caller,
                                                          const Channel::Ptr& peer, std::chrono::steady_clock::time_point from,
                                                          std::chrono::milliseconds limit, std::string_view source);

}  // namespace telephony::dialplan
