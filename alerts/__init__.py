"""Alerts: the outbox (enqueue in the caller's transaction), Chinese templates, apprise delivery.

See docs/alerts.md for the delivery guarantees and the recipient URLs offices use."""

from alerts.config import ConfigError, load_config, write_demo_config
from alerts.deliver import DeliveryReport, deliver_pending, send_test_message
from alerts.outbox import enqueue, list_alerts
from alerts.sink import start_webhook_sink

__all__ = [
    "ConfigError",
    "DeliveryReport",
    "deliver_pending",
    "enqueue",
    "list_alerts",
    "load_config",
    "send_test_message",
    "start_webhook_sink",
    "write_demo_config",
]
