#include "telephony/manager/client.hpp"

#include <openssl/evp.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "telephony/manager/writer.hpp"

namespace telephony::ami {

namespace asio = boost::asio;
using asio::use_awaitable;
using boost::system::error_code;

std::string md5_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_md5(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

namespace {
ParserLimits client_limits() {
  ParserLimits l;
  l.command_follows = true;
  // Events from a real PBX can be wide (many ChanVariable lines); the server limits are for
  // what a client may send, a client reads what the server sends.
  l.max_headers = 4096;
  l.max_line = 64 * 1024;
  return l;
}
bool is_list_start(const Message& m) {
  return iequals(m.get_or("EventList"), "start") || m.get_or("Message").find("will follow") != std::string_view::npos;
}
}  // namespace

struct Client::Pending {
  explicit Pending(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  bool list = false;
  bool done = false;
  std::optional<Result<Message>> response;
  std::vector<Message> items;
  std::string action;
};

Client::Client(asio::io_context& io) : io_(io), socket_(io), parser_(client_limits()) {}

Client::Client(asio::io_context& io, asio::ssl::context& tls)
    : io_(io), socket_(io), tls_(std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io, tls)),
      parser_(client_limits()) {}

Client::~Client() {
  *alive_ = false;
  error_code ec;
  tcp().close(ec);
}

void Client::close() {
  if (!open_) return;
  open_ = false;
  error_code ec;
  tcp().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tcp().close(ec);
  fail_all("connection closed");
}

void Client::fail_all(std::string_view why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    if (p->done) continue;
    p->done = true;
    p->response = Result<Message>(fail(std::string(why), "Action " + p->action));
    p->timer.cancel();
  }
}

asio::awaitable<std::size_t> Client::read_some(char* data, std::size_t size, error_code& ec) {
  if (tls_) co_return co_await tls_->async_read_some(asio::buffer(data, size), asio::redirect_error(use_awaitable, ec));
  co_return co_await socket_.async_read_some(asio::buffer(data, size), asio::redirect_error(use_awaitable, ec));
}

asio::awaitable<Result<void>> Client::connect(std::string host, std::uint16_t port) {
  auto alive = alive_;
  error_code ec;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = co_await resolver.async_resolve(host, std::to_string(port), asio::redirect_error(use_awaitable, ec));
  if (ec) co_return fail("cannot resolve: " + ec.message(), host);
  co_await asio::async_connect(tcp(), endpoints, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return fail("cannot connect: " + ec.message(), host + ":" + std::to_string(port));
  if (tls_) {
    co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return fail("TLS handshake failed: " + ec.message(), host + ":" + std::to_string(port));
  }
  // The banner is one line without the blank-line terminator, so it is read before the parser.
  std::vector<char> buf(1024);  // not a C array: g++ 12 miscompiles arrays in coroutine frames
  for (;;) {
    std::size_t n = co_await read_some(buf.data(), buf.size(), ec);
    if (!*alive) co_return fail("client destroyed");
    if (ec) co_return fail("connection closed before banner: " + ec.message(), "banner");
    line_.append(buf.data(), n);
    auto nl = line_.find('\n');
    if (nl != std::string::npos) {
      banner_ = line_.substr(0, nl);
      if (!banner_.empty() && banner_.back() == '\r') banner_.pop_back();
      parser_.feed(std::string_view(line_).substr(nl + 1));
      line_.clear();
      break;
    }
    if (line_.size() > 1024) co_return fail("no banner line within 1024 bytes", "banner");
  }
  if (banner_.rfind("Asterisk", 0) != 0) co_return fail("not an AMI banner: " + banner_, "banner");
  open_ = true;
  asio::co_spawn(io_, read_loop(), asio::detached);
  co_return Result<void>{};
}

asio::awaitable<void> Client::read_loop() {
  auto alive = alive_;
  std::vector<char> buf(16 * 1024);
  for (;;) {
    while (auto r = parser_.next()) {
      if (*r) dispatch(std::move(**r));
    }
    error_code ec;
    std::size_t n = co_await read_some(buf.data(), buf.size(), ec);
    if (!*alive) co_return;
    if (ec) {
      open_ = false;
      fail_all("connection closed: " + ec.message());
      co_return;
    }
    parser_.feed(std::string_view(buf.data(), n));
  }
}

void Client::dispatch(Message m) {
  const std::string_view id = m.action_id();
  auto it = id.empty() ? pending_.end() : pending_.find(id);
  if (it != pending_.end()) {
    auto p = it->second;
    if (m.is_response() && !p->response) {
      const bool more = p->list && is_list_start(m) && iequals(m.response(), "Success");
      p->response = Result<Message>(std::move(m));
      if (more) return;
      p->done = true;
    } else if (p->list && m.is_event()) {
      const bool complete = iequals(m.get_or("EventList"), "Complete");
      p->items.push_back(std::move(m));
      if (!complete) return;
      p->done = true;
    } else {
      if (on_event_) on_event_(m);
      return;
    }
    pending_.erase(it);
    p->timer.cancel();
    return;
  }
  if (on_event_) on_event_(m);
}

void Client::enqueue(std::string bytes) {
  write_queue_.push_back(std::move(bytes));
  if (!writing_) start_write();
}

void Client::start_write() {
  if (write_queue_.empty() || !open_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  write_buf_.clear();
  for (auto& s : write_queue_) write_buf_ += s;
  write_queue_.clear();
  auto alive = alive_;
  auto done = [this, alive](error_code ec, std::size_t) {
    if (!*alive) return;
    if (ec) {
      writing_ = false;
      close();
      return;
    }
    start_write();
  };
  if (tls_)
    asio::async_write(*tls_, asio::buffer(write_buf_), done);
  else
    asio::async_write(socket_, asio::buffer(write_buf_), done);
}

asio::awaitable<Result<Message>> Client::send(Message action) {
  if (!open_) co_return fail("not connected", "Action " + std::string(action.action()));
  auto alive = alive_;
  std::string id(action.action_id());
  if (id.empty()) {
    id = "cli-" + std::to_string(next_id_++);
    action.set("ActionID", id);
  }
  auto p = std::make_shared<Pending>(io_);
  p->action = std::string(action.action());
  pending_[id] = p;
  enqueue(Writer::to_string(action));
  p->timer.expires_after(timeout_);
  error_code ec;
  co_await p->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!*alive) co_return fail("client destroyed");
  if (p->response && p->done) co_return std::move(*p->response);
  if (auto it = pending_.find(id); it != pending_.end() && it->second == p) pending_.erase(it);
  co_return fail("no response within " + std::to_string(timeout_.count()) + " ms", "Action " + p->action);
}

asio::awaitable<Result<std::vector<Message>>> Client::send_list(Message action) {
  if (!open_) co_return fail("not connected", "Action " + std::string(action.action()));
  auto alive = alive_;
  std::string id(action.action_id());
  if (id.empty()) {
    id = "cli-" + std::to_string(next_id_++);
    action.set("ActionID", id);
  }
  auto p = std::make_shared<Pending>(io_);
  p->action = std::string(action.action());
  p->list = true;
  pending_[id] = p;
  enqueue(Writer::to_string(action));
  p->timer.expires_after(timeout_);
  error_code ec;
  co_await p->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!*alive) co_return fail("client destroyed");
  if (!p->done) {
    if (auto it = pending_.find(id); it != pending_.end() && it->second == p) pending_.erase(it);
    co_return fail("list not complete within " + std::to_string(timeout_.count()) + " ms", "Action " + p->action);
  }
  if (!p->response) co_return fail("list ended without a response", "Action " + p->action);
  if (!*p->response) co_return Unexpected<Error>{p->response->error()};
  std::vector<Message> out;
  out.push_back(std::move(**p->response));
  for (auto& m : p->items) out.push_back(std::move(m));
  co_return out;
}

asio::awaitable<Result<Message>> Client::login(std::string user, std::string secret, bool events) {
  Message m;
  m.add("Action", "Login").add("Username", user).add("Secret", secret);
  if (!events) m.add("Events", "off");
  auto r = co_await send(std::move(m));
  if (!r) co_return r;
  if (!iequals(r->response(), "Success")) co_return fail(std::string(r->get_or("Message", "login refused")), "Login " + user);
  co_return r;
}

asio::awaitable<Result<Message>> Client::login_md5(std::string user, std::string secret) {
  // Messages are built with add(): g++ 12 rejects brace-initialised literals inside coroutines.
  Message challenge_action;
  challenge_action.add("Action", "Challenge").add("AuthType", "MD5");
  auto ch = co_await send(std::move(challenge_action));
  if (!ch) co_return ch;
  auto challenge = ch->get("Challenge");
  if (!challenge) co_return fail(std::string(ch->get_or("Message", "no challenge")), "Challenge");
  const std::string key = md5_hex(std::string(*challenge) + secret);
  Message login_action;
  login_action.add("Action", "Login").add("AuthType", "MD5").add("Username", user).add("Key", key);
  auto r = co_await send(std::move(login_action));
  if (!r) co_return r;
  if (!iequals(r->response(), "Success")) co_return fail(std::string(r->get_or("Message", "login refused")), "Login " + user);
  co_return r;
}

}  // namespace telephony::ami
