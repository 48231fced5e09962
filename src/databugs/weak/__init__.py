"""Weak labelling: experts' rules vote, a label model combines them, an end model generalises."""
