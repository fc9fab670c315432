"""How the monitor names itself to portals (the User-Agent), apart from the fetcher so the
settings can default to it without importing httpx and the fetcher at every command's start."""

DEFAULT_USER_AGENT = "nianbao-monitor/0.1 (+oversight office compliance monitor)"
