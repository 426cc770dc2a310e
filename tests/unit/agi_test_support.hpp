// Shared fixture of the AGI tests (agi_*_test.cpp): the media-apps engine (Test and Local drivers,
// real dialplan executor) with AGI installed, AGI scripts written as real executables into the
// test's temp folder, and a bash helper library those scripts source: `cmd "LINE"` sends one
// command and appends "LINE => reply" to log.txt (a 520 usage block or a 100 Trying line is joined
// with '|'), and the environment block goes to env.txt.
#pragma once

#include <sys/stat.h>

#include "appsmedia_support.hpp"
#include "telephony/agi/agi.hpp"

namespace agi_test {

using namespace appsmedia_test;

struct Agi : MediaApps {
  void SetUp() override {
    MediaApps::SetUp();
    agi::install_agi(engine, {.agi_dir = dir.path()});
    testkit::write_file(dir / "lib.sh", R"(exec 2>>"$DIR/stderr.txt"
while IFS= read -r l && [ -n "$l" ]; do echo "$l" >> "$DIR/env.txt"; done
cmd() {
  echo "$1"
  IFS= read -r r || { echo "$1 => EOF" >> "$DIR/log.txt"; return; }
  if [[ $r == 520-* ]]; then
    while IFS= read -r x; do r="$r|$x"; [[ $x == "520 "* ]] && break; done
  elif [[ $r == 100* ]]; then
    IFS= read -r x; r="$r|$x"
  fi
  echo "$1 => $r" >> "$DIR/log.txt"
}
)");
  }

  // An executable bash AGI script named `name` in the AGI folder; `body` uses cmd.
  void script(const std::string& name, const std::string& body) {
    const auto path = dir / name;
    testkit::write_file(path, "#!/bin/bash\nDIR='" + dir.path().string() + "'\n. \"$DIR/lib.sh\"\n" + body + "\n");
    ::chmod(path.c_str(), 0755);
  }

  // Lines of a file in the temp folder.
  std::vector<std::string> lines(const std::string& file) {
    std::vector<std::string> out;
    std::istringstream in(testkit::read_file(dir / file));
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  std::string log_text() { return testkit::read_file(dir / "log.txt"); }

  // Waits until the AGI command starting with `prefix` has started on `chan` (AGIExecStart).
  bool command_started(const Channel::Ptr& chan, const std::string& prefix, std::chrono::milliseconds t = 5s) {
    return log->wait_for_type(
        agi::AgiExecStarted::kType,
        [&](const Event& e) {
          auto* s = e.as<agi::AgiExecStarted>();
          return s && s->channel.name == chan->name() && s->command.rfind(prefix, 0) == 0;
        },
        t);
  }
};

}  // namespace agi_test
