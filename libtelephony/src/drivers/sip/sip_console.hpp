// The `pjsip …` console commands and the PJSIP* AMI actions over a running SipStack.
#pragma once

#include <memory>

namespace telephony {
class Engine;
}

namespace telephony::sip {

class SipStack;

void register_sip_console(Engine& engine, const std::shared_ptr<SipStack>& stack);
void unregister_sip_console(Engine& engine);
// Registers the actions on the manager's server when the manager module is loaded (it loads
// before this module in telephonyd); a no-op otherwise.
void register_sip_manager_actions(Engine& engine, const std::shared_ptr<SipStack>& stack);

// PJSIP_HEADER() (sip_functions.cpp).
void register_sip_functions(Engine& engine);

}  // namespace telephony::sip
