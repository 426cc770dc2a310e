// announce_modules_loaded (see telephony/module_hooks.hpp).
#include "telephony/module_hooks.hpp"

#include <algorithm>
#include <vector>

#include "telephony/engine.hpp"

namespace telephony {

void announce_modules_loaded(Engine& engine) {
  // engine.modules() is a snapshot taken under the engine's lock; hooks run without it, since
  // they call back into the engine (and may add a module: it is told in the next pass).
  std::vector<const Module*> told;
  for (bool more = true; more;) {
    more = false;
    for (const auto& m : engine.modules()) {
      if (std::find(told.begin(), told.end(), m.get()) != told.end()) continue;
      told.push_back(m.get());
      more = true;
      if (auto* hook = dynamic_cast<ModulesLoadedHook*>(m.get())) hook->modules_loaded();
    }
  }
}

}  // namespace telephony
