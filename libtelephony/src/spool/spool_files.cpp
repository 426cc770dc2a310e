#include "spool/spool_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace telephony::spool::files {
namespace {

std::string errno_text(int e) { return std::strerror(e); }

Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& p) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write failed: " + errno_text(errno), p.string());
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

bool is_hidden(std::string_view name) { return name.empty() || name.front() == '.'; }

MoveResult move_no_replace(const std::filesystem::path& from, const std::filesystem::path& to,
                           std::string* error) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
    return MoveResult::Moved;
  int e = errno;
  if (e == EINVAL || e == ENOSYS) {
    // Filesystem without RENAME_NOREPLACE: link() refuses an existing target just the same.
    if (::link(from.c_str(), to.c_str()) == 0) {
      ::unlink(from.c_str());
      return MoveResult::Moved;
    }
    e = errno;
  }
  if (e == ENOENT) return MoveResult::SourceMissing;
  if (e == EEXIST) return MoveResult::TargetExists;
  if (error) *error = errno_text(e);
  return MoveResult::OtherError;
}

std::optional<Clock::time_point> regular_file_mtime(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  auto since = std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(since));
}

bool set_mtime(const std::filesystem::path& p, Clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_NOW;
  times[1].tv_sec = static_cast<time_t>(ns / 1000000000);
  times[1].tv_nsec = static_cast<long>(ns % 1000000000);
  return ::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0;
}

Result<void> append_line(const std::filesystem::path& p, std::string_view line, bool sync) {
  int fd = ::open(p.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return fail("cannot open for append: " + errno_text(errno), p.string());
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') out += '\n';
  }
  out.append(line);
  out += '\n';
  auto r = write_all(fd, out, p);
  if (r && sync && ::fdatasync(fd) != 0) r = fail("fdatasync failed: " + errno_text(errno), p.string());
  ::close(fd);
  return r;
}

Result<void> append_journal_line(const std::filesystem::path& p, std::string_view key, int attempt,
                                 bool sync) {
  char buf[128];
  auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch());
  int n = std::snprintf(buf, sizeof buf, "%.*s: %ld %d (%lld)", static_cast<int>(key.size()),
                        key.data(), static_cast<long>(::getpid()), attempt,
                        static_cast<long long>(now.count()));
  return append_line(p, std::string_view(buf, static_cast<std::size_t>(n)), sync);
}

Result<std::string> read_small_file(const std::filesystem::path& p, std::size_t limit) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open: " + errno_text(errno), p.string());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return fail("cannot stat: " + errno_text(e), p.string());
  }
  if (static_cast<std::size_t>(st.st_size) > limit) {
    ::close(fd);
    return fail("file is " + std::to_string(st.st_size) + " bytes; a call file is at most " +
                    std::to_string(limit),
                p.string());
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  return text;
}

Result<std::filesystem::path> move_to_failed(const std::filesystem::path& from,
                                             const std::filesystem::path& failed_dir,
                                             std::string_view reason) {
  std::string name = from.filename().string();
  for (int i = 0; i < 10000; ++i) {
    std::string candidate = i == 0 ? name : name + "." + std::to_string(i);
    auto target = failed_dir / candidate;
    // The sidecar is written first so that a file in outgoing_failed always has its reason.
    auto reason_path = failed_dir / (candidate + ".reason");
    if (std::filesystem::exists(target) || std::filesystem::exists(reason_path)) continue;
    int fd = ::open(reason_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot write reason: " + errno_text(errno), reason_path.string());
    std::string text(reason);
    text += '\n';
    auto w = write_all(fd, text, reason_path);
    ::close(fd);
    if (!w) return fail(w.error().message, w.error().where);
    std::string err;
    switch (move_no_replace(from, target, &err)) {
      case MoveResult::Moved: return target;
      case MoveResult::TargetExists:
        ::unlink(reason_path.c_str());
        continue;
      case MoveResult::SourceMissing:
        ::unlink(reason_path.c_str());
        return fail("vanished before it could be moved to outgoing_failed", from.string());
      case MoveResult::OtherError:
        ::unlink(reason_path.c_str());
        return fail("cannot move to outgoing_failed: " + err, from.string());
    }
  }
  return fail("no free name in outgoing_failed", from.string());
}

}  // namespace telephony::spool::files
