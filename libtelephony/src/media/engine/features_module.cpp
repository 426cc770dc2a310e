#include "telephony/media/features_module.hpp"

#include "telephony/config/module_config.hpp"
#include "telephony/engine.hpp"

namespace telephony::media {

namespace {
Result<FeatureMap, Errors> read_features(const std::filesystem::path& config_dir, std::string_view file_name) {
  auto file = config::load_module_config(config_dir, file_name);
  if (!file) return Unexpected<Errors>{file.error()};
  return feature_map_from_config(*file);
}
}  // namespace

Result<void, Errors> FeaturesModule::check(const std::filesystem::path& config_dir) {
  auto r = read_features(config_dir, config_file());
  if (!r) return Unexpected<Errors>{r.error()};
  return {};
}

Result<void, Errors> FeaturesModule::load(const std::filesystem::path& config_dir) {
  auto r = read_features(config_dir, config_file());
  if (!r) return Unexpected<Errors>{r.error()};
  auto snapshot = std::make_shared<const FeatureMap>(std::move(*r));
  std::lock_guard lock(mu_);
  map_ = std::move(snapshot);
  return {};
}

FeatureMap FeaturesModule::feature_map() const {
  std::lock_guard lock(mu_);
  return *map_;
}

FeatureMap active_feature_map(Engine& engine) {
  if (auto mod = std::dynamic_pointer_cast<FeaturesModule>(engine.module("features"))) return mod->feature_map();
  return FeatureMap{};
}

}  // namespace telephony::media
