"""Management use cases: validation, defaults, system objects, lifecycle and priorities (no Chalice, no AWS)."""
