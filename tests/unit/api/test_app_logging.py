"""The app leaves logging to the Lambda runtime (api/fastpath.TokenMintApp): Chalice would pin its app logger,
``tokenmint``, the parent of every ``tokenmint.*`` logger, at ERROR with a plain-text handler of its own, dropping
our INFO and WARNING lines in a deployed stack."""
from __future__ import annotations

import logging

from app import app


def test_the_app_logger_has_no_handler_or_level_of_its_own():
    logger = logging.getLogger("tokenmint")
    assert app.log is logger and app.debug is False
    assert logger.handlers == [] and logger.propagate is True and logger.level == logging.NOTSET


def test_info_and_warning_lines_of_tokenmint_loggers_reach_the_root_at_its_level(caplog):
    with caplog.at_level(logging.INFO):  # the root, as the runtime sets it from ApplicationLogLevel INFO
        logging.getLogger("tokenmint.oauth").info("authorization code refused for client c1")
        logging.getLogger("tokenmint.audit").warning("the log table is unavailable: 3 events wait")
    assert [(r.name, r.levelno) for r in caplog.records] == [
        ("tokenmint.oauth", logging.INFO), ("tokenmint.audit", logging.WARNING)]
    caplog.clear()
    with caplog.at_level(logging.WARNING):  # an operator raising the function's log level
        logging.getLogger("tokenmint.oauth").info("not shown")
    assert caplog.records == []


def test_debug_mode_still_shows_everything():
    logger = logging.getLogger("tokenmint")
    try:
        app.debug = True
        assert logger.level == logging.DEBUG
    finally:
        app.debug = False
    assert logger.level == logging.NOTSET
