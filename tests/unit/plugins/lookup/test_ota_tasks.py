# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_tasks lookup, loaded by name through the plugin loader, against the emulator.

Options set through variables or keywords are explicit; options that came from the
environment are dropped by the lookup and re-applied by the shared core, so credential
precedence is the same as the module's.
"""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader

from ...helpers import AK, SECRET, generated, task

PROFILE_AK, PROFILE_SECRET = 'LTAI-lookup-profile', 'lookup-profile-secret-7f3a'
GROUPS = {'aig-1': {'tasks': [task('ota-run', 'RUNNING', start='2022-08-05T10:00:00+08:00'), task('ota-ok')]}, 'aig-2': generated(3)}


def lookup(terms, variables=None, **kwargs):
    plugin = lookup_loader.get('alibabacloud.appstreaming.ota_tasks', loader=DataLoader(), templar=None)
    assert plugin is not None
    return plugin.run(terms, variables=variables or {}, **kwargs)


def connection_vars(server, **extra):
    data = {'ansible_appstreaming_endpoint': server.endpoint, 'ansible_appstreaming_access_key_id': AK,
            'ansible_appstreaming_access_key_secret': SECRET}
    data.update(extra)
    return data


def with_profile(home):
    (home / '.aliyun').mkdir()
    (home / '.aliyun' / 'config.json').write_text(json.dumps({'current': 'p', 'profiles': [
        {'name': 'p', 'mode': 'AK', 'access_key_id': PROFILE_AK, 'access_key_secret': PROFILE_SECRET}]}))
    return [{'access_key_id': PROFILE_AK, 'access_key_secret': PROFILE_SECRET}]


def test_returns_the_tasks_of_every_group_in_order(emulator):
    server = emulator(GROUPS)
    tasks = lookup(['aig-1', ['aig-2']], connection_vars(server))
    assert [t['task_id'] for t in tasks[:2]] == ['ota-run', 'ota-ok'] and len(tasks) == 5
    assert [t['app_instance_group_id'] for t in tasks] == ['aig-1'] * 2 + ['aig-2'] * 3
    assert tasks[0] == {'task_id': 'ota-run', 'ota_version': '0.0.1-R-20220708.110604', 'task_display_status': 'RUNNING',
                        'task_start_time': '2022-08-05T10:00:00+08:00', 'app_instance_group_id': 'aig-1'}


def test_keywords_filter_and_override_variables(emulator):
    server = emulator(GROUPS)
    variables = connection_vars(server, ansible_appstreaming_endpoint='http://127.0.0.1:9')
    tasks = lookup(['aig-1', 'aig-2'], variables, endpoint=server.endpoint, statuses=['RUNNING'])
    assert [t['task_id'] for t in tasks] == ['ota-run']


def test_keys_from_the_environment_are_used(emulator, monkeypatch):
    server = emulator(GROUPS)
    monkeypatch.setenv('ALICLOUD_ACCESS_KEY', AK)
    monkeypatch.setenv('ALICLOUD_SECRET_KEY', SECRET)
    assert len(lookup(['aig-1'], {'ansible_appstreaming_endpoint': server.endpoint})) == 2


def test_a_profile_variable_beats_keys_in_the_environment(emulator, monkeypatch, isolated_environment):
    server = emulator(GROUPS, accounts=with_profile(isolated_environment))
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_ID', AK)
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', SECRET)
    tasks = lookup(['aig-1'], {'ansible_appstreaming_endpoint': server.endpoint, 'ansible_appstreaming_profile': 'p'})
    assert len(tasks) == 2   # signed with the profile's key: the emulator knows no other


def test_keys_in_variables_beat_a_profile_in_the_environment(emulator, monkeypatch, isolated_environment):
    with_profile(isolated_environment)
    server = emulator(GROUPS)
    monkeypatch.setenv('ALIBABA_CLOUD_PROFILE', 'p')
    assert len(lookup(['aig-1'], connection_vars(server))) == 2


def test_a_region_from_the_environment_is_applied(emulator, monkeypatch):
    server = emulator(GROUPS)
    monkeypatch.setenv('ALICLOUD_REGION', 'ap-southeast-1')
    with pytest.raises(AnsibleLookupError) as err:
        lookup(['aig-nope'], connection_vars(server))
    assert "does not exist in region ap-southeast-1" in str(err.value)


def test_keys_and_a_profile_in_variables_conflict(emulator):
    server = emulator(GROUPS)
    with pytest.raises(AnsibleLookupError) as err:
        lookup(['aig-1'], connection_vars(server, ansible_appstreaming_profile='p'))
    assert str(err.value) == ('alibabacloud.appstreaming.ota_tasks: profile and access_key_id/access_key_secret are mutually exclusive: '
                              'give one or the other')
    assert server.stats()['requests'] == 0


@pytest.mark.parametrize('terms, variables, words', [
    (['aig-nope'], {}, 'alibabacloud.appstreaming.ota_tasks: ListOtaTask failed: InvalidAppInstanceGroup.NotFound: '),
    (['aig-1'], {'ansible_appstreaming_access_key_secret': 'wrong-' + SECRET}, 'SignatureDoesNotMatch'),
    ([], {}, 'app_instance_group_ids needs at least one delivery group id'),
    (['aig-1'], {'ansible_appstreaming_max_concurrency': 0}, 'max_concurrency must be between 1 and 64, got 0'),
])
def test_errors_are_lookup_errors_without_secrets(emulator, terms, variables, words):
    server = emulator(GROUPS)
    with pytest.raises(AnsibleLookupError) as err:
        lookup(terms, connection_vars(server, **variables))
    assert words in str(err.value) and SECRET not in str(err.value)


def test_an_unknown_keyword_is_refused_not_ignored(emulator):
    server = emulator(GROUPS)
    with pytest.raises(AnsibleLookupError) as err:
        lookup(['aig-1'], connection_vars(server), status=['RUNNING'])
    assert 'ota_tasks: status. Supported parameters include: ' in str(err.value) and 'statuses' in str(err.value)
    assert server.stats()['requests'] == 0
    assert [t['task_id'] for t in lookup(['aig-1'], connection_vars(server), alicloud_region='cn-shanghai')] == ['ota-run', 'ota-ok']


def test_a_mistyped_variable_is_reported_naming_it(emulator):
    server = emulator(GROUPS)
    with pytest.raises(AnsibleLookupError) as err:
        lookup(['aig-1'], connection_vars(server, ansible_appstreaming_retries='many'))
    assert 'retries' in str(err.value) and 'ansible_appstreaming_retries' in str(err.value)


def test_warnings_are_displayed(emulator, capsys):
    # a group name of its own: the Display shows each distinct warning once per process
    server = emulator({'aig-churn-lookup': generated(250)}, faults={'every': {'insert_head': 1}})
    tasks = lookup(['aig-churn-lookup'], connection_vars(server))
    assert len({t['task_id'] for t in tasks}) == len(tasks)
    assert 'the task list of aig-churn-lookup kept changing' in capsys.readouterr().err
