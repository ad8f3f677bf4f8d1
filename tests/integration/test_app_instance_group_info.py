# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""alibabacloud.appstreaming.app_instance_group_info through real `ansible`, signed, against the emulator."""

from __future__ import annotations

from conftest import creds, task

MODULE = 'alibabacloud.appstreaming.app_instance_group_info'
V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'


def pending(**extra):
    group = {'tasks': [task('ota-old-%s' % extra.get('name', 'x'), version=V1)], 'ota': {'ota_version': V1, 'new_ota_version': V2}}
    group['ota'].update(extra.pop('ota', {}))
    group.update(extra)
    return group


def up_to_date(**extra):
    return dict({'tasks': [], 'ota': {'ota_version': V2, 'new_ota_version': ''}}, **extra)


def ids(result):
    return [g['app_instance_group_id'] for g in result['app_instance_groups']]


def calls(server, action):
    return server.stats()['calls'].get(action, 0)


def test_every_page_with_and_without_an_update(emulator, ansible):
    groups = {'aig-%03d' % n: (pending(name='g%03d' % n) if n % 3 == 0 else up_to_date(name='g%03d' % n)) for n in range(230)}
    groups['aig-far'] = pending(region_id='cn-hangzhou')
    server = emulator(groups)
    _proc, result = ansible.module(MODULE, creds(server), check=True)
    assert ids(result) == [g['AppInstanceGroupId'] for g in server.groups('cn-shanghai')]
    assert result['total_count'] == 230 and result['updates_available'] == 77 and result['changed'] is False
    assert result['region_id'] == 'cn-shanghai'
    assert server.stats()['calls'] == {'ListAppInstanceGroup': 3}   # ceil(230 / 100), nothing else
    by_id = {g['app_instance_group_id']: g for g in result['app_instance_groups']}
    assert by_id['aig-003']['ota'] == {'ota_version': V1, 'new_ota_version': V2, 'update_available': True,
                                       'task_id': server.ota_info('aig-003')['TaskId']}
    assert by_id['aig-001']['ota']['update_available'] is False and by_id['aig-001']['ota']['new_ota_version'] == ''
    assert set(by_id['aig-003']) == {'app_instance_group_id', 'app_instance_group_name', 'region_id', 'product_type', 'status',
                                     'os_type', 'gmt_create', 'app_center_image_id', 'ota'}
    _proc, far = ansible.module(MODULE, creds(server, region_id='cn-hangzhou'), check=True)
    assert ids(far) == ['aig-far']


def test_filters_ids_name_and_statuses(emulator, ansible):
    server = emulator({'aig-a': pending(name='office-east'), 'aig-b': pending(name='Office-west', status='MAINTAINING'),
                       'aig-c': up_to_date(name='lab')})
    for args, expected in (
        (dict(app_instance_group_id='aig-b'), ['aig-b']),
        (dict(app_instance_group_ids=['aig-c', 'aig-a']), ['aig-a', 'aig-c']),
        (dict(name='office'), ['aig-a', 'aig-b']),
        (dict(statuses=['MAINTAINING']), ['aig-b']),
        (dict(name='office', statuses=['PUBLISHED']), ['aig-a']),
    ):
        _proc, result = ansible.module(MODULE, creds(server, **args), check=True)
        assert sorted(ids(result)) == expected, args
    statuses = [e for e in server.stats()['log'] if e['action'] == 'ListAppInstanceGroup']
    assert len(statuses) == 5


def test_an_unknown_id_is_warned_about(emulator, ansible):
    server = emulator({'aig-a': pending()})
    proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-a', 'aig-nope']), check=True)
    assert ids(result) == ['aig-a']
    assert 'aig-nope not found in region cn-shanghai' in proc.stdout + proc.stderr


def test_release_notes_one_call_per_distinct_pending_task(emulator, ansible):
    server = emulator({'aig-a': pending(name='a', ota={'release_note': 'Fixes the clipboard.'}),
                       'aig-b': pending(name='b', ota={'release_note': '修复剪贴板问题'}),
                       'aig-c': up_to_date(name='c')})
    _proc, result = ansible.module(MODULE, creds(server, release_notes=True), check=True)
    notes = {g['app_instance_group_id']: g['ota']['release_note'] for g in result['app_instance_groups']}
    assert notes == {'aig-a': 'Fixes the clipboard.', 'aig-b': '修复剪贴板问题', 'aig-c': None}
    assert calls(server, 'GetOtaTaskByTaskId') == 2
    logged = sorted(e['task_id'] for e in server.stats()['log'] if e['action'] == 'GetOtaTaskByTaskId')
    assert logged == sorted(server.ota_info(g)['TaskId'] for g in ('aig-a', 'aig-b'))


def test_throttling_and_server_errors_on_every_call_still_give_the_exact_list(emulator, ansible):
    groups = {'aig-%03d' % n: pending(name='g%03d' % n, ota={'release_note': 'note %d' % n}) for n in range(120)}
    faults = {'every': {'http500': 11, 'reset': 13}, 'schedule': {'3': 'throttle', '40': 'throttle', '77': 'throttle'}, 'retry_after_ms': 20}
    server = emulator(groups, faults=faults)
    _proc, result = ansible.module(MODULE, creds(server, release_notes=True, retries=12), check=True)
    assert ids(result) == [g['AppInstanceGroupId'] for g in server.groups()]
    assert all(g['ota']['release_note'] == 'note %d' % int(g['app_instance_group_id'][4:]) for g in result['app_instance_groups'])
    assert server.stats()['ok_calls'] == {'ListAppInstanceGroup': 2, 'GetOtaTaskByTaskId': 120}
    assert sum(server.stats()['faults_injected'].values()) > 10
