// ConsoleModule: console.conf -> Console/<device> channels and the `console ...` commands, in
// chan_console's words (see console/console_module.hpp, docs/console.md).
#include "telephony/console/console_module.hpp"

#include <alsa/asoundlib.h>

#include <map>

#include "console_device.hpp"
#include "telephony/config/module_config.hpp"

namespace telephony::console {

struct ConsoleModule::State {
  explicit State(Engine& e) : engine(e) {}
  Engine& engine;
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<ConsoleDevice>, CaseInsensitiveLess> devices;
  std::string active;
  bool registered = false;

  std::shared_ptr<ConsoleDevice> find(std::string_view name) const {
    std::lock_guard lock(mu);
    auto it = devices.find(name);
    return it == devices.end() ? nullptr : it->second;
  }
  std::shared_ptr<ConsoleDevice> active_device() const {
    std::lock_guard lock(mu);
    auto it = devices.find(active);
    return it == devices.end() ? nullptr : it->second;
  }
};

namespace {

using StatePtr = std::shared_ptr<ConsoleModule::State>;

class ConsoleDriver : public ChannelDriver {
 public:
  explicit ConsoleDriver(StatePtr s) : state_(std::move(s)) {}
  std::string_view technology() const override { return "Console"; }
  std::string_view description() const override { return "Console Channel Driver (ALSA)"; }
  Result<Channel::Ptr> request(Engine&, const ChannelRequest& req) override {
    // Console/<device>[/...]: anything after a slash is ignored, as chan_console does.
    const auto name = req.resource.substr(0, req.resource.find('/'));
    auto dev = state_->find(name);
    if (!dev) return fail("Console device '" + name + "' not found", "Console/" + req.resource);
    return dev->make_outbound(req);
  }
  DeviceState device_state(std::string_view resource) const override {
    auto dev = state_->find(resource);
    if (!dev) return DeviceState::Invalid;
    return dev->owner() ? DeviceState::InUse : DeviceState::NotInUse;
  }

 private:
  StatePtr state_;
};

Result<ConsoleConfig, Errors> read_config(const std::filesystem::path& dir) {
  auto file = config::load_module_config(dir, "console.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  return parse_console_conf(*file);
}

ConsoleResult no_active() { return {1, "No console device is set as active\n"}; }

std::string list_devices(const ConsoleModule::State& st) {
  std::string out = "\n=============================================================\n"
                    "=== Configured Devices ======================================\n"
                    "=============================================================\n===\n";
  std::lock_guard lock(st.mu);
  for (const auto& [name, dev] : st.devices) {
    const auto c = dev->config();
    auto line = [&](const char* k, const std::string& v) { out += std::string("=== ---> ") + k + v + "\n"; };
    out += "=== ---------------------------------------------------------\n=== Device Name: " + name + "\n";
    line("Active:           ", name == st.active ? "Yes" : "No");
    line("Input Device:     ", c.input_device);
    line("Output Device:    ", c.output_device);
    line("Context:          ", c.context);
    line("Extension:        ", c.extension);
    line("CallerID Num:     ", c.callerid.number);
    line("CallerID Name:    ", c.callerid.name);
    line("MOH Interpret:    ", c.mohinterpret);
    line("Language:         ", c.language);
    line("Parkinglot:       ", c.parkinglot);
    line("Muted:            ", dev->muted() ? "Yes" : "No");
    line("Auto-Answer:      ", dev->autoanswer() ? "Yes" : "No");
    line("Override Context: ", c.overridecontext ? "Yes" : "No");
    line("Sample Rate:      ", std::to_string(c.samplerate));
    line("Echo Cancel:      ", dev->echo_cancel() ? "Yes" : "No");
    line("Noise Suppress:   ", dev->noise_suppress() ? "Yes" : "No");
    out += "=== ---------------------------------------------------------\n===\n";
  }
  out += "=============================================================\n\n";
  return out;
}

std::string list_available() {
  std::string out = "\n=============================================================\n"
                    "=== Available Devices =======================================\n"
                    "=============================================================\n===\n";
  void** hints = nullptr;
  if (snd_device_name_hint(-1, "pcm", &hints) < 0 || !hints) return out + "(None)\n";
  for (void** h = hints; *h; ++h) {
    char* name = snd_device_name_get_hint(*h, "NAME");
    char* io = snd_device_name_get_hint(*h, "IOID");
    if (name) {
      out += "=== ---------------------------------------------------------\n=== Device Name: " + std::string(name) + "\n";
      if (!io || std::string(io) == "Input") out += "=== ---> Input Device\n";
      if (!io || std::string(io) == "Output") out += "=== ---> Output Device\n";
      out += "=== ---------------------------------------------------------\n===\n";
    }
    free(name);
    free(io);
  }
  snd_device_name_free_hint(hints);
  return out + "=============================================================\n\n";
}

void register_commands(Engine& engine, const StatePtr& st) {
  auto& cmds = engine.commands();
  auto add = [&](std::string command, std::string synopsis, std::string syntax, std::string description,
                 std::function<ConsoleResult(const std::vector<std::string>&)> run) {
    (void)cmds.add(ConsoleCommand{std::move(command), Documentation{std::move(synopsis), std::move(syntax), std::move(description)},
                                  std::move(run)});
  };
  add("console dial", "Dial an extension from the console", "console dial [extension[@context]]",
      "Dials a given extension (and context if specified). During a call, sends the digits to the other side.",
      [st](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.size() > 1) return {2, ""};
        auto dev = st->active_device();
        if (!dev) return {1, "No console device is currently set as active\n"};
        if (auto chan = dev->owner()) {
          if (a.empty()) return {1, "Already in a call. You can only dial digits until you hangup.\n"};
          for (char d : a[0]) {
            chan->queue_frame(Frame::dtmf_begin(d));
            chan->queue_frame(Frame::dtmf_end(d, std::chrono::milliseconds(100)));
          }
          return {0, ""};
        }
        const auto cfg = dev->config();
        std::string exten = a.empty() ? "" : a[0], context;
        if (!cfg.overridecontext)
          if (auto at = exten.rfind('@'); at != std::string::npos) {
            context = exten.substr(at + 1);
            exten.resize(at);
          }
        if (exten.empty()) exten = cfg.extension;
        if (context.empty()) context = cfg.context;
        auto r = dev->dial(exten, context);
        if (!r) return {1, r.error().message + "\n"};
        return {0, ""};
      });
  add("console answer", "Answer an incoming console call", "console answer", "Answers an incoming call on the console channel.",
      [st](const std::vector<std::string>& a) -> ConsoleResult {
        if (!a.empty()) return {2, ""};
        auto dev = st->active_device();
        if (!dev) return no_active();
        auto r = dev->answer();
        return r ? ConsoleResult{0, ""} : ConsoleResult{1, r.error().message + "\n"};
      });
  add("console hangup", "Hangup a call on the console", "console hangup", "Hangs up any call currently placed on the console.",
      [st](const std::vector<std::string>& a) -> ConsoleResult {
        if (!a.empty()) return {2, ""};
        auto dev = st->active_device();
        if (!dev) return no_active();
        auto r = dev->hangup();
        return r ? ConsoleResult{0, ""} : ConsoleResult{1, r.error().message + "\n"};
      });
  add("console send text", "Send text to a connected party", "console send text <message>",
      "Sends a text message for display on the remote terminal.", [st](const std::vector<std::string>& a) -> ConsoleResult {
        if (a.empty()) return {2, ""};
        auto dev = st->active_device();
        if (!dev) return no_active();
        auto chan = dev->owner();
        if (!chan) return {1, "Not in a call\n"};
        std::string text;
        for (const auto& w : a) text += (text.empty() ? "" : " ") + w;
        chan->queue_frame(Frame::text(text + "\n"));
        return {0, ""};
      });
  add("console flash", "Send a flash to the connected party", "console flash", "Flashes the call currently placed on the console.",
      [st](const std::vector<std::string>& a) -> ConsoleResult {
        if (!a.empty()) return {2, ""};
        auto dev = st->active_device();
        if (!dev) return no_active();
        auto chan = dev->owner();
        if (!chan) return {1, "No call to flash\n"};
        chan->queue_frame(Frame::control(Control::Flash));
        return {0, ""};
      });
  for (const char* word : {"mute", "unmute"}) {
    const bool mute = std::string(word) == "mute";
    add(std::string("console ") + word, "Disable/Enable mic input", "console {mute|unmute}", "Mute/unmute the microphone.",
        [st, mute](const std::vector<std::string>& a) -> ConsoleResult {
          if (!a.empty()) return {2, ""};
          auto dev = st->active_device();
          if (!dev) return no_active();
          dev->set_muted(mute);
          st->engine.log().notice("chan_console", std::string("The Console is now ") + (mute ? "Muted" : "Unmuted"));
          return {0, std::string("The Console is now ") + (mute ? "Muted" : "Unmuted") + "\n"};
        });
  }
  auto devices = [st](const std::vector<std::string>& a) -> ConsoleResult {
    if (!a.empty()) return {2, ""};
    return {0, list_devices(*st)};
  };
  add("console list devices", "List configured devices", "console list devices", "List all configured devices.", devices);
  add("console show devices", "List configured devices", "console show devices", "Same as 'console list devices'.", devices);
  add("console list available", "List available devices", "console list available", "List all available ALSA PCM devices.",
      [](const std::vector<std::string>&) { return ConsoleResult{0, list_available()}; });
  auto active = [st](const std::vector<std::string>& a) -> ConsoleResult {
    if (a.empty()) {
      auto dev = st->active_device();
      if (!dev) return {0, "No device is currently set as the active console device.\n"};
      return {0, "The active console device is '" + dev->name() + "'.\n"};
    }
    if (a.size() != 1) return {2, ""};
    auto dev = st->find(a[0]);
    if (!dev) return {1, "Could not find a device called '" + a[0] + "'.\n"};
    {
      std::lock_guard lock(st->mu);
      st->active = dev->name();
    }
    return {0, "The active console device has been set to '" + dev->name() + "'\n"};
  };
  add("console active", "View or Set the active console device", "console active [<device>]",
      "Set or show the active console device for the CLI.", active);
  add("console set active", "Set the active console device", "console set active <device>",
      "Sets the active console device for the CLI.", active);
  add("console show active", "Show the active console device", "console show active", "Shows the active console device.",
      [active](const std::vector<std::string>&) { return active({}); });
  auto toggle = [st](const std::string& what, const std::vector<std::string>& a) -> ConsoleResult {
    auto dev = st->active_device();
    if (!dev) return no_active();
    auto get = [&]() -> bool {
      return what == "autoanswer" ? dev->autoanswer() : what == "echocancel" ? dev->echo_cancel() : dev->noise_suppress();
    };
    if (a.empty()) return {0, (what == "autoanswer" ? "Auto answer" : what == "echocancel" ? "Echo cancellation" : "Noise suppression") +
                                  std::string(" is ") + (get() ? "on" : "off") + ".\n"};
    if (a.size() != 1 || (a[0] != "on" && a[0] != "off")) return {2, ""};
    const bool on = a[0] == "on";
    if (what == "autoanswer") dev->set_autoanswer(on);
    else if (what == "echocancel") dev->set_echo_cancel(on);
    else dev->set_noise_suppress(on);
    return {0, ""};
  };
  for (const char* what : {"autoanswer", "echocancel", "noisesuppress"}) {
    const std::string w = what;
    add("console set " + w, "Turn " + w + " on or off", "console set " + w + " [on|off]",
        w == "autoanswer" ? "Enables or disables the autoanswer feature." :
        w == "echocancel" ? "Switches the speexdsp echo canceller of the active device (takes effect at once)." :
                            "Switches the speexdsp noise suppressor of the active device (takes effect at once).",
        [toggle, w](const std::vector<std::string>& a) { return toggle(w, a); });
    add("console show " + w, "Show " + w, "console show " + w, "Shows the current setting.",
        [toggle, w](const std::vector<std::string>&) { return toggle(w, {}); });
  }
}

const char* kCommands[] = {"console dial",         "console answer",         "console hangup",          "console send text",
                           "console flash",        "console mute",           "console unmute",          "console list devices",
                           "console show devices", "console list available", "console active",          "console set active",
                           "console show active",  "console set autoanswer", "console show autoanswer", "console set echocancel",
                           "console show echocancel", "console set noisesuppress", "console show noisesuppress"};

}  // namespace

ConsoleModule::ConsoleModule(Engine& engine) : state_(std::make_shared<State>(engine)) {}

ConsoleModule::~ConsoleModule() { unload(); }

Result<void, Errors> ConsoleModule::check(const std::filesystem::path& config_dir) {
  auto cfg = read_config(config_dir);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return {};
}

Result<void, Errors> ConsoleModule::load(const std::filesystem::path& config_dir) {
  auto cfg = read_config(config_dir);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  auto& engine = state_->engine;
  for (const auto& w : cfg->warnings) engine.log().warning("chan_console", w.to_string());
  {
    std::lock_guard lock(state_->mu);
    decltype(state_->devices) next;
    for (auto& d : cfg->devices) {
      auto it = state_->devices.find(d.name);
      if (it != state_->devices.end()) {
        it->second->set_config(d);  // a call in progress keeps its streams
        next.emplace(d.name, it->second);
      } else {
        next.emplace(d.name, std::make_shared<ConsoleDevice>(engine, d));
      }
    }
    state_->devices = std::move(next);
    state_->active = cfg->active;
  }
  if (!state_->registered) {
    (void)engine.drivers().add("Console", std::make_shared<ConsoleDriver>(state_), true);
    register_commands(engine, state_);
    state_->registered = true;
  }
  return {};
}

void ConsoleModule::unload() {
  if (!state_->registered) return;
  auto& engine = state_->engine;
  std::vector<std::shared_ptr<ConsoleDevice>> devices;
  {
    std::lock_guard lock(state_->mu);
    for (auto& [n, d] : state_->devices) devices.push_back(d);
    state_->registered = false;
  }
  for (auto& d : devices) (void)d->hangup();
  engine.drivers().remove("Console");
  for (const char* c : kCommands) engine.commands().remove(c);
}

}  // namespace telephony::console
