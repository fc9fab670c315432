"""What people read besides alerts: the compliance rows and finding lines of a year (compliance),
the XLSX and HTML exports with their charts (export, charts, templates), the run's summary
tables for the Prefect artifacts (run_summary), and the terminal tables of the CLI (present)."""
