// MetricsModule: http.conf + prometheus.conf, and the HTTP listener (Boost.Beast) that serves
// the scrape.
#include <strings.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "metrics_state.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

namespace {

bool conf_key_is(const config::Entry& e, const char* k) { return ::strcasecmp(e.name.c_str(), k) == 0; }

void yes_no(const config::Entry& e, bool& target, Errors& errors) {
  if (config::is_true_word(e.value)) target = true;
  else if (config::is_false_word(e.value)) target = false;
  else errors.items.push_back({"'" + e.name + "' must be yes or no", e.where.to_string()});
}

std::string base64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    const int v = val(c);
    if (v < 0) break;  // '=' padding or junk ends the data
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

// One HTTP connection: requests answered in order, keep-alive, 30 s idle limit, 8 KiB requests.
class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
 public:
  MetricsSession(std::shared_ptr<MetricsModule::State> st, asio::ip::tcp::socket s)
      : st_(std::move(st)), stream_(std::move(s)) {}
  void start() { read(); }

 private:
  void read() {
    req_ = {};
    parser_.emplace();
    parser_->header_limit(8192);
    parser_->body_limit(8192);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->req_ = self->parser_->release();
      self->handle();
    });
  }

  void handle() {
    MetricsConfig cfg;
    {
      std::lock_guard lock(st_->mu);
      cfg = st_->config;
    }
    std::string path(req_.target());
    if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
    std::string want = "/";
    if (!cfg.prefix.empty()) want += cfg.prefix + "/";
    want += cfg.uri;
    if (!cfg.enabled || path != want) return reply(http::status::not_found, "Not Found\n");
    if (req_.method() != http::verb::get && req_.method() != http::verb::head)
      return reply(http::status::method_not_allowed, "Method Not Allowed\n");
    if (!cfg.auth_username.empty()) {
      const auto auth = req_[http::field::authorization];
      const std::string_view a(auth.data(), auth.size());
      bool ok = a.size() > 6 && ::strncasecmp(a.data(), "Basic ", 6) == 0 &&
                base64_decode(a.substr(6)) == cfg.auth_username + ":" + cfg.auth_password;
      if (!ok) return reply(http::status::unauthorized, "Unauthorized\n", cfg.auth_realm);
    }
    // Collect off the call threads, answer on this connection's strand.
    auto self = shared_from_this();
    st_->engine.run_blocking([self] {
      auto body = self->st_->render();
      ++self->st_->scrapes;
      asio::post(self->stream_.get_executor(),
                 [self, body = std::move(body)]() mutable { self->reply(http::status::ok, std::move(body)); });
    });
  }

  void reply(http::status status, std::string body, const std::string& realm = {}) {
    res_ = {};
    res_.version(req_.version());
    res_.result(status);
    res_.set(http::field::server, "telephonyd");
    res_.set(http::field::content_type, status == http::status::ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
    if (!realm.empty()) res_.set(http::field::www_authenticate, "Basic realm=\"" + realm + "\"");
    const bool head = req_.method() == http::verb::head;
    res_.keep_alive(req_.keep_alive());
    res_.body() = head ? std::string() : std::move(body);
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->res_.keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  std::shared_ptr<MetricsModule::State> st_;
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

}  // namespace

void MetricsModule::State::accept() {
  std::weak_ptr<State> weak = weak_from_this();
  std::lock_guard lock(mu);
  if (!acceptor) return;
  acceptor->async_accept(asio::make_strand(engine.io()), [weak](beast::error_code ec, asio::ip::tcp::socket s) {
    auto self = weak.lock();
    if (!self || ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<MetricsSession>(self, std::move(s))->start();
    self->accept();
  });
}

Result<MetricsConfig, Errors> load_metrics_config(const fs::path& dir) {
  MetricsConfig cfg;
  Errors errors;
  if (config::find_module_config(dir, "http.conf")) {
    auto file = config::load_module_config(dir, "http.conf");
    if (!file) return Unexpected<Errors>{file.error()};
    if (const auto* g = file->section("general")) {
      for (const auto& e : g->entries) {
        if (conf_key_is(e, "enabled")) {
          yes_no(e, cfg.http_enabled, errors);
        } else if (conf_key_is(e, "bindaddr")) {
          boost::system::error_code ec;
          (void)asio::ip::make_address(e.value, ec);
          if (ec) errors.items.push_back({"bindaddr '" + e.value + "' is not an IP address", e.where.to_string()});
          else cfg.bindaddr = e.value;
        } else if (conf_key_is(e, "bindport")) {
          char* end = nullptr;
          const long p = std::strtol(e.value.c_str(), &end, 10);
          if (e.value.empty() || *end || p < 0 || p > 65535) errors.items.push_back({"bindport must be 0..65535", e.where.to_string()});
          else cfg.bindport = static_cast<std::uint16_t>(p);
        } else if (conf_key_is(e, "prefix")) {
          cfg.prefix = e.value;
          while (!cfg.prefix.empty() && cfg.prefix.front() == '/') cfg.prefix.erase(0, 1);
          while (!cfg.prefix.empty() && cfg.prefix.back() == '/') cfg.prefix.pop_back();
        } else if (!(conf_key_is(e, "servername") || conf_key_is(e, "sessionlimit") || conf_key_is(e, "session_inactivity") ||
                     conf_key_is(e, "session_keep_alive") || conf_key_is(e, "enablestatic") || conf_key_is(e, "redirect") ||
                     conf_key_is(e, "tlsenable") || conf_key_is(e, "tlsbindaddr") || conf_key_is(e, "tlscertfile") ||
                     conf_key_is(e, "tlsprivatekey"))) {
          errors.items.push_back({"unknown http.conf setting '" + e.name + "'", e.where.to_string()});
        }
      }
    }
  }
  auto file = config::load_module_config(dir, "prometheus.conf");
  if (!file) return Unexpected<Errors>{file.error()};
  if (const auto* g = file->section("general")) {
    for (const auto& e : g->entries) {
      if (conf_key_is(e, "enabled")) yes_no(e, cfg.enabled, errors);
      else if (conf_key_is(e, "core_metrics_enabled")) yes_no(e, cfg.core_metrics, errors);
      else if (conf_key_is(e, "uri")) cfg.uri = e.value;
      else if (conf_key_is(e, "auth_username")) cfg.auth_username = e.value;
      else if (conf_key_is(e, "auth_password")) cfg.auth_password = e.value;
      else if (conf_key_is(e, "auth_realm")) cfg.auth_realm = e.value;
      else errors.items.push_back({"unknown prometheus.conf setting '" + e.name + "'", e.where.to_string()});
    }
    if (cfg.uri.empty()) errors.items.push_back({"uri must not be empty", g->where.to_string()});
    if (cfg.auth_username.empty() != cfg.auth_password.empty())
      errors.items.push_back({"auth_username and auth_password go together", g->where.to_string()});
  }
  if (!errors.items.empty()) return Unexpected<Errors>{errors};
  return cfg;
}

MetricsModule::MetricsModule(Engine& engine) : engine_(engine), state_(std::make_shared<State>(engine)) {}

MetricsModule::~MetricsModule() { unload(); }

Result<void, Errors> MetricsModule::check(const fs::path& dir) {
  auto r = load_metrics_config(dir);
  if (!r) return Unexpected<Errors>{r.error()};
  return {};
}

Result<void, Errors> MetricsModule::load(const fs::path& dir) {
  auto r = load_metrics_config(dir);
  if (!r) return Unexpected<Errors>{r.error()};
  return apply(std::move(*r));
}

Result<void, Errors> MetricsModule::apply(MetricsConfig cfg) {
  const bool serve = cfg.http_enabled && cfg.enabled;
  std::unique_ptr<asio::ip::tcp::acceptor> acc;
  bool fresh_listener = false;  // a new acceptor needs its accept loop; a kept one has one
  {
    std::lock_guard lock(state_->mu);
    const auto& old = state_->config;
    const bool same_listener = state_->acceptor && old.bindaddr == cfg.bindaddr && old.bindport == cfg.bindport;
    if (serve && !same_listener) {
      // Bind the new listener before dropping the old one: a bad address keeps the running one.
      boost::system::error_code ec;
      const auto addr = asio::ip::make_address(cfg.bindaddr, ec);
      acc = std::make_unique<asio::ip::tcp::acceptor>(engine_.io());
      asio::ip::tcp::endpoint ep(addr, cfg.bindport);
      if (!ec) acc->open(ep.protocol(), ec);
      if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acc->bind(ep, ec);
      if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        Errors errs;
        errs.items.push_back({"cannot listen: " + ec.message(), cfg.bindaddr + ":" + std::to_string(cfg.bindport)});
        return Unexpected<Errors>{errs};
      }
    }
    if (!serve && state_->acceptor) {
      boost::system::error_code ec;
      state_->acceptor->close(ec);
      state_->acceptor.reset();
    }
    if (acc) {
      if (state_->acceptor) {
        boost::system::error_code ec;
        state_->acceptor->close(ec);
      }
      state_->acceptor = std::move(acc);
      fresh_listener = true;
    }
    state_->config = std::move(cfg);
  }
  if (!state_->sub.active()) state_->start_counting();
  if (serve) {
    if (fresh_listener) state_->accept();
    engine_.log().notice("res_prometheus", "Prometheus metrics on http://" + state_->config.bindaddr + ":" +
                                               std::to_string(port()) + "/" +
                                               (state_->config.prefix.empty() ? "" : state_->config.prefix + "/") +
                                               state_->config.uri);
  } else {
    engine_.log().notice("res_prometheus", "metrics are not served (http.conf or prometheus.conf: enabled = no)");
  }
  return {};
}

void MetricsModule::unload() {
  std::lock_guard lock(state_->mu);
  if (state_->acceptor) {
    boost::system::error_code ec;
    state_->acceptor->close(ec);
    state_->acceptor.reset();
  }
  state_->sub.close();
}

std::uint16_t MetricsModule::port() const {
  std::lock_guard lock(state_->mu);
  boost::system::error_code ec;
  return state_->acceptor ? state_->acceptor->local_endpoint(ec).port() : 0;
}

std::string MetricsModule::render() const { return state_->render(); }

void MetricsModule::set_collector(const std::string& key, MetricsCollector fn) {
  std::lock_guard lock(state_->mu);
  if (fn) state_->collectors[key] = std::move(fn);
  else state_->collectors.erase(key);
}

}  // namespace telephony
