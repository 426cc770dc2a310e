// Pbx: the seam between the core and whatever runs a channel's call logic. The dialplan module
// implements it; the core (Local channels, originate, call files) only asks it to start a channel
// at its dialplan location and whether a location exists.
#pragma once

#include <string>
#include <string_view>

#include "telephony/channel.hpp"
#include "telephony/result.hpp"

namespace telephony {

class Pbx {
 public:
  virtual ~Pbx() = default;
  // Runs the channel from its current location until the dialplan ends, then hangs it up.
  virtual void start(Channel::Ptr chan) = 0;
  // Whether context/exten/priority exists (caller id for /cid matches).
  virtual bool exists(std::string_view context, std::string_view exten, int priority,
                      std::string_view caller_number) const = 0;
  // Overlap dialling (Asterisk's ast_canmatch_extension / ast_matchmore_extension): whether
  // `exten` matches or is a prefix of something that matches in `context`, and whether a longer
  // string could still match. Drivers collecting digits (analog lines, overlap SIP) stop exactly
  // when match_more() turns false. The defaults know only exact existence.
  virtual bool can_match(std::string_view context, std::string_view exten, std::string_view caller_number) const {
    return exists(context, exten, 1, caller_number);
  }
  virtual bool match_more(std::string_view context, std::string_view exten, std::string_view caller_number) const {
    return false;
  }

  // Originate's application form: runs one registered application on an answered channel, then
  // hangs the channel up (Asterisk's ast_pbx_outgoing_app). Needs the executor's Execution, so
  // the default refuses; the dialplan module overrides it.
  virtual Result<void> start_application(Channel::Ptr chan, std::string app, std::string data) {
    return fail("application originate needs the dialplan module (no executor is loaded)", chan->name());
  }
  // Originate's predial handler: runs `Gosub(context,exten,priority(args))` text on the new,
  // not yet dialed channel and completes when it returns. Called on the channel's strand. The
  // default refuses; the dialplan module overrides it.
  virtual boost::asio::awaitable<Result<void>> run_predial_gosub(Channel::Ptr chan, std::string gosub) {
    co_return fail("predial Gosub needs the dialplan module (no executor is loaded)", chan->name());
  }
};

}  // namespace telephony
