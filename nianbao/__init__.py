"""nianbao-monitor: watches district portals for 政府信息公开工作年度报告 and checks them.

The application layers, top to bottom (each imports only the ones below it; `.importlinter`
says so and CI checks it): `cli` (the command line and the demo) › `flows/` (Prefect
orchestration, outside this package) › `crawl` and `reporting` › `deadlines` › `store` ›
`runtime`; under them the domain packages `alerts`, `scrapers`, `reports` and `models`, which
import none of these."""

__version__ = "0.1.0"
