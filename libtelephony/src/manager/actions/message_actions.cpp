// MessageSend: an out-of-call message through the driver of the destination's scheme
// (messaging.hpp); the SIP driver implements MessageTechnology to carry SIP MESSAGE.
#include <cctype>

#include "action_context.hpp"
#include "telephony/messaging.hpp"

namespace telephony {

std::string message_technology_of(std::string_view to) {
  const auto colon = to.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string tech(to.substr(0, colon));
  for (auto& c : tech) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (tech == "PJSIP" || tech == "SIPS") tech = "SIP";
  return tech;
}

namespace manager {

namespace {

using ResponderPtr = std::shared_ptr<ActionResponder>;

std::string base64_decode(std::string_view in) {
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (v < 0) break;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) out += static_cast<char>((buf >> (bits -= 8)) & 0xFF);
  }
  return out;
}

void message_send(const ActionContextPtr& ctx, const ResponderPtr& r) {
  OutgoingMessage msg;
  msg.to = std::string(header(*r, "To"));
  if (msg.to.empty()) msg.to = std::string(header(*r, "Destination"));
  if (msg.to.empty()) return r->error("No 'To' address specified.");
  msg.from = std::string(header(*r, "From"));
  if (const auto b64 = header(*r, "Base64Body"); !b64.empty()) msg.body = base64_decode(b64);
  else msg.body = std::string(header(*r, "Body"));
  const auto& req = r->request();
  for (std::size_t i = 0; i < req.size(); ++i) {
    const auto h = req.at(i);
    if (!ami::iequals(h.key, "Variable")) continue;
    const auto eq = h.value.find('=');
    if (eq == std::string_view::npos) return r->error("Invalid Variable '" + std::string(h.value) + "': expected NAME=value");
    msg.variables.emplace_back(std::string(h.value.substr(0, eq)), std::string(h.value.substr(eq + 1)));
  }
  const std::string tech = message_technology_of(msg.to);
  if (tech.empty()) return r->error("Message technology not found.");
  auto driver = ctx->engine.drivers().find(tech);
  auto* carrier = dynamic_cast<MessageTechnology*>(driver.get());
  if (!carrier) return r->error("Message technology not found.");
  if (auto sent = carrier->send_message(msg); !sent) return r->error("Message failed to send: " + sent.error().message);
  r->success("Message successfully sent");
}

}  // namespace

void register_message_actions(Server& server, const ActionContextPtr& ctx) {
  server.register_action("MessageSend", Privilege::Message,
                         ActionDoc{"Send an out of call message to an endpoint.",
                                   "Sends Body (or Base64Body) to To through the channel driver of its scheme "
                                   "(pjsip:/sip: -> the SIP driver's MESSAGE). A scheme no loaded driver can carry "
                                   "answers 'Message technology not found.'.",
                                   {{"Destination", false, "Alias of To (Asterisk 13)."},
                                    {"To", true, "The URI the message is to be sent to (pjsip:alice, sip:bob@host)."},
                                    {"From", false, "A From URI for the message if needed for the message technology being used to send this message."},
                                    {"Body", false, "The message body text."},
                                    {"Base64Body", false, "Text body, base64 encoded (wins over Body)."},
                                    {"Variable", false, "NAME=value, repeatable: message variables / extra headers."}},
                                   {"MESSAGE"}},
                         [ctx](ResponderPtr r) { message_send(ctx, r); });
}

}  // namespace manager
}  // namespace telephony
