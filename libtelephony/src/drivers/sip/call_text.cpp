// Text to the phone: a Text frame written to a SIP channel (a bridged peer's message, AMI
// SendText) or SendText() becomes a MESSAGE inside the call's dialog (RFC 3428 §4; route set,
// CSeq and tags as every in-dialog request of ours), as chan_pjsip sends it.
//
// Only on a confirmed dialog (answered, either direction): before the 2xx the phone knows no
// dialog of ours, or only an early one that many phones refuse requests on; after the BYE there is
// none. On an inbound call a text written before the ACK of our 200 waits for it (a MESSAGE
// could overtake the 200). chan_pjsip sends until the session is disconnected, so this is a
// deliberate difference (docs/compatibility.md). Content-Type: SENDTEXT_CONTENT_TYPE, else
// text/plain;charset=UTF-8 (the channel's text is UTF-8; chan_pjsip sends a bare text/plain).
// SENDTEXT_FROM_DISPLAYNAME and SENDTEXT_TO_DISPLAYNAME become the display names of this request's
// From and To.
//
// The outcome: SendText() (deliver_text) waits for the final response — SUCCESS on 2xx, FAILURE
// on anything else or none (timer F, 32 s) or a hangup meanwhile. A text frame or AMI SendText
// does not wait: a refusal is logged as a WARNING naming the channel and the response. Unlike a
// BYE or a refresh, a MESSAGE answered 408/481 does not end the call (RFC 3261 §12.2.1.2 says
// SHOULD): a phone that ignores MESSAGE must not lose its call over a text, and chan_pjsip keeps it
// too.
#include <algorithm>

#include "call_session.hpp"
#include "telephony/sip/uri.hpp"

// GCC 12 false positive on inlined coroutine frames (see app_dial.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace telephony::sip {

namespace {

constexpr std::string_view kDefaultTextType = "text/plain;charset=UTF-8";

// `value` (a From/To name-addr with its header parameters) with `display` as its display name.
// Control characters are dropped: the name comes from a dialplan variable and must not end the
// header line.
std::string with_display_name(std::string_view value, std::string_view display) {
  auto na = parse_name_addr(value);
  if (!na) return std::string(value);
  const auto uri_end =
      static_cast<std::size_t>(na->uri.text.data() - value.data()) + na->uri.text.size();
  std::size_t rest = uri_end;
  if (na->bracketed) {
    rest = value.find('>', uri_end);
    rest = rest == std::string_view::npos ? value.size() : rest + 1;
  }
  std::string out = "\"";
  for (char c : display) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out.append("\" <").append(na->uri.text).append(">").append(value.substr(rest));
  return out;
}

}  // namespace

bool CallSession::send_message(Channel& chan, const TextMessage& msg,
                               std::function<void(int)> done) {
  if (phase_ != Phase::Confirmed || !dest_.transport) {
    stack_->engine().log().warning(
        "chan_pjsip",
        "Cannot send text on " + chan.name() + ": " +
            (phase_ == Phase::Terminated ? "the call has ended" : "the call is not answered yet"));
    return false;
  }
  if (initial_ack_pending()) {
    // Our 200 may still be on its way (the server transaction sends it): a MESSAGE overtaking
    // it would reach the phone in a dialog it does not know yet, and get 481.
    texts_after_ack_.push_back(TextAfterAck{msg, std::move(done)});
    return true;
  }
  std::weak_ptr<CallSession> weak = shared_from_this();
  auto on_response = [weak, name = chan.name(), done = std::move(done)](StoredPtr resp) {
    const int code = resp ? resp->msg.status() : 408;
    if (code < 200) return;
    auto self = weak.lock();
    if (self && resp) self->stack_->log_message(true, resp->bytes, resp->source.remote);
    if (self && code >= 300)
      self->stack_->engine().log().warning(
          "chan_pjsip", "MESSAGE on " + name + " failed: " +
                            (resp ? std::to_string(code) + " " + std::string(resp->msg.reason())
                                  : std::string("no response")));
    if (done) done(code);
  };
  // The display names change this request only; the dialog's From and To stay as they were.
  const std::string dialog_local = local_uri_, dialog_remote = remote_uri_;
  if (!msg.from_display_name.empty())
    local_uri_ = with_display_name(local_uri_, msg.from_display_name);
  if (!msg.to_display_name.empty())
    remote_uri_ = with_display_name(remote_uri_, msg.to_display_name);
  send_in_dialog("MESSAGE",
                 msg.content_type.empty() ? kDefaultTextType : std::string_view(msg.content_type),
                 msg.body, {}, std::move(on_response));
  local_uri_ = dialog_local;
  remote_uri_ = dialog_remote;
  return true;
}

bool CallSession::initial_ack_pending() const {
  return inbound_ && invite_txn_ &&
         std::find(awaiting_ack_.begin(), awaiting_ack_.end(), invite_txn_) != awaiting_ack_.end();
}

void CallSession::send_texts_after_ack() {
  if (texts_after_ack_.empty() || initial_ack_pending()) return;
  auto texts = std::move(texts_after_ack_);
  texts_after_ack_.clear();
  auto chan = channel();
  if (!chan) return;
  for (auto& t : texts) send_message(*chan, t.msg, std::move(t.done));
}

void CallSession::send_text(Channel& chan, std::string_view text) {
  TextMessage msg;
  msg.body = std::string(text);
  send_message(chan, msg, {});
}

boost::asio::awaitable<TextResult> CallSession::deliver_text(Channel& chan, TextMessage msg) {
  using Status = TextResult::Status;
  // Written by the response handler on this strand; shared so a late response after a hangup
  // finds it alive.
  auto final_code = std::make_shared<int>(0);
  std::weak_ptr<CallSession> weak = shared_from_this();
  const bool sent = send_message(chan, msg, [final_code, weak](int code) {
    *final_code = code;
    if (auto self = weak.lock())
      if (auto ch = self->channel()) ch->wake();
  });
  if (!sent) co_return TextResult{Status::Failure, 0};
  std::function<bool()> answered = [final_code] { return *final_code != 0; };
  // The transaction always ends (a response, timer F at 64*T1, a transport error); the bound is
  // only a backstop.
  co_await chan.wait_until(answered, stack_->transactions().timers().b + std::chrono::seconds(2));
  const int code = *final_code;
  if (code >= 200 && code < 300) co_return TextResult{Status::Success, code};
  co_return TextResult{Status::Failure, code ? code : chan.hangup_requested() ? 0 : 408};
}

}  // namespace telephony::sip
