"""botocore's data loader without the listing of every service (chalicelib/aws_loader.py): the same models as
botocore's own loader, the same errors, the same search paths, and no listing when a client is made."""
from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader

from chalicelib.aws_loader import ServiceDataLoader, use_service_data_loader

# The services tokenmint's clients use, and a few others of every shape (extras files, several API versions).
SERVICES = ["dynamodb", "kms", "secretsmanager", "logs", "sts", "s3", "ec2", "lambda"]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("type_name", ["service-2", "endpoint-rule-set-1", "paginators-1"])
def test_the_same_model_as_botocores_loader(service, type_name):
    ours, theirs = ServiceDataLoader().load_service_model(service, type_name), Loader().load_service_model(
        service, type_name)
    assert ours == theirs and json.dumps(ours) == json.dumps(theirs)  # the same order of keys throughout


@pytest.mark.parametrize("name", ["endpoints", "partitions", "sdk-default-configuration", "_retry"])
def test_the_same_data_files_as_botocores_loader(name):
    ours, theirs = ServiceDataLoader().load_data(name), Loader().load_data(name)
    assert ours == theirs and json.dumps(ours) == json.dumps(theirs)


def test_an_explicit_api_version_is_the_one_loaded():
    older = "2006-03-01"
    ours = ServiceDataLoader().load_service_model("s3", "service-2", older)
    assert ours["metadata"]["apiVersion"] == older == Loader().load_service_model("s3", "service-2", older)[
        "metadata"]["apiVersion"]


@pytest.mark.parametrize("service, type_name", [("no-such-service", "service-2"), ("kms", "waiters-2")])
def test_a_service_without_that_data_raises_botocores_error(service, type_name):
    with pytest.raises(UnknownServiceError) as ours:
        ServiceDataLoader().load_service_model(service, type_name)
    with pytest.raises(UnknownServiceError) as theirs:
        Loader().load_service_model(service, type_name)
    assert str(ours.value) == str(theirs.value)


def test_the_sessions_data_path_is_searched_as_botocore_does(tmp_path, monkeypatch):
    model = {"version": "2.0", "metadata": {"apiVersion": "2026-12-01", "endpointPrefix": "tmtest",
                                            "protocol": "json", "serviceId": "TmTest"},
             "operations": {}, "shapes": {}}
    (tmp_path / "tmtest" / "2026-12-01").mkdir(parents=True)
    (tmp_path / "tmtest" / "2026-12-01" / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", f"{tmp_path}")
    session = botocore.session.Session()
    use_service_data_loader(session)
    loader = session.get_component("data_loader")
    assert isinstance(loader, ServiceDataLoader)
    assert loader.load_service_model("tmtest", "service-2") == model
    assert "tmtest" in session.get_available_services()  # botocore's own listing, untouched


def test_a_session_makes_its_clients_without_listing_every_service():
    session = botocore.session.Session()
    use_service_data_loader(session)
    loader = session.get_component("data_loader")
    use_service_data_loader(session)
    assert session.get_component("data_loader") is loader  # registered once
    listed = []
    original = loader.list_available_services

    def listing(type_name):
        listed.append(type_name)
        return original(type_name)

    loader.list_available_services = listing
    for service in ("dynamodb", "kms", "secretsmanager"):
        client = session.create_client(service, region_name="us-east-1", endpoint_url="http://localhost:1",
                                       aws_access_key_id="x", aws_secret_access_key="y")
        assert client.meta.service_model.service_name == service
    assert listed == []


def test_the_containers_session_uses_it():
    from chalicelib.container import botocore_session

    assert isinstance(botocore_session().get_component("data_loader"), ServiceDataLoader)
