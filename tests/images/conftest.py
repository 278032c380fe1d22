"""Registers the fixtures of gra_images_support for the tests in this directory."""

from gra_images_support import require_sshd, runner_user, sandbox  # noqa: F401
