"""The Device Authorization Grant (RFC 8628): device authorizations and their user codes (``authorizations.py``,
``user_codes.py``), the user page where a person enters a code (``verification.py``) and their System Log events
(``events.py``). The endpoint is ``oauth/endpoints/device_authorization.py``, the grant at ``/v1/token``
``oauth/grants/device_code.py`` (docs/ARCHITECTURE.md "Device authorization")."""
