"""Chalice blueprints: parse the request, call the core, render. The only place errors become HTTP."""
