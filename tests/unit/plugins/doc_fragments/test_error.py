# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``error`` return of every module is the one the doc fragment alibabacloud.appstreaming.error declares.

ansible-core 2.17 cannot merge a RETURN fragment, so each module holds a copy; this keeps the copies equal.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import yaml

from ansible_collections.alibabacloud.appstreaming.plugins import modules
from ansible_collections.alibabacloud.appstreaming.plugins.doc_fragments import error

MODULES = sorted(name for _finder, name, _package in pkgutil.iter_modules(modules.__path__))


def test_the_modules_are_found():
    assert {'ota_task_info', 'ota_task'} <= set(MODULES)   # so that the test below cannot pass on no module at all


@pytest.mark.parametrize('name', MODULES)
def test_the_module_documents_the_error_of_the_fragment(name):
    declared = yaml.safe_load(error.ModuleDocFragment.RETURN)['error']
    documented = yaml.safe_load(importlib.import_module(modules.__name__ + '.' + name).RETURN).get('error')
    assert documented == declared, (
        'the RETURN of the module %s must document `error` exactly as plugins/doc_fragments/error.py does' % name)
