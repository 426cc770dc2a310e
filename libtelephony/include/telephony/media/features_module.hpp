// features.conf as a Module ("features"): the DTMF feature codes and timeouts that Dial() bridges
// with t/T/h/H use (blindxfer, atxfer, disconnect, featuredigittimeout, transferdigittimeout).
//
// The module keeps one immutable FeatureMap and swaps it whole on reload; a file with errors is
// refused with file:line and the running map stays. A bridge takes the map current when it is
// created. Without the module (no features.conf) Asterisk's defaults apply: # blind transfer,
// *2 attended transfer, * disconnect.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>

#include "telephony/media/features.hpp"
#include "telephony/module.hpp"

namespace telephony {
class Engine;
}

namespace telephony::media {

class FeaturesModule : public Module {
 public:
  std::string_view name() const override { return "features"; }
  std::string_view config_file() const override { return "features.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;

  FeatureMap feature_map() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const FeatureMap> map_ = std::make_shared<const FeatureMap>();
};

// The loaded features.conf map, or the defaults when the "features" module is not loaded.
FeatureMap active_feature_map(Engine& engine);

}  // namespace telephony::media
