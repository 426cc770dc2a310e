// Sending: resolving a target URI to a transport and address, client transactions, Via and
// Contact values, and qualify (OPTIONS to an AOR's contacts). See sip_stack.hpp.
#include <boost/asio/ip/udp.hpp>

#include "message_writer.hpp"
#include "sip_stack.hpp"
#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace asio = boost::asio;

Result<Destination> SipStack::resolve(const Uri& target, std::string_view transport_name) const {
  auto ts = transports();
  TransportProtocol want = TransportProtocol::Udp;
  if (auto tp = target.params.get("transport")) {
    if (iequals(*tp, "tcp")) want = TransportProtocol::Tcp;
    else if (iequals(*tp, "tls")) want = TransportProtocol::Tls;
  }
  if (target.is_sips()) want = TransportProtocol::Tls;
  std::string host(host_without_brackets(target.host));
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) {
    // A host name: the system resolver (blocking, but only for URIs that name hosts).
    asio::ip::udp::resolver resolver(engine_.io());
    auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty()) return fail("cannot resolve '" + host + "'");
    ip = results.begin()->endpoint().address();
  }
  std::shared_ptr<Transport> chosen;
  for (auto& t : ts) {
    if (!transport_name.empty() && t->options().name != transport_name) continue;
    if (!transport_name.empty()) {
      chosen = t;
      break;
    }
    if (t->protocol() != want) continue;
    if (t->local().ip.is_v4() != ip.is_v4() && !t->local().ip.is_unspecified()) continue;
    if (t->local().ip.is_v6() != ip.is_v6()) continue;
    chosen = t;
    break;
  }
  if (!chosen) return fail("no " + std::string(to_string(want)) + " transport for " + host);
  std::uint16_t port = target.port ? target.port : (want == TransportProtocol::Tls ? 5061 : 5060);
  return Destination{chosen, Address{ip, port}, nullptr};
}

std::shared_ptr<ClientTransaction> SipStack::send_request(Method method, const std::string& branch, std::string bytes,
                                                          const Destination& to, asio::any_io_executor executor,
                                                          ClientTransaction::Handler handler) {
  return transactions_->send_request(method, branch, std::move(bytes), to.transport, to.address, to.connection,
                                     std::move(executor), std::move(handler));
}

void SipStack::send_raw(const Destination& to, std::string bytes) {
  to.transport->send(to.address, std::move(bytes), to.connection);
}

std::string SipStack::via(const Transport& t, std::string_view branch) const {
  return "SIP/2.0/" + std::string(t.via_name()) + " " + t.advertised().to_string() + ";rport;branch=" + std::string(branch);
}

std::string SipStack::contact(const Transport& t, std::string_view user) const {
  std::string c = "<sip:";
  if (!user.empty()) c.append(user).append("@");
  c.append(t.advertised().to_string());
  if (t.protocol() == TransportProtocol::Tcp) c.append(";transport=tcp");
  if (t.protocol() == TransportProtocol::Tls) c.append(";transport=tls");
  return c + ">";
}

std::size_t SipStack::qualify(const std::string& aor_name) {
  auto cfg = config();
  const auto* aor = cfg->aor(aor_name);
  if (!aor) return 0;
  std::size_t n = 0;
  for (const auto& b : registrar_.contacts(*cfg, aor_name)) {
    Destination d;
    if (b.transport) {
      d = Destination{b.transport, b.source, b.connection};
    } else {
      auto u = parse_uri(b.uri);
      if (!u) continue;
      auto r = resolve(*u);
      if (!r) continue;
      d = *r;
    }
    const auto branch = new_branch();
    MessageWriter w;
    w.request_line("OPTIONS", b.uri);
    w.header(Header::Via, via(*d.transport, branch));
    w.header(Header::MaxForwards, "70");
    w.header(Header::From, "<sip:qualify@" + d.transport->advertised().to_string() + ">;tag=" + random_token(10));
    w.header(Header::To, "<" + b.uri + ">");
    w.header(Header::CallId, random_token(24) + "@libtelephony");
    w.header(Header::CSeq, "1 OPTIONS");
    w.header(Header::UserAgent, user_agent());
    const auto start = std::chrono::steady_clock::now();
    std::weak_ptr<SipStack> weak = shared_from_this();
    const std::string aor_copy = aor_name;
    const std::string uri = b.uri;
    send_request(Method::Options, branch, w.finish(), d, engine_.io().get_executor(),
                 [weak, aor_copy, uri, start](StoredPtr resp) {
                   auto self = weak.lock();
                   if (!self) return;
                   // Any final response means the contact is alive (Asterisk counts 401/404 too).
                   if (resp && resp->msg.status() < 200) return;
                   const auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - start).count();
                   self->registrar_.set_status(aor_copy, uri, resp ? "Reachable" : "Unreachable", resp ? rtt : 0);
                 });
    ++n;
  }
  return n;
}

}  // namespace telephony::sip
