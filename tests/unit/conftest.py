# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the unit tests: the emulator on loopback, and the collection loader for plugin tests."""

from __future__ import annotations

import pytest

from ansible.plugins.loader import init_plugin_loader

# The lookup and module tests load plugins by name, as Ansible does: install the collection
# finder (it reads ANSIBLE_COLLECTIONS_PATH) before anything imports the collection.
init_plugin_loader()

from .helpers import Emulator, FakeClock, account  # noqa: E402  pylint: disable=wrong-import-position


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
