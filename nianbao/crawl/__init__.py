"""The crawl service: which agencies a run covers (lookup), one agency's crawl from its portal to
recorded reports, findings and pending alerts (service), what one crawl leaves for the next
(cache), the check context of a report (context), crawl runs and their heartbeat (runs), and
re-checking stored reports under new rules (revalidate). No Prefect code: the flows, the CLI
and the benchmarks call the same functions."""
