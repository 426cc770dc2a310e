// The media of a SIP call leg: where the dialog (call_session.cpp, call_outbound.cpp) meets its
// rtp::MediaSession — SDP offer/answer at each INVITE, frames and digits through the channel
// tech, music on hold when the bridged peer holds, and stopping the RTP with the dialog. Kept
// apart from the dialog code so signalling and media change independently (see call_session.hpp).
#include "call_session.hpp"

#include "telephony/dialplan/application.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/moh_module.hpp"
#include "telephony/media/music_on_hold.hpp"

namespace telephony::sip {

namespace {

// RFC 3261 §20.43: Warning: <code> <agent> "<text>" — the text names both sides' codecs, which
// is the reason Asterisk's bare 488 never gives.
std::string warning_header(const rtp::NegotiationFailure& f, const Transport* via) {
  const std::string agent = via ? via->advertised().ip.to_string() : std::string("libtelephony");
  return "Warning: " + std::to_string(f.warn_code()) + " " + agent + " \"" + f.warning_text() + "\"\r\n";
}

bool is_sdp(const Message& m) {
  auto type = trim_lws(m.value(Header::ContentType));
  type = trim_lws(type.substr(0, type.find(';')));
  return !m.body().empty() && (type.empty() || iequals(type, "application/sdp"));
}

}  // namespace

Result<void> CallSession::open_media(const Transport& via, const rtp::MediaSession* same_shard_as) {
  rtp::MediaSettings settings = endpoint_->media;
  settings.endpoint = endpoint_->name;
  // RTP lives on the signalling host unless the endpoint says otherwise: a transport bound to
  // 127.0.0.1 keeps its calls' RTP on 127.0.0.1 too, and the SDP names the advertised address.
  const auto bound = via.local().ip;
  if (settings.bind_address.empty() && !bound.is_unspecified()) settings.bind_address = bound.to_string();
  if (settings.media_address.empty()) settings.media_address = via.advertised().ip.to_string();
  if (settings.external_media_address.empty()) settings.external_media_address = via.options().external_media_address;
  auto session = rtp::MediaSession::create(stack_->engine(), std::move(settings), same_shard_as);
  if (!session) return Unexpected<Error>{session.error()};
  media_ = std::move(*session);
  return {};
}

bool CallSession::answer_initial_offer(ServerTransaction& invite) {
  if (auto opened = open_media(*invite.source().transport); !opened) {
    stack_->engine().log().error("res_pjsip_session", "Call from '" + endpoint_->name +
                                                          "' refused: no RTP ports: " + opened.error().to_string());
    invite.respond_simple(503, "No RTP ports available");
    return false;
  }
  const Message& req = invite.request();
  if (!is_sdp(req)) return true;  // late offer: our offer goes in the 200, the answer in the ACK
  auto answer = media_->answer_offer(req.body());
  if (!answer) {
    // Already logged and published (MediaNegotiationFailed) by the media session.
    invite.respond_simple(488, {}, warning_header(answer.error(), invite.source().transport.get()));
    stop_media();
    return false;
  }
  media_answer_ = std::move(*answer);
  formats_settled();
  return true;
}

// Negotiation settled (an answer given or applied): the channel's native formats follow the codecs
// agreed, so voice is encoded once, in the codec sent, and a mixing bridge re-reads them.
void CallSession::formats_settled() {
  if (!media_) return;
  if (auto ch = channel()) ch->set_native_formats(media_->formats());
}

bool CallSession::answer_reoffer(ServerTransaction& txn) {
  const Message& req = txn.request();
  if (!media_) return true;
  if (!is_sdp(req)) {
    // A re-INVITE without a body asks for our offer (RFC 3261 §14.2): the 200 carries a fresh one
    // (our codecs and current direction) and the ACK's answer is applied (apply_ack_answer). An
    // UPDATE without a body only refreshes the session.
    if (req.method() == Method::Invite) media_answer_ = media_->create_offer();
    return true;
  }
  auto answer = media_->answer_offer(req.body());
  if (!answer) {
    // RFC 3261 §14.2: a refused re-offer leaves the session as it was.
    txn.respond_simple(488, {}, warning_header(answer.error(), txn.source().transport.get()));
    return false;
  }
  media_answer_ = std::move(*answer);
  remote_sdp_ = std::string(req.body());
  formats_settled();
  reconsider_native_relay("their re-offer");  // hold, or another codec
  return true;
}

std::string CallSession::answer_sdp() const {
  if (!media_) return {};
  // An INVITE without SDP: the 183/200 carries our offer (the same one each time).
  if (media_answer_.empty()) media_answer_ = media_->create_offer();
  return media_answer_;
}

std::string CallSession::initial_offer() {
  if (media_ && media_offer_.empty()) media_offer_ = media_->create_offer();
  return media_offer_;
}

bool CallSession::apply_remote_answer(std::string_view sdp, int status) {
  if (!media_) return true;
  if (sdp.empty()) {
    // A 183 without SDP sets up nothing; a 2xx without one is acceptable only after a 183's answer.
    if (status < 200 || media_answered_) return true;
    stack_->engine().log().warning("res_pjsip_session", channel_name_ + ": the " + std::to_string(status) +
                                                            " answer carries no SDP; the call has no media");
    return false;
  }
  // The 2xx repeating a 183's answer is accepted as the same answer by the media session.
  auto r = media_->apply_answer(sdp);
  if (!r) return false;  // logged and published by the media session
  media_answered_ = true;
  formats_settled();
  return true;
}

bool CallSession::apply_reinvite_answer(std::string_view sdp) {
  if (!media_ || !media_->offer_pending()) return true;
  if (sdp.empty()) {
    stack_->engine().log().warning(
        "res_pjsip_session", channel_name_ + ": the 200 to our re-INVITE carries no SDP answer; media unchanged");
    return true;
  }
  const bool applied = static_cast<bool>(media_->apply_answer(sdp));  // a failure is logged and published there
  if (applied) formats_settled();
  reconsider_native_relay("our re-INVITE");
  return applied;
}

void CallSession::apply_ack_answer(std::string_view sdp) {
  if (!media_ || sdp.empty() || !media_->offer_pending()) return;
  if (!media_->apply_answer(sdp)) {
    // RFC 3261 §13.2.1 leaves no way to refuse an answer in an ACK but ending the call.
    if (auto ch = channel()) ch->request_hangup(HangupCause::BearerCapabilityNotAvail);
    return;
  }
  formats_settled();
  reconsider_native_relay("the answer in an ACK");
}

void CallSession::stop_media() {
  if (!media_) return;
  if (moh_playing_) {
    if (auto ch = channel()) media::stop_moh(ch);
    moh_playing_ = false;
  }
  if (media_->native_relay_active()) media_->stop_native_relay();  // the peer's leg back to frames
  media_->stop();
}

// ---------------------------------------------------------------------------------------------
// Channel tech, media side

void CallSession::write(Channel&, const Frame& f) {
  // Voice only: Channel::write hands control frames (the bridged peer's Hold) to indicate().
  if (f.kind == FrameKind::Voice && media_) media_->write(f);
}

void CallSession::send_digit_begin(Channel&, char digit) {
  if (media_ && !media_->dtmf_via_info() && !media_->wants_inband_dtmf()) media_->send_digit_begin(digit);
}

std::vector<media::Format> CallSession::native_formats() const {
  if (media_) {
    auto formats = media_->formats();
    if (!formats.empty()) return formats;
  }
  return {media::Format::ulaw(), media::Format::alaw()};
}

bool CallSession::wants_inband_dtmf() const { return media_ && media_->wants_inband_dtmf(); }

std::vector<std::pair<std::string, std::string>> CallSession::media_status_lines() const {
  if (!media_) return {};
  const auto s = media_->statistics();
  return {{"RTP", s.local_address + " <-> " + s.remote_address + (s.secure ? " (SRTP)" : "")},
          {"RTPQoS", rtp::rtpqos_text(s)},
          {"JitterBuffer", s.jitter_buffer_max_ms ? "up to " + std::to_string(s.jitter_buffer_max_ms) + " ms, +" +
                                                std::to_string(s.jitter_buffer_extra_ms) + " ms extra"
                                          : "off"},
          {"NativeRelay", rtp::native_relay_text(s)},
          {"Hold", hold_status()}};
}

// The peer we are bridged with put the call on hold (its phone's re-INVITE queued Control::Hold
// on its channel, the bridge writes it to ours, Channel::write hands it to indicate()): this side hears music on hold, as chan_pjsip does
// by default (moh_passthrough=no). The class, as Asterisk's MOH start picks it: this channel's
// CHANNEL(musicclass), else the class the hold suggests (the holder's moh_suggest, carried by the
// indication), else "default"; a name musiconhold.conf does not know falls through to the next.
bool CallSession::hold_indication(Channel& chan, Control c, const IndicationData& data) {
  if (c != Control::Hold && c != Control::Unhold) return false;
  // moh_passthrough=yes: no music here; the phone is held by re-INVITE instead (call_hold.cpp).
  if (endpoint_->moh_passthrough) {
    pass_hold(c == Control::Hold);
    return true;
  }
  auto self = chan.shared_from_this();
  if (c == Control::Hold && !moh_playing_) {
    auto& engine = stack_->engine();
    std::optional<media::MohClass> cls;
    if (auto fn = engine.functions().find("CHANNEL"); fn && fn->read)
      if (auto own = fn->read(dialplan::FunctionCall{engine, &chan, "CHANNEL", "musicclass"}); own && !own->empty())
        cls = media::find_moh_class(engine, *own);
    if (!cls && !data.moh_class.empty()) cls = media::find_moh_class(engine, data.moh_class);
    if (!cls) cls = media::find_moh_class(engine, "default");
    media::start_moh(self, cls ? *cls : media::default_moh_class());
    moh_playing_ = true;
  } else if (c == Control::Unhold && moh_playing_) {
    media::stop_moh(self);
    moh_playing_ = false;
  }
  return true;
}

}  // namespace telephony::sip
