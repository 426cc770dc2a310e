// Functions that cannot answer at once (LOCK waiting for its lock, SHELL for its command) without
// blocking a thread (internal). Such a function, running for a channel whose dialplan is
// substituting a priority's data, asks for a wait with defer_substitution() and returns a
// placeholder; substitute_waiting() — which the executor uses for every priority's data — then
// waits on the channel's strand until `ready()` holds (re-checked whenever the channel is woken)
// or `until`, and substitutes the data again. Bounded: a function that keeps deferring gets its
// last answer used after kMaxRounds.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "telephony/channel.hpp"

namespace telephony::dialplan {

class Execution;

// From a function, on `chan`'s strand while its dialplan substitutes: wait, then substitute again.
// Several deferring functions in one text: the earliest deadline, any of them ready.
void defer_substitution(Channel& chan, std::function<bool()> ready, std::chrono::steady_clock::time_point until);
// Changes with every substitute_waiting() call (not with its retries): lets a deferring function
// tell its own retry from a later priority.
std::uint64_t substitution_serial(Channel& chan);
// True while substitute_waiting() runs for `chan` (a function may defer only then).
bool substitution_can_wait(Channel& chan);

// Execution::substitute() honouring those requests.
boost::asio::awaitable<std::string> substitute_waiting(Execution& x, std::string_view text);

}  // namespace telephony::dialplan
