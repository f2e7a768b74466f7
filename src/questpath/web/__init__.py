"""The web pages: server-rendered HTML (Jinja2) with htmx for updates in place.

Pages live in each domain's `views.py` and call the same services as the JSON API; this package
holds what they share: the cookie session, CSRF protection, rendering, forms, and static files.
"""
