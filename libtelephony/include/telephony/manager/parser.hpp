// ami::Parser: incremental AMI framing and header parsing over a byte stream.
//
// Accepts: lines ended by CRLF or a bare LF; `Key: Value` headers (the value may be empty, the
// space after the colon is optional, surrounding blanks of the value are trimmed); a blank line
// ends a message; blank lines between messages are skipped. A line without ':' is kept as a
// header with an empty key and the whole line as value (Asterisk stores such lines too but no
// lookup can ever match them; keeping them lets callers see what the peer sent).
// Client mode (Limits::command_follows): an Asterisk <= 13 `Response: Follows` reply is read as
// headers up to the first line that is not `Key: Value`, then raw text lines up to a line
// `--END COMMAND--`; each raw line becomes an `Output` header, the same shape as the
// `Response: Success` + `Output:` form Asterisk 14+ sends, so callers handle one form.
// Rejects (as an Error, then resynchronises at the next blank line): a line longer than
// Limits::max_line bytes ("Failed to parse message: line too long") and a message with more than
// Limits::max_headers lines ("Too many lines in message or allocation failure") — the texts
// Asterisk's manager answers with. Error::where is "offset N" (bytes since the stream began).
// Allocates: the input buffer (bounded by max_line + one read, compacted as messages are taken)
// and, per produced Message, one string and one header vector. Scanning itself never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/manager/message.hpp"
#include "telephony/result.hpp"

namespace telephony::ami {

inline constexpr std::string_view kLineTooLong = "Failed to parse message: line too long";
inline constexpr std::string_view kTooManyLines = "Too many lines in message or allocation failure";

struct ParserLimits {
  std::size_t max_line = 1024;     // bytes of one line, terminator excluded (Asterisk inbuf)
  std::size_t max_headers = 128;   // lines per message (AST_MAX_MANHEADERS)
  bool command_follows = false;    // client side: understand `Response: Follows` bodies
  std::size_t max_output_lines = 65536;  // bound for a Follows body
};

class Parser {
 public:
  explicit Parser(ParserLimits limits = {});

  // Appends received bytes. Never fails; problems surface from next().
  void feed(std::string_view bytes);
  // The next complete message, an error for a rejected one, or nullopt when more bytes are needed.
  std::optional<Result<Message>> next();

  // Bytes buffered but not yet framed (for tests of the bounded-buffer promise).
  std::size_t buffered() const noexcept { return buf_.size() - pos_; }
  std::uint64_t offset() const noexcept { return consumed_ + pos_; }

 private:
  enum class State { Headers, Discarding, FollowsBody };
  struct Span {
    std::uint32_t key_off, key_len, value_off, value_len;  // relative to message start
  };
  std::optional<Result<Message>> finish_message(std::size_t end);
  Result<Message> error_and_discard(std::string_view what, std::uint64_t at);
  void compact();

  ParserLimits limits_;
  std::string buf_;
  std::size_t pos_ = 0;        // first byte not yet consumed as a complete line
  std::size_t msg_start_ = 0;  // where the message under construction starts in buf_
  std::uint64_t consumed_ = 0; // bytes dropped from the front of buf_ so far
  State state_ = State::Headers;
  std::vector<Span> spans_;    // reused between messages: no allocation after warm-up
  bool in_dropped_line_ = false;  // bytes up to the next LF belong to a rejected line
};

}  // namespace telephony::ami
