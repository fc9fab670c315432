"""Alerts: the outbox (enqueue in the caller's transaction), Chinese templates, apprise delivery.

See docs/alerts.md for the delivery guarantees and the recipient URLs offices use."""

from importlib import import_module
from typing import Any

# name -> module: imported on first use, so `from alerts.localtime import …` (the settings, every
# command) does not load apprise, the outbox and the sink with it
_EXPORTS = {
    "ConfigError": "alerts.config",
    "load_config": "alerts.config",
    "write_demo_config": "alerts.config",
    "DeliveryReport": "alerts.deliver",
    "deliver_pending": "alerts.deliver",
    "send_test_message": "alerts.deliver",
    "enqueue": "alerts.outbox",
    "list_alerts": "alerts.outbox",
    "start_webhook_sink": "alerts.sink",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
