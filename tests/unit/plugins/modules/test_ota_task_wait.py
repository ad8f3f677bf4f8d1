# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_task_wait module file only documents the action; run on its own it says so."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.modules import ota_task_wait

from ...helpers import patch_module_args


def test_running_the_module_on_its_own_fails_with_an_explanation(capsys):
    with patch_module_args({'app_instance_group_ids': ['aig-1']}):
        with pytest.raises(SystemExit) as exit_info:
            ota_task_wait.main()
    result = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 1 and result['failed'] is True
    assert 'runs on the controller through its action plugin' in result['msg']
