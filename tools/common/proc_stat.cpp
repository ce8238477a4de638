#include "tools/common/proc_stat.hpp"

#include <charconv>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <unordered_map>

namespace paddock::tools {

namespace {

// The n-th space-separated field of `text` (0-based), or empty.
std::string_view field(std::string_view text, size_t n) {
  size_t pos = 0;
  for (;;) {
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
    if (pos >= text.size()) return {};
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (n == 0) return text.substr(pos, end - pos);
    --n;
    pos = end;
  }
}

template <class T> bool to_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

} // namespace

std::optional<proc_times> parse_proc_stat(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == ' '))
    line.remove_suffix(1);
  auto open = line.find(" (");
  auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  proc_times t;
  if (!to_number(line.substr(0, open), t.pid)) return std::nullopt;
  // After ") ": field 3 (state) is index 0, so field k is index k - 3.
  auto rest = line.substr(close + 1);
  if (!to_number(field(rest, 4 - 3), t.ppid) || !to_number(field(rest, 14 - 3), t.utime) ||
      !to_number(field(rest, 15 - 3), t.stime))
    return std::nullopt;
  // cutime and cstime are signed in the kernel's format; they are never negative in practice.
  int64_t cutime = 0;
  int64_t cstime = 0;
  if (!to_number(field(rest, 16 - 3), cutime) || !to_number(field(rest, 17 - 3), cstime) ||
      cutime < 0 || cstime < 0)
    return std::nullopt;
  t.cutime = static_cast<uint64_t>(cutime);
  t.cstime = static_cast<uint64_t>(cstime);
  return t;
}

std::optional<uint64_t> tree_cpu_ticks(int root, const std::vector<proc_times>& table) {
  std::unordered_multimap<int, const proc_times*> children;
  const proc_times* top = nullptr;
  for (const auto& p : table) {
    children.emplace(p.ppid, &p);
    if (p.pid == root) top = &p;
  }
  if (top == nullptr) return std::nullopt;
  uint64_t ticks = 0;
  std::vector<const proc_times*> todo{top};
  while (!todo.empty()) {
    const auto* p = todo.back();
    todo.pop_back();
    ticks += p->total();
    auto [first, last] = children.equal_range(p->pid);
    for (auto it = first; it != last; ++it)
      if (it->second->pid != p->pid) todo.push_back(it->second);
  }
  return ticks;
}

std::vector<proc_times> read_process_table() {
  std::vector<proc_times> table;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return table;
  while (auto* entry = ::readdir(dir)) {
    int pid = 0;
    std::string_view name(entry->d_name);
    if (!to_number(name, pid)) continue;
    std::ifstream in("/proc/" + std::string(name) + "/stat");
    std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto t = parse_proc_stat(line)) table.push_back(*t);
  }
  ::closedir(dir);
  return table;
}

double clock_ticks_per_second() {
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return ticks;
}

} // namespace paddock::tools
