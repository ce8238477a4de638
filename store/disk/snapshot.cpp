#include "store/disk/snapshot.hpp"

#include "protocol/bytes/byte_order.hpp"
#include "protocol/proto/snapshot.pb.h"
#include "store/disk/crc32c.hpp"
#include "store/disk/snapshot_frames.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <functional>
#include <sys/types.h> // ssize_t
#include <unordered_map>

namespace paddock::store {
namespace {

using snapshot_frames::encoder;
using snapshot_frames::frame_header_size;
using snapshot_frames::io_chunk;
using snapshot_frames::kind;
using snapshot_frames::magic;
using snapshot_frames::max_frame_body;

io_status write_frames(const data_tree& tree, encoder& w) {
  if (auto st = w.header(tree.last_zxid()); !st.ok()) return st;
  io_status st;
  tree.for_each_acl([&](uint32_t ref, const jute::acl_list& acls) {
    if (st.ok()) st = w.acl(ref, acls);
  });
  if (!st.ok()) return st;
  tree.for_each_node([&](const znode_image& img) {
    if (st.ok()) st = w.node(img);
  });
  if (!st.ok()) return st;
  for (const auto& e : tree.sessions())
    if (st = w.session(e); !st.ok()) return st;
  return w.trailer();
}

// Reads a snapshot front to back in large chunks, from a file or from memory.
class frame_reader {
public:
  // Reads up to `n` bytes into `buf`; returns 0 at the end, -1 on an error.
  using source = std::function<ssize_t(char* buf, size_t n)>;
  explicit frame_reader(source in) : in_(std::move(in)) {}

  // Makes `n` bytes available at pos_; false at the end of the input.
  bool want(size_t n) {
    while (buf_.size() - pos_ < n) {
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      auto old = buf_.size();
      buf_.resize(old + std::max(io_chunk, n));
      auto got = in_(buf_.data() + old, buf_.size() - old);
      if (got <= 0) {
        buf_.resize(old);
        return false;
      }
      buf_.resize(old + static_cast<size_t>(got));
    }
    return true;
  }

  std::string_view take(size_t n) {
    auto out = std::string_view(buf_).substr(pos_, n);
    pos_ += n;
    crc_ = crc32c_extend(crc_, std::span<const char>(out.data(), out.size()));
    return out;
  }

  // CRC of every byte taken so far (kept up to date by take: once per byte).
  uint32_t crc_so_far() const { return crc_; }

private:
  source in_;
  std::string buf_;
  size_t pos_ = 0;
  uint32_t crc_ = 0;
};

// Reads `file` from its start.
frame_reader::source file_source(readable_file& file) {
  return [&file, offset = int64_t{0}](char* buf, size_t n) mutable -> ssize_t {
    size_t got = 0;
    if (!file.read_at(offset, buf, n, got).ok()) return -1;
    offset += static_cast<int64_t>(got);
    return static_cast<ssize_t>(got);
  };
}

frame_reader::source memory_source(std::string_view bytes) {
  return [bytes](char* buf, size_t n) mutable -> ssize_t {
    auto k = std::min(n, bytes.size());
    std::memcpy(buf, bytes.data(), k);
    bytes.remove_prefix(k);
    return static_cast<ssize_t>(k);
  };
}

struct frame {
  kind k;
  std::string_view body;
};

} // namespace

std::string snapshot_name(int64_t zxid) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "snapshot.%016llx", static_cast<unsigned long long>(zxid));
  return buf;
}

std::vector<snapshot_file> list_snapshots(file_system& fs, const std::string& dir) {
  std::vector<snapshot_file> out;
  std::vector<std::string> names;
  if (!fs.list(dir, names).ok()) return out;
  for (const auto& entry : names) {
    std::string_view name = entry;
    if (name.size() != 9 + 16 || name.substr(0, 9) != "snapshot.") continue;
    uint64_t v = 0;
    bool ok = true;
    for (char c : name.substr(9)) {
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) ok = false;
      v = (v << 4) | static_cast<uint64_t>(digit < 0 ? 0 : digit);
    }
    if (ok) out.push_back({static_cast<int64_t>(v), dir + "/" + std::string(name)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.zxid > b.zxid; });
  return out;
}

namespace {} // namespace

snapshot_file_writer::snapshot_file_writer(file_system& fs, std::string dir, int64_t zxid)
    : fs_(fs), dir_(std::move(dir)), final_path_(dir_ + "/" + snapshot_name(zxid)),
      tmp_path_(final_path_ + ".tmp") {}

snapshot_file_writer::~snapshot_file_writer() {
  abandon();
}

io_status snapshot_file_writer::open() {
  return fs_.open_for_write(tmp_path_, open_mode::create_or_truncate, file_);
}

io_status snapshot_file_writer::append(std::string_view bytes) {
  if (!file_) return io_status::from_errno(EBADF, "snapshot file not open: " + tmp_path_);
  auto st = write_fully(*file_, offset_, bytes);
  offset_ += static_cast<int64_t>(bytes.size());
  return st;
}

io_status snapshot_file_writer::sync_data() {
  if (!file_) return io_status::from_errno(EBADF, "snapshot file not open: " + tmp_path_);
  return file_->sync_data();
}

io_status snapshot_file_writer::finish() {
  if (!file_) return io_status::from_errno(EBADF, "snapshot file not open: " + tmp_path_);
  auto st = file_->sync();
  file_.reset();
  if (st.ok()) st = fs_.rename(tmp_path_, final_path_);
  if (!st.ok()) {
    (void)fs_.remove(tmp_path_);
    return st;
  }
  renamed_ = true;
  return fs_.sync_directory(dir_);
}

void snapshot_file_writer::abandon() {
  if (renamed_ || (!file_ && offset_ == 0)) return;
  file_.reset();
  (void)fs_.remove(tmp_path_);
  offset_ = 0;
}

namespace {

// Writes "snapshot.<zxid>" in `dir` crash-safely: `fill` writes the bytes through the sink.
io_status write_snapshot_file(file_system& fs, const std::string& dir, int64_t zxid,
                              const std::function<io_status(encoder::sink)>& fill) {
  snapshot_file_writer file(fs, dir, zxid);
  if (auto st = file.open(); !st.ok()) return st;
  if (auto st = fill([&file](std::string_view bytes) { return file.append(bytes); }); !st.ok())
    return st;
  return file.finish();
}

} // namespace

io_status write_snapshot(file_system& fs, const data_tree& tree, const std::string& dir) {
  return write_snapshot_file(fs, dir, tree.last_zxid(), [&](encoder::sink out) {
    encoder w(std::move(out));
    return write_frames(tree, w);
  });
}

namespace {

io_status read_frames(frame_reader& r, const std::string& path, data_tree& out) {
  auto bad = [&](std::string why) {
    return io_status{EINVAL, fmt::format("{}: {}", path, why), false};
  };
  if (!r.want(magic.size()) || r.take(magic.size()) != magic) return bad("not a snapshot");

  auto next = [&](frame& f, uint32_t& crc_before) -> std::string {
    crc_before = r.crc_so_far();
    if (!r.want(frame_header_size)) return "ends without a trailer";
    // Copy what the header says before asking for the body: want() may move the buffer.
    auto h = r.take(frame_header_size);
    const auto length = bytes::load_le32(h.data());
    const auto crc = bytes::load_le32(h.data() + 4);
    const char kind_byte = h[8];
    f.k = static_cast<kind>(static_cast<uint8_t>(kind_byte));
    if (length > max_frame_body) return "impossible record length";
    if (!r.want(length)) return "ends inside a record";
    f.body = r.take(length);
    uint32_t actual = crc32c_extend(crc32c(std::string_view(&kind_byte, 1)),
                                    std::span<const char>(f.body.data(), f.body.size()));
    if (actual != crc) return "bad record checksum";
    return {};
  };

  frame f{};
  uint32_t crc_before = 0;
  if (auto e = next(f, crc_before); !e.empty()) return bad(e);
  proto::SnapshotHeader h;
  if (f.k != kind::header || !h.ParseFromArray(f.body.data(), static_cast<int>(f.body.size())) ||
      h.format() != 1)
    return bad("bad header");

  data_tree tree;
  std::unordered_map<uint32_t, jute::acl_list> acls;
  uint64_t nodes = 0, sessions = 0;
  proto::AclList al;
  proto::SnapshotNode n;
  proto::SnapshotSession s;
  proto::SnapshotTrailer t;
  const jute::acl_list no_acl;
  while (true) {
    if (auto e = next(f, crc_before); !e.empty()) return bad(e);
    auto size = static_cast<int>(f.body.size());
    switch (f.k) {
    case kind::acl_list: {
      if (!al.ParseFromArray(f.body.data(), size)) return bad("bad ACL record");
      auto& list = acls[al.ref()];
      for (const auto& a : al.acl())
        list.push_back({a.perms(), {a.id().scheme(), a.id().ident()}});
      break;
    }
    case kind::node: {
      if (!n.ParseFromArray(f.body.data(), size)) return bad("bad znode record");
      auto acl = acls.find(n.acl_ref());
      znode_image img;
      img.path = n.path();
      img.data = n.data();
      img.data_is_null = n.data_is_null();
      img.czxid = n.czxid();
      img.mzxid = n.mzxid();
      img.pzxid = n.pzxid();
      img.ctime = n.ctime();
      img.mtime = n.mtime();
      img.ephemeral_owner = n.ephemeral_owner();
      img.version = n.version();
      img.cversion = n.cversion();
      img.aversion = n.aversion();
      img.num_children = n.num_children();
      if (acl == acls.end()) return bad(fmt::format("znode {} names an unknown ACL", n.path()));
      if (!tree.restore_node(img, acl->second))
        return bad(fmt::format("znode {} without its parent", n.path()));
      ++nodes;
      break;
    }
    case kind::session:
      if (!s.ParseFromArray(f.body.data(), size)) return bad("bad session record");
      tree.restore_session({s.id(), s.timeout_ms(), s.passwd()});
      ++sessions;
      break;
    case kind::trailer:
      if (!t.ParseFromArray(f.body.data(), size)) return bad("bad trailer");
      if (t.nodes() != nodes || t.sessions() != sessions || t.acl_lists() != acls.size())
        return bad("counts in the trailer disagree with the records");
      if (t.file_crc() != crc_before) return bad("file checksum mismatch");
      if (r.want(1)) return bad("data after the trailer");
      tree.restore_last_zxid(h.zxid());
      out = std::move(tree);
      return io_status::success();
    default: return bad("unknown record kind");
    }
  }
}

} // namespace

io_status load_snapshot(file_system& fs, const std::string& path, data_tree& out) {
  std::unique_ptr<readable_file> file;
  if (auto st = fs.open_for_read(path, file); !st.ok()) return st;
  frame_reader r(file_source(*file));
  return read_frames(r, path, out);
}

io_status serialize_snapshot(const data_tree& tree, std::string& out) {
  out.clear();
  encoder w([&out](std::string_view bytes) {
    out.append(bytes);
    return io_status::success();
  });
  return write_frames(tree, w);
}

io_status parse_snapshot(std::string_view bytes, const std::string& label, data_tree& out) {
  frame_reader r(memory_source(bytes));
  return read_frames(r, label, out);
}

io_status write_snapshot_bytes(file_system& fs, std::string_view bytes, int64_t zxid,
                               const std::string& dir) {
  return write_snapshot_file(fs, dir, zxid, [&](encoder::sink out) { return out(bytes); });
}

} // namespace paddock::store
