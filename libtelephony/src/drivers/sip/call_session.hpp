// CallSession: one SIP call leg — its INVITE dialog (RFC 3261 §12–§15) and the channel it drives.
// Everything here runs on the channel's strand: the channel tech calls (answer, indicate,
// hangup, DTMF), in-dialog requests the stack posts (BYE, re-INVITE/UPDATE, INFO, OPTIONS), and
// the responses of our own client transactions. No thread per call, no lock shared between calls.
//
// Inbound: created by the stack for an authenticated INVITE; the channel enters the endpoint's
// context at the Request-URI user ("s" when there is none). Outbound: created by the driver for
// `SIP/alice` (every contact of alice's AORs ringing in parallel — the first 2xx wins, the rest
// are cancelled), `SIP/alice/sip:bob@host:port` or `SIP/5551234@trunk`.
//
// Media: SDP offer/answer and RTP belong to the media session (issue 12, rtp::MediaSession).
// Until it is wired in, an offer is answered with its audio stream declined (port 0), which is
// valid SDP; see docs/sip.md.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/driver.hpp"
#include "sip_stack.hpp"

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
  void on_ack(std::uint32_t cseq);
  void on_stray_2xx();

  // Channel tech (strand).
  Result<void> call(Channel& chan);
  void answer(Channel& chan);
  void hangup(Channel& chan);
  void indicate(Channel& chan, Control c);
  void send_digit_end(Channel& chan, char digit, std::chrono::milliseconds held);

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
    std::string invite;    // bytes, for CANCEL and auth retries
  };

  void post(std::function<void(CallSession&)> f);
  void bind_channel(const Channel::Ptr& chan);
  void in_dialog_request(const std::shared_ptr<ServerTransaction>& txn);
  void cancelled();
  void blind_transfer(ServerTransaction& txn);
  void respond_invite(int code, std::string_view reason = {}, std::string_view body = {});
  std::string build_request(std::string_view method, const std::string& branch, std::uint32_t cseq,
                            std::string_view content_type = {}, std::string_view body = {}, std::string_view extra = {});
  void send_in_dialog(std::string_view method, std::string_view content_type = {}, std::string_view body = {},
                      std::string_view extra = {});
  void send_invite(std::size_t fork, std::string_view authorization = {});
  void on_fork_response(std::size_t fork, StoredPtr resp);
  void fork_failed(std::size_t fork, int code);
  void send_ack();
  void cancel_forks(std::size_t except);
  void end_dialog();
  std::string answer_sdp() const;
  void arm_session_timer();
  Channel::Ptr channel() const { return chan_.lock(); }

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
  enum class Phase { Idle, Early, Confirmed, Terminated } phase_ = Phase::Idle;
  bool registered_dialog_ = false;
  bool bye_received_ = false;
  bool ringing_sent_ = false;
  bool ringing_seen_ = false;
  bool progress_seen_ = false;
  std::string remote_sdp_;
  std::string ack_;
  std::shared_ptr<ServerTransaction> invite_txn_;
  // INVITE server transactions (initial and re-INVITEs) whose 2xx waits for its ACK.
  std::vector<std::shared_ptr<ServerTransaction>> awaiting_ack_;
  std::vector<Target> targets_;
  std::vector<Fork> forks_;
  std::optional<std::size_t> winner_;
  unsigned session_expires_ = 0;  // RFC 4028 interval agreed with the peer; 0: no session timer
  std::unique_ptr<boost::asio::steady_timer> session_timer_;
  mutable std::mutex info_mu_;
  std::string state_text_ = "Idle";
};

// RFC 4028: the session interval an INVITE asks for (0: none), nullopt when below the endpoint's
// Min-SE (answer 422).
std::optional<unsigned> requested_session_expires(const Message& req, const EndpointOptions& ep);

// The ChannelTech a SIP channel is created with (forwards to the session).
std::unique_ptr<ChannelTech> make_channel_tech(std::shared_ptr<CallSession> session);

}  // namespace telephony::sip
