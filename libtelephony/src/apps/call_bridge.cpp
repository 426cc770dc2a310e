#include "apps/call_bridge.hpp"

#include <cmath>
#include <cstdlib>

#include "apps/bridge_transfer.hpp"
#include "apps/dialplan_apps.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/features.hpp"
#include "telephony/media/features_module.hpp"

namespace telephony::dialplan {

std::unique_ptr<BridgeTechnology> call_bridge_technology(Engine& engine, const Channel& caller, const Channel& peer,
                                                         const ParsedOptions& opts, std::string fallback_context) {
  if (!(opts.has('t') || opts.has('T') || opts.has('h') || opts.has('H'))) return std::make_unique<TwoPartyRelay>();
  auto relay = std::make_unique<media::FeatureRelay>(media::active_feature_map(engine), media::FeatureSet::none());
  relay->set_features(caller, {opts.has('T'), opts.has('T'), opts.has('H')});
  relay->set_features(peer, {opts.has('t'), opts.has('t'), opts.has('h')});
  connect_bridge_transfers(*relay, engine, std::move(fallback_context));
  return relay;
}

std::optional<std::chrono::milliseconds> call_limit(Engine& engine, const ParsedOptions& opts, std::string_view source) {
  const std::string src(source);
  std::optional<std::chrono::milliseconds> limit;
  if (opts.has('S')) {
    const std::string text = opts.argument('S');
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (!text.empty() && end != text.c_str() && *end == '\0' && std::isfinite(v) && v > 0)
      limit = std::chrono::milliseconds(static_cast<long long>(v * 1000.0));
    else
      engine.log().warning(src, "S(" + text + "): not a positive number of seconds; ignored");
  }
  if (opts.has('L')) {
    const auto parts = split_raw_once(opts.argument('L'), ':');
    char* end = nullptr;
    const std::string first(parts.first);
    const long long ms = std::strtoll(first.c_str(), &end, 10);
    if (first.empty() || *end != '\0' || ms <= 0) {
      engine.log().warning(src, "L(" + opts.argument('L') + "): the limit must be a positive number of milliseconds; ignored");
    } else {
      limit = limit ? std::min(*limit, std::chrono::milliseconds(ms)) : std::chrono::milliseconds(ms);
      if (parts.found) engine.log().notice(src, "L(): warnings before the limit are not played; the limit applies");
    }
  }
  return limit;
}

std::shared_ptr<boost::asio::steady_timer> arm_call_limit(Engine& engine, const Channel::Ptr& caller,
                                                          const Channel::Ptr& peer, std::chrono::steady_clock::time_point from,
                                                          std::chrono::milliseconds limit, std::string_view source) {
  auto timer = std::make_shared<boost::asio::steady_timer>(caller->strand(), from + limit);
  timer->async_wait([caller, peer, &engine, ms = limit.count(), src = std::string(source)](boost::system::error_code ec) {
    if (ec) return;
    engine.log().notice(src, caller->name() + ": call limit of " + std::to_string(ms) + " ms reached");
    peer->request_hangup(HangupCause::NormalClearing);
    caller->request_hangup(HangupCause::NormalClearing);
  });
  return timer;
}

}  // namespace telephony::dialplan
