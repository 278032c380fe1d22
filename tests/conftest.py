"""Shared by every test directory: puts tests/ on sys.path for `gra_cluster` (the one local
cluster launcher) and starts, right after collection, the scenarios that only wait (see
`gra_cluster.early`), so their waiting overlaps the other tests instead of adding to them."""

import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import gra_cluster  # noqa: E402


def pytest_collection_finish(session):
    if session.config.option.collectonly or os.environ.get("GRA_TESTS_NO_EARLY"):
        return
    # Under pytest-xdist each worker collects every test but runs only some: the scenarios
    # then start when their fixtures first ask for them, on the worker that runs them.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    gra_cluster.start_early(session.items)


def pytest_sessionfinish(session):
    # Their processes end with them (a run stopped early, -x, still cleans up).
    gra_cluster.join_early()
