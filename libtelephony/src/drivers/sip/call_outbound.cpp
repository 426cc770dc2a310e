// Outbound calls: dial strings → targets, the INVITE forks (through the endpoint's outbound_proxy
// when it has one), their responses, UAC digest authentication (401/407), 422 answered with a
// larger Session-Expires, PRACK for reliable provisionals (RFC 3262 as UAC), ACK for 2xx, CANCEL
// of the losers (see call_session.hpp).
#include <boost/asio/post.hpp>

#include "call_session.hpp"
#include "message_writer.hpp"
#include "out_of_dialog.hpp"
#include "telephony/sip/digest.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

Result<Channel::Ptr> CallSession::create_outbound(const std::shared_ptr<SipStack>& stack, Engine& engine,
                                                  const ChannelRequest& req) {
  const auto cfg = stack->config();
  std::string_view res = req.resource;
  std::string explicit_uri;
  if (auto slash = res.find('/'); slash != std::string_view::npos) {
    explicit_uri = std::string(res.substr(slash + 1));
    res = res.substr(0, slash);
  }
  std::string user;
  std::string name(res);
  if (auto at = res.find('@'); at != std::string_view::npos) {
    user = std::string(res.substr(0, at));
    name = std::string(res.substr(at + 1));
  }
  auto ep = cfg->endpoint(name);
  if (!ep) return fail("Unable to create PJSIP channel - endpoint '" + name + "' was not found", "SIP/" + req.resource);
  auto s = std::make_shared<CallSession>(stack, ep, false);
  // outbound_proxy: every request of the call goes to the proxy, which the Route header names
  // (loose routing, RFC 3261 §16.12); the Request-URI stays the target.
  std::optional<Destination> proxy;
  if (!ep->outbound_proxy.empty()) {
    auto pu = parse_uri(ep->outbound_proxy);
    if (!pu || !pu->is_sip()) return fail("bad outbound_proxy '" + ep->outbound_proxy + "'", "SIP/" + req.resource);
    auto dest = stack->resolve(*pu, ep->transport);
    if (!dest) return Unexpected<Error>{dest.error()};
    proxy = *dest;
    s->route_set_.push_back("<" + ep->outbound_proxy + ">");
  }
  if (!explicit_uri.empty()) {
    auto u = parse_uri(explicit_uri);
    if (!u || !u->is_sip()) return fail("bad SIP URI '" + explicit_uri + "'", "SIP/" + req.resource);
    auto dest = proxy ? Result<Destination>(*proxy) : stack->resolve(*u, ep->transport);
    if (!dest) return Unexpected<Error>{dest.error()};
    s->targets_.push_back(Target{explicit_uri, *dest});
  } else {
    for (const auto& aor : ep->aors) {
      for (const auto& b : stack->registrar().contacts(*cfg, aor)) {
        Target t;
        t.uri = user.empty() ? b.uri : uri_with_user(b.uri, user);
        if (proxy) {
          t.dest = *proxy;
        } else if (b.transport) {
          // A registered contact is reached where its REGISTER came from (NAT-safe, as rport).
          t.dest = Destination{b.transport, b.source, b.connection};
        } else {
          auto u = parse_uri(t.uri);
          if (!u) continue;
          auto dest = stack->resolve(*u, ep->transport);
          if (!dest) continue;
          t.dest = *dest;
        }
        s->targets_.push_back(std::move(t));
      }
    }
  }
  if (s->targets_.empty())
    return fail("Unable to create PJSIP channel - endpoint '" + name + "' has no contacts (not registered)",
                "SIP/" + req.resource);
  // A leg dialled by a SIP channel shares its RTP shard, so the two can relay natively
  // (call_native.cpp); other calls spread over the shards.
  const auto requestor_media = req.requestor ? rtp::MediaSession::of(*req.requestor) : nullptr;
  if (auto opened = s->open_media(*s->targets_.front().dest.transport, requestor_media.get()); !opened)
    return fail("Unable to create PJSIP channel - no RTP ports: " + opened.error().message, "SIP/" + req.resource);
  Engine::ChannelInit init;
  init.tech = "SIP";
  init.resource = ep->name;
  init.impl = make_channel_tech(s);
  init.requestor = req.requestor;
  init.direction = ChannelDirection::Outbound;
  init.uniqueid = req.uniqueid;
  auto chan = engine.create_channel(std::move(init));
  s->bind_channel(chan);
  s->call_id_ = random_token(24) + "@libtelephony";
  s->local_tag_ = random_token(12);
  s->dest_ = s->targets_.front().dest;
  return chan;
}

Result<void> CallSession::call(Channel& chan) {
  if (inbound_) return fail("inbound SIP channels cannot be called", chan.name());
  // From: the caller id the dialer gave this leg, else the endpoint's callerid / from_user.
  CallerId cid = chan.caller();
  if (cid.number.empty() && !endpoint_->callerid.empty()) cid = CallerId::parse(endpoint_->callerid);
  std::string from_user = !endpoint_->from_user.empty() ? endpoint_->from_user
                          : !cid.number.empty()          ? cid.number
                                                         : std::string("anonymous");
  const auto local = dest_.transport->advertised();
  std::string from_host = endpoint_->from_domain.empty() ? local.to_string() : endpoint_->from_domain;
  local_uri_.clear();
  if (!cid.name.empty()) local_uri_.append("\"").append(cid.name).append("\" ");
  local_uri_.append("<sip:").append(from_user).append("@").append(from_host).append(">;tag=").append(local_tag_);
  local_cseq_ = 1;
  phase_ = Phase::Early;
  set_state_text("Calling");
  stack_->add_dialog(call_id_, local_tag_, shared_from_this());
  registered_dialog_ = true;
  forks_.clear();
  for (const auto& t : targets_) {
    Fork f;
    f.target = t;
    f.session_expires = endpoint_->timers == "no" ? 0 : endpoint_->timers_sess_expires;
    forks_.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < forks_.size(); ++i) send_invite(i);
  return {};
}

void CallSession::send_invite(std::size_t i) {
  auto& f = forks_[i];
  const bool retry = !f.invite.empty();
  f.branch = new_branch();
  f.cseq = retry ? f.cseq + 1 : 1;
  MessageWriter w;
  w.request_line("INVITE", f.target.uri);
  w.header(Header::Via, stack_->via(*f.target.dest.transport, f.branch));
  for (const auto& r : route_set_) w.header(Header::Route, r);  // the outbound proxy, if any
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, local_uri_);
  w.header(Header::To, "<" + f.target.uri + ">");
  w.header(Header::CallId, call_id_);
  w.header(Header::CSeq, std::to_string(f.cseq) + " INVITE");
  w.header(Header::Contact, stack_->contact(*f.target.dest.transport, ""));
  w.header(Header::Allow, kDialogAllow);
  w.header(Header::Supported, endpoint_->rel100 == "no" ? "timer, replaces" : kDialogSupported);
  if (endpoint_->rel100 == "required") w.header(Header::Require, "100rel");
  if (f.session_expires) {
    w.header(Header::SessionExpires, std::to_string(f.session_expires));
    w.header(Header::MinSE, std::to_string(endpoint_->timers_min_se));
  }
  w.header(Header::UserAgent, stack_->user_agent());
  if (!f.authorization.empty())
    w.header(f.authorization.substr(0, f.authorization.find(':')),
             trim_lws(std::string_view(f.authorization).substr(f.authorization.find(':') + 1)));
  if (auto chan = channel()) {
    // PJSIP_HEADER(add,…) values set before the call.
    if (auto added = chan->datastore("sip/add_headers")) {
      for (const auto& [n, v] : *std::static_pointer_cast<std::vector<std::pair<std::string, std::string>>>(added))
        w.header(n, v);
    }
  }
  const std::string offer = initial_offer();
  if (!offer.empty()) local_sdp_ = offer;  // a refresh re-INVITE repeats it
  f.invite = offer.empty() ? w.finish() : w.finish("application/sdp", offer);
  local_cseq_ = std::max(local_cseq_, f.cseq);
  stack_->log_message(false, f.invite, f.target.dest.address);
  std::weak_ptr<CallSession> weak = shared_from_this();
  f.txn = stack_->send_request(Method::Invite, f.branch, f.invite, f.target.dest, *strand_, [weak, i](StoredPtr r) {
    if (auto self = weak.lock()) self->on_fork_response(i, std::move(r));
  });
}

void CallSession::on_fork_response(std::size_t i, StoredPtr resp) {
  if (i >= forks_.size()) return;
  auto& f = forks_[i];
  auto chan = channel();
  if (!resp) return fork_failed(i, 408);
  const Message& m = resp->msg;
  stack_->log_message(true, resp->bytes, resp->source.remote);
  const int code = m.status();
  if (code < 200) {
    f.provisional = true;
    if (code > 100 && lists_option(m, Header::Require, "100rel") && endpoint_->rel100 != "no") send_prack(i, m);
    if (phase_ == Phase::Terminated || !chan) return;
    if ((code == 180 || code == 181 || code == 182) && !ringing_seen_) {
      ringing_seen_ = true;
      chan->queue_frame(Frame::control(Control::Ringing));
    } else if (code == 183 && !progress_seen_) {
      progress_seen_ = true;
      apply_remote_answer(m.body(), code);  // early media
      chan->queue_frame(Frame::control(Control::Progress));
    }
    return;
  }
  if (code < 300) {
    if (winner_ && *winner_ != i) return;  // a second fork answered too late
    if (!winner_) on_fork_answered(i, m, chan);
    return;
  }
  if (phase_ != Phase::Terminated && !winner_) {
    if ((code == 401 || code == 407) && !f.auth_tried && !endpoint_->outbound_auth.empty()) {
      const auto cfg = stack_->config();
      const AuthOptions* auth = cfg->auth(endpoint_->outbound_auth);
      const Header ch_header = code == 401 ? Header::WwwAuthenticate : Header::ProxyAuthenticate;
      std::optional<DigestChallenge> chosen;
      m.for_each(ch_header, [&](const HeaderField& h) {
        if (chosen) return;
        if (auto c = parse_digest_challenge(h.value)) chosen = *c;
      });
      if (auth && chosen) {
        f.auth_tried = true;
        const std::string value = answer_challenge(*chosen, "INVITE", f.target.uri, auth->username, auth->password, 1);
        f.authorization = std::string(code == 401 ? "Authorization" : "Proxy-Authorization") + ": " + value;
        return send_invite(i);
      }
    }
    if (code == 422 && !f.timer_retried) {
      // RFC 4028 §7.3: retry with the interval the UAS needs.
      const unsigned min_se = leading_seconds(m.value(Header::MinSE));
      if (min_se > f.session_expires) {
        f.timer_retried = true;
        f.session_expires = min_se;
        return send_invite(i);
      }
    }
  }
  fork_failed(i, code);
}

void CallSession::on_fork_answered(std::size_t i, const Message& m, const Channel::Ptr& chan) {
  auto& f = forks_[i];
  winner_ = i;
  {
    std::lock_guard lock(info_mu_);
    remote_tag_ = std::string(m.to_tag());
  }
  remote_uri_ = std::string(m.value(Header::To));
  if (auto c = parse_name_addr(m.value(Header::Contact))) remote_target_ = std::string(c->uri.text);
  else remote_target_ = f.target.uri;
  // The route set is the Record-Route of the 2xx, reversed (§12.1.2); without one, a preloaded
  // outbound proxy stays in the path.
  std::vector<std::string> recorded;
  m.for_each(Header::RecordRoute, [&](const HeaderField& h) {
    for_each_value(h.value, [&](std::string_view v) { recorded.emplace_back(v); });
  });
  std::reverse(recorded.begin(), recorded.end());
  if (!recorded.empty()) route_set_ = std::move(recorded);
  dest_ = f.target.dest;
  if (!route_set_.empty() && endpoint_->outbound_proxy.empty()) {
    if (auto na = parse_name_addr(route_set_.front())) {
      if (auto d = stack_->resolve(na->uri)) dest_ = *d;
    }
  }
  peer_allows_update_ = lists_option(m, Header::Allow, "UPDATE");
  remote_sdp_ = std::string(m.body());
  f.final_code = m.status();
  send_ack();
  cancel_forks(i);
  if (phase_ == Phase::Terminated || !chan) {
    // Hung up while the answer was on its way: end it properly.
    phase_ = Phase::Confirmed;
    send_in_dialog("BYE");
    phase_ = Phase::Terminated;
    end_dialog();
    return;
  }
  phase_ = Phase::Confirmed;
  if (!apply_remote_answer(m.body(), m.status())) {
    // Answered with media we cannot use: end the call as Asterisk does (BEARERCAPABILITY_NOTAVAIL).
    chan->set_hangup_cause(HangupCause::BearerCapabilityNotAvail);
    chan->request_hangup(HangupCause::BearerCapabilityNotAvail);
    return;
  }
  set_state_text("Up");
  apply_session_timer_answer(m, f.session_expires);
  arm_session_timer();
  chan->queue_frame(Frame::control(Control::Answer));
}

// RFC 3262 §4: a reliable provisional is acknowledged by a PRACK in its early dialog, once per
// RSeq; retransmissions of it (same RSeq) are absorbed by the PRACK's own transaction.
void CallSession::send_prack(std::size_t i, const Message& provisional) {
  auto& f = forks_[i];
  const auto rseq = static_cast<std::uint32_t>(leading_seconds(provisional.value(Header::RSeq)));
  if (rseq == 0 || (f.last_rseq && rseq <= f.last_rseq)) return;
  f.last_rseq = rseq;
  std::string target = f.target.uri;
  if (auto c = parse_name_addr(provisional.value(Header::Contact))) target = std::string(c->uri.text);
  std::vector<std::string> routes;
  provisional.for_each(Header::RecordRoute, [&](const HeaderField& h) {
    for_each_value(h.value, [&](std::string_view v) { routes.emplace_back(v); });
  });
  std::reverse(routes.begin(), routes.end());
  if (routes.empty()) routes = route_set_;
  const auto branch = new_branch();
  MessageWriter w;
  w.request_line("PRACK", target);
  w.header(Header::Via, stack_->via(*f.target.dest.transport, branch));
  for (const auto& r : routes) w.header(Header::Route, r);
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, local_uri_);
  w.header(Header::To, provisional.value(Header::To));
  w.header(Header::CallId, call_id_);
  w.header(Header::CSeq, std::to_string(++local_cseq_) + " PRACK");
  w.header(Header::RAck, std::to_string(rseq) + " " + std::to_string(f.cseq) + " INVITE");
  w.header(Header::UserAgent, stack_->user_agent());
  auto bytes = w.finish();
  stack_->log_message(false, bytes, f.target.dest.address);
  stack_->send_request(Method::Prack, branch, std::move(bytes), f.target.dest, *strand_, [](StoredPtr) {});
}

void CallSession::fork_failed(std::size_t i, int code) {
  forks_[i].final_code = code;
  if (winner_) return;
  for (const auto& f : forks_)
    if (f.final_code == 0) return;  // others still ringing
  // Every fork failed: the best code (RFC 3261 §16.7: 6xx, else lowest class) decides the cause.
  int best = code;
  for (const auto& f : forks_) {
    if (f.final_code >= 600) {
      best = f.final_code;
      break;
    }
    if (f.final_code == 486 || (best != 486 && f.final_code < best)) best = f.final_code;
  }
  phase_ = Phase::Terminated;
  end_dialog();
  auto chan = channel();
  if (!chan) return;
  const auto cause = cause_from_sip(best);
  chan->set_variable("SIP_CAUSE", std::to_string(best));
  chan->set_hangup_cause(cause);
  if (best == 486 || best == 600) chan->queue_frame(Frame::control(Control::Busy));
  else if (best == 503) chan->queue_frame(Frame::control(Control::Congestion));
  chan->request_hangup(cause);
}

void CallSession::send_ack() {
  const auto& f = forks_[*winner_];
  MessageWriter w;
  w.request_line("ACK", remote_target_);
  w.header(Header::Via, stack_->via(*dest_.transport, new_branch()));
  for (const auto& r : route_set_) w.header(Header::Route, r);
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, local_uri_);
  w.header(Header::To, remote_uri_);
  w.header(Header::CallId, call_id_);
  w.header(Header::CSeq, std::to_string(f.cseq) + " ACK");
  w.header(Header::UserAgent, stack_->user_agent());
  ack_ = w.finish();
  stack_->log_message(false, ack_, dest_.address);
  stack_->send_raw(dest_, ack_);
}

void CallSession::cancel_forks(std::size_t except) {
  for (std::size_t i = 0; i < forks_.size(); ++i) {
    auto& f = forks_[i];
    if (i == except || f.final_code != 0 || f.invite.empty()) continue;
    auto inv = parse_message(f.invite, true);
    if (!inv) continue;
    MessageWriter w;
    w.request_line("CANCEL", inv->request_uri());
    w.header(Header::Via, inv->top_via());
    inv->for_each(Header::Route, [&](const HeaderField& h) { w.header(Header::Route, h.value); });
    w.header(Header::MaxForwards, "70");
    w.header(Header::From, inv->value(Header::From));
    w.header(Header::To, inv->value(Header::To));
    w.header(Header::CallId, inv->call_id());
    w.header(Header::CSeq, std::to_string(inv->cseq()) + " CANCEL");
    w.header(Header::UserAgent, stack_->user_agent());
    w.header(Header::Reason, "SIP;cause=200;text=\"Call completed elsewhere\"");
    auto bytes = w.finish();
    stack_->log_message(false, bytes, f.target.dest.address);
    stack_->send_request(Method::Cancel, f.branch, std::move(bytes), f.target.dest, *strand_, [](StoredPtr) {});
    f.final_code = 487;
  }
}

}  // namespace telephony::sip
