// res_musiconhold: the musiconhold.conf module and class lookup (media/moh_module.hpp).
#include "telephony/media/moh_module.hpp"

#include <strings.h>

#include "telephony/config/module_config.hpp"
#include "telephony/engine.hpp"

namespace telephony::media {

Result<std::vector<MohClass>, Errors> MusicOnHoldModule::read(const std::filesystem::path& config_dir) const {
  auto file = config::load_module_config(config_dir, config_file());
  if (!file) return Unexpected<Errors>{file.error()};
  return moh_classes_from_config(*file, engine_.options().dirs.data);
}

Result<void, Errors> MusicOnHoldModule::check(const std::filesystem::path& config_dir) {
  auto r = read(config_dir);
  if (!r) return Unexpected<Errors>{r.error()};
  return {};
}

Result<void, Errors> MusicOnHoldModule::load(const std::filesystem::path& config_dir) {
  auto r = read(config_dir);
  if (!r) return Unexpected<Errors>{r.error()};
  auto snapshot = std::make_shared<const std::vector<MohClass>>(std::move(*r));
  std::lock_guard lock(mu_);
  classes_ = std::move(snapshot);
  return {};
}

std::shared_ptr<const std::vector<MohClass>> MusicOnHoldModule::classes() const {
  std::lock_guard lock(mu_);
  return classes_;
}

std::optional<MohClass> find_moh_class(Engine& engine, std::string_view name) {
  if (name.empty()) name = "default";
  if (auto mod = std::dynamic_pointer_cast<MusicOnHoldModule>(engine.module("res_musiconhold"))) {
    auto classes = mod->classes();
    for (const auto& c : *classes)
      if (c.name.size() == name.size() && ::strncasecmp(c.name.data(), name.data(), name.size()) == 0) return c;
  }
  if (name.size() == 7 && ::strncasecmp(name.data(), "default", 7) == 0) return default_moh_class();
  return std::nullopt;
}

}  // namespace telephony::media
