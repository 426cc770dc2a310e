// PJSIP* AMI actions. Registered on the manager's server when the manager module is loaded.
#include "sip_console.hpp"

namespace telephony::sip {

// The actions are not implemented yet (issue 11 follow-up); see docs/sip.md.
void register_sip_manager_actions(Engine&, const std::shared_ptr<SipStack>&) {}

}  // namespace telephony::sip
