#include "telephony/config/module_config.hpp"

#include "telephony/config/yaml.hpp"

namespace telephony::config {

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> candidates(const fs::path& dir, std::string_view conf_name) {
  fs::path conf = dir / std::string(conf_name);
  fs::path stem = conf;
  stem.replace_extension();
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& p : {conf, fs::path(stem.string() + ".yaml"), fs::path(stem.string() + ".yml")})
    if (fs::is_regular_file(p, ec)) out.push_back(p);
  return out;
}
}  // namespace

std::optional<fs::path> find_module_config(const fs::path& dir, std::string_view conf_name) {
  auto c = candidates(dir, conf_name);
  if (c.empty()) return std::nullopt;
  return c.front();
}

Result<ConfigFile, Errors> load_module_config(const fs::path& dir, std::string_view conf_name,
                                              const ParseOptions& options) {
  auto c = candidates(dir, conf_name);
  if (c.empty())
    return Unexpected<Errors>{Errors{{{"configuration file not found", (dir / std::string(conf_name)).string()}}}};
  if (c.size() > 1)
    return Unexpected<Errors>{Errors{{{"both " + c[0].filename().string() + " and " + c[1].filename().string() +
                                           " exist; keep one",
                                       c[1].string()}}}};
  if (c[0].extension() == ".conf") {
    ParseOptions o = options;
    if (o.config_dir.empty()) o.config_dir = dir;
    return parse_file(c[0], o);
  }
  return load_yaml(c[0]);
}

}  // namespace telephony::config
