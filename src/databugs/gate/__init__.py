"""The CI gate (rules over the summary figures) and the baseline (what changed since)."""
