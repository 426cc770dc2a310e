// The dialplan's answers for overlap dialling, asked of whatever PBX the engine runs now (a
// reload swaps it; every question takes the current one). exists/can_match/match_more are the
// Pbx interface's; ignorepat has no Pbx question yet, so it reads the dialplan module's snapshot.
#include "line.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/dialplan/pattern.hpp"

namespace telephony::tdm {

namespace {

class PbxQuestions : public DialplanQuestions {
 public:
  explicit PbxQuestions(Engine& engine) : engine_(engine) {}

  bool exists(std::string_view context, std::string_view exten, std::string_view caller) const override {
    auto pbx = engine_.pbx();
    return pbx && pbx->exists(context, exten, 1, caller);
  }
  bool can_match(std::string_view context, std::string_view exten, std::string_view caller) const override {
    auto pbx = engine_.pbx();
    return pbx && pbx->can_match(context, exten, caller);
  }
  bool match_more(std::string_view context, std::string_view exten, std::string_view caller) const override {
    auto pbx = engine_.pbx();
    return pbx && pbx->match_more(context, exten, caller);
  }
  bool ignore_pattern(std::string_view context, std::string_view digits) const override {
    auto plan = snapshot();
    if (!plan) return false;
    const auto* ctx = plan->context(context);
    if (!ctx) return false;
    for (const auto& text : ctx->ignore_patterns) {
      auto p = dialplan::Pattern::parse(text);
      if (p && p->match(digits).match) return true;
    }
    return false;
  }

 private:
  std::shared_ptr<const dialplan::Dialplan> snapshot() const {
    auto pbx = engine_.pbx();
    auto* dp = dynamic_cast<dialplan::DialplanPbx*>(pbx.get());
    return dp ? dp->snapshot() : nullptr;
  }
  Engine& engine_;
};

}  // namespace

std::unique_ptr<DialplanQuestions> make_pbx_questions(Engine& engine) { return std::make_unique<PbxQuestions>(engine); }

}  // namespace telephony::tdm
