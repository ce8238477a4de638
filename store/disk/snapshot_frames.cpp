#include "store/disk/snapshot_frames.hpp"

#include "protocol/bytes/byte_order.hpp"
#include "protocol/proto/snapshot.pb.h"
#include "store/disk/crc32c.hpp"

#include <cerrno>

namespace paddock::store::snapshot_frames {
struct encoder::messages {
  proto::SnapshotHeader header;
  proto::AclList acl;
  proto::SnapshotNode node;
  proto::SnapshotSession session;
  proto::SnapshotTrailer trailer;
};

encoder::encoder(sink out) : out_(std::move(out)), msgs_(std::make_unique<messages>()) {
  buf_.reserve(io_chunk + 4096);
  buf_.append(magic);
}

encoder::~encoder() = default;

io_status encoder::add(kind k, const google::protobuf::MessageLite& m) {
  auto start = buf_.size();
  buf_.resize(start + frame_header_size);
  buf_[start + 8] = static_cast<char>(k);
  if (!m.AppendToString(&buf_)) return io_status::from_errno(EINVAL, "serialize snapshot");
  auto body_size = buf_.size() - start - frame_header_size;
  bytes::store_le32(buf_.data() + start, static_cast<uint32_t>(body_size));
  bytes::store_le32(buf_.data() + start + 4,
                    crc32c(std::string_view(buf_).substr(start + 8, body_size + 1)));
  if (buf_.size() >= io_chunk) return flush();
  return io_status::success();
}

uint32_t encoder::file_crc() const {
  return crc32c_extend(file_crc_, std::span<const char>(buf_.data(), buf_.size()));
}

io_status encoder::flush() {
  if (buf_.empty()) return io_status::success();
  file_crc_ = file_crc();
  auto st = out_(buf_);
  buf_.clear();
  return st;
}

io_status encoder::header(int64_t zxid) {
  auto& h = msgs_->header;
  h.set_format(1);
  h.set_zxid(zxid);
  return add(kind::header, h);
}

io_status encoder::acl(uint32_t ref, const jute::acl_list& acls) {
  auto& al = msgs_->acl;
  al.Clear();
  al.set_ref(ref);
  for (const auto& a : acls) {
    auto* p = al.add_acl();
    p->set_perms(a.perms);
    p->mutable_id()->set_scheme(a.id.scheme);
    p->mutable_id()->set_ident(a.id.ident);
  }
  ++acl_lists_;
  return add(kind::acl_list, al);
}

io_status encoder::node(const znode_image& img) {
  auto& n = msgs_->node;
  n.set_path(img.path.data(), img.path.size());
  n.set_data(img.data.data(), img.data.size());
  n.set_data_is_null(img.data_is_null);
  n.set_czxid(img.czxid);
  n.set_mzxid(img.mzxid);
  n.set_pzxid(img.pzxid);
  n.set_ctime(img.ctime);
  n.set_mtime(img.mtime);
  n.set_ephemeral_owner(img.ephemeral_owner);
  n.set_version(img.version);
  n.set_cversion(img.cversion);
  n.set_aversion(img.aversion);
  n.set_acl_ref(img.acl_ref);
  n.set_num_children(img.num_children);
  ++nodes_;
  return add(kind::node, n);
}

io_status encoder::session(const session_entry& e) {
  auto& s = msgs_->session;
  s.set_id(e.id);
  s.set_timeout_ms(e.timeout_ms);
  s.set_passwd(e.passwd);
  ++sessions_;
  return add(kind::session, s);
}

io_status encoder::trailer() {
  auto& t = msgs_->trailer;
  t.set_nodes(nodes_);
  t.set_sessions(sessions_);
  t.set_acl_lists(acl_lists_);
  t.set_file_crc(file_crc());
  if (auto st = add(kind::trailer, t); !st.ok()) return st;
  return flush();
}

} // namespace paddock::store::snapshot_frames
