"""The store: the registry file and its sync into the database (registry), recording reports,
versions, findings and alerts (record), and the raw documents kept byte for byte (rawstore).
Everything that writes the monitor's own rows goes through here."""
