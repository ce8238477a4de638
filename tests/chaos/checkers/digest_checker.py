"""Tree digests at a quiet point: servers that applied the same txns must have the same tree,
so the same digest (ZooKeeper's, digest.enabled). Unlike the other checkers this one reads
the servers, not the history: the scenario gathers each server's view once the workloads
stopped and passes it here.

A view is {"zxid": Z or None, "digest": D or None, "mismatches": N or None, "hash": {zxid:
digest}}: Paddock's mntr gives the current (tree_digest_zxid, tree_digest) and
digest_mismatches_count; `hash` (both targets) the digest after every zxid that is a multiple
of 128. Two servers are compared wherever they report the same zxid.
"""


def parse_mntr(text):
    """The digest keys of an mntr answer: (zxid, digest, mismatches), None for absent keys."""
    values = {}
    for line in (text or "").splitlines():
        key, _, value = line.partition("\t")
        values[key] = value
    def number(key):
        try:
            return int(values[key])
        except (KeyError, ValueError):
            return None
    return number("zk_tree_digest_zxid"), number("zk_tree_digest"), number(
        "zk_digest_mismatches_count")


def parse_hash(text):
    """{zxid: digest} of a `hash` answer ("<hex zxid>: <digest>" lines); others ignored."""
    out = {}
    for line in (text or "").splitlines():
        zxid, sep, digest = line.partition(": ")
        if not sep:
            continue
        try:
            out[int(zxid, 16)] = int(digest)
        except ValueError:
            continue
    return out


def check(views):
    """views: {sid: view}. Returns {"valid", "compared", "explanation", "views"}: valid is
    False when two servers disagree at a zxid both report, "unknown" when no two servers
    reported a common zxid (nothing could be compared), True otherwise."""
    at = {}  # zxid -> {sid: digest}
    for sid, v in views.items():
        if v.get("zxid") is not None and v.get("digest") is not None:
            at.setdefault(v["zxid"], {})[sid] = v["digest"]
        for zxid, digest in (v.get("hash") or {}).items():
            at.setdefault(zxid, {})[sid] = digest
    compared = 0
    disagreements = []
    for zxid in sorted(at):
        by_sid = at[zxid]
        if len(by_sid) < 2:
            continue
        compared += 1
        if len(set(by_sid.values())) > 1:
            disagreements.append(f"after zxid {zxid:#x}: " + ", ".join(
                f"server {sid} {d}" for sid, d in sorted(by_sid.items())))
    mismatches = {sid: v["mismatches"] for sid, v in views.items() if v.get("mismatches")}
    summary = {sid: {"zxid": v.get("zxid"), "digest": v.get("digest"),
                     "mismatches": v.get("mismatches")} for sid, v in views.items()}
    if disagreements:
        return {"valid": False, "compared": compared, "views": summary,
                "explanation": "servers at the same zxid have different tree digests: "
                               + "; ".join(disagreements[:5])}
    if compared == 0:
        return {"valid": "unknown", "compared": 0, "views": summary,
                "explanation": "no zxid reported by two servers: nothing to compare"}
    note = (f"; digest mismatches counted by learners during the run: {mismatches}"
            if mismatches else "")
    return {"valid": True, "compared": compared, "views": summary,
            "explanation": f"{compared} zxids compared across servers, all equal" + note}
