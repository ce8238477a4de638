#include "store/disk/snapshot_stream.hpp"

#include "store/disk/snapshot_frames.hpp"

namespace paddock::store {

snapshot_stream::snapshot_stream(data_tree& tree) {
  tree.begin_snapshot();
  zxid_ = tree.snapshot_zxid();
  enc_ = std::make_unique<snapshot_frames::encoder>([this](std::string_view bytes) {
    pending_.append(bytes);
    return io_status::success();
  });
}

snapshot_stream::~snapshot_stream() = default;

io_status snapshot_stream::next(data_tree& tree, size_t max_nodes, std::string& out) {
  if (done_) return io_status::success();
  auto& w = *enc_;
  io_status st;
  if (!started_) {
    started_ = true;
    if (st = w.header(zxid_); !st.ok()) return st;
    for (const auto& [ref, acls] : tree.snapshot_acls())
      if (st = w.acl(ref, acls); !st.ok()) return st;
  }
  bool more = tree.next_snapshot_nodes(max_nodes, [&](const znode_image& img) {
    if (st.ok()) st = w.node(img);
  });
  if (!st.ok()) return st;
  if (!more) {
    for (const auto& e : tree.snapshot_sessions())
      if (st = w.session(e); !st.ok()) return st;
    if (st = w.trailer(); !st.ok()) return st;
    tree.end_snapshot();
    done_ = true;
  } else if (st = w.flush(); !st.ok())
    return st;
  bytes_ += pending_.size();
  out.append(pending_);
  pending_.clear();
  return io_status::success();
}

} // namespace paddock::store
