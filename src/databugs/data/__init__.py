"""Stage 1 of the scan: read a table, check it and the options, turn columns into features."""
