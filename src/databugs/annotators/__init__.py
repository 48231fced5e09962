"""Several annotators per row: read their labels, measure agreement, find the consensus."""
