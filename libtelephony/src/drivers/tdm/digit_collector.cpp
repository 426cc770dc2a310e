// Overlap dialling decisions (see tdm/digit_collector.hpp).
#include "telephony/tdm/digit_collector.hpp"

namespace telephony::tdm {

DigitCollector::DigitCollector(const DialplanQuestions& plan, std::string context, std::string caller,
                               DigitTimeouts t, bool immediate)
    : plan_(plan), context_(std::move(context)), caller_(std::move(caller)), t_(t), immediate_(immediate) {}

DigitCollector::Step DigitCollector::start() {
  if (immediate_) return Step{Outcome::Complete, 0, false, "s"};
  return Step{Outcome::Continue, t_.first_ms, true, {}};
}

DigitCollector::Step DigitCollector::on_digit(char digit) {
  digits_.push_back(digit);
  bool end_of_dialing = false;
  if (digits_.size() > 1 && digit == '#' && !plan_.exists(context_, digits_, caller_)) {
    // `#` after digits that form an extension ends dialling instead of being part of the number.
    digits_.pop_back();
    if (plan_.exists(context_, digits_, caller_)) end_of_dialing = true;
    else digits_.push_back('#');
  }
  Step step;
  step.dialtone = plan_.ignore_pattern(context_, digits_);
  if (plan_.exists(context_, digits_, caller_)) {
    if (end_of_dialing || !plan_.match_more(context_, digits_, caller_))
      return Step{Outcome::Complete, 0, false, digits_};
    step.timeout_ms = t_.match_ms;  // ambiguous: wait a little for more digits
    return step;
  }
  if (digits_ == "*78" || digits_ == "*79") {
    Step f{Outcome::Feature, t_.first_ms, true, digits_};
    digits_.clear();
    return f;
  }
  if (!plan_.can_match(context_, digits_, caller_)) return Step{Outcome::Invalid, 0, false, digits_};
  step.timeout_ms = t_.inter_ms;
  return step;
}

DigitCollector::Step DigitCollector::on_timeout() {
  if (!digits_.empty() && plan_.exists(context_, digits_, caller_)) return Step{Outcome::Complete, 0, false, digits_};
  return Step{Outcome::Invalid, 0, false, digits_};
}

}  // namespace telephony::tdm
