"""policy.user_consent_asked: when remembered consent can matter to a person's decision (issue 20: the authorize
endpoint reads it only then)."""
from __future__ import annotations

from dataclasses import replace

from chalicelib.policy import user_consent_asked
from tests.unit.policy.policy_support import default_config, scope, standard_scopes


def test_only_required_scopes_ask_a_person_unless_consent_is_prompted():
    config = replace(default_config(), scopes=standard_scopes(scope("api:need", consent="REQUIRED"),
                                                               scope("api:maybe", consent="FLEXIBLE")))

    def asked(scopes: list[str], trusted: bool = False, prompt: bool = False) -> bool:
        return user_consent_asked(config, scopes, client_trusted=trusted, prompt_consent=prompt)

    assert asked(["openid", "email"]) is False
    assert asked(["openid", "api:need"]) is True
    assert asked(["openid", "api:maybe"]) is False
    assert asked(["openid", "api:maybe"], prompt=True) is True
    assert asked(["openid", "api:need"], trusted=True) is False  # a TRUSTED app asks nothing unless prompted
    assert asked(["openid", "api:need"], trusted=True, prompt=True) is True
    assert asked([]) is True  # no scope requested: any of the server's scopes may be granted
    assert user_consent_asked(default_config(), [], client_trusted=False, prompt_consent=False) is False
