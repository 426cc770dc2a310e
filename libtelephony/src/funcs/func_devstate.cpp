// Device and extension states: DEVICE_STATE (read any device; write Custom: devices, kept in
// AstDB family CustomDevstate as Asterisk does, and restored when the functions register),
// EXTENSION_STATE and HINT.
#include <strings.h>

#include <set>

#include "funcs/function_support.hpp"
#include "telephony/astdb.hpp"
#include "telephony/device_state.hpp"
#include "telephony/dialplan/hints.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"

namespace telephony::funcs {

namespace {

constexpr std::string_view kFamily = "CustomDevstate";
constexpr std::string_view kCustom = "Custom:";

std::optional<DeviceState> device_state_named(std::string_view text) {
  static constexpr DeviceState kAll[] = {DeviceState::Unknown, DeviceState::NotInUse, DeviceState::InUse,
                                         DeviceState::Busy,    DeviceState::Invalid,  DeviceState::Unavailable,
                                         DeviceState::Ringing, DeviceState::RingInUse, DeviceState::OnHold};
  auto t = trim(text);
  for (auto s : kAll) {
    auto name = to_string(s);
    if (name.size() == t.size() && ::strncasecmp(name.data(), t.data(), t.size()) == 0) return s;
  }
  return std::nullopt;
}

bool is_custom(std::string_view device) {
  return device.size() >= kCustom.size() && ::strncasecmp(device.data(), kCustom.data(), kCustom.size()) == 0;
}

// "exten[@context]" (context default "default").
std::pair<std::string, std::string> exten_at(std::string_view text) {
  auto at = text.find('@');
  std::string exten(trim(text.substr(0, at)));
  std::string context = at == std::string_view::npos ? "" : std::string(trim(text.substr(at + 1)));
  return {exten, context.empty() ? "default" : context};
}

std::optional<std::string> hint_of(const FunctionCall& call, const std::string& exten, const std::string& context) {
  auto pbx = std::dynamic_pointer_cast<dialplan::DialplanPbx>(call.engine.pbx());
  if (!pbx) return std::nullopt;
  auto plan = pbx->snapshot();
  if (!plan) return std::nullopt;
  std::set<std::string> visited;
  return dialplan::find_hint(*plan, context, exten, visited);
}

// EXTENSION_STATE()'s words for Asterisk's extension state numbers (func_extstate.c's table).
std::string_view extension_state_word(int state) {
  switch (state) {
    case 0: return "NOT_INUSE";
    case 1: return "INUSE";
    case 2: return "BUSY";
    case 4: return "UNAVAILABLE";
    case 8: return "RINGING";
    case 9: return "RINGINUSE";
    case 16: return "ONHOLD";
    case 17: return "HOLDINUSE";
    default: return "UNKNOWN";
  }
}

}  // namespace

void register_devstate_functions(Engine& engine) {
  // Custom device states survive a restart (AstDB), as in Asterisk.
  if (auto saved = engine.astdb().show(kFamily))
    for (const auto& e : *saved)
      if (auto s = device_state_named(e.value)) {
        auto name = e.key.substr(e.key.rfind('/') + 1);
        engine.device_states().set(std::string(kCustom) + name, *s);
      }
  add_function(
      engine, "DEVICE_STATE",
      {"Get or Set a device state.", "DEVICE_STATE(device)",
       "Reads the state of any device: NoOp(SIP/mypeer has state ${DEVICE_STATE(SIP/mypeer)}). Custom devices are "
       "set from the dialplan: Set(DEVICE_STATE(Custom:lamp1)=BUSY); hints may name them (exten => 1234,hint,"
       "Custom:lamp1). Values: UNKNOWN | NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING | RINGINUSE | "
       "ONHOLD (any case). Custom states are kept in AstDB (family CustomDevstate) across restarts.",
       {{"device", "Tech/resource or Custom:name"}}, {"EXTENSION_STATE", "HINT"}},
      [](const FunctionCall& c) -> Result<std::string> {
        auto device = trim(c.args);
        if (device.empty()) return func_error(c, "requires a device");
        return std::string(to_string(c.engine.device_states().get(device)));
      },
      [](const FunctionCall& c, std::string_view value) -> Result<void> {
        auto device = trim(c.args);
        if (!is_custom(device)) return func_error(c, "can only be used to set 'Custom:' device state");
        auto name = device.substr(kCustom.size());
        if (name.empty()) return func_error(c, "called with no custom device name");
        auto state = device_state_named(value);
        if (!state || *state == DeviceState::Unknown)
          return func_error(c, "invalid state value '" + std::string(value) + "'");
        if (auto r = c.engine.astdb().put(kFamily, name, to_string(*state)); !r)
          c.engine.log().warning("func_devstate", "Custom device state not saved: " + r.error().message);
        c.engine.device_states().set(std::string(kCustom) + std::string(name), *state);
        return {};
      });
  add_function(engine, "EXTENSION_STATE",
               {"Get an extension's state.", "EXTENSION_STATE(extension[@context])",
                "The state of the extension's hint in the context (default: default): UNKNOWN (no hint) | "
                "NOT_INUSE | INUSE | BUSY | UNAVAILABLE | RINGING | RINGINUSE | HOLDINUSE | ONHOLD. Example: "
                "NoOp(4567@home has state ${EXTENSION_STATE(4567@home)}).",
                {{"extension", "extension with a hint"}, {"context", "default: default"}},
                {"DEVICE_STATE", "HINT"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto [exten, context] = exten_at(c.args);
                 if (exten.empty()) return func_error(c, "requires an extension");
                 auto hint = hint_of(c, exten, context);
                 if (!hint) return std::string("UNKNOWN");
                 return std::string(extension_state_word(dialplan::extension_state(c.engine, *hint)));
               });
  add_function(engine, "HINT",
               {"Get the devices set for a dialplan hint.", "HINT(extension[@context][,options])",
                "The devices of the extension's hint (\"SIP/alice&Custom:lamp\"), or with option n the text after "
                "them, its presence provider (exten => 1234,hint,SIP/alice,CustomPresence:alice gives "
                "CustomPresence:alice). Context default: default. An extension "
                "without a hint is an error (empty).",
                {{"extension", "extension[@context]"}, {"options", "n: the presence provider instead of the devices"}},
                {"EXTENSION_STATE", "DEVICE_STATE"}},
               [](const FunctionCall& c) -> Result<std::string> {
                 auto a = dialplan::split_args(c.args);
                 if (a.empty() || trim(a[0]).empty()) return func_error(c, "requires an extension");
                 auto [exten, context] = exten_at(a[0]);
                 auto hint = hint_of(c, exten, context);
                 if (!hint) return func_error(c, "no hint for " + exten + "@" + context);
                 if (a.size() > 1 && a[1].find('n') != std::string::npos) return dialplan::hint_presence(*hint);
                 std::string devices;
                 for (const auto& d : dialplan::hint_devices(*hint)) devices += (devices.empty() ? "" : "&") + d;
                 return devices;
               });
}

}  // namespace telephony::funcs
