// res_musiconhold: musiconhold.conf as a Module, and the lookup every hold (MusicOnHold(),
// StartMusicOnHold(), a bridge holding a peer) makes to turn a class name into a MohClass.
//
// The module keeps one immutable snapshot of the classes and swaps it whole on reload; a config
// with errors is refused with file:line and the running classes stay. Without the module (or
// without a "default" class in it) the class "default" is the built-in default_moh_class().
// A class name that is not known falls back to "default" with a warning, as Asterisk does.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "telephony/media/music_on_hold.hpp"
#include "telephony/module.hpp"

namespace telephony {
class Engine;
}

namespace telephony::media {

class MusicOnHoldModule : public Module {
 public:
  explicit MusicOnHoldModule(Engine& engine) : engine_(engine) {}
  std::string_view name() const override { return "res_musiconhold"; }
  std::string_view config_file() const override { return "musiconhold.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;

  std::shared_ptr<const std::vector<MohClass>> classes() const;

 private:
  Result<std::vector<MohClass>, Errors> read(const std::filesystem::path& config_dir) const;

  Engine& engine_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<MohClass>> classes_ = std::make_shared<std::vector<MohClass>>();
};

// The class called `name` ("" means "default"): musiconhold.conf's when the module is loaded,
// else the built-in default for "default". Unknown names give nullopt.
std::optional<MohClass> find_moh_class(Engine& engine, std::string_view name);

}  // namespace telephony::media
