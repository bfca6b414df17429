"""A delivery process killed while a request is in flight: the alert is not sent twice, nothing else is lost.

The receiver takes the second request and answers only after the process is dead, which is the one
window no webhook sender can close: the receiver acted, the sender never heard. The outbox claimed
the alert (state `sending`) before the request left, so the next pass finds it in doubt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


from dlp.alerts import routes_for
from dlp.config import AlertsConfig, WebhookReceiver
from dlp.store.db import Store
from tests.alerts.receiver import Receiver
from tests.alerts.test_delivery import deliver, states
from tests.soc_data import build

WORKER = """
import sys
from dlp.alerts import Deliverer
from dlp.config import AlertsConfig, LinkTemplates, WebhookReceiver
from dlp.store.db import Store

hook = WebhookReceiver(name="soc", url=sys.argv[2], min_severity="low", max_batch=1, timeout_seconds=60)
with Store(sys.argv[1]) as store:
    Deliverer(store.con, AlertsConfig(receivers=(hook,)), LinkTemplates()).run(120)
"""


def kill_mid_request(tmp_path: Path, *, resend_in_doubt: bool, clock) -> tuple[Receiver, Path]:
    receiver = Receiver(script=["ok", "hold"])
    hook = WebhookReceiver(name="soc", url=receiver.url, min_severity="low", max_batch=1, resend_in_doubt=resend_in_doubt)
    cfg = AlertsConfig(receivers=(hook,))
    db = tmp_path / "f.duckdb"
    build(db, routes=routes_for(cfg))
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(db), receiver.url], env=dict(os.environ))
    try:
        assert receiver.in_flight.wait(60), "the worker never sent its second request"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
    receiver.release.set()  # the receiver now acts on the request the dead process sent
    assert states(db)["b"][0] == "sending"
    deliver(db, cfg, clock)
    return receiver, db


def test_after_a_kill_the_in_flight_alert_is_in_doubt_and_never_repeated(tmp_path, clock):
    receiver, db = kill_mid_request(tmp_path, resend_in_doubt=False, clock=clock)
    try:
        got = states(db)
        assert {k: v[0] for k, v in got.items()} == {"a": "sent", "b": "unknown", "c": "sent", "d": "sent"}
        assert "process stopped while this request was in flight" in got["b"][2]
        assert sorted(receiver.accepted) == sorted(k * 32 for k in "abcd")  # each exactly once
        with Store(db, read_only=True) as store:
            assert store.con.execute("SELECT outcome FROM alert_attempts WHERE outcome = 'in_doubt'").fetchall() == [("in_doubt",)]
    finally:
        receiver.close()


def test_after_a_kill_a_receiver_that_drops_repeats_gets_it_again(tmp_path, clock):
    receiver, db = kill_mid_request(tmp_path, resend_in_doubt=True, clock=clock)
    try:
        assert {v[0] for v in states(db).values()} == {"sent"}
        assert receiver.accepted.count("b" * 32) == 2  # at least once: the receiver de-duplicates on finding_id
        assert sorted(set(receiver.accepted)) == sorted(k * 32 for k in "abcd")
    finally:
        receiver.close()
