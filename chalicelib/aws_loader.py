"""botocore's data loader, without listing every service to load one and without ``OrderedDict`` (issue 20, cold
start).

Before it loads a service's model, botocore's ``Loader.load_service_model`` checks the name against
``list_available_services(type_name)``, which lists every service directory of its data (~450) and looks for a file
of that type in each: ~8 ms of CPU per model type (a client loads two: ``service-2`` and ``endpoint-rule-set-1``),
~16 ms of every cold start, for an answer about three services (DynamoDB, KMS, Secrets Manager). Asking for the one
service's API versions answers the same question: a service is available exactly when one of its version
directories holds a file of that type. What follows (the latest version, the model, its extras) is botocore's own
code path; a name it does not know goes to botocore's method, which raises its own ``UnknownServiceError``.

botocore parses its JSON files with ``object_pairs_hook=OrderedDict``: half of the ~23 ms of CPU a cold start spends
parsing the files of its three clients (the endpoints file alone is 1.2 MB) goes to building ``OrderedDict``s.
Plain dicts keep the same order (Python 3.7), and botocore only iterates, reads and copies what it loads (its models
build their own ``OrderedDict``s from it), so they are parsed as plain dicts, with the same order and values.

The rest of the session is untouched: ``get_available_services`` and every other loader method are botocore's.
``tests/unit/test_aws_loader.py`` checks it loads the very models botocore's loader does, in the same order.
"""
from __future__ import annotations

import gzip
import json
import os
from typing import Any

from botocore.exceptions import DataNotFoundError
from botocore.loaders import JSONFileLoader, Loader, instance_cache


class PlainJsonFiles(JSONFileLoader):  # type: ignore[misc] # botocore ships no type information
    """botocore's JSON file loader (``.json``, then ``.json.gz``), parsing into plain dicts."""

    def load_file(self, file_path: str) -> Any:
        for extension, opener in ((".json", open), (".json.gz", gzip.open)):
            full_path = file_path + extension
            if os.path.isfile(full_path):
                with opener(full_path, "rb") as stream:
                    return json.loads(stream.read().decode("utf-8"))
        return None


class ServiceDataLoader(Loader):  # type: ignore[misc] # botocore ships no type information
    """botocore's ``Loader``; ``load_service_model`` checks only the service it is asked for, and its files are
    parsed into plain dicts."""

    FILE_LOADER_CLASS = PlainJsonFiles

    @classmethod
    def for_session(cls, session: Any) -> "ServiceDataLoader":
        """The loader botocore's session would make (``botocore.loaders.create_loader``: ``AWS_DATA_PATH`` and the
        ``data_path`` setting count)."""
        setting = session.get_config_variable("data_path")
        if setting is None:
            return cls()
        return cls(extra_search_paths=[os.path.expanduser(os.path.expandvars(path))
                                       for path in setting.split(os.pathsep)])

    @instance_cache  # type: ignore[untyped-decorator]
    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        try:
            versions = self.list_api_versions(service_name, type_name)
        except DataNotFoundError:
            # Unknown to this loader: botocore's method lists everything and raises its UnknownServiceError.
            return super().load_service_model(service_name, type_name, api_version)
        if api_version is None:
            api_version = max(versions)  # what determine_latest_version answers
        model = self.load_data(os.path.join(service_name, api_version, type_name))
        self._extras_processor.process(model, self._find_extras(service_name, type_name, api_version))
        return model


def use_service_data_loader(session: Any) -> None:
    """Makes ``session`` (a botocore session) load service data with ``ServiceDataLoader``, before it makes a
    client (a client made earlier keeps the loader it was made with)."""
    if not isinstance(session.get_component("data_loader"), ServiceDataLoader):
        session.register_component("data_loader", ServiceDataLoader.for_session(session))
