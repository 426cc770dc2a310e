// The `pjsip …` console commands and the PJSIP* AMI actions over a running SipStack.
#pragma once

#include <memory>

namespace telephony {
class Engine;
}
namespace telephony::manager {
class Server;
}

namespace telephony::sip {

class SipStack;

void register_sip_console(Engine& engine, const std::shared_ptr<SipStack>& stack);
void unregister_sip_console(Engine& engine);
// Registers the actions on the manager's server when the manager module is loaded (it loads
// before this module in telephonyd); a no-op otherwise.
void register_sip_manager_actions(Engine& engine, const std::shared_ptr<SipStack>& stack);

// PJSIPNotify (sip_notify.cpp) and PJSIPHangup (sip_hangup.cpp), called by the above.
void register_sip_notify_action(manager::Server& server, std::weak_ptr<SipStack> stack);
void register_sip_hangup_action(manager::Server& server, std::weak_ptr<SipStack> stack);

// PJSIP_HEADER() (sip_functions.cpp) and the PJSIPHangup() application (sip_hangup.cpp).
void register_sip_functions(Engine& engine);
void register_sip_applications(Engine& engine);

}  // namespace telephony::sip
