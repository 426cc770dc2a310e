// The SIP module and channel driver (see telephony/sip/module.hpp).
#include "telephony/sip/module.hpp"

#include "call_session.hpp"
#include "sip_console.hpp"
#include "sip_stack.hpp"
#include "telephony/engine.hpp"

namespace telephony::sip {

namespace {

class SipDriver : public ChannelDriver {
 public:
  explicit SipDriver(std::weak_ptr<SipStack> stack) : stack_(std::move(stack)) {}
  std::string_view technology() const override { return "SIP"; }
  std::string_view description() const override { return "SIP Channel Driver"; }

  Result<Channel::Ptr> request(Engine& engine, const ChannelRequest& req) override {
    auto stack = stack_.lock();
    if (!stack) return fail("the SIP stack is not running", "SIP/" + req.resource);
    auto chan = CallSession::create_outbound(stack, engine, req);
    if (!chan) engine.log().warning("chan_pjsip", chan.error().message);
    return chan;
  }

  // NOT_INUSE when an AOR of the endpoint has a contact, UNAVAILABLE when none; INUSE/RINGING
  // from the endpoint's live calls.
  DeviceState device_state(std::string_view resource) const override {
    auto stack = stack_.lock();
    if (!stack) return DeviceState::Invalid;
    auto cfg = stack->config();
    auto ep = cfg->endpoint(resource);
    if (!ep) return DeviceState::Invalid;
    int calls = 0;
    bool ringing = false;
    for (const auto& s : stack->sessions()) {
      if (s->endpoint_name() != ep->name) continue;
      auto i = s->info();
      if (i.state == "Terminated") continue;
      ++calls;
      if (i.state == "Calling") ringing = true;  // an outbound call to the device, not answered yet
    }
    if (calls) {
      if (ep->device_state_busy_at && static_cast<unsigned>(calls) >= ep->device_state_busy_at) return DeviceState::Busy;
      return ringing ? (calls > 1 ? DeviceState::RingInUse : DeviceState::Ringing) : DeviceState::InUse;
    }
    for (const auto& aor : ep->aors)
      if (!stack->registrar().contacts(*cfg, aor).empty()) return DeviceState::NotInUse;
    return DeviceState::Unavailable;
  }

 private:
  std::weak_ptr<SipStack> stack_;
};

}  // namespace

SipModule::SipModule(Engine& engine) : engine_(engine) {}

SipModule::~SipModule() { unload(); }

Result<void, Errors> SipModule::check(const std::filesystem::path& config_dir) {
  auto cfg = load_sip_config(config_dir);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return {};
}

Result<void, Errors> SipModule::load(const std::filesystem::path& config_dir) {
  auto cfg = load_sip_config(config_dir);
  if (!cfg) return Unexpected<Errors>{cfg.error()};
  return apply(std::move(*cfg));
}

Result<void, Errors> SipModule::reload(const std::filesystem::path& config_dir) {
  auto cfg = load_sip_config(config_dir);
  if (!cfg) {
    engine_.log().error("res_pjsip", "pjsip.conf has errors; the running configuration is kept");
    return Unexpected<Errors>{cfg.error()};
  }
  return apply(std::move(*cfg));
}

Result<void, Errors> SipModule::apply(SipConfig config) {
  if (!stack_) stack_ = std::make_shared<SipStack>(engine_);
  if (auto r = stack_->apply(std::move(config)); !r) {
    if (!registered_) stack_.reset();
    return r;
  }
  if (!registered_) {
    auto driver = std::make_shared<SipDriver>(stack_);
    (void)engine_.drivers().add("SIP", driver, true);
    (void)engine_.drivers().add("PJSIP", driver, true);  // Asterisk's name, accepted everywhere
    register_sip_console(engine_, stack_);
    register_sip_manager_actions(engine_, stack_);
    register_sip_functions(engine_);
    registered_ = true;
  }
  return {};
}

void SipModule::unload() {
  if (!stack_) return;
  if (registered_) {
    engine_.drivers().remove("SIP");
    engine_.drivers().remove("PJSIP");
    unregister_sip_console(engine_);
    registered_ = false;
  }
  stack_->stop();
  stack_.reset();
}

std::vector<std::string> SipModule::listening() const {
  std::vector<std::string> out;
  if (!stack_) return out;
  for (const auto& t : stack_->transports())
    out.push_back(std::string(to_string(t->protocol())) + " " + t->local().to_string());
  return out;
}

}  // namespace telephony::sip
