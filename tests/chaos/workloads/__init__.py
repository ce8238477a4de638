"""Chaos workloads: client threads that drive an ensemble and record a history.

Each workload has `setup(client)` (creates its znodes before the run), `start()` (starts its
threads), `stop()` (asks them to finish their current operation and joins them) and, where it
needs one, `final_read(client)` after the cluster has healed. Histories go to one shared
recorder.Recorder; tests/chaos/checkers judge them.
"""
