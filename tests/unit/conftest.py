# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the unit tests: the emulator on loopback, and the collection loader for plugin tests."""

from __future__ import annotations

import os

import pytest

from ansible.plugins.loader import init_plugin_loader

# The lookup and module tests load plugins by name, as Ansible does: install the collection
# finder (it reads ANSIBLE_COLLECTIONS_PATH) before anything imports the collection.
init_plugin_loader()

from .helpers import Emulator, FakeClock, account  # noqa: E402  pylint: disable=wrong-import-position


def _import_credentials_library_with_a_clean_environment():
    """alibabacloud-credentials reads the environment once, when it is imported (keys, profile name,
    HOME, ECS metadata switch), and some of its providers fall back to those values. Import it now,
    with none of them set, so that no test's environment leaks into a later test through it."""
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_'))}
    os.environ['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true'
    try:
        import alibabacloud_credentials.provider  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        pass
    finally:
        os.environ.pop('ALIBABA_CLOUD_ECS_METADATA_DISABLED')
        os.environ.update(saved)


_import_credentials_library_with_a_clean_environment()


def pytest_configure(config):
    # alibabacloud-credentials' own deprecation noise (its STS signer calls datetime.utcnow()).
    config.addinivalue_line('filterwarnings', r'ignore:datetime\.datetime\.utcnow\(\) is deprecated:DeprecationWarning')


@pytest.fixture
def emulator():
    """Start an emulator: call it with groups (and accounts, Emulator keywords); stopped after the test.

    ``clock=`` (a FakeClock) drives the scenario timelines instead of the real monotonic clock.
    """
    started = []

    def start(groups=None, accounts=None, clock=None, **kwargs):
        data = {'accounts': accounts or [account()], 'groups': groups or {}}
        server = Emulator(data=data, **kwargs)
        if clock is not None:
            server._now = clock  # pylint: disable=protected-access
            server.load(data)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def clock():
    return FakeClock()
