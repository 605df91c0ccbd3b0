"""The warm path of a management call with a bearer token (issue 16): no KMS or Secrets Manager call. On DynamoDB
(moto), where every AWS call of the container is seen at botocore's boundary (tests/integration/faults)."""
from __future__ import annotations

import pytest

from tests.integration.org.test_org_server_and_bearer_admin import SERVERS, access_token, bearer, service_app

pytestmark = pytest.mark.dynamodb


def test_a_warm_management_call_with_a_bearer_token_makes_no_kms_or_secrets_manager_call(api, container):
    """The org configuration and the app come from the token path's caches; the signature is checked with the
    published public key (no private key is loaded)."""
    from tests.integration.faults.aws_faults import injected

    app = service_app(api, "okta.authorizationServers.read")
    token = access_token(api, container, app, "okta.authorizationServers.read")
    assert bearer(api, "GET", SERVERS, token).status_code == 200  # warms the caches
    with injected(container) as faults:
        assert bearer(api, "GET", SERVERS, token).status_code == 200
    assert faults.calls and not [c for c in faults.calls if c.startswith(("kms.", "secretsmanager."))], faults.calls
