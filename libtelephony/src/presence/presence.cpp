#include "telephony/presence.hpp"

#include <strings.h>

#include "telephony/astdb.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace {

constexpr std::string_view kProvider = "CustomPresence:";
constexpr std::string_view kFamily = "CustomPresence";

Result<std::string> custom_name(std::string_view presentity) {
  if (presentity.size() <= kProvider.size() || ::strncasecmp(presentity.data(), kProvider.data(), kProvider.size()) != 0)
    return fail("only the CustomPresence provider is supported ('" + std::string(presentity) + "')");
  return std::string(presentity.substr(kProvider.size()));
}

std::vector<std::string> split3(std::string_view v) {
  std::vector<std::string> out;
  while (true) {
    const auto c = v.find(',');
    out.emplace_back(v.substr(0, c));
    if (c == std::string_view::npos) break;
    v.remove_prefix(c + 1);
  }
  return out;
}

std::string b64(std::string_view in, bool decode) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  if (!decode) {
    unsigned buf = 0;
    int bits = 0;
    for (unsigned char c : in) {
      buf = (buf << 8) | c;
      bits += 8;
      while (bits >= 6) out += kAlphabet[(buf >> (bits -= 6)) & 63];
    }
    if (bits) out += kAlphabet[(buf << (6 - bits)) & 63];
    while (out.size() % 4) out += '=';
    return out;
  }
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = c ? std::strchr(kAlphabet, c) : nullptr;
    if (!p) break;
    buf = (buf << 6) | static_cast<unsigned>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) out += static_cast<char>((buf >> (bits -= 8)) & 0xFF);
  }
  return out;
}

}  // namespace

bool valid_presence_state(std::string_view s) {
  for (const char* k : {"not_set", "unavailable", "available", "away", "xa", "chat", "dnd"})
    if (s == k) return true;
  return false;
}

Result<PresenceInfo> presence_state(Engine& engine, std::string_view presentity) {
  auto name = custom_name(presentity);
  if (!name) return Unexpected<Error>{name.error()};
  auto v = engine.astdb().get(kFamily, *name);
  if (!v) return Unexpected<Error>{v.error()};
  PresenceInfo info;
  if (!*v) return info;
  // Stored as Asterisk stores it: "state,subtype,message".
  auto parts = split3(**v);
  info.state = parts[0];
  if (parts.size() > 1) info.subtype = parts[1];
  if (parts.size() > 2) {
    info.message = parts[2];
    for (std::size_t i = 3; i < parts.size(); ++i) info.message += "," + parts[i];
  }
  return info;
}

Result<void> set_presence_state(Engine& engine, std::string_view presentity, PresenceInfo info) {
  auto name = custom_name(presentity);
  if (!name) return Unexpected<Error>{name.error()};
  if (!valid_presence_state(info.state)) return fail("invalid presence state '" + info.state + "'");
  if (auto r = engine.astdb().put(kFamily, *name, info.state + "," + info.subtype + "," + info.message); !r) return r;
  PresenceStateChanged ev;
  ev.presentity = std::string(kProvider) + *name;
  ev.info = std::move(info);
  engine.events().emit(std::move(ev));
  return {};
}

std::vector<std::pair<std::string, PresenceInfo>> presence_states(Engine& engine) {
  std::vector<std::pair<std::string, PresenceInfo>> out;
  auto entries = engine.astdb().show(kFamily);
  if (!entries) return out;
  for (const auto& e : *entries) {
    // Entry keys are "/CustomPresence/<name>".
    std::string key = e.key;
    const auto slash = key.rfind('/');
    const std::string presentity = std::string(kProvider) + (slash == std::string::npos ? key : key.substr(slash + 1));
    if (auto info = presence_state(engine, presentity)) out.emplace_back(presentity, *info);
  }
  return out;
}

void register_presence_function(Engine& engine) {
  auto fn = std::make_shared<dialplan::Function>();
  fn->name = "PRESENCE_STATE";
  fn->doc = Documentation{
      "Get or Set a presence state.", "PRESENCE_STATE(provider,field[,options])",
      "Reads the value, subtype or message of a presentity; writes CustomPresence:<name> as "
      "state[,subtype[,message[,options]]] with state one of not_set, unavailable, available, away, xa, chat, dnd. "
      "Option e: subtype and message are base64 encoded (on read: return them encoded).",
      {{"provider", "CustomPresence:<name>"}, {"field", "value, subtype or message"}, {"options", "e: base64"}},
      {"DEVICE_STATE", "PresenceState"}};
  fn->read = [](const dialplan::FunctionCall& call) -> Result<std::string> {
    auto parts = split3(call.args);
    if (parts.size() < 2) return fail("PRESENCE_STATE needs provider and field");
    auto info = presence_state(call.engine, parts[0]);
    if (!info) return Unexpected<Error>{info.error()};
    const bool encode = parts.size() > 2 && parts[2].find('e') != std::string::npos;
    if (parts[1] == "value") return info->state;
    if (parts[1] == "subtype") return encode ? b64(info->subtype, false) : info->subtype;
    if (parts[1] == "message") return encode ? b64(info->message, false) : info->message;
    return fail("PRESENCE_STATE field must be value, subtype or message");
  };
  fn->write = [](const dialplan::FunctionCall& call, std::string_view value) -> Result<void> {
    auto parts = split3(value);
    PresenceInfo info;
    info.state = parts[0];
    const bool decode = parts.size() > 3 && parts[3].find('e') != std::string::npos;
    if (parts.size() > 1) info.subtype = decode ? b64(parts[1], true) : parts[1];
    if (parts.size() > 2) info.message = decode ? b64(parts[2], true) : parts[2];
    return set_presence_state(call.engine, call.args, std::move(info));
  };
  (void)engine.functions().add("PRESENCE_STATE", std::move(fn), true);
}

}  // namespace telephony
