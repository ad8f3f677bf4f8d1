# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's group, release note and approval methods, against the emulator (docs/api-contract.md sections 3-6)."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import ApiError, OutcomeUnknown, ResponseError

from ...helpers import Sleeps, task, validated

V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'


def pending(name=None, region=None, status=None, note=None, task_id=None, run=None):
    ota = {'ota_version': V1, 'new_ota_version': V2}
    for key, value in (('release_note', note), ('task_id', task_id), ('run', run)):
        if value is not None:
            ota[key] = value
    group = {'tasks': [task('ota-old-' + (task_id or name or 'x'), version=V1)], 'ota': ota}
    for key, value in (('name', name), ('region_id', region), ('status', status)):
        if value is not None:
            group[key] = value
    return group


def up_to_date():
    return {'tasks': [task('ota-done', version=V2)], 'ota': {'ota_version': V2, 'new_ota_version': ''}}


def _client(server, **extra):
    """A client on the emulator whose retries do not sleep."""
    return Client(validated(server, **extra), sleep=Sleeps(), rng=lambda: 1.0)


def calls(server, action):
    return server.stats()['calls'].get(action, 0)


def test_every_group_of_the_region_in_api_order_with_the_fewest_calls(emulator):
    groups = {'aig-%03d' % n: (pending() if n % 2 else up_to_date()) for n in range(250)}
    groups['aig-elsewhere'] = pending(region='cn-hangzhou')
    server = emulator(groups)
    listed = _client(server).list_app_instance_groups()
    assert [g['app_instance_group_id'] for g in listed] == [m['AppInstanceGroupId'] for m in server.groups('cn-shanghai')]
    assert len(listed) == 250 and 'aig-elsewhere' not in {g['app_instance_group_id'] for g in listed}
    assert calls(server, 'ListAppInstanceGroup') == 3   # ceil(250 / 100)
    assert {e['page_size'] for e in server.stats()['log']} == {100}
    first = next(g for g in listed if g['app_instance_group_id'] == 'aig-001')
    assert first['ota'] == {'ota_version': V1, 'new_ota_version': V2, 'task_id': server.ota_info('aig-001')['TaskId'],
                            'update_available': True}
    assert next(g for g in listed if g['app_instance_group_id'] == 'aig-000')['ota']['update_available'] is False


def test_filters_one_id_by_the_api_several_from_the_listing_name_and_statuses_by_the_api(emulator):
    server = emulator({'aig-a': pending(name='office-a'), 'aig-b': pending(name='Office-b', status='MAINTAINING'),
                       'aig-c': pending(name='lab-c')})
    made = _client(server)
    assert [g['app_instance_group_id'] for g in made.list_app_instance_groups(['aig-b'])] == ['aig-b']
    assert sorted(g['app_instance_group_id'] for g in made.list_app_instance_groups(['aig-c', 'aig-a', 'aig-x'])) == ['aig-a', 'aig-c']
    assert sorted(g['app_instance_group_id'] for g in made.list_app_instance_groups(name='office')) == ['aig-a', 'aig-b']
    assert [g['app_instance_group_id'] for g in made.list_app_instance_groups(statuses=['MAINTAINING'])] == ['aig-b']
    assert sorted(g['app_instance_group_id'] for g in made.list_app_instance_groups(statuses=['PUBLISHED', 'MAINTAINING'])) == [
        'aig-a', 'aig-b', 'aig-c']
    assert calls(server, 'ListAppInstanceGroup') == 5


def test_release_notes_one_call_per_distinct_task(emulator):
    server = emulator({'aig-a': pending(note='Fixes A'), 'aig-b': pending(note='Fixes B', task_id='ota-pending-b')})
    made = _client(server)
    ids = [server.ota_info('aig-a')['TaskId'], 'ota-pending-b', 'ota-pending-b']
    notes = made.release_notes(ids)
    assert notes[ids[0]]['release_note'] == 'Fixes A' and notes['ota-pending-b']['release_note'] == 'Fixes B'
    assert notes['ota-pending-b']['ota_version'] == V2
    assert calls(server, 'GetOtaTaskByTaskId') == 2


def test_an_approval_gives_a_new_task_id_and_a_stale_one_is_refused(emulator):
    server = emulator({'aig-a': pending()})
    made = _client(server)
    before = server.ota_info('aig-a')['TaskId']
    assert made.approve('aig-a', before, '2030-01-01T00:00Z') == 0
    after = server.ota_state('aig-a')
    assert after['approved'] and after['OtaInfo']['TaskId'] != before and after['task']['TaskDisplayStatus'] == 'STANDBY'
    with pytest.raises(ApiError) as err:
        made.approve('aig-a', before, '2030-01-01T00:00Z')
    assert err.value.code == 'InvalidTaskId.NotFound' and err.value.status == 400
    assert server.stats()['approvals_by_group'] == {'aig-a': 1}


def test_a_code_other_than_success_is_an_error_even_with_http_200(emulator):
    server = emulator({'aig-run': {'tasks': [task('ota-running', 'RUNNING', version=V2)], 'ota': {'ota_version': V1}}})
    with pytest.raises(ApiError) as err:
        _client(server).approve('aig-run', 'ota-running', '2030-01-01T00:00Z')
    assert (err.value.code, err.value.status) == ('OtaTask.Running', 200)
    assert calls(server, 'ApproveOtaTask') == 1   # not retried


@pytest.mark.parametrize('fault', ['throttle', 'http500', 'http503'])
def test_an_approval_refused_with_an_error_code_is_sent_again(emulator, fault):
    server = emulator({'aig-a': pending()}, faults={'actions': {'ApproveOtaTask': {'schedule': {'1': fault}}}})
    _client(server).approve('aig-a', server.ota_info('aig-a')['TaskId'], '2030-01-01T00:00Z')
    assert calls(server, 'ApproveOtaTask') == 2 and server.stats()['approvals_by_group'] == {'aig-a': 1}
    assert calls(server, 'ListAppInstanceGroup') == 0


@pytest.mark.parametrize('fault, applied', [('reset_after', True), ('malformed', True), ('badshape', True), ('reset', False), ('html502', False)])
def test_a_lost_answer_is_settled_by_reading_the_group_again(emulator, fault, applied):
    server = emulator({'aig-a': pending()}, faults={'actions': {'ApproveOtaTask': {'schedule': {'1': fault}}}})
    pending_id = server.ota_info('aig-a')['TaskId']
    assert _client(server).approve('aig-a', pending_id, '2030-01-01T00:00Z') == 1
    assert server.stats()['approvals_by_group'] == {'aig-a': 1}              # exactly once, never twice
    assert calls(server, 'ApproveOtaTask') == (1 if applied else 2)           # sent again only when it had not taken effect
    assert calls(server, 'ListAppInstanceGroup') == 1
    assert server.ota_state('aig-a')['approved']


def test_answers_that_are_always_lost_end_with_outcome_unknown(emulator):
    server = emulator({'aig-a': pending()}, faults={'actions': {'ApproveOtaTask': {'every': {'reset': 1}}}})
    with pytest.raises(OutcomeUnknown) as err:
        _client(server, retries=2).approve('aig-a', server.ota_info('aig-a')['TaskId'], '2030-01-01T00:00Z')
    assert 'the group still shows task' in str(err.value)
    assert calls(server, 'ApproveOtaTask') == 3 and not server.stats()['approvals_by_group']


def test_reading_the_groups_again_gets_past_answers_of_the_wrong_shape_then_gives_up(emulator):
    """After approvals: an answer of the wrong shape (which the transport does not retry) is read again, up to retries."""
    server = emulator({'aig-1': pending(), 'aig-2': pending()},
                      faults={'actions': {'ListAppInstanceGroup': {'schedule': {'1': 'badshape', '2': 'badshape'}}}})
    sleeps = Sleeps()
    with Client(validated(server, retries=2), sleep=sleeps, rng=lambda: 1.0) as client:
        assert [g['app_instance_group_id'] for g in client.read_groups_again(['aig-1', 'aig-2'])] == ['aig-1', 'aig-2']
        assert calls(server, 'ListAppInstanceGroup') == 3 and len(sleeps) == 2
        server.set_faults({'actions': {'ListAppInstanceGroup': {'every': {'badshape': 1}}}})
        with pytest.raises(ResponseError):
            client.read_groups_again(['aig-1', 'aig-2'])
    assert server.stats()['faults_injected_by_action'] == {'ListAppInstanceGroup': {'badshape': 2 + 3}}   # 1 try and 2 retries
