"""Normalisation of money, units, currencies and periods."""
