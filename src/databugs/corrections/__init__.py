"""Corrections: decide which of a scan's to apply, write the corrected data, record decisions."""
