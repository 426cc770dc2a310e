// chan_dahdi's AMI actions with Asterisk's field sets and messages: DAHDIShowChannels,
// DAHDIShowStatus, DAHDIHangup, DAHDITransfer, DAHDIDialOffhook, DAHDIDNDon, DAHDIDNDoff,
// DAHDIRestart. Registered into the manager module's server (any logged-in user, as Asterisk).
#include <charconv>

#include "module_state.hpp"
#include "telephony/manager/module.hpp"
#include "telephony/manager/server.hpp"

namespace telephony::tdm {

namespace {

using manager::ActionArgument;
using manager::ActionDoc;
using manager::ActionResponder;
using ResponderPtr = std::shared_ptr<ActionResponder>;

std::shared_ptr<TdmLine> line_of(TdmSystem& system, std::string_view text) {
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p == text.data()) return nullptr;
  return system.line(n);
}

// Runs `act(line)` for actions that name one DAHDIChannel; Asterisk's error texts.
template <class Act>
void with_line(const std::shared_ptr<TdmState>& state, const ResponderPtr& r, Act act) {
  const auto chan = r->request().get_or("DAHDIChannel");
  if (chan.empty()) return r->error("No channel specified");
  auto system = state->current();
  auto line = system ? line_of(*system, chan) : nullptr;
  if (!line) return r->error("No such channel");
  act(*line);
}

void show_channels(const std::shared_ptr<TdmState>& state, const ResponderPtr& r) {
  int only = -1;
  const auto want = r->request().get_or("DAHDIChannel");
  std::from_chars(want.data(), want.data() + want.size(), only);
  auto system = state->current();
  r->list_start("DAHDI channel status will follow");
  int items = 0;
  if (system) {
    for (const auto& line : system->lines()) {
      if (only > 0 && line->number() != only) continue;
      auto cfg = line->config();
      const auto st = line->status();
      ami::Message m;
      m.add("Event", "DAHDIShowChannels").add("DAHDIChannel", std::to_string(line->number()));
      if (!st.owner.empty()) m.add("Channel", st.owner).add("Uniqueid", st.uniqueid).add("AccountCode", st.accountcode);
      m.add("Signalling", signalling_description(cfg->signalling))
          .add("SignallingCode", std::to_string(dahdi_signalling_code(cfg->signalling)))
          .add("Context", cfg->settings.context)
          .add("DND", st.dnd ? "Enabled" : "Disabled")
          .add("Alarm", system->alarm_of(*line))
          .add("Description", cfg->settings.description);
      r->list_item(std::move(m));
      ++items;
    }
  }
  ami::Message done;
  done.add("Event", "DAHDIShowChannelsComplete").add("EventList", "Complete").add("ListItems", std::to_string(items));
  done.add("Items", std::to_string(items));
  r->respond(std::move(done));
}

void show_status(const std::shared_ptr<TdmState>& state, const ResponderPtr& r) {
  auto system = state->current();
  if (!system) return r->error("No DAHDI detected");
  r->list_start("DAHDI span statuses will follow");
  int items = 0;
  for (const auto& span : system->spans()) {
    ami::Message m;
    m.add("Event", "DAHDIShowStatus")
        .add("Span", std::to_string(span->number()))
        .add("Description", span->description())
        .add("Alarms", span->alarm_text())
        .add("IRQ", "0")
        .add("bpviol", "0")
        .add("CRC", "0")
        .add("Framing", span->framing)
        .add("Coding", span->coding)
        .add("Options", "")
        .add("LBO", "0 db (CSU)/0-133 feet (DSX-1)");
    r->list_item(std::move(m));
    ++items;
  }
  ami::Message done;
  done.add("Event", "DAHDIShowStatusComplete").add("EventList", "Complete").add("ListItems", std::to_string(items));
  done.add("Items", std::to_string(items));
  r->respond(std::move(done));
}

ActionDoc doc(std::string synopsis, std::string description, std::vector<ActionArgument> args = {}) {
  return ActionDoc{std::move(synopsis), std::move(description), std::move(args), {"DAHDIShowChannels"}};
}

}  // namespace

void register_dahdi_actions(Engine& engine, const std::shared_ptr<TdmState>& state, TdmModule& module) {
  auto mgr = std::dynamic_pointer_cast<manager::ManagerModule>(engine.module("manager"));
  auto* server = mgr ? mgr->server() : nullptr;
  if (!server) return;
  const ActionArgument channel{"DAHDIChannel", true, "DAHDI channel number."};
  server->register_action(
      "DAHDIShowChannels", {},
      doc("Show status of DAHDI channels.", "Similar to the CLI command \"dahdi show channels\".",
          {{"DAHDIChannel", false, "Specify the specific channel number to show. Show all channels if zero or not present."}}),
      [state](ResponderPtr r) { show_channels(state, r); });
  server->register_action("DAHDIShowStatus", {}, doc("Show status of DAHDI spans.", "Similar to the CLI command \"dahdi show status\"."),
                          [state](ResponderPtr r) { show_status(state, r); });
  server->register_action("DAHDIHangup", {},
                          doc("Hangup DAHDI Channel.", "Simulate an on-hook event by the user connected to the channel.\n"
                                                       "Valid only for analog channels.", {channel}),
                          [state](ResponderPtr r) {
                            with_line(state, r, [&](TdmLine& line) {
                              line.fake_hangup();
                              r->success("DAHDIHangup");
                            });
                          });
  server->register_action("DAHDITransfer", {},
                          doc("Transfer DAHDI Channel.", "Simulate a flash hook event by the user connected to the channel.\n"
                                                         "Valid only for analog channels.", {channel}),
                          [state](ResponderPtr r) {
                            with_line(state, r, [&](TdmLine& line) {
                              line.fake_flash();
                              r->success("DAHDITransfer");
                            });
                          });
  server->register_action("DAHDIDialOffhook", {},
                          doc("Dial over DAHDI channel while offhook.", "Generate DTMF control frames to the bridged peer.",
                              {channel, {"Number", true, "Digits to dial."}}),
                          [state](ResponderPtr r) {
                            const auto number = r->request().get_or("Number");
                            if (r->request().get_or("DAHDIChannel").empty()) return r->error("No channel specified");
                            if (number.empty()) return r->error("No number specified");
                            with_line(state, r, [&](TdmLine& line) {
                              auto res = line.dial_offhook(std::string(number));
                              if (!res) return r->error(res.error().message);
                              r->success("DAHDIDialOffhook");
                            });
                          });
  server->register_action("DAHDIDNDon", {},
                          doc("Toggle DAHDI channel Do Not Disturb status ON.",
                              "Equivalent to the CLI command \"dahdi set dnd channel on\".", {channel}),
                          [state](ResponderPtr r) {
                            with_line(state, r, [&](TdmLine& line) {
                              line.set_dnd(true);
                              r->success("DND Enabled");
                            });
                          });
  server->register_action("DAHDIDNDoff", {},
                          doc("Toggle DAHDI channel Do Not Disturb status OFF.",
                              "Equivalent to the CLI command \"dahdi set dnd channel off\".", {channel}),
                          [state](ResponderPtr r) {
                            with_line(state, r, [&](TdmLine& line) {
                              line.set_dnd(false);
                              r->success("DND Disabled");
                            });
                          });
  server->register_action("DAHDIRestart", {},
                          doc("Fully Restart DAHDI channels (terminates calls).", "Equivalent to the CLI command \"dahdi restart\"."),
                          [&engine, &module](ResponderPtr r) {
                            // Restarting tears down spans: off the session's strand, on the blocking pool.
                            engine.run_blocking([&module, r] {
                              auto res = module.restart();
                              if (!res) r->error("Failed rereading DAHDI configuration");
                              else r->success("DAHDIRestart: Success");
                            });
                          });
  state->actions_registered = true;
}

}  // namespace telephony::tdm
