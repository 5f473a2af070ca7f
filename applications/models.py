"""Application rounds, applications, reviews and decisions arrive with the applications issue."""
