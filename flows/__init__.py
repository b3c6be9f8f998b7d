"""Prefect flows: thin wiring of the aipipe library into scheduled, observable runs."""
