// Shared fixture of the issue-16 application tests (apps*_breadth_test.cpp): the media apps
// fixture (Test and Local drivers, every built-in function, the real dialplan executor, dialplans
// from text, calls from Test devices or through Local pairs) with AstDB and the spool in its
// temporary folder, and more of what a user observes: variable writes, typed events.
#pragma once

#include "appsmedia_support.hpp"

namespace breadth_test {

using namespace appsmedia_test;
using testkit::eventually;

// A sounds folder where every prompt of the installed English set, and the few Asterisk names
// Debian lacks, is 20 ms of silence: Say* tests see every prompt (PlaybackStarted) at once.
inline void write_fake_prompts(const fs::path& to) {
  static const std::vector<std::uint8_t> kSilence(320, 0);
  auto write = [&](const fs::path& rel) {
    auto p = to / "en" / rel;
    p.replace_extension(".sln");
    fs::create_directories(p.parent_path());
    if (FILE* f = std::fopen(p.c_str(), "wb")) {
      std::fwrite(kSilence.data(), 1, kSilence.size(), f);
      std::fclose(f);
    }
  };
  const fs::path real = "/usr/share/asterisk/sounds/en";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(real, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) write(fs::relative(it->path(), real));
  for (const char* extra : {"dollars", "cents", "cent", "and", "letters/dollar_", "digits/oh", "digits/oclock", "vm-new"})
    write(extra);
}

inline EngineOptions options_in(const testkit::TempDir& dir, bool fake_prompts = false) {
  EngineOptions o;
  o.threads = 2;
  o.dirs.db = dir.path() / "db";
  o.dirs.spool = dir.path() / "spool";
  if (fake_prompts) {
    o.dirs.sounds = dir.path() / "sounds";
    write_fake_prompts(o.dirs.sounds);
  }
  return o;
}

// MediaApps (appsmedia_support.hpp) with AstDB and the spool in the temp folder, optionally a
// folder of stand-in prompts, and more observations: NoOp traces of any channel by name,
// application steps with their data, the last value written to a variable, typed events.
struct Breadth : MediaApps {
  explicit Breadth(bool fake_prompts = false)
      : MediaApps([fake_prompts](const testkit::TempDir& d) { return options_in(d, fake_prompts); }) {}

  std::vector<std::string> trace_of(const std::string& name) {
    std::vector<std::string> out;
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == name && s->application == "NoOp") out.push_back(s->data);
    return out;
  }
  // Whether `chan` ran `app` (with exactly `data`, when given).
  bool reached(const Channel::Ptr& chan, const std::string& app, const std::optional<std::string>& data = std::nullopt) {
    for (auto& e : log->events())
      if (auto* s = e->as<DialplanStep>(); s && s->channel.name == chan->name() && s->application == app &&
                                            (!data || s->data == *data))
        return true;
    return false;
  }
  std::string last_set(const Channel::Ptr& chan, const std::string& var) {
    std::string v = "<unset>";
    for (auto& e : log->events())
      if (auto* s = e->as<ChannelVarSet>(); s && s->channel.name == chan->name() && s->variable == var) v = s->value;
    return v;
  }
  template <class T>
  std::vector<const T*> events_of() {
    std::vector<const T*> out;
    for (auto& e : keep_ = log->events())
      if (auto* t = e->template as<T>()) out.push_back(t);
    return out;
  }

 private:
  std::vector<EventPtr> keep_;  // keeps the events events_of() points into alive
};

}  // namespace breadth_test
