// CallSession: one SIP call leg — its INVITE dialog (RFC 3261 §12–§15) and the channel it drives.
// Everything here runs on the channel's strand: the channel tech calls (answer, indicate,
// hangup, DTMF), in-dialog requests the stack posts (BYE, re-INVITE/UPDATE, INFO, OPTIONS,
// PRACK, REFER), and the responses of our own client transactions. No thread per call, no lock
// shared between calls.
//
// Inbound: created by the stack for an authenticated INVITE; the channel enters the endpoint's
// context at the Request-URI user ("s" when there is none). Outbound: created by the driver for
// `SIP/alice` (every contact of alice's AORs ringing in parallel — the first 2xx wins, the rest
// are cancelled), `SIP/alice/sip:bob@host:port` or `SIP/5551234@trunk`, through the endpoint's
// outbound_proxy when it has one.
//
// Where each part lives: call_session.cpp (the tech, inbound INVITEs, final responses, hangup),
// call_dialog.cpp (requests inside the dialog, both directions), call_outbound.cpp (dial strings,
// forks, UAC digest, PRACK as UAC), reliable_provisional.cpp (RFC 3262 as UAS), session_timer.cpp
// (RFC 4028 in both roles), call_transfer.cpp (REFER: blind transfer), call_text.cpp (text to the
// phone as an in-dialog MESSAGE).
//
// Media: each leg owns one rtp::MediaSession (call_media.cpp): the INVITE's offer is answered
// before the channel exists (488 with a Warning when nothing matches), an outbound INVITE carries
// our offer and the 183/200 its answer, re-INVITEs renegotiate (hold/unhold), frames and RFC 4733
// digits go both ways through it, and hangup stops it.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "message_writer.hpp"
#include "sip_stack.hpp"
#include "telephony/channel.hpp"
#include "telephony/driver.hpp"
#include "telephony/driver_abilities.hpp"
#include "telephony/rtp/media_session.hpp"

namespace telephony {
class Bridge;
}

namespace telephony::sip {

class CallSession : public std::enable_shared_from_this<CallSession> {
 public:
  CallSession(std::shared_ptr<SipStack> stack, std::shared_ptr<const EndpointOptions> endpoint, bool inbound);
  ~CallSession();

  // For an authenticated, new INVITE (not in a dialog).
  static void start_inbound(const std::shared_ptr<SipStack>& stack, std::shared_ptr<const EndpointOptions> endpoint,
                            std::shared_ptr<ServerTransaction> invite);
  // SIP/<resource> → a new outbound channel (Down) whose call() sends the INVITE(s).
  static Result<Channel::Ptr> create_outbound(const std::shared_ptr<SipStack>& stack, Engine& engine,
                                              const ChannelRequest& req);

  // From the stack (any thread; they post to the strand).
  void on_request(std::shared_ptr<ServerTransaction> txn);
  void on_ack(std::uint32_t cseq, std::string_view sdp = {});  // sdp: the answer to a late offer
  void on_stray_2xx(std::uint32_t cseq);  // a 2xx retransmitted after its transaction ended

  // Channel tech (strand).
  Result<void> call(Channel& chan);
  void answer(Channel& chan);
  void hangup(Channel& chan);
  void indicate(Channel& chan, Control c, const IndicationData& data = {});
  void send_digit_end(Channel& chan, char digit, std::chrono::milliseconds held);
  // Media side of the channel tech (call_media.cpp).
  void write(Channel& chan, const Frame& f);
  void send_digit_begin(Channel& chan, char digit);
  std::vector<media::Format> native_formats() const;
  bool wants_inband_dtmf() const;
  std::vector<std::pair<std::string, std::string>> media_status_lines() const;
  const rtp::MediaSession::Ptr& media() const { return media_; }
  // Native RTP relay with the bridged peer (call_native.cpp; strand): the bridge's seam
  // (DriverNativeMedia) and every change of our own media (re-INVITE, hold) re-decide it.
  void bridge_peer_changed(Channel& chan, const BridgePeerState& state);
  void reconsider_native_relay(std::string_view why);

  // AMI/dialplan (any thread; posted to the strand).
  // PJSIPHangup: an inbound call not yet answered gets `code` as its final response.
  // False when this leg is not an unanswered inbound call.
  bool hangup_with_response(int code);
  // PJSIPNotify Channel=…: a NOTIFY inside the dialog. `headers` are "Name: value" lines.
  void send_notify(std::vector<std::pair<std::string, std::string>> headers, std::string content_type,
                   std::string body);

  // Transfer() (call_transfer_out.cpp; strand): REFER, or 302 before answer.
  boost::asio::awaitable<TransferResult> transfer(Channel& chan, std::string dest);

  // Text to the phone (call_text.cpp; strand): a MESSAGE in the confirmed dialog. send_text()
  // for text frames and AMI (a refusal is logged); deliver_text() for SendText(), which waits
  // for the final response.
  void send_text(Channel& chan, std::string_view text);
  boost::asio::awaitable<TextResult> deliver_text(Channel& chan, TextMessage msg);

  // Read from any thread for `pjsip show channels`.
  struct Info {
    std::string channel;
    std::string endpoint;
    std::string call_id;
    std::string state;
    std::string remote;
  };
  Info info() const;
  const std::string& endpoint_name() const { return endpoint_->name; }
  bool inbound() const { return inbound_; }
  Channel::Ptr channel() const { return chan_.lock(); }

 private:
  struct Target {
    std::string uri;       // Request-URI
    Destination dest;
  };
  struct Fork {
    Target target;
    std::string branch;
    std::uint32_t cseq = 1;
    std::shared_ptr<ClientTransaction> txn;
    int final_code = 0;  // 0: still pending
    bool provisional = false;
    bool auth_tried = false;
    bool timer_retried = false;  // 422 answered once with a larger Session-Expires
    unsigned session_expires = 0;
    std::uint32_t last_rseq = 0;  // RFC 3262: the last reliable provisional we PRACKed
    std::string invite;    // bytes, for CANCEL and auth retries
    std::string authorization;
  };

  void post(std::function<void(CallSession&)> f);
  void bind_channel(const Channel::Ptr& chan);
  void set_state_text(std::string text);
  // call_dialog.cpp
  void in_dialog_request(const std::shared_ptr<ServerTransaction>& txn);
  void offer_received(ServerTransaction& txn, const std::shared_ptr<ServerTransaction>& txn_ptr);
  void message_received(ServerTransaction& txn);  // MESSAGE in the dialog → a Text frame
  std::string build_request(std::string_view method, const std::string& branch, std::uint32_t cseq,
                            std::string_view content_type = {}, std::string_view body = {}, std::string_view extra = {});
  void send_in_dialog(std::string_view method, std::string_view content_type = {}, std::string_view body = {},
                      std::string_view extra = {}, ClientTransaction::Handler on_response = {});
  // The ACK of the 2xx to our re-INVITE `cseq` (kept for its retransmissions).
  void send_reinvite_ack(std::uint32_t cseq);
  // A re-INVITE (session refresh) or UPDATE as UAC; 2xx is ACKed, 408/481 end the call.
  void send_refresh();
  void on_refresh_response(std::uint32_t cseq, bool invite, StoredPtr resp);
  void refresh_again_soon();  // a refresh that could not go (or failed) is tried in 2 s
  // call_hold.cpp (moh_passthrough=yes): the bridged peer's Hold/Unhold (hold_indication, from
  // whichever path control frames reach the driver) passed on to the phone by re-INVITE.
  void pass_hold(bool hold);
  // Sends the re-INVITE when the wanted state differs from the agreed one and the dialog has no
  // INVITE transaction in progress (RFC 3261 §14.1); called again whenever one ends.
  void send_hold_reinvite_if_due();
  void on_hold_response(std::uint32_t cseq, bool hold, StoredPtr resp);
  // "no", "local" (the phone accepted our hold), "remote" (it holds us), "local, remote"; any thread.
  std::string hold_status() const;
  // call_session.cpp
  void cancelled();
  void respond_invite(int code, std::string_view reason = {}, std::string_view body = {});
  void end_dialog();
  std::string answer_sdp() const;  // call_media.cpp
  // call_transfer.cpp
  void refer(ServerTransaction& txn);
  void blind_transfer(ServerTransaction& txn, const Channel::Ptr& chan, const std::string& exten);
  void attended_transfer(ServerTransaction& txn, const Channel::Ptr& chan, const Replaces& r);
  // What follows the 202 (its NOTIFY and the BYEs) runs once the 202 is on the wire.
  void after_202(ServerTransaction& txn, std::function<void(CallSession&)> then);
  void blind_transfer_accepted(const Channel::Ptr& chan, const std::string& context, const std::string& exten);
  void attended_transfer_accepted(const Channel::Ptr& chan, const std::shared_ptr<CallSession>& other);
  void notify_transfer_result(std::string_view sipfrag);
  // call_text.cpp: false (logged) when the dialog is not confirmed; `done` gets the final
  // response code (408: none).
  bool send_message(Channel& chan, const TextMessage& msg, std::function<void(int)> done);
  // Inbound: our 2xx to the INVITE has not been ACKed yet; texts wait for the ACK (on_ack sends them).
  bool initial_ack_pending() const;
  void send_texts_after_ack();
  // call_transfer_out.cpp
  std::string refer_target(std::string_view dest) const;  // Transfer()'s destination → Refer-To URI
  void refer_notify_received(const Message& req);         // a NOTIFY of our REFER's subscription
  void refer_progress(int code);                          // a final outcome: wakes transfer()
  // call_replaces.cpp (INVITE with Replaces, RFC 3891)
  struct ReplacedCall {
    std::shared_ptr<CallSession> session;
    Channel::Ptr chan;
    std::shared_ptr<Bridge> bridge;
  };
  // The call an INVITE with Replaces takes over; nullopt once the INVITE has been refused.
  static std::optional<ReplacedCall> find_replaced_call(SipStack& stack, ServerTransaction& invite);
  // Answers `chan` and, once the 2xx is ACKed, puts it into the replaced call's bridge in that
  // channel's place (the replaced channel is then hung up).
  void replace_call(const Channel::Ptr& chan, ReplacedCall call);
  boost::asio::awaitable<void> take_over(Channel::Ptr chan, ReplacedCall call, std::shared_ptr<void> token);
  // call_outbound.cpp
  void send_invite(std::size_t fork);
  void on_fork_response(std::size_t fork, StoredPtr resp);
  void on_fork_answered(std::size_t fork, const Message& m, const Channel::Ptr& chan);
  void send_prack(std::size_t fork, const Message& provisional);
  void fork_failed(std::size_t fork, int code);
  void send_ack();
  void cancel_forks(std::size_t except);
  // reliable_provisional.cpp (RFC 3262, UAS)
  void send_reliable(int code, std::string bytes);
  void arm_reliable_retransmit();
  void on_prack(ServerTransaction& txn);
  // session_timer.cpp (RFC 4028)
  bool negotiate_session_timer(const Message& invite);  // UAS; false: answered 422
  void apply_session_timer_answer(const Message& response, unsigned asked);  // UAC, from a 2xx
  void refresh_received(const Message& req);  // a re-INVITE/UPDATE from the peer
  // Session-Expires (and Require: timer) for a message of ours; `we_are_uas` of its transaction.
  void session_timer_headers(MessageWriter& w, bool we_are_uas) const;
  // Media (call_media.cpp; answer_sdp() too). open_media() binds the RTP ports for the endpoint on `via`'s host.
  // `same_shard_as`: the requestor's session (a Dial'd leg), so the two legs can relay natively.
  Result<void> open_media(const Transport& via, const rtp::MediaSession* same_shard_as = nullptr);
  // Why the two legs cannot relay natively now; empty when they can (call_native.cpp).
  std::string native_relay_refusal(const std::shared_ptr<CallSession>& peer) const;
  // Inbound INVITE: answers its offer (kept for the 183/200); false when a 488/500 was sent.
  bool answer_initial_offer(ServerTransaction& invite);
  // re-INVITE/UPDATE with SDP: the new answer, or false after a 488 (the old media stays); a
  // re-INVITE without SDP: a fresh offer for the 200, answered in the ACK.
  bool answer_reoffer(ServerTransaction& txn);
  // Outbound: the offer every fork's INVITE carries; the answer of a 183/2xx.
  std::string initial_offer();
  bool apply_remote_answer(std::string_view sdp, int status);
  void stop_media();
  // The ACK of a 2xx whose INVITE had no SDP carries the answer to the offer in that 2xx.
  void apply_ack_answer(std::string_view sdp);
  // The answer in the 2xx to our own re-INVITE (refresh); false when it cannot be used.
  bool apply_reinvite_answer(std::string_view sdp);
  // Control::Hold/Unhold from the bridged peer: music on hold here. False for other controls.
  bool hold_indication(Channel& chan, Control c, const IndicationData& data);
  void formats_settled();  // the channel's native formats follow the negotiated codecs
  void arm_session_timer();

  std::shared_ptr<SipStack> stack_;
  std::shared_ptr<const EndpointOptions> endpoint_;
  const bool inbound_;
  std::weak_ptr<Channel> chan_;
  std::optional<Channel::Strand> strand_;
  std::string channel_name_;

  // Dialog state (strand).
  std::string call_id_;
  std::string local_tag_;
  std::string remote_tag_;
  std::string local_uri_;    // our From/To value, tag included
  std::string remote_uri_;   // theirs
  std::string remote_target_;
  std::vector<std::string> route_set_;
  std::uint32_t local_cseq_ = 0;
  std::uint32_t remote_cseq_ = 0;
  Destination dest_;
  // Atomic: an INVITE with Replaces checks the replaced dialog's phase from another strand.
  enum class Phase { Idle, Early, Confirmed, Terminated };
  std::atomic<Phase> phase_{Phase::Idle};
  bool registered_dialog_ = false;
  bool bye_received_ = false;
  bool ringing_sent_ = false;
  bool ringing_seen_ = false;
  bool progress_seen_ = false;
  bool peer_allows_update_ = false;
  int hangup_response_ = 0;  // PJSIPHangup's code for the final response
  bool refer_notify_ = true;  // the last REFER wants NOTIFYs (no "Refer-Sub: false")
  struct OutgoingRefer {
    bool active = false;  // transfer() waits for the outcome
    bool done = false;
    int code = 0;         // the REFER's final response if ≥ 300, else the final sipfrag's
  };
  OutgoingRefer outgoing_refer_;
  std::string redirect_contact_;  // the Contact of a 302 sent by transfer()
  std::string remote_sdp_;
  std::string local_sdp_;   // the last SDP we sent (a refresh re-INVITE repeats it)
  rtp::MediaSession::Ptr media_;
  mutable std::string media_answer_;  // our answer (inbound) as the 183/200 repeat it
  std::string media_offer_;           // our offer (outbound), one for every fork
  bool media_answered_ = false;       // outbound: an answer was applied (183 or 2xx)
  bool moh_playing_ = false;          // the bridged peer holds: we play music on hold
  std::weak_ptr<Channel> native_peer_;  // the bridge's seam: our one bridged peer
  std::string native_tap_;              // …and why audio is tapped (empty: it is not)
  // moh_passthrough (call_hold.cpp): the hold the bridged peer asks for, the one the phone last
  // accepted, an INVITE of ours in progress (hold or refresh), a 491 retry pending.
  bool want_local_hold_ = false;
  std::atomic<bool> agreed_local_hold_{false};  // read by hold_status() from any thread
  bool invite_in_flight_ = false;
  bool glare_wait_ = false;
  std::unique_ptr<boost::asio::steady_timer> glare_timer_;
  bool native_wanted_ = false;          // this leg last started the relay (not stopped since)
  std::string ack_;
  std::string reinvite_ack_;  // the ACK of our last re-INVITE's 2xx
  std::uint32_t reinvite_ack_cseq_ = 0;
  std::shared_ptr<ServerTransaction> invite_txn_;
  // INVITE server transactions (initial and re-INVITEs) whose 2xx waits for its ACK.
  std::vector<std::shared_ptr<ServerTransaction>> awaiting_ack_;
  // Texts written between our 2xx and its ACK (call_text.cpp), with what to tell when answered.
  struct TextAfterAck {
    TextMessage msg;
    std::function<void(int)> done;
  };
  std::vector<TextAfterAck> texts_after_ack_;
  std::vector<Target> targets_;
  std::vector<Fork> forks_;
  std::optional<std::size_t> winner_;

  // RFC 3262 as UAS: provisional responses sent reliably, one unacknowledged at a time.
  bool reliable_ = false;
  std::uint32_t rseq_ = 0;
  struct Reliable {
    std::uint32_t rseq = 0;
    std::string bytes;
    int code = 0;
  };
  std::optional<Reliable> unacked_;
  std::deque<std::pair<int, std::string>> reliable_queue_;  // waiting for the PRACK of unacked_
  std::chrono::milliseconds reliable_interval_{0};
  std::chrono::steady_clock::time_point reliable_started_;
  std::unique_ptr<boost::asio::steady_timer> reliable_timer_;

  // RFC 4028: the interval agreed with the peer (0: no session timer) and who refreshes.
  unsigned session_expires_ = 0;
  bool we_refresh_ = false;
  bool peer_timer_ = false;  // the peer said Supported: timer
  std::unique_ptr<boost::asio::steady_timer> session_timer_;

  mutable std::mutex info_mu_;
  std::string state_text_ = "Idle";
};

// RFC 4028: the session interval an INVITE asks for (0: none), nullopt when below the endpoint's
// Min-SE (answer 422).
std::optional<unsigned> requested_session_expires(const Message& req, const EndpointOptions& ep);

// The ChannelTech a SIP channel is created with (forwards to the session), and the session of a
// SIP channel (null for other technologies).
std::unique_ptr<ChannelTech> make_channel_tech(std::shared_ptr<CallSession> session);
std::shared_ptr<CallSession> session_of(Channel& chan);

// True when a list header of `m` (Require, Supported, Allow …) names `option`, in any case.
bool lists_option(const Message& m, Header h, std::string_view option);
// The number a header value starts with ("1800;refresher=uac" → 1800); 0 when none; at most a day.
unsigned leading_seconds(std::string_view value);

// "Supported:" of our INVITEs, UPDATEs and 2xx responses (RFC 3891 Replaces is understood).
inline constexpr std::string_view kDialogSupported = "timer, 100rel, replaces";
// "Allow:" of our requests and 2xx responses.
inline constexpr std::string_view kDialogAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY, MESSAGE";

}  // namespace telephony::sip
