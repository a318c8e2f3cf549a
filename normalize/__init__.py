"""Normalisation helpers: turn printed cells (values, dates, names, units, levels, orgs) into canonical data."""
