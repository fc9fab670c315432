"""List-page adapters; `auto.select_adapter` picks one per column page."""

from scrapers.adapters.auto import adapter_by_name, select_adapter
from scrapers.adapters.base import ListContext, ListItem, ListPage

__all__ = ["ListContext", "ListItem", "ListPage", "adapter_by_name", "select_adapter"]
