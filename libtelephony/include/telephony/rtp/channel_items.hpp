// RTP data of a channel as the dialplan and the console read it: CHANNEL(rtpqos) (chan_sip),
// CHANNEL(rtp,<src|dest|secure|hold>[,audio]) and CHANNEL(rtcp,<all|all_jitter|all_loss|all_rtt|
// txcount|rxcount|txjitter|rxjitter|txploss|rxploss|rtt|local_ssrc|remote_ssrc>[,audio])
// (chan_pjsip), and the `pjsip show channelstats` console table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "telephony/channel.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
}

namespace telephony::rtp {

// nullopt when `args` is not an RTP item (CHANNEL() goes on with its own items); an error for an
// RTP item on a channel without media or with an unknown field.
std::optional<Result<std::string>> media_channel_item(const Channel& chan, std::string_view args);

// `pjsip show channelstats` (and `sip show channelstats`): one row per channel with media.
std::string channel_stats_table(Engine& engine);

// Registers the console commands above (idempotent).
void register_rtp_console_commands(Engine& engine);

}  // namespace telephony::rtp
