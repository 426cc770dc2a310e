// The SIP module and channel driver (see telephony/sip/module.hpp).
#include "telephony/sip/module.hpp"

#include "call_session.hpp"
#include "out_of_dialog.hpp"
#include "sip_console.hpp"
#include "sip_stack.hpp"
#include "telephony/device_state.hpp"
#include "telephony/engine.hpp"
#include "telephony/messaging.hpp"

namespace telephony::sip {

namespace {

// Also the message technology of `pjsip:` / `sip:` destinations (AMI MessageSend).
class SipDriver : public ChannelDriver, public MessageTechnology {
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

  // The stack pushes SIP/<endpoint> into engine.device_states() (endpoint_state.cpp), and the
  // registry answers for it without asking us. What reaches us is the alias: a hint written
  // `PJSIP/alice` reads the state of SIP/alice, where the channels count themselves.
  DeviceState device_state(std::string_view resource) const override {
    auto stack = stack_.lock();
    if (!stack) return DeviceState::Invalid;
    auto ep = stack->config()->endpoint(resource);
    if (!ep) return DeviceState::Invalid;
    return stack->engine().device_states().get("SIP/" + ep->name);
  }

  Result<void> send_message(const OutgoingMessage& msg) override {
    auto stack = stack_.lock();
    if (!stack) return fail("the SIP stack is not running", msg.to);
    return send_sip_message(*stack, msg);
  }

 private:
  std::weak_ptr<SipStack> stack_;
};

}  // namespace

SipModule::SipModule(Engine& engine) : engine_(engine) {}

SipModule::~SipModule() { unload(); }

namespace {

// pjsip.conf and pjsip_notify.conf, every error of both.
Result<std::pair<SipConfig, NotifyTemplates>, Errors> load_all(const std::filesystem::path& config_dir) {
  auto cfg = load_sip_config(config_dir);
  auto notify = load_notify_templates(config_dir);
  Errors errors;
  if (!cfg) errors.items = cfg.error().items;
  if (!notify) errors.items.insert(errors.items.end(), notify.error().items.begin(), notify.error().items.end());
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return std::pair{std::move(*cfg), std::move(*notify)};
}

}  // namespace

Result<void, Errors> SipModule::check(const std::filesystem::path& config_dir) {
  auto all = load_all(config_dir);
  if (!all) return Unexpected<Errors>{all.error()};
  return {};
}

Result<void, Errors> SipModule::load(const std::filesystem::path& config_dir) {
  auto all = load_all(config_dir);
  if (!all) return Unexpected<Errors>{all.error()};
  if (auto r = apply(std::move(all->first)); !r) return r;
  stack_->set_notify_templates(std::move(all->second));
  return {};
}

Result<void, Errors> SipModule::reload(const std::filesystem::path& config_dir) {
  auto all = load_all(config_dir);
  if (!all) {
    engine_.log().error("res_pjsip", "pjsip.conf or pjsip_notify.conf has errors; the running configuration is kept");
    return Unexpected<Errors>{all.error()};
  }
  if (auto r = apply(std::move(all->first)); !r) return r;
  stack_->set_notify_templates(std::move(all->second));
  return {};
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
    register_message_functions(engine_);
    register_sip_applications(engine_);
    registered_ = true;
  }
  return {};
}

void SipModule::unload() {
  if (!stack_) return;
  forget_metrics();
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
