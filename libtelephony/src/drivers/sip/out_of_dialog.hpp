// Requests the driver sends outside any dialog on an operator's behalf — NOTIFY (AMI
// PJSIPNotify) and MESSAGE (AMI MessageSend) —: where an endpoint's contacts are reached, and
// the request itself with a fresh Call-ID, From tag and branch. Internal: not installed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sip_stack.hpp"

namespace telephony {
struct OutgoingMessage;
}

namespace telephony::sip {

struct ContactTarget {
  std::string uri;    // the Request-URI (the contact, its user replaced when asked)
  Destination dest;   // where it goes: the contact's source when registered, else resolved
  std::string route;  // "<outbound_proxy>" when the endpoint has one (the request goes there)
};

// Every contact of the endpoint's AORs, through its outbound_proxy when set; `user` replaces the
// contacts' user part when not empty. Fails naming the endpoint when it has no contact.
Result<std::vector<ContactTarget>> endpoint_targets(SipStack& stack, const SipConfig& cfg,
                                                    const EndpointOptions& ep,
                                                    std::string_view user = {});

// "sip:alice@10.0.0.1:5062;transport=tcp" with the user part replaced by `user`.
std::string uri_with_user(std::string_view uri_text, std::string_view user);

struct OutOfDialogRequest {
  std::string uri;   // Request-URI
  std::string from;  // From value without tag; empty: <sip:asterisk@our address>
  std::string to;    // To value; empty: <uri>
  std::string route;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;
};

// Sends `method` through a client transaction; `done` gets the final response (null: timeout).
void send_out_of_dialog(SipStack& stack, Method method, const OutOfDialogRequest& r,
                        const Destination& dest, ClientTransaction::Handler done = {});

// An out-of-dialog MESSAGE from an admitted endpoint: 415 unless text/plain, 404 when the
// Request-URI user is no extension of the endpoint's message_context (else its context), else
// 202 and the dialplan runs there on a Message/ast_msg_queue-N channel, where MESSAGE(to|from|body)
// and MESSAGE_DATA(header) read it (sip_messaging.cpp).
void receive_message(SipStack& stack, const EndpointOptions& ep,
                     std::shared_ptr<ServerTransaction> txn);

// MESSAGE() and MESSAGE_DATA() (sip_messaging.cpp).
void register_message_functions(Engine& engine);

// MessageSend's destination (the forms listed in sip_messaging.cpp): the endpoint it names, if
// any, with the user to put in its contact, or the explicit Request-URI ("sip:…"/"sips:…").
struct MessageDestination {
  std::shared_ptr<const EndpointOptions> endpoint;
  std::string user;
  std::string uri;
};
Result<MessageDestination> parse_message_destination(std::string_view to, const SipConfig& cfg);

// AMI MessageSend through SIP: a MESSAGE (RFC 3428) to the destination (sip_messaging.cpp).
Result<void> send_sip_message(SipStack& stack, const OutgoingMessage& msg);

}  // namespace telephony::sip
