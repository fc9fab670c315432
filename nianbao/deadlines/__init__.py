"""The deadline watch: the legal calendar and each agency's verdict (calendar: on time, late,
missing, due soon, unverifiable), the deadline step of a run with its MISSING, LATE and DUE-
SOON findings (watch), and portal health (health), held back while the deadline makes a portal
failure matter."""
