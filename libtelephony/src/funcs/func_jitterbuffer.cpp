// JITTERBUFFER(fixed|adaptive|disabled)=max_size[,resync_threshold[,target_extra[,sync_video]]]
// or =default, parsed as Asterisk's func_jitterbuffer does (with its defaults 200 / 1000 / 40 /
// off) and kept on the channel as a request the read side honours where there is jitter to
// remove. Frames of Local, TDM and console channels are produced by the engine at a steady 20 ms
// pace, in order, so nothing is buffered there; on a SIP channel the request resizes (or turns
// off) its RTP session's receive buffer (docs/functions.md).
#include <cstdlib>

#include "funcs/function_support.hpp"
#include "telephony/config/config.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/rtp/media_session.hpp"

namespace telephony::funcs {

namespace {

constexpr std::string_view kKey = "func-jitterbuffer";

struct JitterBufferRequest {
  std::string type;  // fixed or adaptive
  long max_size_ms = 200;
  long resync_threshold_ms = 1000;
  long target_extra_ms = 40;
  bool sync_video = false;
};

Result<long> whole_number(const FunctionCall& call, const std::string& text, std::string_view what,
                          long least) {
  const std::string t(trim(text));
  char* end = nullptr;
  const long v = std::strtol(t.c_str(), &end, 10);
  if (end == t.c_str() || *end != '\0' || v < least)
    return func_error(call, "invalid " + std::string(what) + " '" + t +
                                "' (a whole number of milliseconds" +
                                (least > 0 ? ", at least 1)" : ", 0 or more)"));
  return v;
}

Result<void> jitterbuffer_write(const FunctionCall& call, std::string_view value) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto media = rtp::MediaSession::of(**chan);
  if (keyword_is(call.args, "disabled")) {
    (*chan)->remove_datastore(kKey);
    if (media) media->set_jitter_buffer(rtp::JitterSettings{.enabled = false});
    return {};
  }
  if (!keyword_is(call.args, "fixed") && !keyword_is(call.args, "adaptive"))
    return func_error(call, "unknown jitterbuffer type '" + std::string(call.args) +
                                "' (fixed, adaptive or disabled)");
  JitterBufferRequest req;
  req.type = keyword_of(call.args);
  if (!trim(value).empty() && !keyword_is(value, "default")) {
    auto a = dialplan::split_args(value);
    if (a.size() > 4)
      return func_error(call, "too many parameters in '" + std::string(value) + "' (at most 4)");
    struct Field {
      std::string_view name;
      long* out;
      long least;
    };
    const Field fields[] = {{"max_size", &req.max_size_ms, 1},
                            {"resync_threshold", &req.resync_threshold_ms, 1},
                            {"target_extra", &req.target_extra_ms, 0}};
    for (std::size_t i = 0; i < 3 && i < a.size(); ++i) {
      if (trim(a[i]).empty()) continue;
      auto v = whole_number(call, a[i], fields[i].name, fields[i].least);
      if (!v) return Unexpected<Error>{v.error()};
      *fields[i].out = *v;
    }
    if (a.size() > 3 && !trim(a[3]).empty()) {
      const auto sv = trim(a[3]);
      if (!config::is_true_word(sv) && !config::is_false_word(sv))
        return func_error(call, "invalid sync_video '" + std::string(sv) + "' (yes or no)");
      req.sync_video = config::is_true_word(sv);
    }
  }
  // The RTP buffer (speexdsp) is adaptive either way; max_size bounds it, and for "adaptive"
  // target_extra is the delay kept on top of its target. resync_threshold has no counterpart
  // there and is kept for reading only.
  if (media) {
    rtp::JitterSettings js;
    js.max_delay = std::chrono::milliseconds(req.max_size_ms);
    if (req.type == "adaptive") js.target_extra = std::chrono::milliseconds(req.target_extra_ms);
    media->set_jitter_buffer(js);
  }
  auto stored = channel_store<JitterBufferRequest>(**chan, kKey);
  *stored = std::move(req);
  return {};
}

// The request as the function's writer would spell it ("fixed,200,1000,40,no"), "" when none.
Result<std::string> jitterbuffer_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto r = std::static_pointer_cast<JitterBufferRequest>((*chan)->datastore(kKey));
  if (!r) return std::string();
  return r->type + "," + std::to_string(r->max_size_ms) + "," +
         std::to_string(r->resync_threshold_ms) + "," + std::to_string(r->target_extra_ms) + "," +
         (r->sync_video ? "yes" : "no");
}

}  // namespace

void register_jitterbuffer_function(Engine& engine) {
  add_function(
      engine, "JITTERBUFFER",
      {"Add a Jitterbuffer to the Read side of the channel.",
       "JITTERBUFFER(jitterbuffer type)",
       "Set(JITTERBUFFER(fixed|adaptive)=max_size[,resync_threshold[,target_extra[,sync_video]]]) "
       "or =default "
       "requests a jitter buffer on the audio read from the channel (defaults: max_size 200 ms, "
       "resync_threshold "
       "1000 ms, target_extra 40 ms (adaptive only), sync_video off); Set(JITTERBUFFER(disabled)=) "
       "removes the "
       "request. Unlike Asterisk, a parameter that is not a whole number (or yes/no for "
       "sync_video) is an error "
       "and leaves the previous request. Local, TDM and console channels get their frames from the "
       "engine at a "
       "steady pace and in order, so the request is accepted and kept but there is nothing to "
       "buffer; on a SIP "
       "channel it resizes the RTP receive buffer (an adaptive speexdsp buffer bounded by max_size; "
       "with adaptive, target_extra is the delay kept on top of its target, else 20 ms; "
       "disabled turns it off). Reading (an "
       "addition to "
       "Asterisk, whose function is write-only) gives the request as "
       "type,max_size,resync_threshold,target_extra,"
       "sync_video (fixed,200,1000,40,no), empty when there is none; the argument is ignored.",
       {{"jitterbuffer type", "fixed, adaptive or disabled (any case)"}},
       {"CHANNEL"}},
      jitterbuffer_read, jitterbuffer_write);
}

}  // namespace telephony::funcs
