// Actions whose engine support is being built in other modules (the originate core, the dialplan
// executor, AstDB, the media core). They are registered with their documentation now, so
// ListCommands and `manager show command` already describe them, and they answer a clear
// `Response: Error` naming the missing module — never a fake success.
//
// Completing one is a small change: delete its row here and register the real handler (with the
// same documentation) from its own file in this directory.
#include "action_context.hpp"

namespace telephony::manager {

namespace {

struct PendingAction {
  const char* name;
  PrivilegeSet privilege;
  const char* needs;  // the module, as users see it in `module show`
  ActionDoc doc;
};

std::vector<PendingAction> pending_actions() {
  const PrivilegeSet originate = Privilege::Originate;
  const PrivilegeSet call = Privilege::Call;
  const PrivilegeSet config = Privilege::Config;
  const PrivilegeSet reporting = Privilege::Reporting;
  const PrivilegeSet system = Privilege::System;
  return {
      {"Originate", originate, "originate",
       {"Originate a call.",
        "Generates an outgoing call to a Extension/Context/Priority or Application/Data.",
        {{"Channel", true, "Channel name to call."}, {"Exten", false, "Extension to use (requires Context and Priority)."},
         {"Context", false, "Context to use (requires Exten and Priority)."}, {"Priority", false, "Priority to use."},
         {"Application", false, "Application to execute."}, {"Data", false, "Data to use (requires Application)."},
         {"Timeout", false, "How long to wait for call to be answered (in ms.)."}, {"CallerID", false, "Caller ID to be set on the outgoing channel."},
         {"Variable", false, "Channel variable to set, multiple Variable: headers are allowed."},
         {"Account", false, "Account code."}, {"Async", false, "Set to true for fast origination."}},
        {"OriginateResponse"}}},
      {"Redirect", call, "pbx (dialplan executor)",
       {"Redirect (transfer) a call.", "Redirect (transfer) a call.",
        {{"Channel", true, "Channel to redirect."}, {"ExtraChannel", false, "Second call leg to transfer (optional)."},
         {"Exten", true, "Extension to transfer to."}, {"Context", true, "Context to transfer to."},
         {"Priority", true, "Priority to transfer to."}},
        {"BlindTransfer"}}},
      {"ShowDialPlan", config | reporting, "pbx (dialplan executor)",
       {"Show dialplan contexts and extensions",
        "Show dialplan contexts and extensions. Be aware that showing the full dialplan may take a lot of capacity.",
        {{"Extension", false, "Show a specific extension."}, {"Context", false, "Show a specific context."}},
        {}}},
      {"DialplanExtensionAdd", system, "pbx (dialplan executor)",
       {"Add an extension to the dialplan", "Add an extension to the dialplan.",
        {{"Context", true, "Context where the extension will be created."}, {"Extension", true, "Name of the extension."},
         {"Priority", true, "Priority being added to this extension."}, {"Application", true, "The application to use."},
         {"ApplicationData", false, "Arguments to the application."}, {"Replace", false, "Replace an existing priority."}},
        {"DialplanExtensionRemove"}}},
      {"DialplanExtensionRemove", system, "pbx (dialplan executor)",
       {"Remove an extension from the dialplan", "Remove an extension from the dialplan.",
        {{"Context", true, "Context of the extension being removed."}, {"Extension", true, "Name of the extension being removed."},
         {"Priority", false, "If provided, only remove this priority."}},
        {"DialplanExtensionAdd"}}},
      {"ExtensionState", call | reporting, "pbx (dialplan executor, hints)",
       {"Check Extension Status", "Report the extension state for given extension.",
        {{"Exten", true, "Extension to check state on."}, {"Context", true, "Context for extension."}},
        {"DeviceStateList"}}},
      {"DeviceStateList", call | reporting, "pbx (device state)",
       {"List the current known device states.", "Lists the device states as DeviceStateChange events.", {}, {"ExtensionState"}}},
      {"DBGet", system | reporting, "astdb (function library)",
       {"Get DB Entry.", "Get DB Entry.", {{"Family", true, ""}, {"Key", true, ""}}, {"DBPut", "DBDel", "DBDelTree"}}},
      {"DBPut", system, "astdb (function library)",
       {"Put DB entry.", "Put DB entry.", {{"Family", true, ""}, {"Key", true, ""}, {"Val", false, ""}}, {"DBGet", "DBDel"}}},
      {"DBDel", system, "astdb (function library)",
       {"Delete DB entry.", "Delete DB entry.", {{"Family", true, ""}, {"Key", true, ""}}, {"DBGet", "DBDelTree"}}},
      {"DBDelTree", system, "astdb (function library)",
       {"Delete DB Tree.", "Delete DB Tree.", {{"Family", true, ""}, {"Key", false, ""}}, {"DBGet", "DBDel"}}},
      {"Bridge", call, "pbx (dialplan executor)",
       {"Bridge two channels already in the PBX.", "Bridge together two channels already in the PBX.",
        {{"Channel1", true, "Channel to Bridge to Channel2."}, {"Channel2", true, "Channel to Bridge to Channel1."},
         {"Tone", false, "Play courtesy tone to Channel 2."}},
        {"BridgeKick"}}},
      {"BlindTransfer", call, "pbx (dialplan executor)",
       {"Blind transfer channel(s) to the given destination",
        "Redirect all channels currently bridged to the specified channel to the specified destination.",
        {{"Channel", true, ""}, {"Context", false, ""}, {"Exten", false, ""}},
        {"Redirect", "Atxfer"}}},
      {"Atxfer", call, "pbx (dialplan executor)",
       {"Attended transfer.", "Attended transfer.",
        {{"Channel", true, "Transferer's channel."}, {"Exten", true, "Extension to transfer to."},
         {"Context", false, "Context to transfer to."}},
        {"BlindTransfer"}}},
      {"MuteAudio", system, "media (audio core)",
       {"Mute an audio stream.", "Mute an incoming or outgoing audio stream on a channel.",
        {{"Channel", true, "The channel you want to mute."}, {"Direction", true, "in, out or all."},
         {"State", true, "on or off."}},
        {}}},
  };
}

}  // namespace

void register_pending_actions(Server& server, const ActionContextPtr&) {
  for (auto& p : pending_actions()) {
    const std::string message = std::string(p.name) + " is not available: it needs the " + p.needs +
                                " module, which is not loaded";
    p.doc.description += " (Not available yet: needs the " + std::string(p.needs) + " module.)";
    server.register_action(p.name, p.privilege, std::move(p.doc),
                           [message](std::shared_ptr<ActionResponder> r) { r->error(message); });
  }
}

}  // namespace telephony::manager
