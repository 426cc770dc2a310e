// followme.conf -> FollowMe profiles, and the module that keeps the live set.
#include <strings.h>

#include <algorithm>
#include <cstdlib>

#include "telephony/config/module_config.hpp"
#include "telephony/dialplan/followme.hpp"

namespace telephony::dialplan {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool whole_number(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

// The keys [general] and a profile share; false when `name` is none of them.
bool apply_option(FollowMeProfile& p, const config::Entry& e, Errors& errors) {
  const std::string key = lower(e.name);
  const std::string& v = e.value;
  if (key == "featuredigittimeout") {
    if (!whole_number(trim(v))) errors.items.push_back(Error{"featuredigittimeout must be milliseconds, got '" + v + "'", e.where.to_string()});
    else p.digit_timeout = std::chrono::milliseconds(std::atoi(v.c_str()));
  } else if (key == "enable_callee_prompt") {
    if (config::is_true_word(v)) p.callee_prompt = true;
    else if (config::is_false_word(v)) p.callee_prompt = false;
    else errors.items.push_back(Error{"enable_callee_prompt must be yes or no, got '" + v + "'", e.where.to_string()});
  } else if (key == "takecall") {
    p.takecall = v;
  } else if (key == "declinecall") {
    p.declinecall = v;
  } else if (key == "call_from_prompt" || key == "call-from-prompt") {
    p.call_from_prompt = v;
  } else if (key == "norecording_prompt" || key == "followme-norecording-prompt") {
    p.norecording_prompt = v;
  } else if (key == "options_prompt" || key == "followme-options-prompt") {
    p.options_prompt = v;
  } else if (key == "pls_hold_prompt" || key == "followme-pls-hold-prompt") {
    p.pls_hold_prompt = v;
  } else if (key == "status_prompt" || key == "followme-status-prompt") {
    p.status_prompt = v;
  } else if (key == "sorry_prompt" || key == "followme-sorry-prompt") {
    p.sorry_prompt = v;
  } else if (key == "connecting_prompt" || key == "followme-connecting-prompt") {
    p.connecting_prompt = v;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Result<std::map<std::string, FollowMeProfile, std::less<>>, Errors> followme_profiles_from_config(
    const config::ConfigFile& file) {
  Errors errors;
  FollowMeProfile defaults;
  if (const auto* general = file.section("general"))
    for (const auto& e : general->entries)
      if (!apply_option(defaults, e, errors))
        errors.items.push_back(Error{"unknown [general] option '" + e.name + "'", e.where.to_string()});
  std::map<std::string, FollowMeProfile, std::less<>> out;
  for (const auto& sec : file.sections) {
    if (sec.is_template || ::strcasecmp(sec.name.c_str(), "general") == 0) continue;
    FollowMeProfile p = defaults;
    p.name = sec.name;
    int next_order = 1;
    for (const auto& e : sec.entries) {
      const std::string key = lower(e.name);
      if (key == "context") {
        p.context = e.value;
      } else if (key == "musicclass" || key == "music") {
        p.moh_class = e.value;
      } else if (key == "number") {
        // NUMBER[&NUMBER…][,TIMEOUT[,ORDER]]
        FollowMeNumber n;
        std::string_view rest = e.value;
        auto comma = rest.find(',');
        std::string_view numbers = trim(rest.substr(0, comma));
        for (std::size_t at = 0; at <= numbers.size();) {
          auto amp = numbers.find('&', at);
          auto one = trim(numbers.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at));
          if (!one.empty()) n.numbers.emplace_back(one);
          if (amp == std::string_view::npos) break;
          at = amp + 1;
        }
        if (n.numbers.empty()) {
          errors.items.push_back(Error{"number => needs a number", e.where.to_string()});
          continue;
        }
        int order = 0;
        if (comma != std::string_view::npos) {
          rest = rest.substr(comma + 1);
          auto comma2 = rest.find(',');
          auto timeout = trim(rest.substr(0, comma2));
          if (!timeout.empty()) {
            if (!whole_number(timeout)) {
              errors.items.push_back(Error{"number => timeout must be whole seconds, got '" + std::string(timeout) + "'", e.where.to_string()});
              continue;
            }
            n.timeout = std::chrono::seconds(std::atoi(std::string(timeout).c_str()));
          }
          if (comma2 != std::string_view::npos) {
            auto o = trim(rest.substr(comma2 + 1));
            if (!o.empty() && !whole_number(o)) {
              errors.items.push_back(Error{"number => order must be a whole number, got '" + std::string(o) + "'", e.where.to_string()});
              continue;
            }
            order = o.empty() ? 0 : std::atoi(std::string(o).c_str());
          }
        }
        // No order: after every number so far (Asterisk counts the numbers before it).
        n.order = order > 0 ? order : next_order;
        ++next_order;
        p.steps.push_back(std::move(n));
      } else if (!apply_option(p, e, errors)) {
        errors.items.push_back(Error{"unknown option '" + e.name + "' in profile [" + sec.name + "]", e.where.to_string()});
      }
    }
    std::stable_sort(p.steps.begin(), p.steps.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
    out[lower(p.name)] = std::move(p);
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return out;
}

std::optional<FollowMeProfile> FollowMeModule::profile(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = profiles_.find(lower(name));
  if (it == profiles_.end()) return std::nullopt;
  return it->second;
}

Result<void, Errors> FollowMeModule::check(const std::filesystem::path& config_dir) {
  auto file = config::load_module_config(config_dir, config_file());
  if (!file) return Unexpected<Errors>{file.error()};
  auto p = followme_profiles_from_config(*file);
  if (!p) return Unexpected<Errors>{p.error()};
  return {};
}

Result<void, Errors> FollowMeModule::load(const std::filesystem::path& config_dir) {
  auto file = config::load_module_config(config_dir, config_file());
  if (!file) return Unexpected<Errors>{file.error()};
  auto p = followme_profiles_from_config(*file);
  if (!p) return Unexpected<Errors>{p.error()};
  std::lock_guard lock(mu_);
  profiles_ = std::move(*p);
  return {};
}

}  // namespace telephony::dialplan
