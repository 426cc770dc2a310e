// Presence state, as Asterisk's CustomPresence provider: a presentity "CustomPresence:bob" has a
// state (not_set, unavailable, available, away, xa, chat, dnd), a subtype and a message, set
// from the dialplan with PRESENCE_STATE(CustomPresence:bob)=away,subtype,message and kept in
// AstDb family CustomPresence (as Asterisk keeps it, so it survives restarts). Every change is
// published as PresenceStateChanged (the AMI PresenceStateChange event). Hints may carry a
// presentity after a comma (`exten => 100,hint,SIP/alice,CustomPresence:alice`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "telephony/events.hpp"
#include "telephony/result.hpp"

namespace telephony {

class Engine;

struct PresenceInfo {
  std::string state = "not_set";
  std::string subtype;
  std::string message;
};

struct PresenceStateChanged : Event {
  static constexpr std::string_view kType = "PresenceStateChanged";
  std::string_view type() const override { return kType; }
  std::string presentity;  // "CustomPresence:bob"
  PresenceInfo info;
};

// Known states, lower case, as Asterisk's ast_presence_state2str.
bool valid_presence_state(std::string_view s);

// "CustomPresence:bob" -> its state (not_set when never set). Other providers: an error.
Result<PresenceInfo> presence_state(Engine& engine, std::string_view presentity);
// Sets and publishes. `state` must be valid.
Result<void> set_presence_state(Engine& engine, std::string_view presentity, PresenceInfo info);
// Every CustomPresence presentity with a stored state.
std::vector<std::pair<std::string, PresenceInfo>> presence_states(Engine& engine);

// Registers PRESENCE_STATE() (read: value|subtype|message[,e]; write: state[,subtype[,message[,e]]],
// e = base64-encoded subtype and message).
void register_presence_function(Engine& engine);

}  // namespace telephony
