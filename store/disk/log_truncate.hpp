#pragma once
// ZAB's TRUNC and SNAP on disk: a learner drops the txns its new leader never committed, or
// its whole log when it takes a snapshot instead. The log writer calls these with its
// current segment closed; both leave the directory durable (files and directory fsync'ed),
// and work from the newest segment down, each step durable before the next, so that a crash
// part way leaves a prefix of the log, never a hole.
#include "store/disk/file_system.hpp"
#include "store/disk/io_status.hpp"

#include <cstdint>
#include <string>

namespace paddock::store {

// Removes every record with a zxid greater than `zxid`: later segments are deleted, the
// segment holding `zxid` is cut right after its record.
io_status truncate_log_after(file_system& fs, const std::string& dir, int64_t zxid);

// Deletes every log segment (a snapshot received from the leader replaces the history).
io_status remove_log(file_system& fs, const std::string& dir);

} // namespace paddock::store
