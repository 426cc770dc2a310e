#include "telephony/manager/parser.hpp"

#include <cstring>

namespace telephony::ami {

namespace {
constexpr std::uint32_t kOutputKey = 0xFFFFFFFFu;  // span marker: synthetic "Output" key
constexpr std::string_view kEndCommand = "--END COMMAND--";
// Compact once this many consumed bytes sit in front of the buffer: amortises memmove.
constexpr std::size_t kCompactThreshold = 16 * 1024;

inline bool blank(char c) { return c == ' ' || c == '\t'; }

// A line is a `Key: Value` header when it has a colon and the key has no blanks inside.
inline bool looks_like_header(std::string_view line, std::size_t colon) {
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i)
    if (blank(line[i])) return false;
  return true;
}
}  // namespace

Parser::Parser(ParserLimits limits) : limits_(limits) { spans_.reserve(32); }

void Parser::feed(std::string_view bytes) {
  if (msg_start_ >= kCompactThreshold || (msg_start_ > 0 && msg_start_ == buf_.size())) compact();
  buf_.append(bytes);
}

void Parser::compact() {
  buf_.erase(0, msg_start_);
  consumed_ += msg_start_;
  pos_ -= msg_start_;
  msg_start_ = 0;
}

Result<Message> Parser::error_and_discard(std::string_view what, std::uint64_t at) {
  state_ = State::Discarding;
  spans_.clear();
  return fail(std::string(what), "offset " + std::to_string(at));
}

std::optional<Result<Message>> Parser::finish_message(std::size_t end) {
  Message m;
  const std::size_t len = end - msg_start_;
  bool synthetic = false;
  for (const auto& s : spans_) synthetic |= (s.key_off == kOutputKey);
  m.text_.reserve(len + (synthetic ? 6 : 0));
  m.text_.assign(buf_.data() + msg_start_, len);
  std::uint32_t output_off = 0;
  if (synthetic) {
    output_off = static_cast<std::uint32_t>(m.text_.size());
    m.text_.append("Output");
  }
  m.fields_.reserve(spans_.size());
  for (const auto& s : spans_) {
    if (s.key_off == kOutputKey)
      m.fields_.push_back({output_off, 6, s.value_off, s.value_len});
    else
      m.fields_.push_back({s.key_off, s.key_len, s.value_off, s.value_len});
  }
  spans_.clear();
  msg_start_ = pos_;
  return Result<Message>(std::move(m));
}

std::optional<Result<Message>> Parser::next() {
  for (;;) {
    const char* base = buf_.data();
    const std::size_t avail = buf_.size() - pos_;
    const void* nl = avail ? std::memchr(base + pos_, '\n', avail) : nullptr;
    if (nl == nullptr) {
      // +1 leaves room for the CR of a CRLF that is still on its way.
      if (avail > limits_.max_line + 1) {
        const std::uint64_t at = consumed_ + pos_;
        pos_ = buf_.size();  // drop the partial line; keep dropping until its end arrives
        msg_start_ = pos_;
        in_dropped_line_ = true;
        if (state_ != State::Discarding) return error_and_discard(kLineTooLong, at);
      }
      return std::nullopt;
    }
    const std::size_t line_start = pos_;
    std::size_t line_end = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
    pos_ = line_end + 1;
    if (line_end > line_start && base[line_end - 1] == '\r') --line_end;
    const std::size_t line_len = line_end - line_start;
    const std::string_view line(base + line_start, line_len);
    if (in_dropped_line_) {  // the tail of a line already reported as too long: not a blank line
      in_dropped_line_ = false;
      msg_start_ = pos_;
      continue;
    }

    if (line_len > limits_.max_line) {
      msg_start_ = pos_;
      if (state_ != State::Discarding) return error_and_discard(kLineTooLong, consumed_ + line_start);
      continue;
    }

    if (state_ == State::Discarding) {
      if (line_len == 0) {
        state_ = State::Headers;
        msg_start_ = pos_;
      } else {
        msg_start_ = pos_;
      }
      continue;
    }

    const auto rel = static_cast<std::uint32_t>(line_start - msg_start_);
    if (state_ == State::FollowsBody) {
      if (line == kEndCommand) {
        state_ = State::Headers;  // the blank line after it ends the message
        continue;
      }
      if (spans_.size() >= limits_.max_output_lines) {
        msg_start_ = pos_;
        return error_and_discard(kTooManyLines, consumed_ + line_start);
      }
      spans_.push_back({kOutputKey, 0, rel, static_cast<std::uint32_t>(line_len)});
      continue;
    }

    // State::Headers
    if (line_len == 0) {
      if (spans_.empty()) {  // blank lines between messages
        msg_start_ = pos_;
        continue;
      }
      return finish_message(line_start);
    }
    if (spans_.size() >= limits_.max_headers) {
      msg_start_ = pos_;
      return error_and_discard(kTooManyLines, consumed_ + line_start);
    }
    const std::size_t colon = line.find(':');
    const bool follows_mode = limits_.command_follows && !spans_.empty() &&
                              spans_[0].key_off != kOutputKey &&
                              iequals(std::string_view(base + msg_start_ + spans_[0].key_off, spans_[0].key_len), "Response") &&
                              iequals(std::string_view(base + msg_start_ + spans_[0].value_off, spans_[0].value_len),
                                      "Follows");
    if (follows_mode && !looks_like_header(line, colon)) {
      if (line == kEndCommand) continue;  // empty output
      state_ = State::FollowsBody;
      spans_.push_back({kOutputKey, 0, rel, static_cast<std::uint32_t>(line_len)});
      continue;
    }
    if (colon == std::string_view::npos) {
      spans_.push_back({rel, 0, rel, static_cast<std::uint32_t>(line_len)});
      continue;
    }
    std::size_t kb = 0, ke = colon;
    while (kb < ke && blank(line[kb])) ++kb;
    while (ke > kb && blank(line[ke - 1])) --ke;
    std::size_t vb = colon + 1, ve = line_len;
    while (vb < ve && blank(line[vb])) ++vb;
    while (ve > vb && blank(line[ve - 1])) --ve;
    spans_.push_back({rel + static_cast<std::uint32_t>(kb), static_cast<std::uint32_t>(ke - kb),
                      rel + static_cast<std::uint32_t>(vb), static_cast<std::uint32_t>(ve - vb)});
  }
}

}  // namespace telephony::ami
