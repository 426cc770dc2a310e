// Console commands of Asterisk's res_clioriginate and `channel request hangup`.
#include <algorithm>
#include <cctype>

#include "telephony/engine.hpp"
#include "telephony/module.hpp"
#include "telephony/originate.hpp"

namespace telephony {

namespace {

constexpr auto kCliTimeout = std::chrono::seconds(30);  // res_clioriginate's fixed ring time

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

ConsoleResult channel_originate(Engine& engine, const std::vector<std::string>& args) {
  if (args.size() < 3) return {2, ""};
  OriginateRequest req;
  req.dial = args[0];
  req.timeout = kCliTimeout;
  const std::string how = lower(args[1]);
  if (how == "application") {
    req.application = args[2];
    for (std::size_t i = 3; i < args.size(); ++i) req.data += (i > 3 ? " " : "") + args[i];
  } else if (how == "extension") {
    if (args.size() > 3) return {2, ""};
    // [exten@][context], as res_clioriginate: "100" is exten 100 in "default".
    const std::string& target = args[2];
    auto at = target.find('@');
    req.exten = target.substr(0, at);
    req.context = at == std::string::npos ? "" : target.substr(at + 1);
    if (req.exten.empty()) req.exten = "s";
    if (req.context.empty()) req.context = "default";
  } else {
    return {2, ""};
  }
  if (auto ok = validate_originate(engine, req); !ok) return {1, "Unable to originate " + req.dial + ": " + ok.error().to_string() + "\n"};
  // Asterisk's CLI originate is asynchronous: the command returns while the call rings; the
  // outcome goes to the log.
  std::string dial = req.dial;
  originate(engine, std::move(req), [&engine, dial](const OriginateResult& r) {
    if (!r.answered())
      engine.log().notice("originate", "Console originate of " + dial + " failed, reason (" +
                                           std::to_string(static_cast<int>(r.reason)) + ") " +
                                           std::string(reason_text(r.reason)) +
                                           (r.error.empty() ? "" : ": " + r.error));
  });
  return {0, ""};
}

ConsoleResult channel_request_hangup(Engine& engine, const std::vector<std::string>& args) {
  if (args.size() != 1) return {2, ""};
  if (lower(args[0]) == "all") {
    for (auto& c : engine.channels()) c->request_hangup(HangupCause::NormalClearing);
    return {0, "Requested Hangup on all channels\n"};
  }
  auto chan = engine.find_channel(args[0]);
  if (!chan) return {1, args[0] + " is not a known channel\n"};
  chan->request_hangup(HangupCause::NormalClearing);
  return {0, "Requested Hangup on channel '" + chan->name() + "'\n"};
}

}  // namespace

void register_originate_commands(Engine& engine) {
  Documentation orig;
  orig.synopsis = "Originate a call";
  orig.syntax = "channel originate <tech/data> application <appname> [appdata]\n"
                "channel originate <tech/data> extension [exten@][context]";
  orig.description =
      "This command is used to originate a call to <tech/data>. When the call is answered it is "
      "connected either to an application or to an extension in the dialplan. The call rings for "
      "up to 30 seconds; the command returns at once and a failure is written to the log.";
  orig.arguments = {{"tech/data", "The device to call, as for Dial(): SIP/alice, Local/100@default"},
                    {"application", "Run <appname>(<appdata>) on the answered channel"},
                    {"extension", "Run the dialplan from [exten@][context] (defaults: s, default)"}};
  orig.see_also = {"channel request hangup", "core show channels"};
  (void)engine.commands().add(
      {"channel originate", orig, [&engine](const std::vector<std::string>& a) { return channel_originate(engine, a); }});

  Documentation hang;
  hang.synopsis = "Request a hangup on a given channel";
  hang.syntax = "channel request hangup <channel>|all";
  hang.description =
      "Requests that the channel (by name or uniqueid) be hung up, or every channel with 'all'. "
      "The hangup is handled by whatever runs the channel, as a hangup from the far end would be.";
  hang.arguments = {{"channel", "Channel name or uniqueid"}, {"all", "Every channel"}};
  hang.see_also = {"core show channels", "channel originate"};
  (void)engine.commands().add({"channel request hangup", hang, [&engine](const std::vector<std::string>& a) {
                                 return channel_request_hangup(engine, a);
                               }});
}

void unregister_originate_commands(Engine& engine) {
  engine.commands().remove("channel originate");
  engine.commands().remove("channel request hangup");
}

namespace {
class CliOriginateModule : public Module {
 public:
  explicit CliOriginateModule(Engine& engine) : engine_(engine) {}
  std::string_view name() const override { return "res_clioriginate"; }
  std::string_view config_file() const override { return {}; }
  Result<void, Errors> check(const std::filesystem::path&) override { return {}; }
  Result<void, Errors> load(const std::filesystem::path&) override {
    register_originate_commands(engine_);
    return {};
  }
  void unload() override { unregister_originate_commands(engine_); }

 private:
  Engine& engine_;
};
}  // namespace

std::shared_ptr<Module> make_cli_originate_module(Engine& engine) { return std::make_shared<CliOriginateModule>(engine); }

}  // namespace telephony
