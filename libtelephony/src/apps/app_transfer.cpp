// Transfers started by the dialplan: BlindTransfer, AttendedTransfer (bridge transfers, as the
// DTMF features and AMI do them) and Transfer (the driver's own transfer: SIP REFER, Local).
//
// A channel running the dialplan is normally not in a bridge itself. When it is one half of a
// Local pair, the bridge its other half is in counts as its own: the pair stands for one party
// of the call (what Local channel optimisation would make of it in Asterisk).
#include <strings.h>

#include "apps/attended_transfer.hpp"
#include "apps/dialplan_apps.hpp"
#include "telephony/bridge.hpp"
#include "telephony/dialplan/app_events.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/local/local_driver.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::dialplan {

namespace asio = boost::asio;

namespace {

// The bridge that stands for `chan`'s call and the member of it that is `chan`'s side.
struct CallBridge {
  Bridge::Ptr bridge;
  Channel::Ptr own;  // chan, or the other half of its Local pair
};

std::optional<CallBridge> call_bridge_of(Engine& engine, const Channel::Ptr& chan) {
  if (auto b = engine.find_bridge(chan->snapshot().bridge_id)) return CallBridge{b, chan};
  if (auto half = local_peer(*chan))
    if (auto b = engine.find_bridge(half->snapshot().bridge_id)) return CallBridge{b, half};
  return std::nullopt;
}

std::vector<Channel::Ptr> others(const CallBridge& cb) {
  std::vector<Channel::Ptr> out;
  for (const auto& m : cb.bridge->members())
    if (m != cb.own) out.push_back(m);
  return out;
}

asio::awaitable<AppResult> blind_transfer(Execution& x, std::string_view data) {
  Channel::Ptr chan = x.channel_ptr();
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    x.engine().log().warning("pbx", "BlindTransfer requires an argument (exten)");
    chan->set_variable("BLINDTRANSFERSTATUS", "FAILURE");
    co_return AppResult::Continue;
  }
  const std::string exten = args[0];
  const std::string context = args.size() > 1 && !args[1].empty() ? args[1] : x.location().context;
  BlindTransferDone ev;
  ev.transferer = chan->snapshot();
  ev.context = context;
  ev.exten = exten;
  ev.external = true;
  auto cb = call_bridge_of(x.engine(), chan);
  std::vector<Channel::Ptr> transferees = cb ? others(*cb) : std::vector<Channel::Ptr>{};
  std::string status = "SUCCESS";
  if (transferees.empty()) {
    status = "INVALID";
    ev.result = "Invalid";
  } else {
    ev.bridge = cb->bridge->snapshot();
    for (const auto& t : transferees)
      if (!x.engine().pbx()->exists(context, exten, 1, t->caller().number)) status = "FAILURE";
    ev.result = status == "SUCCESS" ? "Success" : "Fail";
  }
  if (!transferees.empty()) ev.transferee = transferees.front()->snapshot();
  x.engine().events().emit(std::move(ev));
  if (status == "SUCCESS") {
    for (const auto& t : transferees) {
      t->set_variable("BLINDTRANSFER", chan->name());
      t->request_redirect(DialplanLocation{context, exten, 1});
    }
  }
  chan->set_variable("BLINDTRANSFERSTATUS", status);
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> attended_transfer(Execution& x, std::string_view data) {
  Channel::Ptr chan = x.channel_ptr();
  const std::string exten(data);
  if (exten.empty()) {
    x.engine().log().warning("pbx", "AttendedTransfer requires an argument (exten)");
    chan->set_variable("ATTENDEDTRANSFERSTATUS", "FAILURE");
    co_return AppResult::Continue;
  }
  std::string context = chan->variable("TRANSFER_CONTEXT").value_or("");
  if (context.empty()) context = x.location().context;
  auto cb = call_bridge_of(x.engine(), chan);
  auto peers = cb ? others(*cb) : std::vector<Channel::Ptr>{};
  if (peers.size() != 1) {
    x.engine().log().notice("pbx", "AttendedTransfer needs exactly one other party bridged with " + chan->name());
    chan->set_variable("ATTENDEDTRANSFERSTATUS", "FAILURE");
    co_return AppResult::Continue;
  }
  if (!x.engine().pbx()->exists(context, exten, 1, chan->caller().number)) {
    x.engine().log().notice("pbx", "AttendedTransfer: extension " + exten + "@" + context + " does not exist");
    chan->set_variable("ATTENDEDTRANSFERSTATUS", "FAILURE");
    co_return AppResult::Continue;
  }
  chan->set_variable("ATTENDEDTRANSFERSTATUS", "SUCCESS");
  if (auto r = start_attended_transfer(x.engine(), cb->own, peers.front(), DialplanLocation{context, exten, 1}); !r) {
    x.engine().log().notice("pbx", "AttendedTransfer: " + r.error().message);
    chan->set_variable("ATTENDEDTRANSFERSTATUS", "FAILURE");
  }
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> driver_transfer(Execution& x, std::string_view data) {
  Channel::Ptr chan = x.channel_ptr();
  auto report = [&](const char* status, int protocol) {
    chan->set_variable("TRANSFERSTATUS", status);
    chan->set_variable("TRANSFERSTATUSPROTOCOL", std::to_string(protocol));
  };
  auto args = split_args(data);
  if (args.empty() || args[0].empty()) {
    x.engine().log().warning("pbx", "Transfer requires an argument ([Tech/]destination)");
    report("FAILURE", 0);
    co_return AppResult::Continue;
  }
  std::string dest = args[0];
  if (auto slash = dest.find('/'); slash != std::string::npos && slash > 0) {
    // Tech/destination: only a channel of that technology is transferred.
    std::string tech = dest.substr(0, slash);
    if (::strcasecmp(tech.c_str(), "PJSIP") == 0) tech = "SIP";  // our SIP driver answers to both names
    const auto own = chan->tech_name();
    if (tech.size() > own.size() || ::strncasecmp(own.data(), tech.data(), tech.size()) != 0) {
      report("FAILURE", 0);
      co_return AppResult::Continue;
    }
    dest = dest.substr(slash + 1);
  }
  if (chan->hangup_requested()) {
    report("FAILURE", 0);
    co_return AppResult::Continue;
  }
  auto* driver = dynamic_cast<DriverTransfer*>(&chan->tech());
  if (!driver) {
    report("UNSUPPORTED", 0);
    co_return AppResult::Continue;
  }
  const TransferResult r = co_await driver->transfer(*chan, dest);
  switch (r.status) {
    case TransferResult::Status::Success: report("SUCCESS", r.protocol_code); break;
    case TransferResult::Status::Failure: report("FAILURE", r.protocol_code); break;
    case TransferResult::Status::Unsupported: report("UNSUPPORTED", r.protocol_code); break;
  }
  co_return AppResult::Continue;
}

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

}  // namespace

void register_transfer_applications(Engine& engine) {
  add_application(
      engine, "BlindTransfer",
      doc("Blind transfer channel(s) to the extension and context provided", "BlindTransfer(exten[,context])",
          "Redirects every channel bridged with this one (for a Local channel: with its other half) to exten@context "
          "(default: this channel's context), setting BLINDTRANSFER on them, and raises the AMI BlindTransfer event. "
          "${BLINDTRANSFERSTATUS}: SUCCESS, FAILURE (the target does not exist), INVALID (not bridged), NOTPERMITTED.",
          {{"exten", "extension"}, {"context", "context (default: the channel's)"}},
          {"AttendedTransfer", "Transfer", "BlindTransfer (AMI)"}),
      blind_transfer);
  add_application(
      engine, "AttendedTransfer",
      doc("Attended transfer to the extension provided and TRANSFER_CONTEXT", "AttendedTransfer(exten)",
          "Queues an attended transfer to exten in ${TRANSFER_CONTEXT} (default: the channel's context): the one "
          "party bridged with this channel (for a Local channel: with its other half) waits on music on hold while "
          "this side consults Local/exten@context; hanging up completes the transfer, the target hanging up returns "
          "to the waiting party. ${ATTENDEDTRANSFERSTATUS}: SUCCESS (queued), FAILURE, NOTPERMITTED.",
          {{"exten", "extension"}}, {"BlindTransfer", "Atxfer"}),
      attended_transfer);
  add_application(
      engine, "Transfer",
      doc("Transfer caller to remote extension.", "Transfer([Tech/]destination)",
          "Asks the channel's driver to transfer the remote party to destination (SIP sends REFER; a Local channel "
          "sends the parties bridged with its other half to destination, \"exten\" or \"exten@context\"). With Tech/, "
          "only a channel of that technology is transferred. ${TRANSFERSTATUS}: SUCCESS, FAILURE or UNSUPPORTED; "
          "${TRANSFERSTATUSPROTOCOL}: the protocol's error code (e.g. SIP 3xx-6xx) or 0.",
          {{"Tech/", "technology the channel must have"}, {"destination", "where to"}},
          {"BlindTransfer", "AttendedTransfer"}),
      driver_transfer);
}

}  // namespace telephony::dialplan
