// Abilities a channel driver's ChannelTech may have beyond the ChannelTech interface, found with
// dynamic_cast on Channel::tech(): a driver opts in by also deriving from the class.
//
//   DriverTransfer — Transfer(): the driver asks its far end to take the call elsewhere (SIP
//                    REFER, or 302 before answer; a Local pair moves the parties bridged to its
//                    other half). Drivers without it make Transfer() report UNSUPPORTED.
//   DriverText     — ChannelTech::send_text() reaches the far end (SIP MESSAGE, a Local peer);
//                    SendText() reports UNSUPPORTED for drivers without it.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <string>

namespace telephony {

class Channel;

// What a driver transfer came to: TRANSFERSTATUS and TRANSFERSTATUSPROTOCOL (e.g. the SIP
// response code of a refused REFER; 0 when none).
struct TransferResult {
  enum class Status { Success, Failure, Unsupported };
  Status status = Status::Unsupported;
  int protocol_code = 0;
};

class DriverTransfer {
 public:
  virtual ~DriverTransfer() = default;
  // On the channel's strand; `dest` is "exten", "exten@context" or a driver address (the text
  // after an optional "Tech/"). Completes when the outcome is known.
  virtual boost::asio::awaitable<TransferResult> transfer(Channel& chan, std::string dest) = 0;
};

class DriverText {
 public:
  virtual ~DriverText() = default;
};

}  // namespace telephony
