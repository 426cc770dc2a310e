#include "config/conf_sources.hpp"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace telephony::config::detail {

FileText read_whole_file(const std::string& path) {
  FileText out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error = std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    out.error = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    ::close(fd);
    return out;
  }
  // One read sized from fstat; loop only because read() may return short.
  out.text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t have = 0;
  for (;;) {
    if (have == out.text.size()) out.text.resize(out.text.size() + 4096);  // file grew meanwhile
    ssize_t n = ::read(fd, out.text.data() + have, out.text.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = std::strerror(errno);
      break;
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  out.text.resize(have);
  ::close(fd);
  return out;
}

bool has_glob_chars(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::vector<std::string> expand_glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  // glob() sorts its results unless GLOB_NOSORT, which is the order Asterisk includes them in.
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

CommandOutput run_command(const std::string& command) {
  CommandOutput out;
  std::fflush(nullptr);
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) {
    out.error = std::string("cannot run: ") + std::strerror(errno);
    return out;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.text.append(buf, n);
  int status = ::pclose(p);
  if (status == -1) {
    out.error = std::string("cannot wait for command: ") + std::strerror(errno);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    out.error = "command exited with status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    out.error = "command killed by signal " + std::to_string(WTERMSIG(status));
  }
  return out;
}

}  // namespace telephony::config::detail
