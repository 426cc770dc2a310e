// DTMF features in a two-party bridge, as features.conf configures them: blind transfer
// (`blindxfer`, default "#"), attended transfer (`atxfer`, default "*2") and disconnect
// (`disconnect`, default "*").
//
// FeatureRelay is the two-party bridge technology with feature detection: voice and other frames
// are relayed to the other member exactly like TwoPartyRelay; DTMF from a member whose feature
// set allows anything is watched. While the digits pressed so far are the beginning of an allowed
// feature code they are held back; a complete code that no longer code extends runs at once; a
// complete code that a longer one extends ("*" vs "*2") runs when `featuredigittimeout` passes
// without another digit; digits that stop matching are passed on to the peer (begin and end, in
// order), so the far end still hears every digit that was not a feature.
//
// Disconnect is handled here: the member who pressed it is kicked from the bridge (its owner
// continues; a Dial-style bridge then dissolves and the peer's owner continues too). Transfers are
// handed to `on_transfer` (on the bridge strand): the dialplan's "collect the target and Goto"
// logic plugs in there. Without a hook a transfer code is consumed and logged.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "telephony/bridge.hpp"
#include "telephony/config/config.hpp"
#include "telephony/result.hpp"

namespace telephony::media {

enum class Feature { BlindTransfer, AttendedTransfer, Disconnect };
std::string_view to_string(Feature f);  // "blindxfer", "atxfer", "disconnect" (features.conf keys)

// features.conf [featuremap] codes and [general] featuredigittimeout. An empty code disables
// the feature.
struct FeatureMap {
  std::string blindxfer = "#";
  std::string atxfer = "*2";
  std::string disconnect = "*";
  std::chrono::milliseconds digit_timeout{1000};
  // [general] transferdigittimeout: the pause that ends the blind-transfer target's digits.
  std::chrono::milliseconds transfer_digit_timeout{3000};
};

// Reads [general] featuredigittimeout and [featuremap] blindxfer/atxfer/disconnect (`=` or `=>`).
// Codes may hold 0-9 * # A-D; anything else, or a non-numeric timeout, is an error naming
// file:line. Unknown featuremap keys are errors too (a typo would silently disable a feature).
Result<FeatureMap, Errors> feature_map_from_config(const config::ConfigFile& file);

// Which features a member may use (Dial's T/t = transfer, H/h = disconnect, K/k …).
struct FeatureSet {
  bool blindxfer = true;
  bool atxfer = true;
  bool disconnect = true;
  static FeatureSet none() { return {false, false, false}; }
};

struct FeatureActivation {
  Feature feature;
  Channel::Ptr who;    // pressed the code
  Channel::Ptr peer;   // the other member (may be null if it already left)
  std::weak_ptr<Bridge> bridge;
};

class FeatureRelay : public BridgeTechnology {
 public:
  using Hook = std::function<void(const FeatureActivation&)>;
  explicit FeatureRelay(FeatureMap map = {}, FeatureSet default_set = {});

  std::string_view name() const override { return "simple_bridge"; }
  void on_join(Bridge& bridge, Channel& chan) override;
  void on_leave(Bridge& bridge, Channel& chan) override;
  void on_frame(Bridge& bridge, Channel& from, const Frame& f) override;
  // Voice, control and text go peer to peer; DTMF comes here to be matched against the codes.
  bool relays_directly(FrameKind kind) const override {
    return kind != FrameKind::DtmfBegin && kind != FrameKind::DtmfEnd;
  }

  // Any thread, before join or while a member (keyed by uniqueid).
  void set_features(const Channel& chan, FeatureSet set);
  // Digit capture (a blind transfer's target): from now on every DTMF digit `who` presses is
  // collected instead of being relayed or matched against feature codes. Collection ends when
  // `complete(digits)` says so (checked after each digit) or `timeout` passes without a digit;
  // then `finished(digits)` runs once, on the bridge strand. Call on the bridge strand (from
  // on_transfer). Leaving the bridge drops the capture without calling `finished`.
  struct DigitCapture {
    std::chrono::milliseconds timeout{3000};
    std::function<bool(const std::string& digits)> complete;
    std::function<void(std::string digits)> finished;
  };
  void capture_digits(Bridge& bridge, Channel& who, DigitCapture capture);
  const FeatureMap& feature_map() const { return map_; }

  // Set once before the bridge is used.
  Hook on_transfer;
  // Optional: told about every activation, disconnect included (after it has been acted on).
  Hook on_feature;

 private:
  struct Collector {
    Channel* chan = nullptr;
    std::string uniqueid;
    std::string digits;          // held back so far
    bool begin_forwarded = false;  // the current digit's begin already went to the peer
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::uint64_t generation = 0;  // bumped per digit: a stale timer expiry does nothing
    std::optional<DigitCapture> capture;  // set while collecting a transfer target
    std::string captured;
  };
  void capture_digit(Bridge& bridge, Collector& c, const Frame& f);
  void end_capture(Collector& c);
  Collector* collector(Channel& chan);
  FeatureSet features_of(const std::string& uniqueid) const;
  // Codes allowed for `set` that start with `prefix`: exact match and whether a longer one exists.
  std::optional<Feature> exact(const FeatureSet& set, const std::string& code) const;
  bool extended(const FeatureSet& set, const std::string& prefix) const;
  void flush(Bridge& bridge, Collector& c, const Channel::Ptr& to);
  void activate(Bridge& bridge, Channel& who, Feature f);
  void arm_timer(Bridge& bridge, Collector& c);
  Channel::Ptr peer_of(Bridge& bridge, const Channel& chan) const;

  FeatureMap map_;
  FeatureSet default_set_;
  mutable std::mutex sets_mu_;
  std::map<std::string, FeatureSet> sets_;
  std::vector<std::unique_ptr<Collector>> collectors_;  // bridge strand
};

}  // namespace telephony::media
