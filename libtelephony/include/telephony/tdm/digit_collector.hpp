// Overlap dialling on an analog line: when has the caller dialed enough digits?
//
// The answer needs the dialplan's three questions (Asterisk's exists / canmatch / matchmore) plus
// the context's ignore patterns, asked after every digit, with Asterisk's analog timing: the first
// digit may take firstdigit_timeout (16 s), later ones interdigit_timeout (8 s), and once the
// digits form an extension that longer strings could also match, matchdigit_timeout (3 s) decides.
// Dial tone stays on while the digits match an ignore pattern (`ignorepat => 9` keeps the outside
// line tone). A `#` that breaks a match ends dialling when the digits before it are an extension.
// `immediate=yes` skips collection and goes to `s`. *78 / *79 (DND on/off) are reported as
// feature codes when the dialplan has no such extension, as chan_dahdi does.
//
// Pure logic: the caller feeds digits and timeouts and acts on each Step (timer, dial tone,
// done). No allocation beyond the digit string.
#pragma once

#include <string>
#include <string_view>

namespace telephony::tdm {

class DialplanQuestions {
 public:
  virtual ~DialplanQuestions() = default;
  virtual bool exists(std::string_view context, std::string_view exten, std::string_view caller) const = 0;
  virtual bool can_match(std::string_view context, std::string_view exten, std::string_view caller) const = 0;
  virtual bool match_more(std::string_view context, std::string_view exten, std::string_view caller) const = 0;
  virtual bool ignore_pattern(std::string_view context, std::string_view digits) const = 0;
};

struct DigitTimeouts {
  int first_ms = 16000;
  int inter_ms = 8000;
  int match_ms = 3000;
};

class DigitCollector {
 public:
  enum class Outcome {
    Continue,  // wait `timeout_ms` for the next digit
    Complete,  // run the dialplan at `exten`
    Invalid,   // no extension can match: congestion
    Feature,   // `exten` is a feature code the line handles (*78, *79); digits were reset
  };
  struct Step {
    Outcome outcome = Outcome::Continue;
    int timeout_ms = 0;
    bool dialtone = false;  // keep (or restart) dial tone
    std::string exten;
  };

  DigitCollector(const DialplanQuestions& plan, std::string context, std::string caller, DigitTimeouts t,
                 bool immediate = false);
  Step start();
  Step on_digit(char digit);
  Step on_timeout();
  const std::string& digits() const { return digits_; }

 private:
  const DialplanQuestions& plan_;
  std::string context_;
  std::string caller_;
  DigitTimeouts t_;
  bool immediate_;
  std::string digits_;
};

}  // namespace telephony::tdm
