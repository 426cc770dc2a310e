// CHANNEL(rtp…)/CHANNEL(rtcp…)/CHANNEL(rtpqos) and `pjsip show channelstats`.
#include "telephony/rtp/channel_items.hpp"

#include <cstdio>

#include "rtp/text.hpp"
#include "telephony/engine.hpp"
#include "telephony/rtp/media_session.hpp"

namespace telephony::rtp {

namespace {

std::string fixed(double v, const char* fmt = "%f") {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto end = s.find(',', pos);
    out.push_back(trim(s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos)));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return out;
}

double loss_percent(std::uint64_t lost, std::uint64_t count) {
  return count + lost == 0 ? 0.0 : 100.0 * static_cast<double>(lost) / static_cast<double>(count + lost);
}

}  // namespace

std::optional<Result<std::string>> media_channel_item(const Channel& chan, std::string_view args) {
  auto parts = split_args(args);
  if (parts.empty()) return std::nullopt;
  const auto param = parts[0];
  if (!iequals(param, "rtpqos") && !iequals(param, "rtp") && !iequals(param, "rtcp")) return std::nullopt;
  const std::string_view type = parts.size() > 1 ? parts[1] : std::string_view();
  const std::string_view media = parts.size() > 2 ? parts[2] : std::string_view("audio");
  if (!media.empty() && !iequals(media, "audio"))
    return Result<std::string>(fail("no '" + std::string(media) + "' media on this channel", "CHANNEL(" + std::string(param) + ")"));
  auto session = MediaSession::of(chan);
  if (!session) return Result<std::string>(fail("channel " + chan.name() + " has no RTP media", "CHANNEL(" + std::string(param) + ")"));
  const auto s = session->statistics();
  if (iequals(param, "rtpqos")) {
    // chan_sip: CHANNEL(rtpqos,audio,<all|local_ssrc|…>); the bare item is `all`.
    const std::string_view field = parts.size() > 2 ? parts[2] : std::string_view("all");
    if (parts.size() <= 1 || iequals(type, "audio")) {
      if (iequals(field, "all") || parts.size() <= 2) return Result<std::string>(rtpqos_text(s));
      if (iequals(field, "local_ssrc")) return Result<std::string>(std::to_string(s.local_ssrc));
      if (iequals(field, "remote_ssrc")) return Result<std::string>(std::to_string(s.remote_ssrc));
    }
    return Result<std::string>(fail("unknown field '" + std::string(field) + "'", "CHANNEL(rtpqos)"));
  }
  if (iequals(param, "rtp")) {
    if (iequals(type, "src")) return Result<std::string>(s.local_address);
    if (iequals(type, "dest")) return Result<std::string>(s.remote_address);
    if (iequals(type, "direct")) return Result<std::string>(std::string());
    if (iequals(type, "secure")) return Result<std::string>(std::string(s.secure ? "1" : "0"));
    if (iequals(type, "hold")) return Result<std::string>(std::string(s.remote_hold ? "1" : "0"));
    // Ours: the native relay (docs/rtp.md) and its counters.
    if (iequals(type, "native")) return Result<std::string>(std::string(s.native_relay ? "1" : "0"));
    if (iequals(type, "relayed")) return Result<std::string>(std::to_string(s.relayed_packets));
    if (iequals(type, "delivered")) return Result<std::string>(std::to_string(s.delivered_frames));
    return Result<std::string>(fail("unknown type '" + std::string(type) +
                                        "' (src, dest, direct, secure, hold, native, relayed, delivered)",
                                    "CHANNEL(rtp)"));
  }
  // rtcp
  if (iequals(type, "all") || type.empty()) return Result<std::string>(rtpqos_text(s));
  if (iequals(type, "all_jitter"))
    return Result<std::string>("rxjitter=" + fixed(s.rx_jitter) + ";txjitter=" + fixed(s.tx_jitter) + ";");
  if (iequals(type, "all_loss"))
    return Result<std::string>("rxlost=" + std::to_string(s.rx_lost) + ";txlost=" + std::to_string(s.tx_lost) + ";");
  if (iequals(type, "all_rtt"))
    return Result<std::string>("minrtt=" + fixed(s.min_rtt) + ";maxrtt=" + fixed(s.max_rtt) + ";avgrtt=" + fixed(s.avg_rtt) + ";");
  if (iequals(type, "txcount")) return Result<std::string>(std::to_string(s.tx_packets));
  if (iequals(type, "rxcount")) return Result<std::string>(std::to_string(s.rx_packets));
  if (iequals(type, "txjitter")) return Result<std::string>(fixed(s.tx_jitter));
  if (iequals(type, "rxjitter")) return Result<std::string>(fixed(s.rx_jitter));
  if (iequals(type, "txploss")) return Result<std::string>(std::to_string(s.tx_lost));
  if (iequals(type, "rxploss")) return Result<std::string>(std::to_string(s.rx_lost));
  if (iequals(type, "rtt")) return Result<std::string>(fixed(s.rtt.value_or(0.0)));
  if (iequals(type, "maxrtt")) return Result<std::string>(fixed(s.max_rtt));
  if (iequals(type, "minrtt")) return Result<std::string>(fixed(s.min_rtt));
  if (iequals(type, "local_ssrc")) return Result<std::string>(std::to_string(s.local_ssrc));
  if (iequals(type, "remote_ssrc")) return Result<std::string>(std::to_string(s.remote_ssrc));
  return Result<std::string>(fail("unknown type '" + std::string(type) + "'", "CHANNEL(rtcp)"));
}

std::string channel_stats_table(Engine& engine) {
  char line[256];
  std::string out;
  std::snprintf(line, sizeof line, "%-28s %-8s %-6s | %8s %6s %5s %8s | %8s %6s %5s %8s | %8s\n", "Channel", "UpTime", "Codec",
                "RxCount", "Lost", "Pct", "Jitter", "TxCount", "Lost", "Pct", "Jitter", "RTT");
  out += "                                          ...........Receive............ ..........Transmit............\n";
  out += line;
  out += std::string(132, '=') + "\n";
  int rows = 0;
  for (const auto& chan : engine.channels()) {
    auto session = MediaSession::of(*chan);
    if (!session) continue;
    const auto s = session->statistics();
    const auto formats = session->formats();
    const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - chan->created()).count();
    char uptime[32];
    std::snprintf(uptime, sizeof uptime, "%02lld:%02lld:%02lld", static_cast<long long>(up / 3600),
                  static_cast<long long>(up / 60 % 60), static_cast<long long>(up % 60));
    std::snprintf(line, sizeof line, "%-28s %-8s %-6s | %8llu %6u %5.1f %8.4f | %8llu %6u %5.1f %8.4f | %8.4f\n",
                  chan->name().substr(0, 28).c_str(), uptime, formats.empty() ? "-" : formats.front().name().c_str(),
                  static_cast<unsigned long long>(s.rx_packets), s.rx_lost, loss_percent(s.rx_lost, s.rx_packets), s.rx_jitter,
                  static_cast<unsigned long long>(s.tx_packets), s.tx_lost, loss_percent(s.tx_lost, s.tx_packets), s.tx_jitter,
                  s.rtt.value_or(0.0));
    out += line;
    ++rows;
  }
  if (rows == 0) out += "No channels with RTP media.\n";
  return out;
}

void register_rtp_console_commands(Engine& engine) {
  Engine* e = &engine;
  for (const char* name : {"pjsip show channelstats", "sip show channelstats"}) {
    (void)engine.commands().add(ConsoleCommand{
        name,
        Documentation{.synopsis = "Show RTP statistics of the channels with media",
                      .syntax = name,
                      .description = "One row per channel with RTP media: codec, packets received and sent, "
                                     "loss (count and percent), interarrival jitter (seconds) and the round trip "
                                     "time measured by RTCP."},
        [e](const std::vector<std::string>& args) {
          if (!args.empty()) return ConsoleResult{2, ""};
          return ConsoleResult{0, channel_stats_table(*e)};
        }});
  }
}

}  // namespace telephony::rtp
