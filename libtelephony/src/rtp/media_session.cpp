// MediaSession: negotiation + the stream, as the SIP driver sees them (telephony/rtp/media_session.hpp).
#include "telephony/rtp/media_session.hpp"

#include "rtp/rtp_stream.hpp"
#include "telephony/engine.hpp"
#include "telephony/rtp/events.hpp"

namespace telephony::rtp {

namespace {

constexpr std::string_view kDatastore = "rtp-media-session";

struct SessionLink {
  std::weak_ptr<MediaSession> session;
};

bool rfc4733_agreed(const std::optional<NegotiatedStream>& n) { return n && n->telephone_event_pt.has_value(); }

// dtmf_mode=inband, or auto once negotiation found no telephone-event.
bool inband_for(DtmfMode mode, const std::optional<NegotiatedStream>& n) {
  return mode == DtmfMode::Inband || (mode == DtmfMode::Auto && n && !rfc4733_agreed(n));
}

}  // namespace

MediaSession::MediaSession(Engine& engine, MediaSettings settings) : engine_(engine), settings_(std::move(settings)) {}

Result<MediaSession::Ptr> MediaSession::create(Engine& engine, MediaSettings settings, const MediaSession* same_shard_as) {
  auto module = rtp_module(engine);
  auto stack = module->stack();
  Shard& shard = same_shard_as && same_shard_as->stream_ ? same_shard_as->stream_->shard() : stack->least_loaded_shard();
  const std::string bind = settings.bind_to_media_address && !settings.media_address.empty() ? settings.media_address
                           : settings.bind_address.empty()                                   ? stack->config()->bind_address
                                                                                             : settings.bind_address;
  auto sockets = stack->open_pair(shard, bind);
  if (!sockets) return Unexpected{sockets.error()};
  Ptr session(new MediaSession(engine, settings));
  session->stack_ = stack;
  session->stream_ = std::make_shared<RtpStream>(engine, stack, shard, std::move(*sockets), settings);
  session->local_port_ = session->stream_->local_port();
  std::string address = settings.sdp_address();
  if (address.empty()) address = bind == "0.0.0.0" ? "127.0.0.1" : (bind == "::" ? "::1" : bind);
  session->local_address_ = address;
  session->negotiator_ = std::make_unique<SdpNegotiator>(settings, address, session->local_port_);
  session->stream_->start();
  return session;
}

MediaSession::~MediaSession() { stop(); }

std::string MediaSession::create_offer() {
  std::lock_guard lock(mu_);
  return to_string(negotiator_->create_offer());
}

Result<std::string, NegotiationFailure> MediaSession::answer_offer(std::string_view remote_sdp) {
  std::unique_lock lock(mu_);
  auto r = negotiator_->answer(remote_sdp);
  if (!r) {
    auto failure = r.error();
    auto chan = channel_.lock();
    lock.unlock();
    report_failure(failure, chan);
    return Unexpected{std::move(failure)};
  }
  apply_negotiated_locked();
  return r;
}

Result<void, NegotiationFailure> MediaSession::apply_answer(std::string_view remote_sdp) {
  std::unique_lock lock(mu_);
  auto r = negotiator_->apply_answer(remote_sdp);
  if (!r) {
    auto failure = r.error();
    auto chan = channel_.lock();
    lock.unlock();
    report_failure(failure, chan);
    return Unexpected{std::move(failure)};
  }
  apply_negotiated_locked();
  return {};
}

void MediaSession::apply_negotiated_locked() {
  const auto& n = negotiator_->negotiated();
  if (!n) return;
  stream_->apply(*n);
  auto chan = channel_.lock();
  if (!chan) {
    last_remote_hold_ = n->remote_hold();
    return;
  }
  // The phone put us on hold (or took us off): the bridge hears about it as chan_pjsip reports it.
  if (n->remote_hold() != last_remote_hold_) {
    last_remote_hold_ = n->remote_hold();
    chan->queue_frame(Frame::control(last_remote_hold_ ? Control::Hold : Control::Unhold));
  }
  chan->set_dtmf_detection(inband_for(settings_.dtmf_mode, n));
}

void MediaSession::report_failure(const NegotiationFailure& f, const Channel::Ptr& chan) {
  engine_.log().notice("rtp", (chan ? chan->name() : std::string("endpoint '") + settings_.endpoint + "'") +
                                  ": media negotiation failed (" + std::string(to_string(f.kind)) + "): " + f.warning_text());
  auto ev = std::make_shared<MediaNegotiationFailed>();
  if (chan) ev->channel = chan->snapshot();
  ev->endpoint = settings_.endpoint;
  ev->kind = std::string(to_string(f.kind));
  for (const auto& o : f.offered) ev->offered += (ev->offered.empty() ? "" : ",") + o;
  for (const auto& a : f.allowed) ev->allowed += (ev->allowed.empty() ? "" : ",") + a;
  ev->reason = f.warning_text();
  engine_.events().publish(std::move(ev));
}

bool MediaSession::offer_pending() const {
  std::lock_guard lock(mu_);
  return negotiator_->offer_pending();
}

std::string MediaSession::hold() {
  std::lock_guard lock(mu_);
  negotiator_->set_local_hold(true);
  return to_string(negotiator_->create_offer());
}

std::string MediaSession::unhold() {
  std::lock_guard lock(mu_);
  negotiator_->set_local_hold(false);
  return to_string(negotiator_->create_offer());
}

bool MediaSession::local_hold() const {
  std::lock_guard lock(mu_);
  return negotiator_->local_hold();
}

bool MediaSession::remote_hold() const {
  std::lock_guard lock(mu_);
  const auto& n = negotiator_->negotiated();
  return n && n->remote_hold();
}

std::vector<media::Format> MediaSession::formats() const {
  std::lock_guard lock(mu_);
  std::vector<media::Format> out;
  if (const auto& n = negotiator_->negotiated()) {
    for (const auto& c : n->codecs) out.push_back(c.format);
    return out;
  }
  for (const auto& p : settings_.codecs.list()) out.push_back(p.format);
  if (out.empty()) out = {media::Format::ulaw(), media::Format::alaw()};
  return out;
}

std::optional<NegotiatedStream> MediaSession::negotiated() const {
  std::lock_guard lock(mu_);
  return negotiator_->negotiated();
}

void MediaSession::attach(Channel::Ptr chan) {
  {
    std::lock_guard lock(mu_);
    channel_ = chan;
    const auto& n = negotiator_->negotiated();
    last_remote_hold_ = n && n->remote_hold();
  }
  chan->datastore_or_create(kDatastore, [] { return std::make_shared<SessionLink>(); });
  if (auto link = std::static_pointer_cast<SessionLink>(chan->datastore(kDatastore))) link->session = weak_from_this();
  chan->set_dtmf_detection(wants_inband_dtmf());
  stream_->attach(chan);
}

void MediaSession::detach() {
  {
    std::lock_guard lock(mu_);
    channel_.reset();
  }
  stream_->attach({});
}

void MediaSession::write(const Frame& f) { stream_->write(f); }

void MediaSession::set_jitter_buffer(std::optional<JitterSettings> s) { stream_->set_jitter(std::move(s)); }

void MediaSession::send_digit_begin(char digit) {
  if (dtmf_via_info() || wants_inband_dtmf()) return;
  stream_->send_digit_begin(digit);
}

void MediaSession::send_digit_end(char digit, std::chrono::milliseconds held) {
  if (dtmf_via_info() || wants_inband_dtmf()) return;
  stream_->send_digit_end(digit, held);
}

bool MediaSession::wants_inband_dtmf() const {
  if (settings_.dtmf_mode == DtmfMode::Inband) return true;
  if (settings_.dtmf_mode != DtmfMode::Auto) return false;
  std::lock_guard lock(mu_);
  return inband_for(settings_.dtmf_mode, negotiator_->negotiated());
}

bool MediaSession::dtmf_via_info() const {
  switch (settings_.dtmf_mode) {
    case DtmfMode::Info: return true;
    case DtmfMode::AutoInfo: {
      std::lock_guard lock(mu_);
      return !rfc4733_agreed(negotiator_->negotiated());
    }
    default: return false;
  }
}

Result<void> MediaSession::start_native_relay(const Ptr& a, const Ptr& b) {
  if (!a || !b || a == b) return fail("native relay needs two sessions", "rtp");
  if (a->stopped() || b->stopped()) return fail("a session of the pair is stopped", "rtp");
  if (&a->stream_->shard() != &b->stream_->shard())
    return fail("the two legs run on different RTP shards (create the second with same_shard_as)", "rtp");
  auto na = a->negotiated();
  auto nb = b->negotiated();
  if (!na || !nb) return fail("both legs must have negotiated media", "rtp");
  if (na->codecs.front().format != nb->codecs.front().format)
    return fail("no common codec: " + na->codecs.front().format.name() + " vs " + nb->codecs.front().format.name(), "rtp");
  if (na->remote_hold() || nb->remote_hold() || a->local_hold() || b->local_hold())
    return fail("a leg is on hold", "rtp");
  a->stream_->set_relay_peer(b->stream_);
  b->stream_->set_relay_peer(a->stream_);
  return {};
}

void MediaSession::stop_native_relay() {
  // The peer is the one our stream relays to; both directions stop.
  stream_->stop_relay_pair();
}

bool MediaSession::native_relay_active() const { return stream_->relaying(); }

RtpStatistics MediaSession::statistics() const { return stream_->statistics(); }

std::size_t MediaSession::shard_index() const { return stream_->shard().index; }

void MediaSession::stop() {
  if (stream_) stream_->close();
}

bool MediaSession::stopped() const { return !stream_ || stream_->closed(); }

MediaSession::Ptr MediaSession::of(const Channel& chan) {
  auto link = std::static_pointer_cast<SessionLink>(chan.datastore(kDatastore));
  return link ? link->session.lock() : nullptr;
}

}  // namespace telephony::rtp
