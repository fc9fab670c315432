"""The process: settings from the environment and .env checked at start (settings), the checks
before a run crawls anything (preflight), and memory and collector tuning for long runs
(memory, gc_tuning)."""
