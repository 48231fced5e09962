"""Review flagged rows one at a time in a terminal; every decision goes to the ledger."""
