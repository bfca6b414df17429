"""Alerts to webhooks (generic JSON or Slack-compatible) from an outbox kept in the findings database.

store.load_alert_routes(routes_for(config.alerts))   # a scan's commits then queue alerts with their findings
with Deliverer(store.con, config.alerts, config.export.links) as deliverer:
    report = deliverer.run()                          # one bounded pass: send, retry with backoff, record
print(report.summary())

The guarantees (at most once per receiver and finding, nothing lost while a receiver is down)
are spelled out in `dlp.alerts.deliver`; the states in `dlp.alerts.outbox`.
"""

from dlp.alerts.deliver import Deliverer, DeliveryReport
from dlp.alerts.outbox import requeue, status
from dlp.alerts.routes import routes_for
from dlp.alerts.webhook import Outcome, Result, post, signature

__all__ = [
    "Deliverer",
    "DeliveryReport",
    "Outcome",
    "Result",
    "post",
    "requeue",
    "routes_for",
    "signature",
    "status",
]
