"""Metric catalogue, reporting periods and returns arrive with the monthly returns issue."""
