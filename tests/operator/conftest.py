"""tests/operator reuses the deploy tests' local cluster helpers and recording proxy."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "deploy"))
