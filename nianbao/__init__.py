"""nianbao-monitor: watches district portals for 政府信息公开工作年度报告 and checks them."""

__version__ = "0.1.0"
