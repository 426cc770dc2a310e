// Registration entry points of the dialplan's own applications and functions (internal).
#pragma once

namespace telephony {
class Engine;
}

namespace telephony::dialplan {
void register_control_applications(Engine& engine);    // app_control.cpp: Goto, Gosub, While, ExecIf …
void register_macro_applications(Engine& engine);      // app_macro.cpp: Macro, MacroExit
void register_channel_applications(Engine& engine);    // app_basic.cpp: Set, Wait, Answer, Hangup …
void register_dialplan_functions(Engine& engine);      // funcs/func_dialplan.cpp
void register_dial_application(Engine& engine);        // app_dial.cpp: Dial
void register_page_application(Engine& engine);        // app_page.cpp: Page
void register_originate_application(Engine& engine);   // app_originate.cpp: Originate
// app_amd.cpp, app_audio_detect.cpp, app_tone_detect.cpp: AMD, WaitForSilence, WaitForNoise,
// BackgroundDetect, WaitForTone, ToneScan.
void register_audio_analysis_applications(Engine& engine);
void register_audiosocket_application(Engine& engine);  // app_audiosocket.cpp: AudioSocket
void register_conditional_applications(Engine& engine);  // app_conditional.cpp: If, ElseIf, Else, EndIf, ExitIf
void register_exec_applications(Engine& engine);         // app_exec.cpp: Exec, TryExec, System, TrySystem, Reload
void register_channel_ops_applications(Engine& engine);  // app_channel_ops.cpp: ImportVar, ChannelRedirect, SoftHangup …
void register_wait_applications(Engine& engine);         // app_waits.cpp: WaitUntil, WaitForCondition
void register_bridge_applications(Engine& engine);       // app_bridges.cpp: Bridge, BridgeAdd, BridgeWait
void register_transfer_applications(Engine& engine);     // app_transfer.cpp: BlindTransfer, AttendedTransfer, Transfer
void register_pickup_applications(Engine& engine);       // app_pickup.cpp: Pickup, PickupChan
void register_chanspy_applications(Engine& engine);      // app_chanspy.cpp: ChanSpy, ExtenSpy
void register_access_applications(Engine& engine);       // app_access.cpp: DISA, Authenticate, PrivacyManager
void register_retrydial_application(Engine& engine);     // app_retrydial.cpp: RetryDial
void register_followme_application(Engine& engine);      // app_followme.cpp: FollowMe (profiles: FollowMeModule)
}  // namespace telephony::dialplan

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "telephony/dialplan/application.hpp"
#include "telephony/engine.hpp"

namespace telephony::dialplan {

inline void add_application(Engine& engine, std::string name, Documentation doc, AppHandler run) {
  auto app = std::make_shared<Application>(Application{name, std::move(doc), std::move(run)});
  (void)engine.applications().add(std::move(name), std::move(app));
}

inline void add_function(Engine& engine, std::string name, Documentation doc, FunctionRead read, FunctionWrite write) {
  auto fn = std::make_shared<Function>(Function{name, std::move(doc), std::move(read), std::move(write)});
  (void)engine.functions().add(std::move(name), std::move(fn));
}

// Asterisk's pbx_checkcondition: empty is false, a leading integer is its value, other text true.
bool condition_true(std::string_view text);

// Splits at the first `sep` outside (), [] and double quotes, keeping everything else as
// written (Asterisk's raw argument split); second is empty and `found` false when absent.
struct RawSplit {
  std::string first;
  std::string second;
  bool found = false;
};
RawSplit split_raw_once(std::string_view text, char sep);

// "App(args)" -> {"App", "args"} (args to the last ')'); "App" -> {"App", ""}.
std::pair<std::string, std::string> split_app_call(std::string_view text);

}  // namespace telephony::dialplan
