// Call sessions: the channel tech, inbound INVITEs, the final responses we send, hangup, and the
// entry points AMI and the dialplan use (PJSIPHangup, PJSIPNotify). See call_session.hpp.
#include "call_session.hpp"

#include <boost/asio/post.hpp>

#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

namespace {

// The channel tech object: a thin forwarder, so the session (shared with callbacks) may outlive
// the channel's unique_ptr.
class SipChannelTech : public ChannelTech, public DriverTransfer, public DriverText, public DriverNativeMedia {
 public:
  explicit SipChannelTech(std::shared_ptr<CallSession> s) : s_(std::move(s)) {}
  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override { return s_->call(chan); }
  void answer(Channel& chan) override { s_->answer(chan); }
  void hangup(Channel& chan) override { s_->hangup(chan); }
  void indicate_data(Channel& chan, Control c, const IndicationData& data) override { s_->indicate(chan, c, data); }
  void send_digit_end(Channel& chan, char digit, std::chrono::milliseconds held) override {
    s_->send_digit_end(chan, digit, held);
  }
  // Media (call_media.cpp).
  void write(Channel& chan, const Frame& f) override { s_->write(chan, f); }
  void send_digit_begin(Channel& chan, char digit) override { s_->send_digit_begin(chan, digit); }
  std::vector<media::Format> native_formats() const override { return s_->native_formats(); }
  bool wants_inband_dtmf() const override { return s_->wants_inband_dtmf(); }
  std::vector<std::pair<std::string, std::string>> status_lines(const Channel&) const override {
    return s_->media_status_lines();
  }
  void bridge_peer_changed(Channel& chan, const BridgePeerState& state) override {
    s_->bridge_peer_changed(chan, state);
  }
  // Transfer() (call_transfer_out.cpp).
  boost::asio::awaitable<TransferResult> transfer(Channel& chan, std::string dest) override {
    return s_->transfer(chan, std::move(dest));
  }
  // Text (call_text.cpp): an in-dialog MESSAGE.
  void send_text(Channel& chan, std::string_view text) override { s_->send_text(chan, text); }
  bool enhanced_text() const override { return true; }
  boost::asio::awaitable<TextResult> deliver_text(Channel& chan, TextMessage msg) override {
    return s_->deliver_text(chan, std::move(msg));
  }
  const std::shared_ptr<CallSession>& session() const { return s_; }

 private:
  std::shared_ptr<CallSession> s_;
};

}  // namespace

std::unique_ptr<ChannelTech> make_channel_tech(std::shared_ptr<CallSession> session) {
  return std::make_unique<SipChannelTech>(std::move(session));
}

std::shared_ptr<CallSession> session_of(Channel& chan) {
  auto* tech = dynamic_cast<SipChannelTech*>(&chan.tech());
  return tech ? tech->session() : nullptr;
}

CallSession::CallSession(std::shared_ptr<SipStack> stack, std::shared_ptr<const EndpointOptions> endpoint, bool inbound)
    : stack_(std::move(stack)), endpoint_(std::move(endpoint)), inbound_(inbound) {
  ++stack_->calls_;
  stack_->count_call(*endpoint_, +1);
}

CallSession::~CallSession() {
  --stack_->calls_;
  stack_->count_call(*endpoint_, -1);
}

void CallSession::post(std::function<void(CallSession&)> f) {
  if (!strand_) return;
  asio::post(*strand_, [self = shared_from_this(), f = std::move(f)] { f(*self); });
}

void CallSession::bind_channel(const Channel::Ptr& chan) {
  chan_ = chan;
  strand_.emplace(chan->strand());
  channel_name_ = chan->name();
  if (media_) media_->attach(chan);  // received audio and DTMF become the channel's frames
}

void CallSession::set_state_text(std::string text) {
  std::lock_guard lock(info_mu_);
  state_text_ = std::move(text);
}

CallSession::Info CallSession::info() const {
  std::lock_guard lock(info_mu_);
  return Info{channel_name_, endpoint_->name, call_id_, state_text_, dest_.address.to_string()};
}

// ---------------------------------------------------------------------------------------------
// Inbound

void CallSession::start_inbound(const std::shared_ptr<SipStack>& stack, std::shared_ptr<const EndpointOptions> ep,
                                std::shared_ptr<ServerTransaction> invite) {
  const Message& req = invite->request();
  // 100rel (RFC 3262) as the endpoint allows it.
  const bool requires_100rel = lists_option(req, Header::Require, "100rel");
  const bool supports_100rel = lists_option(req, Header::Supported, "100rel");
  if (requires_100rel && ep->rel100 == "no") return invite->respond_simple(420, {}, "Unsupported: 100rel\r\n");
  if (ep->rel100 == "required" && !requires_100rel && !supports_100rel)
    return invite->respond_simple(421, {}, "Require: 100rel\r\n");

  std::optional<ReplacedCall> replacing;
  if (req.find(Header::Replaces)) {
    replacing = find_replaced_call(*stack, *invite);
    if (!replacing) return;  // refused (481, 486, 503, 603 …)
  }

  auto s = std::make_shared<CallSession>(stack, ep, true);
  s->invite_txn_ = invite;
  s->call_id_ = std::string(req.call_id());
  s->local_tag_ = invite->local_tag();
  s->remote_tag_ = std::string(req.from_tag());
  s->remote_uri_ = std::string(req.value(Header::From));
  s->local_uri_ = std::string(req.value(Header::To)) + ";tag=" + s->local_tag_;
  if (auto c = parse_name_addr(req.value(Header::Contact))) s->remote_target_ = std::string(c->uri.text);
  req.for_each(Header::RecordRoute, [&](const HeaderField& f) {
    for_each_value(f.value, [&](std::string_view v) { s->route_set_.emplace_back(v); });
  });
  s->peer_allows_update_ = lists_option(req, Header::Allow, "UPDATE");
  s->remote_cseq_ = req.cseq();
  s->remote_sdp_ = std::string(req.body());
  s->dest_ = Destination{invite->source().transport, invite->source().remote, invite->source().connection};
  s->phase_ = Phase::Early;
  s->state_text_ = "Ring";  // the device is calling: in use (Asterisk's AST_STATE_RING)
  s->reliable_ = requires_100rel || (supports_100rel && (ep->rel100 == "peer_supported" || ep->rel100 == "required"));
  if (!s->negotiate_session_timer(req)) return;  // 422 sent
  if (!s->answer_initial_offer(*invite)) return;  // 488 (no common codec …) or 503 sent

  Engine& engine = stack->engine();
  Engine::ChannelInit init;
  init.tech = "SIP";
  init.resource = ep->name;
  init.impl = make_channel_tech(s);
  init.direction = ChannelDirection::Inbound;
  auto chan = engine.create_channel(std::move(init));
  s->bind_channel(chan);
  stack->add_dialog(s->call_id_, s->local_tag_, s);
  s->registered_dialog_ = true;

  // Caller id, as res_pjsip sets it: P-Asserted-Identity when the endpoint is trusted; else the
  // endpoint's callerid when it has a number (the administrator's word beats the phone's From);
  // else From.
  const bool trusted = ep->trust_id_inbound && req.find(Header::PAssertedIdentity);
  CallerId cid;
  if (!trusted && !ep->callerid.empty()) cid = CallerId::parse(ep->callerid);
  if (trusted || cid.number.empty()) {
    CallerId from;
    if (auto na = parse_name_addr(req.value(trusted ? Header::PAssertedIdentity : Header::From))) {
      from.name = na->display_quoted ? unquote("\"" + std::string(na->display) + "\"") : std::string(na->display);
      from.number = unescape(na->uri.user);
      if (!na->uri.is_sip()) from.number = std::string(na->uri.text.substr(na->uri.scheme.size() + 1));
    }
    cid = from;
  }
  chan->set_caller(cid);
  std::string exten = "s";
  if (auto ruri = parse_uri(req.request_uri()); ruri && ruri->is_sip() && ruri->has_user()) exten = unescape(ruri->user);
  chan->set_location({ep->context, exten, 1});
  chan->set_variable("SIPCALLID", s->call_id_);
  if (!ep->language.empty()) chan->set_language(ep->language);
  if (!ep->accountcode.empty()) chan->set_accountcode(ep->accountcode);
  for (const auto& sv : ep->set_vars) {
    auto eq = sv.find('=');
    chan->set_variable(std::string(trim_lws(std::string_view(sv).substr(0, eq))), std::string(trim_lws(std::string_view(sv).substr(eq + 1))));
  }
  // The INVITE's headers stay readable for PJSIP_HEADER(read,…).
  chan->datastore_or_create("sip/invite", [&] { return std::const_pointer_cast<StoredMessage>(invite->stored()); });
  chan->set_state(ChannelState::Ring);

  std::weak_ptr<CallSession> weak = s;
  invite->on_cancel([weak] {
    if (auto self = weak.lock()) self->post([](CallSession& c) { c.cancelled(); });
  });
  invite->on_no_ack([weak] {
    if (auto self = weak.lock())
      self->post([](CallSession& c) {
        // RFC 3261 §13.3.1.4: no ACK for our 2xx — end the call with a BYE.
        if (auto ch = c.channel()) ch->request_hangup(HangupCause::NormalClearing);
      });
  });

  if (replacing) return s->replace_call(chan, std::move(*replacing));
  auto pbx = engine.pbx();
  if (!pbx || !pbx->exists(ep->context, exten, 1, cid.number)) {
    engine.log().notice("res_pjsip_session", "Call from '" + ep->name + "' (" +
                                                 std::string(invite->source().transport->via_name()) + ":" +
                                                 invite->source().remote.to_string() + ") to extension '" + exten +
                                                 "' rejected because extension not found in context '" + ep->context + "'.");
    s->post([](CallSession& c) {
      c.respond_invite(404);
      if (auto ch = c.channel()) ch->hangup();
    });
    return;
  }
  pbx->start(chan);
}

void CallSession::respond_invite(int code, std::string_view reason, std::string_view body) {
  if (!invite_txn_ || invite_txn_->final_sent()) return;
  const Message& req = invite_txn_->request();
  auto w = response_for(req, code, reason, invite_txn_->source().remote, local_tag_);
  if (code > 100 && code < 300) w.header(Header::Contact, stack_->contact(*dest_.transport, ""));
  if (code >= 300 && code < 400 && !redirect_contact_.empty()) w.header(Header::Contact, redirect_contact_);
  for (auto& r : route_set_) w.header(Header::RecordRoute, r);
  const bool reliable = reliable_ && code > 100 && code < 200;
  if (reliable) {
    w.header(Header::Require, "100rel");
    w.header(Header::RSeq, std::to_string(++rseq_));
  }
  if (code >= 200 && code < 300) {
    w.header(Header::Allow, kDialogAllow);
    w.header(Header::Supported, kDialogSupported);
    session_timer_headers(w, true);
  }
  w.header(Header::Server, stack_->user_agent());
  if (code >= 300) {
    const auto cause = cause_from_sip(code);
    w.header(Header::Reason, "Q.850;cause=" + std::to_string(static_cast<int>(cause)));
  }
  if (!body.empty()) local_sdp_ = std::string(body);
  std::string bytes = w.finish(body.empty() ? std::string_view() : "application/sdp", body);
  if (reliable || (code >= 200 && code < 300 && unacked_)) return send_reliable(code, std::move(bytes));
  stack_->log_message(false, bytes, invite_txn_->source().remote);
  invite_txn_->respond(code, std::move(bytes));
  if (code >= 200) {
    if (reliable_timer_) reliable_timer_->cancel();
    unacked_.reset();
    reliable_queue_.clear();
    set_state_text(code < 300 ? "Up" : "Terminated");
  }
}

void CallSession::cancelled() {
  if (!invite_txn_ || invite_txn_->final_sent()) return;
  respond_invite(487);
  phase_ = Phase::Terminated;
  if (auto ch = channel()) {
    ch->set_hangup_cause(HangupCause::NormalClearing);
    ch->request_hangup(HangupCause::NormalClearing);
  }
}

void CallSession::answer(Channel&) {
  if (!inbound_) return;
  respond_invite(200, {}, answer_sdp());
  if (invite_txn_) awaiting_ack_.push_back(invite_txn_);
  phase_ = Phase::Confirmed;
  arm_session_timer();
}

void CallSession::indicate(Channel& chan, Control c, const IndicationData& data) {
  if (hold_indication(chan, c, data)) return;
  if (!inbound_ || !invite_txn_ || invite_txn_->final_sent()) return;
  switch (c) {
    case Control::Ringing:
      if (!ringing_sent_) respond_invite(180);
      ringing_sent_ = true;
      break;
    case Control::Progress:
      respond_invite(183, {}, answer_sdp());
      // As chan_pjsip's default (allow_sending_180_after_183=no): no 180 after the 183, which
      // would make many phones switch to their own ringback and drop the early media.
      ringing_sent_ = true;
      break;
    case Control::Busy:
      respond_invite(486);
      break;
    case Control::Congestion:
      respond_invite(503);
      break;
    default:
      break;
  }
}

void CallSession::send_digit_end(Channel&, char digit, std::chrono::milliseconds held) {
  if (phase_ != Phase::Confirmed) return;
  if (media_ && !media_->dtmf_via_info()) {
    // RFC 4733 (or inband, which the channel already generated as tones).
    if (!media_->wants_inband_dtmf()) media_->send_digit_end(digit, held);
    return;
  }
  if (endpoint_->dtmf_mode != DtmfMode::Info && endpoint_->dtmf_mode != DtmfMode::Auto) return;
  const std::string body = std::string("Signal=") + digit + "\r\nDuration=" + std::to_string(held.count()) + "\r\n";
  send_in_dialog("INFO", "application/dtmf-relay", body);
}

void CallSession::hangup(Channel& chan) {
  if (phase_ == Phase::Terminated && !registered_dialog_) return;
  if (inbound_ && invite_txn_ && !invite_txn_->final_sent()) {
    const int code = hangup_response_ ? hangup_response_ : sip_from_cause(chan.hangup_cause());
    respond_invite(code ? code : 603);
  } else if (phase_ == Phase::Confirmed && !bye_received_) {
    send_in_dialog("BYE", {}, {},
                   "Reason: Q.850;cause=" + std::to_string(static_cast<int>(chan.hangup_cause())) + "\r\n");
  } else if (!inbound_ && !winner_) {
    cancel_forks(forks_.size());
  }
  phase_ = Phase::Terminated;
  stop_media();
  if (session_timer_) session_timer_->cancel();
  if (reliable_timer_) reliable_timer_->cancel();
  end_dialog();
}

void CallSession::end_dialog() {
  set_state_text("Terminated");
  if (registered_dialog_) {
    stack_->remove_dialog(call_id_, local_tag_);
    registered_dialog_ = false;
  }
}

// ---------------------------------------------------------------------------------------------
// AMI and dialplan entry points

bool CallSession::hangup_with_response(int code) {
  // Decided here (any thread) so the caller can report it; final_sent() is atomic.
  if (!inbound_ || !invite_txn_ || invite_txn_->final_sent()) return false;
  auto refuse = [code](CallSession& c) {
    if (!c.invite_txn_ || c.invite_txn_->final_sent()) return;
    c.hangup_response_ = code;
    if (auto ch = c.channel()) {
      const auto cause = cause_from_sip(code);
      ch->set_hangup_cause(cause);
      ch->set_variable("SIP_CAUSE", std::to_string(code));
      ch->request_hangup(cause);
    }
  };
  // From the dialplan (PJSIPHangup()) we are on the strand already, and the hangup that follows
  // the application must see the code.
  if (strand_ && strand_->running_in_this_thread()) refuse(*this);
  else post(refuse);
  return true;
}

void CallSession::send_notify(std::vector<std::pair<std::string, std::string>> headers, std::string content_type,
                              std::string body) {
  post([headers = std::move(headers), content_type = std::move(content_type), body = std::move(body)](CallSession& c) {
    if (c.phase_ == Phase::Terminated || c.phase_ == Phase::Idle) return;
    std::string extra;
    for (const auto& [name, value] : headers) extra.append(name).append(": ").append(value).append("\r\n");
    c.send_in_dialog("NOTIFY", content_type, body, extra);
  });
}

}  // namespace telephony::sip
