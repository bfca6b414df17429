"""What a scan does for the SOC around its store: suppression and alert routing at every commit,
alert delivery and a readers' snapshot after it.

    with open_store(config, progress) as store:   # waits for the lock; loads suppression files and routes
        report = ...scan...                        # each Store.commit records suppressed findings, queues alerts
        after_scan(store, config, progress)        # one bounded delivery pass; publishes the snapshot
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dlp.alerts import Deliverer, DeliveryReport, routes_for
from dlp.config import ScanConfig
from dlp.store.db import Store
from dlp.store.readonly import publish_snapshot
from dlp.triage import load_files


def open_store(config: ScanConfig, progress: Callable[[str], None] | None = None) -> Store:
    """The scan's writer. A broken suppression file stops the scan before it starts, with file:line."""
    entries = load_files(config.triage.suppression_files)
    store = Store(Path(config.store.database), lock_wait_seconds=config.store.lock_wait_seconds, on_wait=progress)
    try:
        store.load_suppression_list(entries)
        store.load_alert_routes(routes_for(config.alerts))
    except BaseException:
        store.close()
        raise
    return store


def after_scan(store: Store, config: ScanConfig, progress: Callable[[str], None] | None = None) -> DeliveryReport | None:
    """Deliver due alerts (the findings are committed), then publish the snapshot if configured."""
    say = progress or (lambda message: None)
    report = None
    if config.alerts.receivers:
        with Deliverer(store.con, config.alerts, config.export.links) as deliverer:
            report = deliverer.run()
        say(f"alerts: {report.summary()}")
        for error in report.errors:
            say(f"alerts: {error}")
    if config.store.snapshot:
        say(f"snapshot for readers: {publish_snapshot(store.con, store.path)}")
    return report
