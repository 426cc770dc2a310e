// Internal: the software span backends — `loc` (two spans wired back to back in memory, as
// DAHDI's dahdi_dynamic_loc) and `sock` (one Unix datagram socket per channel, tdm/wire.hpp).
#pragma once

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "telephony/tdm/span.hpp"

namespace telephony::tdm {

using SpanLog = std::function<void(std::string_view)>;

struct LocAddress {
  int key = 0;
  int id = 0;
};

// `laws`: one per channel (its count is the span's channel count).
std::shared_ptr<Span> make_loc_span(int number, LocAddress address, std::vector<Law> laws);
// Wires every pair of loc spans sharing a key, channel i to channel i; a span without a partner
// stays in red alarm (nothing is on the other end of its wires).
void link_loc_spans(const std::vector<std::shared_ptr<Span>>& loc_spans);

std::shared_ptr<Span> make_socket_span(boost::asio::io_context& io, int number, std::filesystem::path dir,
                                       std::vector<Law> laws, SpanLog log);

// Counters a software channel keeps for `dahdi show channel`.
struct SoftChannelStats {
  std::uint64_t rx_messages = 0;
  std::uint64_t rx_rejected = 0;  // malformed datagrams, wrong law
  std::uint64_t tx_dropped = 0;   // no peer yet, socket buffer full, loop queue full
  std::string peer;               // socket: the peer's address or hello name
};
// Stats of a channel of a loc or sock span (zeroes for other spans).
SoftChannelStats soft_channel_stats(Span& span, std::size_t index);

}  // namespace telephony::tdm
