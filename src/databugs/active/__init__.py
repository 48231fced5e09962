"""Active learning: which rows to label (or relabel) next."""
