// Module hooks: what a module that works with other modules implements beside Module.
//
// Modules load one after another in the host's order (telephonyd: res_pjsip before
// res_prometheus), so a module cannot find in load() every module it works with. A module that
// needs to — the SIP and RTP drivers register their metric collectors with res_prometheus — also
// derives from ModulesLoadedHook; the host calls announce_modules_loaded() once every module of a
// load has loaded (at start, after `module load` and after `module reload`), which calls
// modules_loaded() on each loaded module that has the hook. It may run several times: make it
// idempotent. A separate interface rather than a new virtual of Module, so that modules built
// against the installed headers (embedders' own) keep their layout.
#pragma once

namespace telephony {

class Engine;

class ModulesLoadedHook {
 public:
  virtual ~ModulesLoadedHook() = default;
  virtual void modules_loaded() = 0;
};

// Tells every loaded module with the hook, and any module one of them adds meanwhile (the SIP
// driver adds the default RTP module), once each.
void announce_modules_loaded(Engine& engine);

}  // namespace telephony
