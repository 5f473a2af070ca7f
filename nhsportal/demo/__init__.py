"""The demo portal (`manage.py seed_demo`): believable sites, applications and returns on the real reference data, one account per role. DEMO ONLY; see `nhsportal.demo.seed`."""
