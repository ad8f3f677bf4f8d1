# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""credential_chain: the credentials library must not print; its log lines are ours to word, without secrets.

The order of the credential sources, through credential_chain too, is tested in test_credentials.py.
"""

from __future__ import annotations

import logging

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import credential_chain


def test_the_credentials_library_loggers_are_silenced():
    """Its refresh warnings carry tracebacks and, with DEBUG=sdk, Tea logs STS request URLs with the SecurityToken."""
    credential_chain._import_library()  # pylint: disable=protected-access
    for name in ('credentials', 'alibabacloud-tea'):
        assert logging.getLogger(name).disabled and not logging.getLogger(name).propagate
