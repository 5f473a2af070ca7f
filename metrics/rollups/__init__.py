"""Rollups: the figures added up by site, ICB, region, wave and England; built in set-based SQL, swapped in, run by leased jobs, read through selectors. See ADR 20."""
