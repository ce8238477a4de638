#include "store/disk/fault_injecting_file_system.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace paddock::store {

namespace {

bool mutating(fault_injecting_file_system::op o) {
  using op = fault_injecting_file_system::op;
  return o != op::open_read && o != op::read && o != op::list;
}

std::string without_trailing_slashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir;
}

} // namespace

// A file open for writing: it keeps its inode (as a descriptor does), so it goes on
// writing the same file after a rename or a remove of its name.
class fault_injecting_file_system::writable final : public writable_file {
public:
  writable(fault_injecting_file_system& fs, std::shared_ptr<inode> node, std::string path)
      : fs_(fs), node_(std::move(node)), path_(std::move(path)), generation_(fs.generation_) {}

  io_status write_at(int64_t offset, std::string_view bytes, size_t& written) override {
    written = 0;
    if (auto st = fs_.check_handle(generation_, op::write, path_); !st.ok()) return st;
    size_t n = bytes.size();
    if (auto st = fs_.take_room(path_, n); !st.ok()) return st;
    auto& data = node_->data;
    const auto end = static_cast<size_t>(offset) + n;
    if (data.size() < end) data.resize(end, '\0');
    std::memcpy(data.data() + offset, bytes.data(), n);
    node_->pending.push_back({true, offset, std::string(bytes.substr(0, n))});
    fs_.bytes_written_ += n;
    written = n;
    return io_status::success();
  }

  io_status sync_data() override { return sync(); }

  io_status sync() override {
    if (auto st = fs_.check_handle(generation_, op::sync, path_); !st.ok()) return st;
    sync_inode(*node_);
    return io_status::success();
  }

  io_status truncate(int64_t size) override {
    if (auto st = fs_.check_handle(generation_, op::truncate, path_); !st.ok()) return st;
    node_->data.resize(static_cast<size_t>(size), '\0');
    node_->pending.push_back({false, size, {}});
    return io_status::success();
  }

  io_status preallocate(int64_t offset, int64_t length) override {
    if (auto st = fs_.check_handle(generation_, op::preallocate, path_); !st.ok()) return st;
    // Reserving needs the room it reserves (it takes none of the write budget, though).
    if (fs_.space_ && *fs_.space_ < length)
      return io_status::from_errno(ENOSPC, "preallocate " + path_);
    const auto end = static_cast<size_t>(offset + length);
    if (node_->data.size() < end) {
      node_->data.resize(end, '\0');
      node_->pending.push_back({false, offset + length, {}});
    }
    return io_status::success();
  }

  const std::string& path() const override { return path_; }

private:
  fault_injecting_file_system& fs_;
  std::shared_ptr<inode> node_;
  std::string path_;
  uint64_t generation_;
};

class fault_injecting_file_system::readable final : public readable_file {
public:
  readable(fault_injecting_file_system& fs, std::shared_ptr<inode> node, std::string path)
      : fs_(fs), node_(std::move(node)), path_(std::move(path)), generation_(fs.generation_) {}

  io_status read_at(int64_t offset, char* buf, size_t n, size_t& got) override {
    got = 0;
    if (auto st = fs_.check_handle(generation_, op::read, path_); !st.ok()) return st;
    const auto& data = node_->data;
    if (static_cast<size_t>(offset) >= data.size()) return io_status::success();
    got = std::min(n, data.size() - static_cast<size_t>(offset));
    std::memcpy(buf, data.data() + offset, got);
    return io_status::success();
  }

  io_status size(int64_t& out) override {
    if (generation_ != fs_.generation_ || fs_.crashed_)
      return io_status::from_errno(EIO, "stat " + path_ + " (simulated crash)");
    out = static_cast<int64_t>(node_->data.size());
    return io_status::success();
  }

  const std::string& path() const override { return path_; }

private:
  fault_injecting_file_system& fs_;
  std::shared_ptr<inode> node_;
  std::string path_;
  uint64_t generation_;
};

fault_injecting_file_system::fault_injecting_file_system() = default;
fault_injecting_file_system::~fault_injecting_file_system() = default;

io_status fault_injecting_file_system::enter(op o, const std::string& path) {
  if (crashed_) return io_status::from_errno(EIO, path + " (simulated crash)");
  if (mutating(o)) {
    ++mutating_calls_;
    if (crash_in_) {
      if (*crash_in_ == 0) {
        crash(crash_keeps_);
        return io_status::from_errno(EIO, path + " (simulated crash)");
      }
      --*crash_in_;
    }
  }
  ++calls_[o];
  auto it = plans_.find(o);
  if (it == plans_.end() || !it->second.armed) return io_status::success();
  auto& p = it->second;
  if (path.find(p.path_part) == std::string::npos) return io_status::success();
  if (p.skip > 0) {
    --p.skip;
    return io_status::success();
  }
  if (!p.sticky) p.armed = false;
  return io_status::from_errno(p.error, path + " (injected fault)");
}

io_status fault_injecting_file_system::check_handle(uint64_t generation, op o,
                                                    const std::string& path) {
  if (generation != generation_ && !crashed_)
    return io_status::from_errno(EIO, path + " (opened before a simulated crash)");
  return enter(o, path);
}

io_status fault_injecting_file_system::take_room(const std::string& path, size_t& n) {
  if (short_write_in_) {
    const auto left = static_cast<size_t>(*short_write_in_);
    if (left == 0) {
      short_write_in_.reset(); // the cut falls between two writes: nothing to shorten
    } else if (left < n) {
      n = left;
      short_write_in_.reset();
    } else {
      *short_write_in_ -= static_cast<int64_t>(n);
    }
  }
  if (space_) {
    if (*space_ == 0) return io_status::from_errno(ENOSPC, "write " + path);
    n = std::min(n, static_cast<size_t>(*space_));
    *space_ -= static_cast<int64_t>(n);
  }
  return io_status::success();
}

void fault_injecting_file_system::sync_inode(inode& node) {
  node.durable = node.data;
  node.pending.clear();
}

bool fault_injecting_file_system::directory_exists(const std::string& dir) const {
  auto d = without_trailing_slashes(dir);
  return d == "/" || d == "." || directories_.count(d) > 0;
}

io_status fault_injecting_file_system::open_for_write(const std::string& path, open_mode mode,
                                                      std::unique_ptr<writable_file>& out) {
  if (auto st = enter(op::open_write, path); !st.ok()) return st;
  auto it = entries_.find(path);
  if (it == entries_.end()) {
    if (mode == open_mode::existing) return io_status::from_errno(ENOENT, "open " + path);
    if (!directory_exists(parent_directory(path)))
      return io_status::from_errno(ENOENT, "create " + path);
    it = entries_.emplace(path, std::make_shared<inode>()).first;
  } else if (mode == open_mode::create_or_truncate && !it->second->data.empty()) {
    it->second->data.clear();
    it->second->pending.push_back({false, 0, {}});
  }
  out = std::make_unique<writable>(*this, it->second, path);
  return io_status::success();
}

io_status fault_injecting_file_system::open_for_read(const std::string& path,
                                                     std::unique_ptr<readable_file>& out) {
  if (auto st = enter(op::open_read, path); !st.ok()) return st;
  auto it = entries_.find(path);
  if (it == entries_.end()) return io_status::from_errno(ENOENT, "open " + path);
  out = std::make_unique<readable>(*this, it->second, path);
  return io_status::success();
}

io_status fault_injecting_file_system::rename(const std::string& from, const std::string& to) {
  if (auto st = enter(op::rename, from); !st.ok()) return st;
  auto it = entries_.find(from);
  if (it == entries_.end() || !directory_exists(parent_directory(to)))
    return io_status::from_errno(ENOENT, "rename " + from + " to " + to);
  if (from == to) return io_status::success();
  auto node = it->second;
  entries_.erase(it);
  entries_[to] = std::move(node);
  return io_status::success();
}

io_status fault_injecting_file_system::remove(const std::string& path) {
  if (auto st = enter(op::remove, path); !st.ok()) return st;
  if (entries_.erase(path) == 0) return io_status::from_errno(ENOENT, "remove " + path);
  return io_status::success();
}

io_status fault_injecting_file_system::sync_directory(const std::string& dir_path) {
  if (auto st = enter(op::sync_directory, dir_path); !st.ok()) return st;
  const auto dir = without_trailing_slashes(dir_path);
  if (!directory_exists(dir)) return io_status::from_errno(ENOENT, "open directory " + dir);
  for (auto it = durable_entries_.begin(); it != durable_entries_.end();)
    if (parent_directory(it->first) == dir && entries_.count(it->first) == 0)
      it = durable_entries_.erase(it);
    else
      ++it;
  for (const auto& [path, node] : entries_)
    if (parent_directory(path) == dir) durable_entries_[path] = node;
  return io_status::success();
}

io_status fault_injecting_file_system::list(const std::string& dir_path,
                                            std::vector<std::string>& names) {
  names.clear();
  if (auto st = enter(op::list, dir_path); !st.ok()) return st;
  const auto dir = without_trailing_slashes(dir_path);
  if (!directory_exists(dir)) return io_status::from_errno(ENOENT, "list " + dir);
  for (const auto& [path, node] : entries_)
    if (parent_directory(path) == dir) names.push_back(path.substr(dir.size() + 1));
  return io_status::success();
}

io_status fault_injecting_file_system::create_directories(const std::string& dir_path) {
  if (auto st = enter(op::create_directories, dir_path); !st.ok()) return st;
  auto dir = without_trailing_slashes(dir_path);
  for (auto d = dir; !d.empty() && d != "/" && d != "."; d = parent_directory(d)) {
    if (entries_.count(d) > 0) return io_status::from_errno(ENOTDIR, "create directory " + d);
    directories_.insert(d);
  }
  return io_status::success();
}

void fault_injecting_file_system::fail(op o, int error, uint64_t skip, std::string path_part,
                                       bool sticky) {
  plans_[o] = plan{true, error, skip, std::move(path_part), sticky};
}

void fault_injecting_file_system::set_space(std::optional<int64_t> bytes) {
  space_ = bytes;
}

void fault_injecting_file_system::short_write_after(int64_t bytes) {
  short_write_in_ = bytes;
}

void fault_injecting_file_system::clear_faults() {
  plans_.clear();
  space_.reset();
  short_write_in_.reset();
}

void fault_injecting_file_system::crash(size_t keep_unsynced_bytes) {
  std::set<inode*> nodes;
  for (const auto* map : {&entries_, &durable_entries_})
    for (const auto& [path, node] : *map)
      nodes.insert(node.get());
  for (auto* node : nodes) {
    // The first changes since the last sync may have reached the disk before the power went.
    size_t budget = keep_unsynced_bytes;
    for (const auto& c : node->pending) {
      if (budget == 0) break;
      if (!c.is_write) {
        node->durable.resize(static_cast<size_t>(c.offset), '\0');
        continue;
      }
      const size_t n = std::min(budget, c.bytes.size());
      const auto end = static_cast<size_t>(c.offset) + n;
      if (node->durable.size() < end) node->durable.resize(end, '\0');
      std::memcpy(node->durable.data() + c.offset, c.bytes.data(), n);
      budget -= n;
    }
    node->data = node->durable;
    node->pending.clear();
  }
  entries_ = durable_entries_;
  crash_in_.reset();
  crashed_ = true;
  ++generation_;
}

void fault_injecting_file_system::crash_after(uint64_t skip, size_t keep_unsynced_bytes) {
  crash_in_ = skip;
  crash_keeps_ = keep_unsynced_bytes;
}

void fault_injecting_file_system::restart() {
  crashed_ = false;
}

bool fault_injecting_file_system::exists(const std::string& path) const {
  return entries_.count(path) > 0;
}

std::string fault_injecting_file_system::contents(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? std::string{} : it->second->data;
}

std::vector<std::string> fault_injecting_file_system::files() const {
  std::vector<std::string> out;
  for (const auto& [path, node] : entries_)
    out.push_back(path);
  return out;
}

void fault_injecting_file_system::put_file(const std::string& path, const std::string& bytes) {
  for (auto d = parent_directory(path); !d.empty() && d != "/" && d != "."; d = parent_directory(d))
    directories_.insert(d);
  auto node = std::make_shared<inode>();
  node->data = node->durable = bytes;
  entries_[path] = node;
  durable_entries_[path] = node;
}

size_t fault_injecting_file_system::unsynced_bytes() const {
  std::set<const inode*> nodes;
  for (const auto* map : {&entries_, &durable_entries_})
    for (const auto& [path, node] : *map)
      nodes.insert(node.get());
  size_t n = 0;
  for (const auto* node : nodes)
    for (const auto& c : node->pending)
      n += c.bytes.size();
  return n;
}

uint64_t fault_injecting_file_system::calls(op o) const {
  auto it = calls_.find(o);
  return it == calls_.end() ? 0 : it->second;
}

} // namespace paddock::store
