// Out-of-call text messages (Asterisk's MessageSend / MESSAGE): the one hook a channel driver
// implements to carry them. A driver that can send messages (SIP MESSAGE) derives from
// MessageTechnology as well as ChannelDriver; AMI MessageSend finds it through the driver registry
// by the scheme of the destination ("pjsip:alice" or "sip:alice@host" -> the "SIP" driver,
// "PJSIP" being its alias), so the core needs nothing else from the driver.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/result.hpp"

namespace telephony {

struct OutgoingMessage {
  std::string to;      // as given, scheme included: "pjsip:alice", "sip:bob@127.0.0.1:5070"
  std::string from;    // optional: "sip:alice@example.com", "\"Alice\" <sip:alice@x>"
  std::string body;
  std::vector<std::pair<std::string, std::string>> variables;  // MESSAGE_DATA / extra headers
};

class MessageTechnology {
 public:
  virtual ~MessageTechnology() = default;
  // Queues the message; errors name what was wrong with the destination.
  virtual Result<void> send_message(const OutgoingMessage& msg) = 0;
};

// "pjsip:alice" -> "SIP" (PJSIP is SIP here); "sip:x" -> "SIP"; "xmpp:y" -> "XMPP"; "" when no scheme.
std::string message_technology_of(std::string_view to);

}  // namespace telephony
