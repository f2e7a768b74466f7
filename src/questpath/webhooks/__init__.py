"""Webhooks: signed HTTP deliveries of learners' progress signals to integrators' endpoints."""
