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

A bundle built by `make package` also ships its own copy of the data its clients load (chalicelib/aws_data.py):
botocore's own files for DynamoDB, KMS and Secrets Manager, uncompressed, their models without the documentation
text, and the endpoints file with only those services: ~7 ms of CPU less per cold start for the endpoints file and
~7 ms for the models. The loader searches that directory just before botocore's own data (a user's ``AWS_DATA_PATH``
and ``~/.aws/models`` still come first) and counts it as botocore's built-in data, so endpoints resolve exactly as
with botocore's files. Anything it does not hold (another service, a paginator), a file it cannot parse, or a copy
made from another botocore version falls through to botocore's own data. ``TOKENMINT_AWS_DATA=off`` turns it off.

The rest of the session is untouched: ``get_available_services`` and every other loader method are botocore's.
``tests/unit/test_aws_loader.py`` checks it loads the very models botocore's loader does, in the same order.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import botocore
from botocore.exceptions import DataNotFoundError
from botocore.loaders import JSONFileLoader, Loader, instance_cache

SETTING = "TOKENMINT_AWS_DATA"  # the shipped data's directory, or "off"; default chalicelib/aws_data
SHIPPED_DIR = Path(__file__).resolve().parent / "aws_data"
VERSION_FILE = "botocore-version"  # the botocore version the shipped copy was made from


def shipped_data_dir() -> str | None:
    """The directory of AWS data `make package` shipped (chalicelib/aws_data.py), if there is one, this setting
    allows it and it was made from the running botocore's own data."""
    value = os.environ.get(SETTING, "").strip()
    if value.lower() == "off":
        return None
    root = Path(value) if value else SHIPPED_DIR
    try:
        made_from = (root / VERSION_FILE).read_text().strip()
    except OSError:  # none shipped: a source checkout (`make run`, the tests)
        return None
    return str(root) if made_from == botocore.__version__ else None


class PlainJsonFiles(JSONFileLoader):  # type: ignore[misc] # botocore ships no type information
    """botocore's JSON file loader (``.json``, then ``.json.gz``), parsing into plain dicts. A file under
    ``shipped`` that cannot be read or parsed counts as absent, so the search goes on to botocore's own."""

    def __init__(self, shipped: str | None = None) -> None:
        self._shipped = None if shipped is None else os.path.join(os.path.abspath(shipped), "")

    def load_file(self, file_path: str) -> Any:
        for extension, opener in ((".json", open), (".json.gz", gzip.open)):
            full_path = file_path + extension
            if os.path.isfile(full_path):
                try:
                    with opener(full_path, "rb") as stream:
                        return json.loads(stream.read().decode("utf-8"))
                except (OSError, ValueError):
                    if self._shipped is not None and full_path.startswith(self._shipped):
                        return None  # a damaged shipped file: botocore's own answers instead
                    raise
        return None


class ServiceDataLoader(Loader):  # type: ignore[misc] # botocore ships no type information
    """botocore's ``Loader``; ``load_service_model`` checks only the service it is asked for, and its files are
    parsed into plain dicts."""

    FILE_LOADER_CLASS = PlainJsonFiles

    def __init__(self, extra_search_paths: list[str] | None = None, shipped: str | None = None) -> None:
        """``shipped``: a directory of AWS data `make package` made from botocore's own (``shipped_data_dir``),
        searched just before botocore's data and counted as built-in."""
        shipped = None if shipped is None else os.path.abspath(shipped)
        if shipped is None:
            super().__init__(extra_search_paths=extra_search_paths)
        else:
            super().__init__(
                extra_search_paths=[*(extra_search_paths or []), self.CUSTOMER_DATA_PATH, shipped,
                                    self.BUILTIN_DATA_PATH],
                file_loader=PlainJsonFiles(shipped), include_default_search_paths=False)
        self._shipped = None if shipped is None else os.path.join(shipped, "")

    def is_builtin_path(self, path: str) -> bool:
        """The shipped copy is botocore's built-in data: endpoints resolve as with botocore's own file
        (botocore.args passes the legacy endpoint to the rules only for data that is not built in)."""
        return bool(super().is_builtin_path(path)) or (
            self._shipped is not None and os.path.abspath(path).startswith(self._shipped))

    @classmethod
    def for_session(cls, session: Any, shipped: str | None = None) -> "ServiceDataLoader":
        """The loader botocore's session would make (``botocore.loaders.create_loader``: ``AWS_DATA_PATH`` and the
        ``data_path`` setting count), searching ``shipped`` too."""
        setting = session.get_config_variable("data_path")
        if setting is None:
            return cls(shipped=shipped)
        return cls(extra_search_paths=[os.path.expanduser(os.path.expandvars(path))
                                       for path in setting.split(os.pathsep)], shipped=shipped)

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
    """Makes ``session`` (a botocore session) load service data with ``ServiceDataLoader`` and the shipped data, if
    any, before it makes a client (a client made earlier keeps the loader it was made with)."""
    if not isinstance(session.get_component("data_loader"), ServiceDataLoader):
        session.register_component("data_loader", ServiceDataLoader.for_session(session, shipped_data_dir()))
