#include "logger_module.hpp"

#include <cstdio>
#include <fstream>
#include <memory>

#include "telephony/config/module_config.hpp"

namespace telephonyd {

using telephony::Errors;
using telephony::LogLevel;
namespace fs = std::filesystem;

namespace {
struct Channel {
  std::string target;  // "console" or a file name
  unsigned levels = 0;  // bit per LogLevel
};

unsigned bit(LogLevel l) { return 1u << static_cast<unsigned>(l); }

telephony::Result<std::vector<Channel>, Errors> parse(const fs::path& dir) {
  std::vector<Channel> out;
  if (!telephony::config::find_module_config(dir, "logger.conf")) {
    out.push_back({"console", bit(LogLevel::Error) | bit(LogLevel::Warning) | bit(LogLevel::Notice) | bit(LogLevel::Verbose)});
    out.push_back({"messages", bit(LogLevel::Error) | bit(LogLevel::Warning) | bit(LogLevel::Notice)});
    return out;
  }
  auto cfg = telephony::config::load_module_config(dir, "logger.conf");
  if (!cfg) return telephony::Unexpected<Errors>{cfg.error()};
  Errors errors;
  if (const auto* sec = cfg->section("logfiles")) {
    for (const auto& e : sec->entries) {
      Channel ch{e.name, 0};
      std::string v = e.value;
      std::size_t pos = 0;
      while (pos <= v.size()) {
        auto comma = v.find(',', pos);
        std::string w = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        w.erase(0, w.find_first_not_of(" \t"));
        w.erase(w.find_last_not_of(" \t") + 1);
        for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (w == "error") ch.levels |= bit(LogLevel::Error);
        else if (w == "warning") ch.levels |= bit(LogLevel::Warning);
        else if (w == "notice") ch.levels |= bit(LogLevel::Notice);
        else if (w == "verbose" || w.rfind("verbose(", 0) == 0) ch.levels |= bit(LogLevel::Verbose);
        else if (w == "debug") ch.levels |= bit(LogLevel::Debug);
        else if (w == "*") ch.levels = ~0u;
        else if (w == "dtmf" || w == "fax" || w == "security" || w.empty()) {
        } else errors.items.push_back({"unknown log level '" + w + "'", e.where.to_string()});
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
      out.push_back(std::move(ch));
    }
  }
  if (!errors.items.empty()) return telephony::Unexpected<Errors>{errors};
  return out;
}
}  // namespace

telephony::Result<void, Errors> LoggerModule::check(const fs::path& dir) {
  auto r = parse(dir);
  if (!r) return telephony::Unexpected<Errors>{r.error()};
  return {};
}

telephony::Result<void, Errors> LoggerModule::load(const fs::path& dir) {
  auto channels = parse(dir);
  if (!channels) return telephony::Unexpected<Errors>{channels.error()};
  auto& log = engine_.log();
  log.clear_sinks();
  unsigned wanted = 0;
  for (const auto& ch : *channels) {
    wanted |= ch.levels;
    unsigned levels = ch.levels;
    if (ch.target == "console") {
      if (!foreground_) continue;
      log.add_sink([levels](LogLevel l, std::string_view line) {
        if (levels & bit(l)) std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
      });
    } else {
      fs::path path = fs::path(ch.target).is_absolute() ? fs::path(ch.target) : engine_.options().dirs.log / ch.target;
      std::error_code ec;
      fs::create_directories(path.parent_path(), ec);
      auto out = std::make_shared<std::ofstream>(path, std::ios::app);
      log.add_sink([levels, out](LogLevel l, std::string_view line) {
        if (levels & bit(l)) {
          *out << line << '\n';
          out->flush();
        }
      });
    }
  }
  log.set_level((wanted & bit(LogLevel::Debug)) ? LogLevel::Debug : LogLevel::Verbose);
  if (channels->empty()) log.add_sink([](LogLevel, std::string_view) {});
  return {};
}

}  // namespace telephonyd
