// The SIP message, URI and digest parsers: RFC 4475 / RFC 5118 torture messages (every valid one
// parses, every invalid one is refused with the right status), the common-header paths, stream
// framing, digest test vectors from RFC 2617 / RFC 7616, and a parse that allocates nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "allocation_counter.hpp"
#include "telephony/sip/digest.hpp"
#include "telephony/sip/message.hpp"
#include "telephony/sip/uri.hpp"

using namespace telephony::sip;

namespace {

const std::filesystem::path kTorture = std::filesystem::path(TELEPHONY_TEST_DATA) / "sip-torture";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the parser must do with each RFC 4475 message: -1 parse OK, 0 drop silently, else the
// status of the refusal. (Semantic cases the transaction user answers, such as 416 or 420,
// parse OK here; the daemon test checks those answers.)
const std::map<std::string, int> kRfc4475 = {
    {"wsinv.dat", -1},     {"intmeth.dat", -1},   {"esc01.dat", -1},      {"escnull.dat", -1},
    {"esc02.dat", -1},     {"lwsdisp.dat", -1},   {"longreq.dat", -1},    {"dblreq.dat", -1},
    {"semiuri.dat", -1},   {"transports.dat", -1}, {"mpart01.dat", -1},   {"unreason.dat", -1},
    {"noreason.dat", -1},  {"badinv01.dat", 400}, {"clerr.dat", 400},     {"ncl.dat", 400},
    {"scalar02.dat", 400}, {"scalarlg.dat", 0},   {"quotbal.dat", 400},   {"ltgtruri.dat", 400},
    {"lwsruri.dat", 400},  {"lwsstart.dat", 400}, {"trws.dat", 400},      {"escruri.dat", 400},
    {"baddate.dat", 400},  {"regbadct.dat", 400}, {"badaspec.dat", 400},  {"baddn.dat", 400},
    {"badvers.dat", 505},  {"mismatch01.dat", 400}, {"mismatch02.dat", 400}, {"bigcode.dat", 0},
    {"badbranch.dat", 400}, {"insuf.dat", 400},   {"unkscm.dat", -1},     {"novelsc.dat", -1},
    {"unksm2.dat", -1},    {"bext01.dat", -1},    {"invut.dat", -1},      {"regaut01.dat", -1},
    {"multi01.dat", 400},  {"mcl01.dat", 400},    {"bcast.dat", -1},      {"zeromf.dat", -1},
    {"cparam01.dat", -1},  {"cparam02.dat", -1},  {"regescrt.dat", -1},   {"sdp01.dat", -1},
    {"inv2543.dat", -1},
};

const std::map<std::string, int> kRfc5118 = {
    {"ipv6-good.dat", -1},
    {"ipv6-bad.dat", 400},
    {"port-ambiguous.dat", -1},
    {"port-unambiguous.dat", -1},
    {"via-received-param-with-delim.dat", -1},
    {"via-received-param-no-delim.dat", -1},
    {"ipv6-in-sdp.dat", -1},
    {"mult-ip-in-header.dat", -1},
    {"mult-ip-in-sdp.dat", -1},
    {"ipv4-mapped-ipv6.dat", -1},
    {"ipv6-bug-abnf-3-colons.dat", -1},
    {"ipv6-correct-abnf-2-colons.dat", -1},
};

void check_suite(const std::filesystem::path& dir, const std::map<std::string, int>& expected) {
  int files = 0;
  for (const auto& [name, want] : expected) {
    const auto bytes = read_file(dir / name);
    ASSERT_FALSE(bytes.empty()) << name;
    ++files;
    auto r = parse_message(bytes, /*datagram=*/true);
    if (want < 0) {
      EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().reason);
    } else {
      ASSERT_FALSE(r.has_value()) << name << " was accepted";
      EXPECT_EQ(r.error().status, want) << name << ": " << r.error().reason;
      EXPECT_FALSE(r.error().reason.empty()) << name;
    }
    // Every prefix of every message is refused or parsed, never crashes (the fuzz target does
    // this at scale; here it runs on every build).
    for (std::size_t cut = 0; cut < bytes.size(); cut += 7) (void)parse_message(std::string_view(bytes).substr(0, cut), true);
  }
  EXPECT_EQ(files, static_cast<int>(expected.size()));
}

}  // namespace

TEST(SipTorture, Rfc4475EveryMessageClassified) { check_suite(kTorture / "rfc4475" / "dat", kRfc4475); }

TEST(SipTorture, Rfc5118EveryMessageClassified) { check_suite(kTorture / "rfc5118" / "wire", kRfc5118); }

TEST(SipTorture, ReasonPhraseNamesTheBadHeader) {
  auto r = parse_message(read_file(kTorture / "rfc4475/dat/scalar02.dat"), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "Bad CSeq header");
  r = parse_message(read_file(kTorture / "rfc4475/dat/ncl.dat"), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "Bad Content-Length header");
  r = parse_message(read_file(kTorture / "rfc4475/dat/insuf.dat"), true);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("Missing"), std::string::npos) << r.error().reason;
  r = parse_message(read_file(kTorture / "rfc4475/dat/quotbal.dat"), true);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("header"), std::string::npos) << r.error().reason;
}

TEST(SipTorture, WsinvFieldsSurviveFoldingAndCompactForms) {
  const auto bytes = read_file(kTorture / "rfc4475/dat/wsinv.dat");
  auto r = parse_message(bytes, true);
  ASSERT_TRUE(r) << r.error().reason;
  const Message& m = *r;
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), Method::Invite);
  EXPECT_EQ(m.call_id(), "wsinv.ndaksdj@192.0.2.1");
  EXPECT_EQ(m.cseq(), 9u);
  EXPECT_EQ(m.cseq_method(), Method::Invite);
  EXPECT_EQ(m.to_tag(), "1918181833n");
  EXPECT_EQ(m.from_tag(), "98asjd8");
  EXPECT_EQ(m.branch(), "390skdjuw");
  EXPECT_EQ(m.body().size(), 150u);
  int vias = 0;
  m.for_each(Header::Via, [&](const HeaderField& f) {
    for_each_value(f.value, [&](std::string_view v) {
      ASSERT_TRUE(parse_via(v)) << v;
      ++vias;
    });
  });
  EXPECT_EQ(vias, 3);
  ASSERT_NE(m.find("NewFangledHeader"), nullptr);
  EXPECT_NE(m.find("newfangledheader")->value.find("continued newfangled value"), std::string_view::npos);
  EXPECT_NE(m.find(Header::Subject), nullptr);  // "s :" compact, empty value
  auto contact = parse_name_addr(m.value(Header::Contact));
  ASSERT_TRUE(contact);
  EXPECT_EQ(contact->display, R"(Quoted string \"\")");
  EXPECT_EQ(trim_lws(contact->params.get("q").value_or("")), "0.33");
}

TEST(SipTorture, DatagramTrailingBytesIgnoredAndNoLengthTakesTheRest) {
  const auto dbl = read_file(kTorture / "rfc4475/dat/dblreq.dat");
  auto r = parse_message(dbl, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method(), Method::Register);
  EXPECT_TRUE(r->body().empty());
  const auto inv = read_file(kTorture / "rfc4475/dat/inv2543.dat");
  auto old = parse_message(inv, true);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->body().substr(0, 3), "v=0");
  EXPECT_TRUE(old->branch().empty());
}

TEST(SipTorture, UnknownMethodsAndEscapedNames) {
  const auto bytes = read_file(kTorture / "rfc4475/dat/esc02.dat");
  auto r = parse_message(bytes, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method(), Method::Unknown);
  EXPECT_EQ(r->method_name(), "RE%47IST%45R");
  int contacts = 0;
  r->for_each(Header::Contact, [&](const HeaderField&) { ++contacts; });
  EXPECT_EQ(contacts, 2);  // "C%6Fntact" is another header
}

TEST(SipUri, Ipv6ReferencesAndPorts) {
  auto u = parse_uri("sip:alice@[2001:db8::10]:5070;transport=tcp");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "[2001:db8::10]");
  EXPECT_EQ(u->port, 5070);
  EXPECT_EQ(u->params.get("transport").value_or(""), "tcp");
  EXPECT_EQ(host_without_brackets(u->host), "2001:db8::10");
  auto amb = parse_uri("sip:alice@[2001:db8::10:5070]");
  ASSERT_TRUE(amb);
  EXPECT_EQ(amb->port, 0);
  EXPECT_FALSE(parse_uri("sip:alice@2001:db8::10"));
  auto semi = parse_uri("sip:user;par=u%40example.net@example.com");
  ASSERT_TRUE(semi);
  EXPECT_EQ(semi->user, "user;par=u%40example.net");
  EXPECT_EQ(unescape("u%40x%00y"), std::string("u@x\0y", 5));
  EXPECT_FALSE(parse_uri("sip:a b@example.com"));
  auto tel = parse_uri("tel:+1-201-555-0123");
  ASSERT_TRUE(tel);
  EXPECT_FALSE(tel->is_sip());
}

TEST(SipUri, NameAddrForms) {
  auto a = parse_name_addr(R"("Alice \"A\"" <sip:alice@example.com>;tag=88sja8x)");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->tag(), "88sja8x");
  EXPECT_EQ(unquote(R"("Alice \"A\"")"), "Alice \"A\"");
  auto b = parse_name_addr("sip:bob@example.com;tag=1");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->bracketed);
  EXPECT_EQ(b->tag(), "1");
  EXPECT_FALSE(b->uri.params.has("tag"));
  EXPECT_FALSE(parse_name_addr("Bell, Alexander <sip:a@b>"));
  EXPECT_FALSE(parse_name_addr("\"unterminated <sip:a@b>"));
  EXPECT_FALSE(parse_name_addr("<sip:a@b"));
  EXPECT_FALSE(parse_name_addr("sip:a@b?Route=x"));
  auto c = parse_name_addr("caller<sip:caller@example.com>;tag=323");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->display, "caller");
}

TEST(SipMessage, CompactHeadersMapToTheirIds) {
  EXPECT_EQ(header_from_name("i"), Header::CallId);
  EXPECT_EQ(header_from_name("CALL-id"), Header::CallId);
  EXPECT_EQ(header_from_name("m"), Header::Contact);
  EXPECT_EQ(header_from_name("v"), Header::Via);
  EXPECT_EQ(header_from_name("l"), Header::ContentLength);
  EXPECT_EQ(header_from_name("k"), Header::Supported);
  EXPECT_EQ(header_from_name("P-Asserted-Identity"), Header::PAssertedIdentity);
  EXPECT_EQ(header_from_name("X-Custom"), Header::Other);
  EXPECT_EQ(header_from_name("q"), Header::Other);
  EXPECT_EQ(canonical_name(Header::WwwAuthenticate), "WWW-Authenticate");
  EXPECT_EQ(method_from("INVITE"), Method::Invite);
  EXPECT_EQ(method_from("invite"), Method::Unknown);
}

namespace {
const std::string kInvite =
    "INVITE sip:100@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1-0;rport\r\n"
    "From: \"sipp\" <sip:sipp@127.0.0.1:5061>;tag=1\r\n"
    "To: <sip:100@127.0.0.1:5060>\r\n"
    "Call-ID: 1-12345@127.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:sipp@127.0.0.1:5061>\r\n"
    "Max-Forwards: 70\r\n"
    "Subject: Performance Test\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 129\r\n"
    "\r\n"
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
}  // namespace

TEST(SipMessage, ParsingACommonInviteAllocatesNothing) {
  ASSERT_EQ(kInvite.size() - kInvite.find("\r\n\r\n") - 4, 129u);
  auto warm = parse_message(kInvite, true);
  ASSERT_TRUE(warm) << warm.error().reason;
  const long before = telephony::testing::allocation_count();
  std::size_t seen = 0;
  for (int i = 0; i < 1000; ++i) {
    auto r = parse_message(kInvite, true);
    seen += r ? r->header_count() : 0;
  }
  EXPECT_EQ(telephony::testing::allocation_count() - before, 0);
  EXPECT_EQ(seen, 10000u);
}

TEST(SipMessage, StreamFraming) {
  std::string two = "\r\n\r\n" + kInvite + kInvite;
  auto f = frame_stream(two, 65536);
  ASSERT_EQ(f.status, StreamFrame::Status::Complete);
  EXPECT_EQ(f.skip, 4u);
  EXPECT_EQ(f.length, kInvite.size());
  auto part = frame_stream(std::string_view(kInvite).substr(0, kInvite.size() - 1), 65536);
  EXPECT_EQ(part.status, StreamFrame::Status::NeedMore);
  auto big = frame_stream(kInvite, 100);
  EXPECT_EQ(big.status, StreamFrame::Status::Bad);
  std::string nolen = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP a\r\n\r\n";
  EXPECT_EQ(frame_stream(nolen, 65536).status, StreamFrame::Status::Bad);
  auto on_stream = parse_message(std::string_view(two).substr(f.skip, f.length), false);
  ASSERT_TRUE(on_stream);
  EXPECT_EQ(on_stream->body().size(), 129u);
}

TEST(SipDigest, Rfc2617Md5Vector) {
  auto c = parse_digest_credentials(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\","
      " uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\","
      " response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  ASSERT_TRUE(c) << c.error().to_string();
  const auto ha1 = digest_ha1(c->algorithm, c->username, c->realm, "Circle Of Life");
  EXPECT_EQ(digest_response(c->algorithm, ha1, "GET", c->uri, c->nonce, c->nc, c->cnonce, c->qop), c->response);
}

TEST(SipDigest, Rfc7616Sha256Vector) {
  const auto ha1 = digest_ha1(DigestAlgorithm::SHA256, "Mufasa", "http-auth@example.org", "Circle of Life");
  EXPECT_EQ(digest_response(DigestAlgorithm::SHA256, ha1, "GET", "/dir/index.html",
                            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(SipDigest, ChallengeAnswerRoundTrip) {
  auto ch = parse_digest_challenge(
      "Digest realm=\"asterisk\",nonce=\"1700000000/abc\",opaque=\"xyz\",algorithm=SHA-256,qop=\"auth,auth-int\"");
  ASSERT_TRUE(ch);
  EXPECT_TRUE(ch->offers_auth_qop());
  EXPECT_EQ(ch->algorithm, DigestAlgorithm::SHA256);
  const auto answer = answer_challenge(*ch, "REGISTER", "sip:127.0.0.1", "alice", "secret", 1);
  auto c = parse_digest_credentials(answer);
  ASSERT_TRUE(c) << answer;
  const auto ha1 = digest_ha1(c->algorithm, "alice", "asterisk", "secret");
  EXPECT_TRUE(digest_equal(digest_response(c->algorithm, ha1, "REGISTER", c->uri, c->nonce, c->nc, c->cnonce, c->qop),
                           c->response));
  EXPECT_FALSE(parse_digest_challenge("Basic realm=\"x\""));
  EXPECT_FALSE(parse_digest_challenge("Digest nonce=\"x\""));
  EXPECT_FALSE(parse_digest_credentials("Digest username=\"a\", realm=\"b\", nonce=\"unterminated"));
  EXPECT_FALSE(parse_digest_challenge("Digest realm=\"a\", nonce=\"b\", algorithm=SHA-512"));
}

TEST(SipUri, ReplacesInARefertoUriAndAsAHeader) {
  // RFC 5589 §7: the Replaces of an attended transfer travels escaped in the Refer-To URI.
  auto to = parse_name_addr("<sip:carol@127.0.0.1:5060?Replaces=425%40pc33%3Bto-tag%3D7743%3Bfrom-tag%3D6472&X-A=b>");
  ASSERT_TRUE(to);
  auto raw = uri_header(to->uri.headers, "replaces");
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, "425%40pc33%3Bto-tag%3D7743%3Bfrom-tag%3D6472");
  EXPECT_EQ(uri_header(to->uri.headers, "X-A").value_or(""), "b");
  EXPECT_FALSE(uri_header(to->uri.headers, "Replace"));
  const std::string text = unescape(*raw);
  auto r = parse_replaces(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->call_id, "425@pc33");
  EXPECT_EQ(r->to_tag, "7743");
  EXPECT_EQ(r->from_tag, "6472");
  EXPECT_FALSE(r->early_only);
  // RFC 3891 §6.1 form, with early-only and odd whitespace; Call-IDs may hold '/' (SIPp's ///).
  auto e = parse_replaces(" second///1-2-xfer ; from-tag=a ;to-tag=b;early-only");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->call_id, "second///1-2-xfer");
  EXPECT_EQ(e->to_tag, "b");
  EXPECT_EQ(e->from_tag, "a");
  EXPECT_TRUE(e->early_only);
  EXPECT_FALSE(parse_replaces(""));
  EXPECT_FALSE(parse_replaces("abc;to-tag=1"));            // no from-tag
  EXPECT_FALSE(parse_replaces("abc;to-tag=;from-tag=2"));  // empty tag
  EXPECT_FALSE(parse_replaces("a b;to-tag=1;from-tag=2")); // space inside the Call-ID
  EXPECT_FALSE(parse_replaces("@x;to-tag=1;from-tag=2"));
  EXPECT_FALSE(parse_replaces("a@b@c;to-tag=1;from-tag=2"));
  EXPECT_FALSE(parse_replaces("abc;;to-tag=1;from-tag=2"));
}
