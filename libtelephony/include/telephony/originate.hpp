// Originate: place a new outbound call and, once it is answered, hand it to the dialplan
// (context/exten/priority) or to one application — Asterisk's ast_pbx_outgoing_exten/_app. One
// core serves call files, AMI Originate, the console's `channel originate`, the Originate()
// application and C++ hosts.
//
// Flow: validate the request (no channel is created for a malformed one) -> engine.request_channel
// -> caller id, account, variables set on the new channel -> predial Gosub hook -> chan->call()
// -> a monitor coroutine on the new channel's strand reads control frames until Answer, Busy,
// Congestion, hangup or the timeout -> answered: the PBX takes the channel; otherwise the channel
// is hung up and, for the dialplan form, `failed`,1 of the context runs on an
// "OutgoingSpoolFailed" channel carrying the variables and ${REASON} when that extension exists.
// The result is reported once, with Asterisk's OriginateResponse reason codes. docs/originate.md
// lists every choice made where Asterisk is silent.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/media/format.hpp"
#include "telephony/result.hpp"

namespace telephony {

class Engine;
class Module;

// Asterisk's originate reasons (the AST_CONTROL_* value the call ended on): AMI
// OriginateResponse `Reason:`, the call file `failed` extension's ${REASON}, pbx_spool's log.
enum class OriginateReason : int {
  Failure = 0,     // no such technology/device/extension, or the driver refused the call
  Hangup = 1,      // the far end hung up (or someone hung the channel up) before answering
  NoAnswer = 3,    // the timeout expired while it rang (AST_CONTROL_RINGING)
  Answered = 4,
  Busy = 5,
  Congestion = 8,
};
// Asterisk's ast_channel_reason2str() texts ("Remote end is Busy", …).
std::string_view reason_text(OriginateReason r);

struct OriginateRequest {
  std::string dial;  // "Tech/resource", as for Dial()
  std::chrono::milliseconds timeout{30000};  // ring time before NoAnswer (AMI default 30 s)
  std::optional<CallerId> caller_id;  // set on the new channel when present
  // Set in order before dialing. A name with parentheses (`CDR(userfield)`) is written through the
  // function registry; any other name is a channel variable (`_`/`__` prefixes keep their
  // inheritance meaning).
  std::vector<std::pair<std::string, std::string>> variables;
  std::string account;           // accountcode of the new channel
  std::string channel_id;        // uniqueid of the new channel (AMI ChannelId); empty: generated
  std::string other_channel_id;  // uniqueid of the second half of a pair (Local's ;2)
  bool early_media = false;      // Progress (early media) counts as answered
  std::vector<media::Format> codecs;  // wanted formats; empty: the driver's own
  // `context,exten,priority(args)` run on the new channel before it is dialed (Asterisk's
  // predial handler, `b()` of Dial). Run through Pbx::run_predial_gosub.
  std::string predial_gosub;

  // Destination: an application when `application` is set, else the dialplan location.
  std::string context = "default";
  std::string exten = "s";
  int priority = 1;
  std::string priority_label;  // kept for the dialplan executor; see docs/originate.md
  std::string application;
  std::string data;
  // Dialplan form only: on failure run `failed`,1 of `context` (Asterisk does this for call files
  // and AMI alike), if the PBX says the extension exists.
  bool run_failed_extension = true;

  bool has_application() const { return !application.empty(); }
};

struct OriginateResult {
  OriginateReason reason = OriginateReason::Failure;
  // The new channel as it was at the outcome; empty when no channel could be created.
  std::optional<ChannelSnapshot> channel;
  HangupCause cause = HangupCause::NotDefined;  // why the channel went, when it did not answer
  std::string error;  // what went wrong, for logs and AMI `Message:`; empty when answered
  // Name of the OutgoingSpoolFailed channel running `failed`, empty if none was started.
  std::string failed_channel;

  bool answered() const { return reason == OriginateReason::Answered; }
  std::string uniqueid() const { return channel ? channel->uniqueid : std::string(); }
  std::string channel_name() const { return channel ? channel->name : std::string(); }
};

using OriginateCallback = std::function<void(const OriginateResult&)>;

// Checks what can be checked before any channel exists: the dial string's shape, the technology,
// a destination, the PBX for the dialplan form, the application for the application form, and
// unused channel ids. AMI answers `Response: Error` from this before queueing.
Result<void> validate_originate(Engine& engine, const OriginateRequest& request);

// Starts an originate and returns at once. `done` runs exactly once, always on an engine thread
// (never inside this call, even when validation fails), when the call was answered and handed to
// the PBX or when it failed. Completion does not wait for the call to end.
void originate(Engine& engine, OriginateRequest request, OriginateCallback done);

// The same for coroutines: `auto r = co_await originate(engine, req);`. Resumes on the awaiting
// coroutine's executor.
boost::asio::awaitable<OriginateResult> originate(Engine& engine, OriginateRequest request);

// Console: `channel originate <tech/data> extension [exten@]context` /
// `channel originate <tech/data> application <app> [data]` and `channel request hangup
// <channel>|all`, with their documentation. Idempotent.
void register_originate_commands(Engine& engine);
void unregister_originate_commands(Engine& engine);
// The same as a Module ("res_clioriginate", no config file) for hosts that load modules.
std::shared_ptr<Module> make_cli_originate_module(Engine& engine);

}  // namespace telephony
