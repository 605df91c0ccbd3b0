"""The front channel: ``/v1/authorize``, the hosted sign-in and consent pages, ``/v1/logout`` (``flow.py``), their
parameters (``params.py``), redirect URI matching (``redirect_uris.py``), requests waiting for a page and the CSRF
protection of the forms (``pending.py``), and the plain-data request/response types (``browser.py``).

Nothing is imported here: ``endpoints/logout.py`` uses ``params`` and ``redirect_uris`` without loading ``flow``."""
