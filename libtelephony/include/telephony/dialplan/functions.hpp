// The built-in dialplan function library: the functions that need only a channel (or nothing) —
// CALLERID, CUT, LEN, IF, STRFTIME, REGEX, MATH, DB, CHANNEL, SHARED, HANGUPCAUSE, … with
// Asterisk's semantics and documentation (docs/functions.md lists them and every behaviour we
// chose where Asterisk is silent). Functions that need executor state (GLOBAL, LOCAL, ARG,
// EXCEPTION, …) are registered by the dialplan executor.
//
// Every function registers into engine.functions() as a dialplan::Function with its
// Documentation. Bad arguments give an Error whose message starts with the function name
// ("CUT: missing delimiter"); nothing a dialplan writes can crash the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "telephony/channel.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

// Registers every built-in function. Fails on nothing; a name a host already registered is kept
// (the host's version wins).
void register_builtin_functions(Engine& engine);

// HANGUPCAUSE(): what `on` learnt about the hangup of another channel `channel_name` (Dial
// records one per callee leg): the Q.850 cause and the technology's own text ("SIP 486 Busy
// Here"). Read back with ${HANGUPCAUSE(<channel_name>,ast|tech)} and ${HANGUPCAUSE_KEYS()}.
void record_hangup_cause(Channel& on, std::string_view channel_name, HangupCause cause,
                         std::string tech_cause);
// Forgets every record (the HangupCauseClear application).
void clear_hangup_causes(Channel& on);

}  // namespace telephony::dialplan
