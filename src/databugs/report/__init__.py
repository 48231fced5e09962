"""The result of a scan: one Report type, built by a scan or read back from report.json."""
