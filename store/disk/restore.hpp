#pragma once
// `paddock restore FILE --to DATADIR`: a backup (a snapshot file, as `paddock-cli backup`
// fetches it) made the whole content of a server's data directory: checked completely first,
// then written durably as that directory's only snapshot, with no txn log after it.
// docs/operator-guide.md, "Backups".
#include <string>

namespace paddock::store {

struct restore_result {
  int exit_code = 0; // 0 restored, 2 refused (a damaged backup, a target holding data), 1 I/O
  std::string message;
};

// `data_dir` and `log_dir` as zoo.cfg's dataDir and dataLogDir (the same when not split).
// Their `paddock` folders must be absent or empty: a restore never mixes with a history.
restore_result restore_backup(const std::string& backup_file, const std::string& data_dir,
                              const std::string& log_dir);

} // namespace paddock::store
