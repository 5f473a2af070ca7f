"""Rollup exports: files built by a Celery task (builder) and the requests that ask for them (requests). See ADR 20."""
