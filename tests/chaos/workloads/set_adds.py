"""The set workload: unique sequential creates, then one read of the whole set after the
cluster healed. Every acknowledged create must be there, nothing may appear that no client
created, no element twice (a client never retries a create, so a duplicate is a server bug).

  add         create(ROOT/e-, data=element, SEQUENTIAL): {"path": created path}
  final-read  {"elements": {path: element}}
"""
from recorder import Process
from workloads.common import OPERATION_TIMEOUT, Worker, Workload, attempt_write, make_client

ROOT = "/chaos/set"


class SetClient(Worker):
    def __init__(self, recorder, connect_string, seed):
        super().__init__(f"set-{seed}", seed)
        self.recorder = recorder
        self.connect_string = connect_string

    def run(self):
        client = make_client(self.connect_string, self.rng)
        process = Process(self.recorder)
        n = 0
        try:
            while not self.stopping():
                n += 1
                element = f"{self.name}-{n}"
                process.invoke("add", None, {"element": element})
                path, _ = attempt_write(process, lambda: client.create_async(
                    f"{ROOT}/e-", element.encode(), sequence=True).get(timeout=OPERATION_TIMEOUT))
                if path is None:
                    self.back_off()
                    continue
                process.ok({"path": path})
                self.pause(0.0, 0.05)
        finally:
            client.stop()
            client.close()


class SetWorkload(Workload):
    name = "set"

    def __init__(self, recorder, connect_string, seed, clients=2):
        self.recorder = recorder
        self.workers = [SetClient(recorder, connect_string, seed * 100 + 50 + i)
                        for i in range(clients)]

    def setup(self, client):
        client.ensure_path(ROOT)

    def final_read(self, client):
        """Reads the whole set through a client of a healed cluster (after a sync)."""
        process = Process(self.recorder)
        process.invoke("final-read")
        client.sync(ROOT)
        elements = {}
        for child in client.get_children(ROOT):
            data, _ = client.get(f"{ROOT}/{child}")
            elements[f"{ROOT}/{child}"] = data.decode()
        process.ok({"elements": elements})
        return len(elements)
