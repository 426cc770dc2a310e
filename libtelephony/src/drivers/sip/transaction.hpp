// SIP transactions (RFC 3261 §17, with RFC 6026's Accepted state for INVITE servers): the client
// and server state machines with timers A–K on Asio timers, retransmission and absorption,
// and the table that matches messages to them.
//
// No global lock: the table is split into shards by a hash of the key, each with its own small
// mutex held only for a map lookup/insert/erase. Each transaction runs its state machine on its
// own strand; the transaction user (dialogs, registrar) is called back on the executor it names,
// so a call's session logic stays on its channel's strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "telephony/sip/message.hpp"
#include "telephony/sip/options.hpp"
#include "transport.hpp"

namespace telephony::sip {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// A received message copied out of the receive buffer (one allocation for the bytes) with its
// parsed view. Never moved after parsing, so the views stay valid.
struct StoredMessage {
  std::string bytes;
  Message msg;
  Source source;
};
using StoredPtr = std::shared_ptr<const StoredMessage>;
// Copies and re-parses `bytes` (which parsed before); null if that fails.
StoredPtr store_message(std::string_view bytes, const Source& source);

struct TimerValues {
  std::chrono::milliseconds t1{500};
  std::chrono::milliseconds t2{4000};
  std::chrono::milliseconds t4{5000};
  std::chrono::milliseconds b{32000};  // also F, H, J, L: 64*T1
};

class TransactionTable;

// Transactions by direction, method and final response, counted once as each gets its final
// response (or times out): relaxed atomics in a fixed array, so counting neither allocates nor
// locks. The label set is bounded by construction: 2 directions x 15 methods x (500 final codes
// + "timeout"); only the non-zero ones are reported.
class TransactionCounts {
 public:
  static constexpr std::size_t kMethods = static_cast<std::size_t>(Method::Publish) + 1;
  static constexpr std::size_t kCodes = 501;  // 200..699, and slot 500 for "timeout"
  // `code` 200..699 for a final response, 0 when none came (timer B/F, transport failure).
  void count(bool inbound, Method method, int code);
  struct Row {
    bool inbound;
    Method method;
    int code;  // 0: timeout
    std::uint64_t n;
  };
  std::vector<Row> rows() const;

 private:
  std::array<std::atomic<std::uint64_t>, 2 * kMethods * kCodes> n_{};
};

class ServerTransaction : public std::enable_shared_from_this<ServerTransaction> {
 public:
  ServerTransaction(TransactionTable& table, StoredPtr request, std::string key);
  const Message& request() const { return request_->msg; }
  const StoredPtr& stored() const { return request_; }
  const Source& source() const { return request_->source; }
  Method method() const { return request_->msg.method(); }
  const std::string& local_tag() const { return local_tag_; }

  // Sends a response (any thread). Provisional ones may repeat; the first final one moves the
  // state machine on; responses after a final one are ignored.
  void respond(int code, std::string bytes);
  // Shorthand: a response built from the request with the transaction's To tag and `extra`
  // header lines ("Name: value\r\n" each), no body.
  void respond_simple(int code, std::string_view reason = {}, std::string_view extra = {});
  bool final_sent() const { return final_sent_.load(); }
  int final_code() const { return final_code_.load(); }
  // Runs `f` on the transaction's strand once every response handed to respond() so far is on
  // the wire (the strand runs them in order): what must follow a response, e.g. a REFER's NOTIFY
  // after its 202.
  void after_responses(std::function<void()> f);

  // For the dialog layer: the ACK for our 2xx arrived (stops 2xx retransmission).
  void ack_2xx();
  // Called once if the INVITE was cancelled (set by the TU) or the 2xx was never ACKed (code 0).
  void on_cancel(std::function<void()> f);
  void on_no_ack(std::function<void()> f);
  // A CANCEL matched this INVITE: runs the on_cancel handler (now or when it is set) unless a
  // final response was already sent.
  void cancel();

 private:
  friend class TransactionTable;
  void received_again();  // retransmitted request
  void received_ack();    // ACK matching a non-2xx final response
  void send_last();
  void arm_retransmit(std::chrono::milliseconds interval);
  void arm_timeout(std::chrono::milliseconds after, int state_when_done);
  void terminate();

  TransactionTable& table_;
  StoredPtr request_;
  std::string key_;
  std::string local_tag_;
  Strand strand_;
  boost::asio::steady_timer retransmit_;
  boost::asio::steady_timer timeout_;
  // strand-only
  enum class State { Trying, Proceeding, Completed, Accepted, Confirmed, Terminated } state_ = State::Trying;
  std::string last_;
  std::chrono::milliseconds interval_{0};
  std::function<void()> on_cancel_;
  std::function<void()> on_no_ack_;
  bool cancel_seen_ = false;
  std::atomic<bool> final_sent_{false};
  std::atomic<int> final_code_{0};
};

class ClientTransaction : public std::enable_shared_from_this<ClientTransaction> {
 public:
  // Called with each response, or with null when the transaction timed out (timer B/F) or the
  // transport failed (the TU treats that as 408 / 503).
  using Handler = std::function<void(StoredPtr response)>;
  ClientTransaction(TransactionTable& table, Method method, std::string branch, std::string request,
                    std::shared_ptr<Transport> transport, Address to, std::shared_ptr<Connection> connection,
                    boost::asio::any_io_executor handler_executor, Handler handler);
  const std::string& branch() const { return branch_; }
  Method method() const { return method_; }
  const std::string& request_bytes() const { return request_; }
  const std::shared_ptr<Transport>& transport() const { return transport_; }
  const Address& destination() const { return to_; }
  void start();
  // Stops retransmitting and forgets the transaction (a forked INVITE that lost, shutdown).
  void abandon();

 private:
  friend class TransactionTable;
  void received(StoredPtr response);
  void deliver(StoredPtr response);
  void send_ack_for(const Message& response);
  void arm_retransmit(std::chrono::milliseconds interval);
  void terminate();

  TransactionTable& table_;
  Method method_;
  std::string branch_;
  std::string request_;
  std::shared_ptr<Transport> transport_;
  Address to_;
  std::shared_ptr<Connection> connection_;
  boost::asio::any_io_executor handler_executor_;
  Handler handler_;
  Strand strand_;
  boost::asio::steady_timer retransmit_;
  boost::asio::steady_timer timeout_;
  enum class State { Calling, Proceeding, Completed, Terminated } state_ = State::Calling;
  std::chrono::milliseconds interval_{0};
  std::string ack_;
};

class TransactionTable {
 public:
  TransactionTable(boost::asio::io_context& io, TimerValues timers, std::string server_header);
  boost::asio::io_context& io() { return io_; }
  const TimerValues& timers() const { return timers_; }
  const std::string& server_header() const { return server_header_; }

  // A request: a retransmission or an ACK for a non-2xx final is absorbed here (returns null);
  // otherwise a new server transaction is created (ACK for 2xx: returns null and sets `is_ack`).
  // CANCEL gets its own transaction; `cancelled` is the INVITE it matches, if any.
  struct Matched {
    std::shared_ptr<ServerTransaction> txn;       // new transaction for the TU (null: absorbed)
    std::shared_ptr<ServerTransaction> cancelled;  // CANCEL only
    bool ack = false;                              // an ACK that belongs to a dialog (2xx)
  };
  Matched match_request(const Message& req, std::string_view bytes, const Source& src);
  // A response: handed to its client transaction. False when none matches (stray response).
  bool match_response(const Message& resp, std::string_view bytes, const Source& src);

  // Creates, registers and starts a client transaction.
  std::shared_ptr<ClientTransaction> send_request(Method method, std::string branch, std::string request,
                                                  std::shared_ptr<Transport> transport, Address to,
                                                  std::shared_ptr<Connection> connection,
                                                  boost::asio::any_io_executor handler_executor,
                                                  ClientTransaction::Handler handler);

  std::size_t server_count() const;
  std::size_t client_count() const;
  const TransactionCounts& counts() const { return counts_; }
  // New server transactions in the last whole second (overload protection).
  unsigned recent_rate() const;

 private:
  friend class ServerTransaction;
  friend class ClientTransaction;
  static constexpr std::size_t kShards = 64;
  template <class T>
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<T>> map;
  };
  template <class T>
  Shard<T>& shard(std::array<Shard<T>, kShards>& shards, std::string_view key) {
    return shards[std::hash<std::string_view>{}(key) % kShards];
  }
  void erase_server(const std::string& key);
  void erase_client(const std::string& key);
  Strand next_strand();
  static std::string server_key(const Message& req, bool for_invite_of_cancel);

  boost::asio::io_context& io_;
  TimerValues timers_;
  std::string server_header_;
  std::array<Shard<ServerTransaction>, kShards> servers_;
  std::array<Shard<ClientTransaction>, kShards> clients_;
  std::atomic<std::uint64_t> rate_second_{0};
  std::atomic<unsigned> rate_count_{0};
  std::atomic<unsigned> rate_last_{0};
  TransactionCounts counts_;
};

}  // namespace telephony::sip
