// Transaction state machines and their sharded table (see transaction.hpp).
#include "transaction.hpp"

#include <boost/asio/post.hpp>

#include "message_writer.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;
using std::chrono::milliseconds;

StoredPtr store_message(std::string_view bytes, const Source& source) {
  auto sm = std::make_shared<StoredMessage>();
  sm->bytes.assign(bytes);
  auto parsed = parse_message(sm->bytes, source.connection == nullptr);
  if (!parsed) return nullptr;
  sm->msg = std::move(*parsed);
  sm->source = source;
  return sm;
}

void TransactionCounts::count(bool inbound, Method method, int code) {
  const auto m = static_cast<std::size_t>(method);
  if (m >= kMethods) return;
  const std::size_t c = code >= 200 && code <= 699 ? static_cast<std::size_t>(code - 200) : kCodes - 1;
  n_[((inbound ? 0 : 1) * kMethods + m) * kCodes + c].fetch_add(1, std::memory_order_relaxed);
}

std::vector<TransactionCounts::Row> TransactionCounts::rows() const {
  std::vector<Row> out;
  for (std::size_t i = 0; i < n_.size(); ++i) {
    const auto n = n_[i].load(std::memory_order_relaxed);
    if (n == 0) continue;
    const std::size_t c = i % kCodes;
    const std::size_t m = (i / kCodes) % kMethods;
    out.push_back({i / (kCodes * kMethods) == 0, static_cast<Method>(m), c == kCodes - 1 ? 0 : static_cast<int>(c + 200), n});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Server transactions

ServerTransaction::ServerTransaction(TransactionTable& table, StoredPtr request, std::string key)
    : table_(table),
      request_(std::move(request)),
      key_(std::move(key)),
      local_tag_(request_->msg.to_tag().empty() ? random_token(12) : std::string(request_->msg.to_tag())),
      strand_(asio::make_strand(table.io())),
      retransmit_(strand_),
      timeout_(strand_) {}

void ServerTransaction::respond(int code, std::string bytes) {
  if (code >= 200) {
    bool expected = false;
    if (!final_sent_.compare_exchange_strong(expected, true)) return;
    final_code_ = code;
    table_.counts_.count(true, method(), code);
  }
  asio::post(strand_, [self = shared_from_this(), code, b = std::move(bytes)]() mutable {
    if (self->state_ == State::Terminated || self->state_ == State::Completed || self->state_ == State::Accepted ||
        self->state_ == State::Confirmed)
      return;
    self->last_ = std::move(b);
    self->send_last();
    const bool unreliable = !self->source().transport->reliable();
    const auto& t = self->table_.timers();
    if (code < 200) {
      self->state_ = State::Proceeding;
      return;
    }
    if (self->method() == Method::Invite) {
      if (code < 300) {
        // RFC 6026 Accepted: retransmit the 2xx until the dialog sees the ACK (timer L bounds it).
        self->state_ = State::Accepted;
        if (unreliable) self->arm_retransmit(t.t1);
        self->arm_timeout(t.b, static_cast<int>(State::Accepted));
      } else {
        self->state_ = State::Completed;
        if (unreliable) self->arm_retransmit(t.t1);  // timer G
        self->arm_timeout(t.b, static_cast<int>(State::Completed));  // timer H
      }
    } else {
      self->state_ = State::Completed;
      self->arm_timeout(unreliable ? t.b : milliseconds(0), static_cast<int>(State::Completed));  // timer J
    }
  });
}

void ServerTransaction::after_responses(std::function<void()> f) {
  asio::post(strand_, [self = shared_from_this(), f = std::move(f)] { f(); });
}

void ServerTransaction::respond_simple(int code, std::string_view reason, std::string_view extra) {
  auto w = response_for(request(), code, reason, source().remote, local_tag_);
  if (!table_.server_header().empty()) w.header(Header::Server, table_.server_header());
  std::string bytes = w.finish();
  if (!extra.empty()) bytes.insert(bytes.size() - 2 - std::string_view("Content-Length: 0\r\n").size(), extra);
  respond(code, std::move(bytes));
}

void ServerTransaction::send_last() {
  if (last_.empty()) return;
  const auto& src = source();
  src.transport->send(src.remote, last_, src.connection);
}

void ServerTransaction::arm_retransmit(milliseconds interval) {
  interval_ = interval;
  retransmit_.expires_after(interval);
  retransmit_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (self->state_ != State::Completed && self->state_ != State::Accepted) return;
    self->send_last();
    self->arm_retransmit(std::min(self->interval_ * 2, self->table_.timers().t2));
  });
}

void ServerTransaction::arm_timeout(milliseconds after, int state_when_done) {
  timeout_.expires_after(after);
  timeout_.async_wait([self = shared_from_this(), state_when_done](boost::system::error_code ec) {
    if (ec) return;
    if (self->state_ == State::Accepted && state_when_done == static_cast<int>(State::Accepted)) {
      // Timer L: the 2xx was never acknowledged.
      if (auto f = std::exchange(self->on_no_ack_, nullptr)) f();
    } else if (self->state_ == State::Completed && self->method() == Method::Invite) {
      // Timer H: no ACK for our final response.
    }
    self->terminate();
  });
}

void ServerTransaction::ack_2xx() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ != State::Accepted) return;
    self->retransmit_.cancel();
    self->on_no_ack_ = nullptr;
    self->state_ = State::Confirmed;
    // Keep absorbing INVITE retransmissions until timer L fires.
  });
}

void ServerTransaction::on_cancel(std::function<void()> f) {
  asio::post(strand_, [self = shared_from_this(), f = std::move(f)]() mutable {
    if (self->cancel_seen_ && !self->final_sent_) return f();
    self->on_cancel_ = std::move(f);
  });
}

void ServerTransaction::on_no_ack(std::function<void()> f) {
  asio::post(strand_, [self = shared_from_this(), f = std::move(f)]() mutable { self->on_no_ack_ = std::move(f); });
}

void ServerTransaction::received_again() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ == State::Proceeding || self->state_ == State::Completed || self->state_ == State::Accepted)
      self->send_last();
  });
}

void ServerTransaction::received_ack() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ != State::Completed) return;
    self->state_ = State::Confirmed;
    self->retransmit_.cancel();
    const bool unreliable = !self->source().transport->reliable();
    self->arm_timeout(unreliable ? self->table_.timers().t4 : milliseconds(0), static_cast<int>(State::Confirmed));  // I
  });
}

void ServerTransaction::cancel() {
  asio::post(strand_, [self = shared_from_this()] {
    self->cancel_seen_ = true;
    if (self->final_sent_) return;
    if (auto f = std::exchange(self->on_cancel_, nullptr)) f();
  });
}

void ServerTransaction::terminate() {
  if (state_ == State::Terminated) return;
  state_ = State::Terminated;
  retransmit_.cancel();
  timeout_.cancel();
  on_cancel_ = nullptr;
  on_no_ack_ = nullptr;
  table_.erase_server(key_);
}

// ---------------------------------------------------------------------------------------------
// Client transactions

ClientTransaction::ClientTransaction(TransactionTable& table, Method method, std::string branch, std::string request,
                                     std::shared_ptr<Transport> transport, Address to,
                                     std::shared_ptr<Connection> connection, asio::any_io_executor handler_executor,
                                     Handler handler)
    : table_(table),
      method_(method),
      branch_(std::move(branch)),
      request_(std::move(request)),
      transport_(std::move(transport)),
      to_(std::move(to)),
      connection_(std::move(connection)),
      handler_executor_(std::move(handler_executor)),
      handler_(std::move(handler)),
      strand_(asio::make_strand(table.io())),
      retransmit_(strand_),
      timeout_(strand_) {}

void ClientTransaction::start() {
  asio::post(strand_, [self = shared_from_this()] {
    std::weak_ptr<ClientTransaction> weak = self;
    self->transport_->send(self->to_, self->request_, self->connection_, [weak](const std::string&) {
      if (auto s = weak.lock()) asio::post(s->strand_, [s] {
          if (s->state_ == State::Calling || (s->state_ == State::Proceeding && s->method_ != Method::Invite)) {
            s->table_.counts_.count(false, s->method_, 0);
            s->deliver(nullptr);
            s->terminate();
          }
        });
    });
    const auto& t = self->table_.timers();
    if (!self->transport_->reliable()) self->arm_retransmit(t.t1);  // A / E
    self->timeout_.expires_after(t.b);                               // B / F
    self->timeout_.async_wait([self](boost::system::error_code ec) {
      if (ec) return;
      if (self->state_ == State::Calling || (self->state_ == State::Proceeding && self->method_ != Method::Invite)) {
        self->table_.counts_.count(false, self->method_, 0);
        self->deliver(nullptr);
        self->terminate();
      }
    });
  });
}

void ClientTransaction::abandon() {
  asio::post(strand_, [self = shared_from_this()] { self->terminate(); });
}

void ClientTransaction::arm_retransmit(milliseconds interval) {
  interval_ = interval;
  retransmit_.expires_after(interval);
  retransmit_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    const bool invite = self->method_ == Method::Invite;
    if (self->state_ == State::Calling || (!invite && self->state_ == State::Proceeding)) {
      self->transport_->send(self->to_, self->request_, self->connection_);
      auto next = self->interval_ * 2;
      if (!invite) next = std::min(next, self->table_.timers().t2);
      if (!invite && self->state_ == State::Proceeding) next = self->table_.timers().t2;
      self->arm_retransmit(next);
    }
  });
}

void ClientTransaction::received(StoredPtr response) {
  asio::post(strand_, [self = shared_from_this(), response = std::move(response)]() mutable {
    const int code = response->msg.status();
    const bool unreliable = !self->transport_->reliable();
    if (self->state_ == State::Terminated) return;
    if (self->state_ == State::Completed) {
      if (self->method_ == Method::Invite && code >= 300 && !self->ack_.empty())
        self->transport_->send(self->to_, self->ack_, self->connection_);  // retransmitted final
      return;
    }
    if (code < 200) {
      if (self->state_ == State::Calling) {
        self->state_ = State::Proceeding;
        if (self->method_ == Method::Invite) self->retransmit_.cancel();
      }
      self->deliver(std::move(response));
      return;
    }
    self->table_.counts_.count(false, self->method_, code);
    if (self->method_ == Method::Invite) {
      if (code < 300) {
        // The TU acknowledges 2xx end to end; later 2xx retransmissions reach it as strays.
        self->deliver(std::move(response));
        self->terminate();
        return;
      }
      self->send_ack_for(response->msg);
      self->deliver(std::move(response));
      self->state_ = State::Completed;
      self->retransmit_.cancel();
      self->timeout_.cancel();
      self->timeout_.expires_after(unreliable ? std::chrono::milliseconds(32000) : milliseconds(0));  // D
      self->timeout_.async_wait([self](boost::system::error_code ec) {
        if (!ec) self->terminate();
      });
      return;
    }
    self->deliver(std::move(response));
    self->state_ = State::Completed;
    self->retransmit_.cancel();
    self->timeout_.cancel();
    self->timeout_.expires_after(unreliable ? self->table_.timers().t4 : milliseconds(0));  // K
    self->timeout_.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->terminate();
    });
  });
}

void ClientTransaction::send_ack_for(const Message& response) {
  // RFC 3261 §17.1.1.3: same Request-URI, top Via, From, Call-ID, CSeq number and Route as the
  // INVITE; To from the response.
  auto inv = parse_message(request_, true);
  if (!inv) return;
  MessageWriter w;
  w.request_line("ACK", inv->request_uri());
  w.header(Header::Via, inv->top_via());
  inv->for_each(Header::Route, [&](const HeaderField& f) { w.header(Header::Route, f.value); });
  w.header(Header::MaxForwards, "70");
  w.header(Header::From, inv->value(Header::From));
  w.header(Header::To, response.value(Header::To));
  w.header(Header::CallId, inv->call_id());
  w.header(Header::CSeq, std::to_string(inv->cseq()) + " ACK");
  ack_ = w.finish();
  transport_->send(to_, ack_, connection_);
}

void ClientTransaction::deliver(StoredPtr response) {
  if (!handler_) return;
  asio::post(handler_executor_, [h = handler_, r = std::move(response)] { h(r); });
}

void ClientTransaction::terminate() {
  if (state_ == State::Terminated) return;
  state_ = State::Terminated;
  retransmit_.cancel();
  timeout_.cancel();
  table_.erase_client(branch_ + "|" + std::string(to_string(method_)));
  handler_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// The table

TransactionTable::TransactionTable(asio::io_context& io, TimerValues timers, std::string server_header)
    : io_(io), timers_(timers), server_header_(std::move(server_header)) {}

std::string TransactionTable::server_key(const Message& req, bool for_invite_of_cancel) {
  std::string_view method = req.method_name();
  if (req.method() == Method::Ack || for_invite_of_cancel) method = "INVITE";
  std::string key;
  if (is_rfc3261_branch(req.branch())) {
    auto via = parse_via(req.top_via());
    key.reserve(req.branch().size() + 64);
    key.append(req.branch()).append("|");
    if (via) key.append(via->host).append(":").append(std::to_string(via->port));
    key.append("|").append(method);
  } else {
    // RFC 2543 peers: Call-ID, From tag, CSeq number, top Via and method identify the request.
    key.append(req.call_id()).append("|").append(req.from_tag()).append("|").append(std::to_string(req.cseq()));
    key.append("|").append(req.top_via()).append("|").append(method);
  }
  return key;
}

TransactionTable::Matched TransactionTable::match_request(const Message& req, std::string_view bytes, const Source& src) {
  Matched out;
  const std::string key = server_key(req, false);
  auto& sh = shard(servers_, key);
  if (req.method() == Method::Ack) {
    std::shared_ptr<ServerTransaction> inv;
    {
      std::lock_guard lock(sh.mu);
      auto it = sh.map.find(key);
      if (it != sh.map.end()) inv = it->second;
    }
    if (inv && inv->final_code() >= 300) {
      inv->received_ack();
      return out;
    }
    out.ack = true;  // ACK for a 2xx: end to end, the dialog's business
    return out;
  }
  {
    std::lock_guard lock(sh.mu);
    auto it = sh.map.find(key);
    if (it != sh.map.end()) {
      it->second->received_again();
      return out;
    }
  }
  auto stored = store_message(bytes, src);
  if (!stored) return out;
  auto txn = std::make_shared<ServerTransaction>(*this, std::move(stored), key);
  {
    std::lock_guard lock(sh.mu);
    auto [it, inserted] = sh.map.emplace(key, txn);
    if (!inserted) {  // another thread won the race with the same retransmission
      it->second->received_again();
      return out;
    }
  }
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  if (rate_second_.exchange(now) != now) rate_last_ = rate_count_.exchange(0);
  ++rate_count_;
  if (req.method() == Method::Invite) txn->respond_simple(100);
  if (req.method() == Method::Cancel) {
    const std::string inv_key = server_key(req, true);
    auto& ish = shard(servers_, inv_key);
    std::lock_guard lock(ish.mu);
    auto it = ish.map.find(inv_key);
    if (it != ish.map.end()) out.cancelled = it->second;
  }
  out.txn = std::move(txn);
  return out;
}

bool TransactionTable::match_response(const Message& resp, std::string_view bytes, const Source& src) {
  std::string key;
  key.reserve(resp.branch().size() + 12);
  key.append(resp.branch()).append("|").append(resp.cseq_method_name());
  std::shared_ptr<ClientTransaction> txn;
  {
    auto& sh = shard(clients_, key);
    std::lock_guard lock(sh.mu);
    auto it = sh.map.find(key);
    if (it != sh.map.end()) txn = it->second;
  }
  if (!txn) return false;
  auto stored = store_message(bytes, src);
  if (stored) txn->received(std::move(stored));
  return true;
}

std::shared_ptr<ClientTransaction> TransactionTable::send_request(Method method, std::string branch,
                                                                  std::string request,
                                                                  std::shared_ptr<Transport> transport, Address to,
                                                                  std::shared_ptr<Connection> connection,
                                                                  asio::any_io_executor handler_executor,
                                                                  ClientTransaction::Handler handler) {
  auto txn = std::make_shared<ClientTransaction>(*this, method, std::move(branch), std::move(request),
                                                 std::move(transport), std::move(to), std::move(connection),
                                                 std::move(handler_executor), std::move(handler));
  const std::string key = txn->branch() + "|" + std::string(to_string(method));
  {
    auto& sh = shard(clients_, key);
    std::lock_guard lock(sh.mu);
    sh.map[key] = txn;
  }
  txn->start();
  return txn;
}

void TransactionTable::erase_server(const std::string& key) {
  auto& sh = shard(servers_, key);
  std::lock_guard lock(sh.mu);
  sh.map.erase(key);
}

void TransactionTable::erase_client(const std::string& key) {
  auto& sh = shard(clients_, key);
  std::lock_guard lock(sh.mu);
  sh.map.erase(key);
}

std::size_t TransactionTable::server_count() const {
  std::size_t n = 0;
  for (auto& sh : servers_) {
    std::lock_guard lock(sh.mu);
    n += sh.map.size();
  }
  return n;
}

std::size_t TransactionTable::client_count() const {
  std::size_t n = 0;
  for (auto& sh : clients_) {
    std::lock_guard lock(sh.mu);
    n += sh.map.size();
  }
  return n;
}

unsigned TransactionTable::recent_rate() const {
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  const auto second = rate_second_.load();
  if (second == now) return std::max(rate_count_.load(), rate_last_.load());
  return second + 1 == now ? rate_count_.load() : 0;
}

}  // namespace telephony::sip
