// Test-only helpers shared by unit tests: temporary directories, files, free loopback ports.
// Never installed; not part of the library API.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace telephony::testkit {

// A fresh directory under /tmp removed (recursively) when the object goes away.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "telephony-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, std::string_view text);
std::string read_file(const std::filesystem::path& p);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
int free_tcp_port();

}  // namespace telephony::testkit
