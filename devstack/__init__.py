"""The local stack behind ``make run``: moto's server as the embedded AWS and the app on a real HTTP server.

Not part of the Lambda bundle: Chalice packages only ``app.py`` and ``chalicelib/``.
"""
