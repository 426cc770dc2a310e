// DAHDI dial strings as chan_dahdi parses them: the resource after `DAHDI/` (or `Zap/`).
//
//   <channel>[c|r<cadence>|d][/<number>[/<options>]]     a channel: DAHDI/1, DAHDI/1r2, DAHDI/4/5551234
//   g<group> / G<group> / r<group> / R<group> [...]       first free channel of a group searching
//                                                          forward (g), backward (G), round robin
//                                                          forward (r) or backward (R)
//   pseudo                                                a pseudo channel (refused here)
// Options after the channel or group: `c` wait for a DTMF # from the called party before the call
// counts as answered, `r<n>` distinctive ring cadence n, `d` (digital; accepted, no effect on
// analog lines). Rejected with a message naming the problem: empty resources, groups outside
// 0..63, a channel that is not a positive number, `r` without a cadence number, unknown options.
#pragma once

#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::tdm {

struct DahdiDialString {
  enum class Kind { Channel, GroupForward, GroupBackward, RoundRobinForward, RoundRobinBackward, Pseudo };
  Kind kind = Kind::Channel;
  int number = 0;        // channel or group number
  bool confirm_answer = false;  // c
  int cadence = 0;       // r<n>, 0: the zone's cadence
  std::string dial;      // digits to dial on a line/E&M port
  std::string options;   // the third part, kept
};

Result<DahdiDialString> parse_dahdi_dial_string(std::string_view resource);

}  // namespace telephony::tdm
