#pragma once
// Atoms more than one conversation uses, so that no conversation's header has to include
// another's for them:
//   tick_atom   an actor's own timer: the session expiry actor (every half tick) and the
//               container sweeper (every check interval) send it to themselves;
//   flush_atom  a batching marker an actor sends itself: the watch manager (frames per
//               session) and the txn log writer (group commit) — it arrives after everything
//               already queued, so whatever came before it joins the batch;
//   stats_atom  admin / fault injector -> store, watch manager, session: report your figures;
//   role_atom   quorum peer -> session expiry actor, container sweeper: (bool leading) this
//               server leads and serves (expire sessions, sweep containers) or not.
//   dump_atom   admin -> store: (dump_atom) -> each session's ephemeral paths;
//               admin -> session expiry actor: (dump_atom) -> each expiry bucket's sessions
//               (the AdminServer's dump command).
#include <caf/atom.hpp>

namespace paddock::actors {

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using role_atom = caf::atom_constant<caf::atom("role")>;
using dump_atom = caf::atom_constant<caf::atom("dump")>;

} // namespace paddock::actors
