# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``error`` every module returns is documented once, by the doc fragment alibabacloud.appstreaming.error.

Every module takes the fragment, no module documents ``error`` again, and the fragment names exactly
the keys ApiError.details() returns.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
import yaml

from ansible_collections.alibabacloud.appstreaming.plugins import modules
from ansible_collections.alibabacloud.appstreaming.plugins.doc_fragments import error
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import ApiError

MODULES = sorted(name for _finder, name, _package in pkgutil.iter_modules(modules.__path__))
FRAGMENT = 'alibabacloud.appstreaming.error'


def test_the_modules_are_found():
    assert {'ota_task_info', 'ota_task'} <= set(MODULES)   # so that the test below cannot pass on no module at all


@pytest.mark.parametrize('name', MODULES)
def test_the_module_takes_the_error_fragment_and_documents_error_nowhere_else(name):
    module = importlib.import_module(modules.__name__ + '.' + name)
    assert FRAGMENT in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment'], (
        'the module %s must take the doc fragment %s' % (name, FRAGMENT))
    assert 'error' not in yaml.safe_load(module.RETURN), 'the module %s documents error again: %s does' % (name, FRAGMENT)


def test_the_fragment_names_the_keys_an_api_error_returns():
    note, = yaml.safe_load(error.ModuleDocFragment.DOCUMENTATION)['notes']
    details = ApiError('ListOtaTask', 'Throttling.User', 'denied', 'R-1', 400, 'https://x').details()
    assert list(details) == ['error']
    described = re.findall(r'C\((\w+)\)', note.split('for example')[0])
    assert described[1:] == list(details['error']), described
