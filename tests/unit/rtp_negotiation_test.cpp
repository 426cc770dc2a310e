// Offer/answer (RFC 3264) between our negotiator and SDP as phones write it: codec order by
// allow=, payload types, hold, refused streams, SRTP SDES, and the 488 reason when nothing fits.
#include <gtest/gtest.h>

#include "telephony/rtp/negotiation.hpp"

namespace {

using namespace telephony;
using namespace telephony::rtp;

MediaSettings settings(std::string_view allow, std::string endpoint = "alice") {
  MediaSettings s;
  s.endpoint = std::move(endpoint);
  auto prefs = CodecPreferences::from_allow(allow);
  EXPECT_TRUE(prefs) << prefs.error().to_string();
  if (prefs) s.codecs = *prefs;
  return s;
}

std::string offer_with(std::string_view m_line, std::string_view attrs, std::string_view c = "IN IP4 192.0.2.10") {
  return "v=0\r\no=- 7 7 IN IP4 192.0.2.10\r\ns=-\r\nc=" + std::string(c) + "\r\nt=0 0\r\n" + std::string(m_line) +
         "\r\n" + std::string(attrs);
}

const MediaDescription& audio(const SessionDescription& s) { return s.media.at(0); }

TEST(RtpNegotiation, OfferListsAllowedCodecsInOrder) {
  SdpNegotiator n(settings("opus,ulaw,g722"), "203.0.113.5", 10000);
  auto offer = n.create_offer();
  const auto& m = audio(offer);
  EXPECT_EQ(m.port, 10000);
  EXPECT_EQ(m.proto, "RTP/AVP");
  EXPECT_EQ(m.formats, (std::vector<std::string>{"107", "0", "9", "101"}));
  EXPECT_EQ(m.rtpmap(107)->encoding, "opus");
  EXPECT_EQ(m.rtpmap(107)->clock_rate, 48000u);
  EXPECT_EQ(m.rtpmap(107)->channels, 2);
  EXPECT_EQ(m.rtpmap(9)->clock_rate, 8000u);  // G.722's RFC 3551 clock
  auto fmtp = m.fmtp(107);
  ASSERT_TRUE(fmtp);
  EXPECT_EQ(fmtp_parameter(*fmtp, "useinbandfec").value_or(""), "1");
  EXPECT_EQ(fmtp_parameter(*fmtp, "maxaveragebitrate").value_or(""), "32000");
  EXPECT_EQ(fmtp_parameter(*fmtp, "stereo").value_or(""), "0");
  EXPECT_EQ(m.rtpmap(101)->encoding, "telephone-event");
  EXPECT_EQ(m.fmtp(101).value_or(""), "0-16");
  EXPECT_EQ(m.ptime().value_or(0), 20u);
  EXPECT_EQ(m.direction(), Direction::SendRecv);
  EXPECT_EQ(offer.connection->address, "203.0.113.5");
  EXPECT_EQ(offer.origin.address, "203.0.113.5");
  EXPECT_TRUE(n.offer_pending());
}

TEST(RtpNegotiation, InbandDtmfOffersNoTelephoneEvent) {
  auto s = settings("ulaw");
  s.dtmf_mode = DtmfMode::Inband;
  SdpNegotiator n(s, "127.0.0.1", 10000);
  EXPECT_EQ(audio(n.create_offer()).formats, (std::vector<std::string>{"0"}));
}

TEST(RtpNegotiation, AnswerFollowsTheEndpointOrderWithTheirPayloadTypes) {
  SdpNegotiator n(settings("alaw,opus"), "127.0.0.1", 12000);
  auto offer = offer_with("m=audio 5004 RTP/AVP 96 0 8 100",
                          "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\na=rtpmap:100 telephone-event/8000\r\n"
                          "a=ptime:30\r\n");
  auto answer = n.answer(offer);
  ASSERT_TRUE(answer) << answer.error().warning_text();
  auto sdp = parse_sdp(*answer);
  ASSERT_TRUE(sdp);
  EXPECT_EQ(audio(*sdp).formats, (std::vector<std::string>{"8", "96", "100"}));
  EXPECT_EQ(audio(*sdp).port, 12000);
  const auto& neg = *n.negotiated();
  ASSERT_EQ(neg.codecs.size(), 2u);
  EXPECT_EQ(neg.codecs[0].format, media::Format::alaw());
  EXPECT_EQ(neg.codecs[1].payload_type, 96);
  EXPECT_EQ(neg.codecs[1].fmtp, "useinbandfec=1");
  EXPECT_EQ(neg.telephone_event_pt.value_or(-1), 100);
  EXPECT_EQ(neg.remote_address, "192.0.2.10");
  EXPECT_EQ(neg.remote_rtp_port, 5004);
  EXPECT_EQ(neg.remote_rtcp_port, 5005);
  EXPECT_EQ(neg.remote_ptime_ms, 30u);
  EXPECT_EQ(neg.receive_format(100)->codec, media::Codec::TelephoneEvent);
  EXPECT_FALSE(neg.receive_format(0));  // ulaw was not agreed
  EXPECT_FALSE(neg.secure());
}

TEST(RtpNegotiation, NoCommonCodecGivesTheStructuredReason) {
  SdpNegotiator n(settings("ulaw,opus", "bob"), "127.0.0.1", 12000);
  auto r = n.answer(offer_with("m=audio 5004 RTP/AVP 18 3 101", "a=rtpmap:18 G729/8000\r\na=rtpmap:101 telephone-event/8000\r\n"));
  ASSERT_FALSE(r);
  const auto& f = r.error();
  EXPECT_EQ(f.kind, NegotiationFailure::Kind::NoCommonCodec);
  EXPECT_EQ(f.warn_code(), 305);
  EXPECT_EQ(f.offered, (std::vector<std::string>{"G729/8000", "GSM/8000"}));
  EXPECT_EQ(f.allowed, (std::vector<std::string>{"ulaw", "opus"}));
  EXPECT_EQ(f.warning_text(), "Incompatible media format: offered G729/8000,GSM/8000; endpoint bob allows ulaw,opus");
  EXPECT_FALSE(n.negotiated());  // nothing changed
}

TEST(RtpNegotiation, RefusedStreamsGetPortZeroInOrder) {
  SdpNegotiator n(settings("ulaw"), "127.0.0.1", 12000);
  auto r = n.answer(offer_with("m=video 5006 RTP/AVP 96",
                               "a=rtpmap:96 H264/90000\r\nm=audio 5004 RTP/AVP 0\r\nm=audio 5008 RTP/AVP 0\r\n"));
  ASSERT_TRUE(r) << r.error().warning_text();
  auto sdp = parse_sdp(*r);
  ASSERT_EQ(sdp->media.size(), 3u);
  EXPECT_EQ(sdp->media[0].media, "video");
  EXPECT_EQ(sdp->media[0].port, 0);
  EXPECT_EQ(sdp->media[1].port, 12000);
  EXPECT_EQ(sdp->media[2].port, 0);  // one audio stream per call
  auto none = n.answer(offer_with("m=video 5006 RTP/AVP 96", "a=rtpmap:96 H264/90000\r\n"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, NegotiationFailure::Kind::NoAudioStream);
  EXPECT_EQ(none.error().warn_code(), 304);
  auto webrtc = n.answer(offer_with("m=audio 9 UDP/TLS/RTP/SAVPF 0", ""));
  ASSERT_FALSE(webrtc);
  EXPECT_EQ(webrtc.error().kind, NegotiationFailure::Kind::TransportRefused);
  EXPECT_NE(webrtc.error().warning_text().find("UDP/TLS/RTP/SAVPF"), std::string::npos);
}

TEST(RtpNegotiation, HoldIsReadFromDirectionAndNullAddress) {
  SdpNegotiator n(settings("ulaw"), "127.0.0.1", 12000);
  auto a = n.answer(offer_with("m=audio 5004 RTP/AVP 0", "a=sendonly\r\n"));
  ASSERT_TRUE(a);
  EXPECT_EQ(audio(*parse_sdp(*a)).direction(), Direction::RecvOnly);
  EXPECT_TRUE(n.negotiated()->remote_hold());
  auto b = n.answer(offer_with("m=audio 5004 RTP/AVP 0", "", "IN IP4 0.0.0.0"));
  ASSERT_TRUE(b);
  EXPECT_TRUE(n.negotiated()->remote_hold());
  auto c = n.answer(offer_with("m=audio 5004 RTP/AVP 0", "a=inactive\r\n"));
  ASSERT_TRUE(c);
  EXPECT_EQ(audio(*parse_sdp(*c)).direction(), Direction::Inactive);
  auto d = n.answer(offer_with("m=audio 5004 RTP/AVP 0", "a=sendrecv\r\n"));
  ASSERT_TRUE(d);
  EXPECT_FALSE(n.negotiated()->remote_hold());
}

TEST(RtpNegotiation, LocalHoldReoffersSendonlyAndBumpsTheVersion) {
  SdpNegotiator n(settings("ulaw"), "127.0.0.1", 12000);
  auto first = n.create_offer();
  auto same = n.create_offer();
  EXPECT_EQ(same.origin.session_version, first.origin.session_version);  // unchanged body
  n.set_local_hold(true);
  auto held = n.create_offer();
  EXPECT_EQ(held.origin.session_id, first.origin.session_id);
  EXPECT_EQ(held.origin.session_version, first.origin.session_version + 1);
  EXPECT_EQ(audio(held).direction(), Direction::SendOnly);
  // The phone answers recvonly: we send (music) but do not expect its audio.
  auto applied = n.apply_answer(offer_with("m=audio 5004 RTP/AVP 0", "a=recvonly\r\n"));
  ASSERT_TRUE(applied) << applied.error().warning_text();
  EXPECT_EQ(n.negotiated()->local_direction, Direction::SendOnly);
  EXPECT_FALSE(n.offer_pending());
}

TEST(RtpNegotiation, AnswersToOurOffer) {
  SdpNegotiator n(settings("ulaw,alaw"), "127.0.0.1", 12000);
  EXPECT_EQ(n.apply_answer(offer_with("m=audio 5004 RTP/AVP 0", "")).error().kind, NegotiationFailure::Kind::NoOffer);
  n.create_offer();
  auto refused = n.apply_answer(offer_with("m=audio 0 RTP/AVP 0", ""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, NegotiationFailure::Kind::StreamRejected);
  // The answerer's order decides what we send; our own numbers stay receivable.
  auto ok = n.apply_answer(offer_with("m=audio 5004 RTP/AVP 8 0 101", "a=rtpmap:101 telephone-event/8000\r\na=rtcp:6000\r\n"));
  ASSERT_TRUE(ok) << ok.error().warning_text();
  const auto& neg = *n.negotiated();
  EXPECT_EQ(neg.codecs.front().format, media::Format::alaw());
  EXPECT_EQ(neg.telephone_event_pt.value_or(-1), 101);
  EXPECT_EQ(neg.remote_rtcp_port, 6000);
  // The 200 repeating the 183's answer changes nothing; another answer without an offer is an error.
  EXPECT_TRUE(n.apply_answer(offer_with("m=audio 5004 RTP/AVP 8 0 101", "a=rtpmap:101 telephone-event/8000\r\na=rtcp:6000\r\n")));
  auto stray = n.apply_answer("v=0\r\no=- 8 9 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n");
  ASSERT_FALSE(stray);
  EXPECT_EQ(stray.error().kind, NegotiationFailure::Kind::NoOffer);
  n.create_offer();
  auto garbage = n.apply_answer("v=0\r\nbroken");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, NegotiationFailure::Kind::BadSdp);
  EXPECT_NE(garbage.error().detail.find("SDP line 2"), std::string::npos);
}

TEST(RtpNegotiation, SdesOfferAnswerBetweenTwoEnds) {
  auto a_settings = settings("ulaw");
  a_settings.encryption = MediaEncryption::Sdes;
  auto b_settings = a_settings;
  b_settings.srtp_suites = {SrtpSuite::AeadAes128Gcm, SrtpSuite::AesCm128HmacSha1_32};
  SdpNegotiator a(a_settings, "127.0.0.1", 10000), b(b_settings, "127.0.0.1", 20000);
  auto offer = a.create_offer();
  EXPECT_EQ(audio(offer).proto, "RTP/SAVP");
  auto cryptos = audio(offer).cryptos();
  ASSERT_EQ(cryptos.size(), 3u);
  EXPECT_EQ(cryptos[0].suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(cryptos[0].key_params.size(), 40u);  // 30 bytes of key||salt in base64
  EXPECT_EQ(cryptos[2].suite, "AEAD_AES_128_GCM");
  auto answer = b.answer(to_string(offer));
  ASSERT_TRUE(answer) << answer.error().warning_text();
  auto sdp = parse_sdp(*answer);
  auto chosen = audio(*sdp).cryptos();
  ASSERT_EQ(chosen.size(), 1u);
  // B accepts the first offered suite it supports: _32 (tag 2).
  EXPECT_EQ(chosen[0].tag, 2);
  EXPECT_EQ(chosen[0].suite, "AES_CM_128_HMAC_SHA1_32");
  ASSERT_TRUE(a.apply_answer(*answer));
  const auto& na = *a.negotiated();
  const auto& nb = *b.negotiated();
  ASSERT_TRUE(na.secure() && nb.secure());
  EXPECT_EQ(na.srtp_send->suite, SrtpSuite::AesCm128HmacSha1_32);
  EXPECT_EQ(na.srtp_send, nb.srtp_receive);
  EXPECT_EQ(nb.srtp_send, na.srtp_receive);
  EXPECT_NE(na.srtp_send, na.srtp_receive);  // each side its own key
  // A re-offer keeps the keys (no SRTP restart on hold).
  a.set_local_hold(true);
  auto again = audio(a.create_offer()).cryptos();
  EXPECT_EQ(again[1].key_params, cryptos[1].key_params);
}

TEST(RtpNegotiation, SrtpPolicies) {
  const std::string plain = offer_with("m=audio 5004 RTP/AVP 0", "");
  const std::string savp = offer_with("m=audio 5004 RTP/SAVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n");
  const std::string optimistic = offer_with("m=audio 5004 RTP/AVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n");
  const std::string unknown_suite = offer_with("m=audio 5004 RTP/SAVP 0", "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\r\n");

  auto required = settings("ulaw", "carol");
  required.encryption = MediaEncryption::Sdes;
  SdpNegotiator r(required, "127.0.0.1", 1000);
  auto refused = r.answer(plain);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, NegotiationFailure::Kind::SrtpRequired);
  EXPECT_EQ(refused.error().warn_code(), 302);
  EXPECT_NE(refused.error().warning_text().find("requires SRTP"), std::string::npos);
  auto ok = r.answer(savp);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(r.negotiated()->secure());
  // The key we read is the one they sent (bytes 0..29).
  EXPECT_EQ(r.negotiated()->srtp_receive->key_salt[29], 29);
  auto opt_peer = r.answer(optimistic);  // a=crypto on RTP/AVP: secure, plain profile kept
  ASSERT_TRUE(opt_peer);
  EXPECT_EQ(audio(*parse_sdp(*opt_peer)).proto, "RTP/AVP");
  EXPECT_TRUE(r.negotiated()->secure());
  auto bad_suite = r.answer(unknown_suite);
  ASSERT_FALSE(bad_suite);
  EXPECT_EQ(bad_suite.error().kind, NegotiationFailure::Kind::SrtpUnsupported);
  EXPECT_NE(bad_suite.error().warning_text().find("AES_256_CM_HMAC_SHA1_80"), std::string::npos);

  auto opt = required;
  opt.encryption_optimistic = true;
  SdpNegotiator o(opt, "127.0.0.1", 1000);
  EXPECT_EQ(audio(o.create_offer()).proto, "RTP/AVP");
  EXPECT_EQ(audio(o.create_offer()).cryptos().size(), 3u);
  ASSERT_TRUE(o.answer(plain));
  EXPECT_FALSE(o.negotiated()->secure());

  SdpNegotiator none(settings("ulaw"), "127.0.0.1", 1000);
  auto no_srtp = none.answer(savp);
  ASSERT_FALSE(no_srtp);
  EXPECT_EQ(no_srtp.error().kind, NegotiationFailure::Kind::SrtpUnsupported);
  ASSERT_TRUE(none.answer(optimistic));  // media_encryption=no ignores their a=crypto
  EXPECT_FALSE(none.negotiated()->secure());
}

TEST(RtpNegotiation, KeysAreRedactedForLogs) {
  auto s = settings("ulaw");
  s.encryption = MediaEncryption::Sdes;
  SdpNegotiator n(s, "127.0.0.1", 1000);
  const std::string offer = to_string(n.create_offer());
  const std::string redacted = redact_sdp_keys(offer);
  EXPECT_EQ(redacted.find(audio(n.create_offer()).cryptos()[0].key_params), std::string::npos);
  EXPECT_NE(redacted.find("inline:[redacted]"), std::string::npos);
  EXPECT_NE(redacted.find("AES_CM_128_HMAC_SHA1_80"), std::string::npos);
}

TEST(RtpCodecPreferences, AllowAndDisallowAsPjsipWritesThem) {
  CodecPreferences p;
  ASSERT_TRUE(p.apply_allow("ulaw,alaw"));
  ASSERT_TRUE(p.apply_allow("g722&opus:20"));
  EXPECT_EQ(p.names(), "ulaw,alaw,g722,opus");
  EXPECT_EQ(p.list()[3].ptime_ms, 20u);
  ASSERT_TRUE(p.apply_disallow("alaw"));
  EXPECT_EQ(p.names(), "ulaw,g722,opus");
  ASSERT_TRUE(p.apply_allow("!ulaw"));
  EXPECT_EQ(p.names(), "g722,opus");
  ASSERT_TRUE(p.apply_disallow("all"));
  EXPECT_TRUE(p.empty());
  ASSERT_TRUE(p.apply_allow("all"));
  EXPECT_EQ(p.names(), "ulaw,alaw,g722,opus");
  std::vector<std::string> warnings;
  ASSERT_TRUE(p.apply_allow("g729", &warnings));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("g729"), std::string::npos);
  auto bad = p.apply_allow("ulaw,speex99");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("speex99"), std::string::npos);
  EXPECT_FALSE(p.apply_allow("ulaw:25"));
  EXPECT_EQ(dtmf_mode_from_name("rfc2833"), DtmfMode::Rfc4733);
  EXPECT_EQ(dtmf_mode_from_name("AUTO_INFO"), DtmfMode::AutoInfo);
  EXPECT_FALSE(dtmf_mode_from_name("2833"));
}

TEST(RtpCodecPreferences, PjsipEndpointMediaOptions) {
  MediaSettings s;
  std::vector<std::string> warnings;
  auto apply = [&](std::string_view k, std::string_view v) { return apply_endpoint_media_option(s, k, v, &warnings); };
  ASSERT_TRUE(*apply("disallow", "all"));
  ASSERT_TRUE(*apply("allow", "opus,ulaw"));
  ASSERT_TRUE(*apply("dtmf_mode", "auto_info"));
  ASSERT_TRUE(*apply("media_encryption", "sdes"));
  ASSERT_TRUE(*apply("media_encryption_optimistic", "yes"));
  ASSERT_TRUE(*apply("srtp_tag_32", "yes"));
  ASSERT_TRUE(*apply("rtp_symmetric", "yes"));
  ASSERT_TRUE(*apply("rtp_timeout", "30"));
  ASSERT_TRUE(*apply("rtp_timeout_hold", "300"));
  ASSERT_TRUE(*apply("media_address", "192.0.2.7"));
  ASSERT_TRUE(*apply("bind_rtp_to_media_address", "yes"));
  ASSERT_TRUE(*apply("direct_media", "yes"));
  EXPECT_EQ(s.codecs.names(), "opus,ulaw");
  EXPECT_EQ(s.dtmf_mode, DtmfMode::AutoInfo);
  EXPECT_EQ(s.encryption, MediaEncryption::Sdes);
  EXPECT_TRUE(s.encryption_optimistic);
  EXPECT_EQ(s.srtp_suites.front(), SrtpSuite::AesCm128HmacSha1_32);
  EXPECT_TRUE(s.rtp_symmetric);
  EXPECT_EQ(s.rtp_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.rtp_timeout_hold, std::chrono::seconds(300));
  EXPECT_TRUE(s.bind_to_media_address);
  EXPECT_EQ(s.sdp_address(), "192.0.2.7");
  ASSERT_EQ(warnings.size(), 1u);  // direct_media=yes is not honoured
  EXPECT_FALSE(apply("context", "default"));  // not a media option
  auto dtls = apply("media_encryption", "dtls");
  ASSERT_TRUE(dtls && !*dtls);
  EXPECT_EQ(dtls->error().where, "media_encryption");
  EXPECT_FALSE(*apply("rtp_timeout", "soon"));
  EXPECT_FALSE(*apply("rtp_symmetric", "maybe"));
  EXPECT_FALSE(*apply("dtmf_mode", "2833"));
}

}  // namespace
