// Call sessions: the channel tech, inbound INVITEs and in-dialog requests (outbound calls are in
// call_outbound.cpp). See call_session.hpp.
#include "call_session.hpp"

#include <boost/asio/post.hpp>

#include "message_writer.hpp"
#include "telephony/bridge.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

namespace {

// The channel tech object: a thin forwarder, so the session (shared with callbacks) may outlive
// the channel's unique_ptr.
class SipChannelTech : public ChannelTech {
 public:
  explicit SipChannelTech(std::shared_ptr<CallSession> s) : s_(std::move(s)) {}
  Result<void> call(Channel& chan, std::string_view, std::chrono::milliseconds) override { return s_->call(chan); }
  void answer(Channel& chan) override { s_->answer(chan); }
  void hangup(Channel& chan) override { s_->hangup(chan); }
  void indicate(Channel& chan, Control c) override { s_->indicate(chan, c); }
  void send_digit_end(Channel& chan, char digit, std::chrono::milliseconds held) override {
    s_->send_digit_end(chan, digit, held);
  }
  std::vector<media::Format> native_formats() const override {
    return {media::Format::ulaw(), media::Format::alaw(), media::Format::slin()};
  }

 private:
  std::shared_ptr<CallSession> s_;
};

// "application/dtmf-relay" (Signal=5 / Duration=160) or "application/dtmf" ("5").
std::optional<std::pair<char, int>> parse_info_dtmf(std::string_view type, std::string_view body) {
  type = trim_lws(type.substr(0, type.find(';')));
  if (iequals(type, "application/dtmf")) {
    body = trim_lws(body);
    if (body.size() == 1) return std::pair<char, int>{body[0], 250};
    return std::nullopt;
  }
  if (!iequals(type, "application/dtmf-relay")) return std::nullopt;
  char digit = 0;
  int duration = 250;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find('\n', pos);
    auto line = trim_lws(body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    auto eq = line.find('=');
    if (eq != std::string_view::npos) {
      auto k = trim_lws(line.substr(0, eq));
      auto v = trim_lws(line.substr(eq + 1));
      if (iequals(k, "Signal") && !v.empty()) {
        digit = v.size() == 1 ? v[0] : (v == "10" ? '*' : v == "11" ? '#' : 0);
      } else if (iequals(k, "Duration")) {
        int d = 0;
        for (char c : v)
          if (c >= '0' && c <= '9') d = d * 10 + (c - '0');
        if (d > 0 && d < 10000) duration = d;
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  const bool valid = (digit >= '0' && digit <= '9') || digit == '*' || digit == '#' || (digit >= 'A' && digit <= 'D');
  if (!valid) return std::nullopt;
  return std::pair<char, int>{digit, duration};
}

// Hold per RFC 3264 §8.4: a=sendonly / a=inactive, or the old c=0.0.0.0 form.
bool sdp_is_hold(std::string_view sdp) {
  return sdp.find("a=sendonly") != std::string_view::npos || sdp.find("a=inactive") != std::string_view::npos ||
         sdp.find("c=IN IP4 0.0.0.0") != std::string_view::npos;
}

}  // namespace

std::unique_ptr<ChannelTech> make_channel_tech(std::shared_ptr<CallSession> session) {
  return std::make_unique<SipChannelTech>(std::move(session));
}

CallSession::CallSession(std::shared_ptr<SipStack> stack, std::shared_ptr<const EndpointOptions> endpoint, bool inbound)
    : stack_(std::move(stack)), endpoint_(std::move(endpoint)), inbound_(inbound) {
  ++stack_->calls_;
}

CallSession::~CallSession() { --stack_->calls_; }

void CallSession::post(std::function<void(CallSession&)> f) {
  if (!strand_) return;
  asio::post(*strand_, [self = shared_from_this(), f = std::move(f)] { f(*self); });
}

void CallSession::bind_channel(const Channel::Ptr& chan) {
  chan_ = chan;
  strand_.emplace(chan->strand());
  channel_name_ = chan->name();
}

CallSession::Info CallSession::info() const {
  std::lock_guard lock(info_mu_);
  return Info{channel_name_, endpoint_->name, call_id_, state_text_, dest_.address.to_string()};
}

std::string CallSession::answer_sdp() const {
  // Temporary until rtp::MediaSession is wired in (issue 12): decline the offered audio stream
  // (port 0) with its first payload type, a valid answer that sets up no media.
  if (remote_sdp_.empty()) return {};
  std::string pt = "0";
  std::string proto = "RTP/AVP";
  auto m = remote_sdp_.find("m=audio ");
  if (m != std::string::npos) {
    auto line_end = remote_sdp_.find_first_of("\r\n", m);
    std::string line = remote_sdp_.substr(m, line_end - m);
    // m=audio <port> <proto> <fmt> ...
    std::size_t p1 = line.find(' ', 8);
    std::size_t p2 = p1 == std::string::npos ? p1 : line.find(' ', p1 + 1);
    if (p2 != std::string::npos) {
      proto = line.substr(p1 + 1, p2 - p1 - 1);
      auto p3 = line.find(' ', p2 + 1);
      pt = line.substr(p2 + 1, p3 == std::string::npos ? std::string::npos : p3 - p2 - 1);
    }
  }
  const auto ip = dest_.transport ? dest_.transport->advertised().ip.to_string() : std::string("127.0.0.1");
  const char* family = dest_.transport && dest_.transport->advertised().ip.is_v6() ? "IP6" : "IP4";
  std::string sdp = "v=0\r\no=- 1 1 IN ";
  sdp.append(family).append(" ").append(ip).append("\r\ns=libtelephony\r\nc=IN ").append(family).append(" ").append(ip);
  sdp.append("\r\nt=0 0\r\nm=audio 0 ").append(proto).append(" ").append(pt).append("\r\n");
  return sdp;
}

// ---------------------------------------------------------------------------------------------
// Inbound

void CallSession::start_inbound(const std::shared_ptr<SipStack>& stack, std::shared_ptr<const EndpointOptions> ep,
                                std::shared_ptr<ServerTransaction> invite) {
  auto s = std::make_shared<CallSession>(stack, ep, true);
  const Message& req = invite->request();
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
  s->remote_cseq_ = req.cseq();
  s->remote_sdp_ = std::string(req.body());
  s->dest_ = Destination{invite->source().transport, invite->source().remote, invite->source().connection};
  s->phase_ = Phase::Early;
  s->state_text_ = "Ring";  // the device is calling: in use (Asterisk's AST_STATE_RING)
  const auto se = requested_session_expires(req, *ep);
  if (!se) {
    invite->respond_simple(422, {}, "Min-SE: " + std::to_string(ep->timers_min_se) + "\r\n");
    return;
  }
  s->session_expires_ = *se;

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

  // Caller id: P-Asserted-Identity when the endpoint is trusted, else From.
  std::string_view id_header = req.value(Header::From);
  if (ep->trust_id_inbound && req.find(Header::PAssertedIdentity)) id_header = req.value(Header::PAssertedIdentity);
  CallerId cid;
  if (auto na = parse_name_addr(id_header)) {
    cid.name = na->display_quoted ? unquote("\"" + std::string(na->display) + "\"") : std::string(na->display);
    cid.number = unescape(na->uri.user);
    if (!na->uri.is_sip()) cid.number = std::string(na->uri.text.substr(na->uri.scheme.size() + 1));
  }
  if (!ep->callerid.empty() && cid.number.empty()) cid = CallerId::parse(ep->callerid);
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
  for (auto& r : route_set_) w.header(Header::RecordRoute, r);
  if (code >= 200 && code < 300) {
    w.header(Header::Allow, "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY");
    w.header(Header::Supported, "replaces, timer");
    if (session_expires_) {
      // RFC 4028 §9: the UAC asked for a session timer; it refreshes, we watch.
      w.header(Header::SessionExpires, std::to_string(session_expires_) + ";refresher=uac");
      w.header(Header::Require, "timer");
    }
  }
  w.header(Header::Server, stack_->user_agent());
  if (code >= 300) {
    const auto cause = cause_from_sip(code);
    w.header(Header::Reason, "Q.850;cause=" + std::to_string(static_cast<int>(cause)));
  }
  std::string bytes = w.finish(body.empty() ? std::string_view() : "application/sdp", body);
  stack_->log_message(false, bytes, invite_txn_->source().remote);
  invite_txn_->respond(code, std::move(bytes));
  if (code >= 200) {
    std::lock_guard lock(info_mu_);
    state_text_ = code < 300 ? "Up" : "Terminated";
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

void CallSession::arm_session_timer() {
  if (!session_expires_ || !strand_) return;
  if (!session_timer_) session_timer_ = std::make_unique<boost::asio::steady_timer>(*strand_);
  // The refresher must refresh by half the interval; end the call if nothing came by the end.
  session_timer_->expires_after(std::chrono::seconds(session_expires_));
  session_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->phase_ != Phase::Confirmed) return;
    self->stack_->engine().log().notice("res_pjsip_session", "Session timer expired on " + self->channel_name_ +
                                                                  ": no refresh from the peer; hanging up");
    if (auto ch = self->channel()) ch->request_hangup(HangupCause::NormalClearing);
  });
}

// RFC 4028: the interval the INVITE asks for (0: none), or nullopt when it is below our Min-SE
// (the caller then answers 422).
std::optional<unsigned> requested_session_expires(const Message& req, const EndpointOptions& ep) {
  if (ep.timers == "no") return 0u;
  auto se = trim_lws(req.value(Header::SessionExpires));
  se = trim_lws(se.substr(0, se.find(';')));
  if (se.empty()) return ep.timers == "always" || ep.timers == "forced" ? ep.timers_sess_expires : 0u;
  unsigned v = 0;
  for (char c : se) {
    if (c < '0' || c > '9') return 0u;
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > 86400) break;
  }
  if (v < ep.timers_min_se) return std::nullopt;
  return v;  // the UAC's interval, at least our Min-SE
}

void CallSession::indicate(Channel& chan, Control c) {
  if (!inbound_ || !invite_txn_ || invite_txn_->final_sent()) return;
  switch (c) {
    case Control::Ringing:
      if (!ringing_sent_) respond_invite(180);
      ringing_sent_ = true;
      break;
    case Control::Progress:
      respond_invite(183, {}, answer_sdp());
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
  if (endpoint_->dtmf_mode != DtmfMode::Info && endpoint_->dtmf_mode != DtmfMode::Auto) return;
  const std::string body = std::string("Signal=") + digit + "\r\nDuration=" + std::to_string(held.count()) + "\r\n";
  send_in_dialog("INFO", "application/dtmf-relay", body);
}

void CallSession::hangup(Channel& chan) {
  if (phase_ == Phase::Terminated && !registered_dialog_) return;
  if (inbound_ && invite_txn_ && !invite_txn_->final_sent()) {
    int code = sip_from_cause(chan.hangup_cause());
    respond_invite(code ? code : 603);
  } else if (phase_ == Phase::Confirmed && !bye_received_) {
    send_in_dialog("BYE", {}, {},
                   "Reason: Q.850;cause=" + std::to_string(static_cast<int>(chan.hangup_cause())) + "\r\n");
  } else if (!inbound_ && !winner_) {
    cancel_forks(forks_.size());
  }
  phase_ = Phase::Terminated;
  end_dialog();
}

void CallSession::end_dialog() {
  {
    std::lock_guard lock(info_mu_);
    state_text_ = "Terminated";
  }
  if (registered_dialog_) {
    stack_->remove_dialog(call_id_, local_tag_);
    registered_dialog_ = false;
  }
}

// ---------------------------------------------------------------------------------------------
// In-dialog requests

void CallSession::on_request(std::shared_ptr<ServerTransaction> txn) {
  post([txn](CallSession& c) { c.in_dialog_request(txn); });
}

void CallSession::on_ack(std::uint32_t cseq) {
  post([cseq](CallSession& c) {
    // The ACK of a 2xx carries the CSeq number of its INVITE (RFC 3261 §13.2.2.4).
    std::erase_if(c.awaiting_ack_, [cseq](const std::shared_ptr<ServerTransaction>& t) {
      if (t->request().cseq() != cseq) return false;
      t->ack_2xx();
      return true;
    });
  });
}

void CallSession::in_dialog_request(const std::shared_ptr<ServerTransaction>& txn_ptr) {
  ServerTransaction& txn = *txn_ptr;
  const Message& req = txn.request();
  stack_->log_message(true, txn.stored()->bytes, txn.source().remote);
  if (phase_ == Phase::Terminated && req.method() != Method::Bye) return txn.respond_simple(481);
  if (req.cseq() <= remote_cseq_ && req.method() != Method::Ack) return txn.respond_simple(500, "Out of order CSeq");
  remote_cseq_ = req.cseq();
  auto chan = channel();
  switch (req.method()) {
    case Method::Bye:
      bye_received_ = true;
      txn.respond_simple(200);
      if (chan) {
        chan->set_hangup_cause(HangupCause::NormalClearing);
        chan->request_hangup(HangupCause::NormalClearing);
      }
      return;
    case Method::Invite:
    case Method::Update: {
      // re-INVITE / UPDATE: hold and unhold as the offer says; answer with our (media-less) SDP.
      if (!req.body().empty()) {
        const bool hold = sdp_is_hold(req.body());
        remote_sdp_ = std::string(req.body());
        if (chan) chan->queue_frame(Frame::control(hold ? Control::Hold : Control::Unhold));
      }
      if (auto c = parse_name_addr(req.value(Header::Contact))) remote_target_ = std::string(c->uri.text);
      arm_session_timer();  // a refresh
      auto w = response_for(req, 200, {}, txn.source().remote, local_tag_);
      if (session_expires_) {
        w.header(Header::SessionExpires, std::to_string(session_expires_) + ";refresher=uac");
        w.header(Header::Require, "timer");
      }
      w.header(Header::Contact, stack_->contact(*dest_.transport, ""));
      w.header(Header::Server, stack_->user_agent());
      const auto sdp = answer_sdp();
      txn.respond(200, w.finish(sdp.empty() ? std::string_view() : "application/sdp", sdp));
      if (req.method() == Method::Invite) awaiting_ack_.push_back(txn_ptr);
      return;
    }
    case Method::Info: {
      auto d = parse_info_dtmf(req.value(Header::ContentType), req.body());
      if (!d && !req.body().empty()) return txn.respond_simple(415);
      txn.respond_simple(200);
      if (d && chan) {
        chan->queue_frame(Frame::dtmf_begin(d->first));
        chan->queue_frame(Frame::dtmf_end(d->first, std::chrono::milliseconds(d->second)));
      }
      return;
    }
    case Method::Options:
    case Method::Notify:
      return txn.respond_simple(200);
    case Method::Prack:
      return txn.respond_simple(200);
    case Method::Refer:
      return blind_transfer(txn);
    default:
      return txn.respond_simple(501, {}, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY\r\n");
  }
}

std::string CallSession::build_request(std::string_view method, const std::string& branch, std::uint32_t cseq,
                                       std::string_view content_type, std::string_view body, std::string_view extra) {
  MessageWriter w;
  w.request_line(method, remote_target_.empty() ? std::string_view(targets_.empty() ? "" : targets_[0].uri)
                                                : std::string_view(remote_target_));
  w.header(Header::Via, stack_->via(*dest_.transport, branch));
  for (auto it = route_set_.begin(); it != route_set_.end(); ++it) w.header(Header::Route, *it);
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, local_uri_);
  w.header(Header::To, remote_uri_);
  w.header(Header::CallId, call_id_);
  w.header(Header::CSeq, std::to_string(cseq) + " " + std::string(method));
  if (method == "INVITE" || method == "UPDATE") w.header(Header::Contact, stack_->contact(*dest_.transport, ""));
  w.header(Header::UserAgent, stack_->user_agent());
  std::string bytes = w.finish(content_type, body);
  if (!extra.empty()) bytes.insert(bytes.find("Content-Length:"), extra);
  return bytes;
}

void CallSession::send_in_dialog(std::string_view method, std::string_view content_type, std::string_view body,
                                 std::string_view extra) {
  if (!dest_.transport) return;
  const auto branch = new_branch();
  auto bytes = build_request(method, branch, ++local_cseq_, content_type, body, extra);
  stack_->log_message(false, bytes, dest_.address);
  stack_->send_request(method_from(method), branch, std::move(bytes), dest_, *strand_, [](StoredPtr) {});
}

}  // namespace telephony::sip

namespace telephony::sip {

// REFER (RFC 3515) as a blind transfer: the transferer's bridge peers continue in the dialplan at
// the Refer-To user, in ${TRANSFER_CONTEXT} or the endpoint's context, as Asterisk does; the
// transferer hears the result as a NOTIFY with a message/sipfrag body and is then hung up.
void CallSession::blind_transfer(ServerTransaction& txn) {
  const Message& req = txn.request();
  auto chan = channel();
  if (!chan) return txn.respond_simple(481);
  if (!endpoint_->allow_transfer) return txn.respond_simple(603, "Transfers are not allowed");
  auto to = parse_name_addr(req.value(Header::ReferTo));
  if (!to || !to->uri.is_sip()) return txn.respond_simple(400, "Bad Refer-To header");
  if (to->uri.headers.find("Replaces") != std::string_view::npos)
    return txn.respond_simple(501, "Attended transfer (Replaces) is not supported yet");
  const std::string exten = to->uri.has_user() ? unescape(to->uri.user) : std::string("s");
  const std::string context = chan->variable("TRANSFER_CONTEXT").value_or(endpoint_->context);
  auto pbx = stack_->engine().pbx();
  if (!pbx || !pbx->exists(context, exten, 1, chan->caller().number)) return txn.respond_simple(404);
  auto bridge = stack_->engine().find_bridge(chan->snapshot().bridge_id);
  std::vector<Channel::Ptr> peers;
  if (bridge)
    for (const auto& m : bridge->members())
      if (m != chan) peers.push_back(m);
  if (peers.empty()) return txn.respond_simple(503, "Nobody to transfer");
  txn.respond_simple(202);
  for (const auto& p : peers) {
    p->set_variable("BLINDTRANSFER", chan->name());  // as Asterisk sets it on the transferee
    p->request_redirect(DialplanLocation{context, exten, 1});
  }
  send_in_dialog("NOTIFY", "message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n",
                 "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n");
  chan->set_hangup_cause(HangupCause::NormalClearing);
  chan->request_hangup(HangupCause::NormalClearing);
}

}  // namespace telephony::sip
