// Internal: waiting for an absolute deadline on a channel while watching inbound DTMF, the one
// wait every paced writer (playback, recording's beep) uses.
#pragma once

#include <utility>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string_view>

#include "telephony/channel.hpp"

namespace telephony::media {

struct PaceOutcome {
  enum Kind { Due, Digit, HungUp } kind;
  char digit;
};

// Reads (and drops) inbound frames until `deadline`; returns early for a DtmfEnd in `digits`
// or a hangup. Must run on chan's strand.
boost::asio::awaitable<PaceOutcome> wait_for_deadline(Channel& chan, std::chrono::steady_clock::time_point deadline,
                                                      std::string_view digits);

}  // namespace telephony::media
