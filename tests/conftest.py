# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Isolation every test gets: a private HOME, no proxies, no ECS metadata, no stray credentials."""

from __future__ import annotations

import os

import pytest

_STRAY = ('HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy')


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp('home')
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true')
    for name in list(os.environ):
        if name in _STRAY or name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'ANSIBLE_APPSTREAMING_')):
            if name != 'ALIBABA_CLOUD_ECS_METADATA_DISABLED':
                monkeypatch.delenv(name, raising=False)
    return home
