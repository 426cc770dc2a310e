// The engine's own console commands: `core show version|uptime|channels|settings|help`,
// `core show application(s)|function(s)`, `core stop now|gracefully`, `module reload [name]`,
// `module show`. Any host (telephonyd, an embedding program) registers them once.
#pragma once

namespace telephony {
class Engine;
void register_core_commands(Engine& engine);
}  // namespace telephony
