// Local channels: `Local/exten@context[/n]` creates a pair `Local/exten@context-XXXXXXXX;1` and
// `;2`. `;1` is returned to whoever dialed; calling it starts the dialplan on `;2` at
// exten@context. Answer, hangup, indications, DTMF and frames cross between the halves.
// Options after '/': n (never optimise away — optimisation is not implemented yet, so every pair
// stays; the flag is kept so that behaviour does not change when it is).
#pragma once

#include "telephony/driver.hpp"

namespace telephony {

class LocalDriver : public ChannelDriver {
 public:
  std::string_view technology() const override { return "Local"; }
  std::string_view description() const override { return "Local Proxy Channel Driver"; }
  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override;
};

// The `;2` half of a `;1` Local channel (or the reverse); null for non-Local channels.
Channel::Ptr local_peer(const Channel& chan);

}  // namespace telephony
