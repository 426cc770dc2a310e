// FollowMe: find-me/follow-me profiles from followme.conf and the FollowMe() application that
// rings a profile's numbers step by step (Asterisk's app_followme).
//
// followme.conf: [general] gives defaults for every profile (featuredigittimeout, takecall,
// declinecall, enable_callee_prompt and the *_prompt files); each other section is a profile:
// context, musicclass (or music), number => NUMBER[&NUMBER…][,TIMEOUT[,ORDER]] (timeout 25 s by
// default; numbers of one order ring together, orders one after the other; an order of 0 or none
// means "after the numbers before it"), and the [general] keys to override. A broken file is
// refused with file:line and the running profiles stay (FollowMeModule::reload).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/module.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

struct FollowMeNumber {
  std::vector<std::string> numbers;  // rung together ("1234&5678")
  std::chrono::seconds timeout{25};
  int order = 0;
};

struct FollowMeProfile {
  std::string name;
  std::string context = "default";
  std::string moh_class;
  std::vector<FollowMeNumber> steps;  // sorted by order
  bool callee_prompt = true;
  std::string takecall = "1";
  std::string declinecall = "2";
  std::chrono::milliseconds digit_timeout{5000};
  std::string call_from_prompt = "followme/call-from";
  std::string norecording_prompt = "followme/no-recording";
  std::string options_prompt = "followme/options";
  std::string pls_hold_prompt = "followme/pls-hold-while-try";
  std::string status_prompt = "followme/status";
  std::string sorry_prompt = "followme/sorry";
  std::string connecting_prompt;
};

// Every profile of the file (case-insensitive names), or every error with file:line.
Result<std::map<std::string, FollowMeProfile, std::less<>>, Errors> followme_profiles_from_config(
    const config::ConfigFile& file);

// "app_followme": followme.conf as a Module. FollowMe() (registered with the dialplan) asks the
// engine's module for profiles; without the module every profile is unknown.
class FollowMeModule : public Module {
 public:
  std::string_view name() const override { return "app_followme"; }
  std::string_view config_file() const override { return "followme.conf"; }
  Result<void, Errors> check(const std::filesystem::path& config_dir) override;
  Result<void, Errors> load(const std::filesystem::path& config_dir) override;

  // A copy of the profile (a call runs on it while a reload may replace the set).
  std::optional<FollowMeProfile> profile(std::string_view name) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, FollowMeProfile, std::less<>> profiles_;  // lower-case names
};

}  // namespace telephony::dialplan
