# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's result: tasks, per-group summaries, counts before filters, warnings."""

from __future__ import annotations

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client, run
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import parse as parse_query

from ...helpers import api_log, generated, task, validated

V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20220801.000000'
GROUPS = {
    'aig-1': {'tasks': [task('ota-run', 'RUNNING', V2, '2022-08-05T10:00:00+08:00'), task('ota-ok', 'FINISHED', V1),
                        task('ota-bad', 'FAILED', V1, '2022-08-03T10:00:00+08:00')]},
    'aig-2': {'tasks': [task('ota-done', 'FINISHED', V2)]},
    'aig-empty': {'tasks': []},
}


def listing(server, **options):
    params = validated(server, **options)
    with Client(params) as client:
        return client.task_report(parse_query(params)), list(client.warnings)


def test_the_result_has_tasks_counts_and_groups(emulator):
    server = emulator(GROUPS)
    result, warnings = listing(server, app_instance_group_ids=['aig-1', 'aig-2', 'aig-empty'])
    assert warnings == []
    assert [(t['app_instance_group_id'], t['task_id']) for t in result['ota_tasks']] == [
        ('aig-1', 'ota-run'), ('aig-1', 'ota-ok'), ('aig-1', 'ota-bad'), ('aig-2', 'ota-done')]
    assert result['ota_tasks'][0] == {'task_id': 'ota-run', 'ota_version': V2, 'task_display_status': 'RUNNING',
                                      'task_start_time': '2022-08-05T10:00:00+08:00', 'app_instance_group_id': 'aig-1'}
    assert result['total_count'] == 4
    assert result['status_counts'] == {'RUNNING': 1, 'FINISHED': 2, 'FAILED': 1}
    assert result['all_terminal'] is False
    # newest_*, in_flight and succeeded are the ota_wait gate's verdict on this listing (gate.py)
    assert result['groups'] == {
        'aig-1': {'total_count': 3, 'status_counts': {'RUNNING': 1, 'FINISHED': 1, 'FAILED': 1}, 'all_terminal': False,
                  'newest_task_id': 'ota-run', 'newest_status': 'RUNNING', 'in_flight': True, 'succeeded': False, 'superseded_task_ids': []},
        'aig-2': {'total_count': 1, 'status_counts': {'FINISHED': 1}, 'all_terminal': True,
                  'newest_task_id': 'ota-done', 'newest_status': 'FINISHED', 'in_flight': False, 'succeeded': True, 'superseded_task_ids': []},
        'aig-empty': {'total_count': 0, 'status_counts': {}, 'all_terminal': True,
                      'newest_task_id': None, 'newest_status': None, 'in_flight': False, 'succeeded': True, 'superseded_task_ids': []},
    }
    assert result['succeeded'] is False


def test_succeeded_is_false_for_a_failed_newest_task_and_for_a_version_not_listed_yet(emulator):
    # all_terminal is true in both cases: it is no gate (issue 11)
    server = emulator({'aig-f': {'tasks': [task('ota-new', 'FAILED', start='2022-08-05T10:00:00+08:00'), task('ota-old')]},
                       'aig-1': GROUPS['aig-1']})
    result, _warnings = listing(server, app_instance_group_ids=['aig-f'])
    assert result['all_terminal'] is True and result['succeeded'] is False
    assert (result['groups']['aig-f']['newest_status'], result['groups']['aig-f']['succeeded']) == ('FAILED', False)
    result, _warnings = listing(server, app_instance_group_ids=['aig-1'], ota_version='0.0.9-not-yet')
    assert result['ota_tasks'] == [] and result['all_terminal'] is True and result['succeeded'] is False


def test_total_count_is_before_the_filters_and_summaries_after_them(emulator):
    server = emulator(GROUPS)
    result, _warnings = listing(server, app_instance_group_ids=['aig-1', 'aig-2'], statuses=['FINISHED', 'FAILED'], ota_version=V1)
    assert [t['task_id'] for t in result['ota_tasks']] == ['ota-ok', 'ota-bad']
    assert result['total_count'] == 4
    assert result['status_counts'] == {'FINISHED': 1, 'FAILED': 1} and result['all_terminal'] is True
    assert result['groups']['aig-1'] == {'total_count': 3, 'status_counts': {'FINISHED': 1, 'FAILED': 1}, 'all_terminal': True,
                                         'newest_task_id': 'ota-ok', 'newest_status': 'FINISHED', 'in_flight': False, 'succeeded': True,
                                         'superseded_task_ids': []}
    assert result['groups']['aig-2'] == {'total_count': 1, 'status_counts': {}, 'all_terminal': True,
                                         'newest_task_id': None, 'newest_status': None, 'in_flight': False, 'succeeded': False,
                                         'superseded_task_ids': []}


def test_task_ids_filter(emulator):
    server = emulator(GROUPS)
    result, _warnings = listing(server, app_instance_group_ids=['aig-1', 'aig-2'], task_ids=['ota-done', 'ota-run', 'ota-none'])
    assert [t['task_id'] for t in result['ota_tasks']] == ['ota-run', 'ota-done']
    assert result['all_terminal'] is False


def test_an_unknown_status_is_warned_about_and_not_terminal(emulator):
    server = emulator({'aig-1': {'tasks': [task('ota-odd'), task('ota-ok', start='2022-08-01T10:00:00+08:00')]}})
    server._scenario.groups['aig-1'][0].status = 'PAUSED'  # pylint: disable=protected-access  # a status the API may add one day
    result, warnings = listing(server, app_instance_group_ids=['aig-1'])
    assert warnings == ['ListOtaTask returned task status(es) this collection does not know: PAUSED; they are counted as not terminal']
    assert result['status_counts'] == {'PAUSED': 1, 'FINISHED': 1}
    assert result['all_terminal'] is False and result['groups']['aig-1']['all_terminal'] is False


def test_page_number_mode_reads_one_page_of_100_by_default(emulator):
    server = emulator({'aig-1': generated(150)})
    result, _warnings = listing(server, app_instance_group_ids=['aig-1'], page_number=2)
    assert [t['task_id'] for t in result['ota_tasks']] == [t['TaskId'] for t in server.tasks('aig-1')[100:]]
    assert result['total_count'] == 150
    assert [(e['page_number'], e['page_size']) for e in api_log(server)] == [(2, 100)]


def test_run_returns_the_result_and_the_warnings(emulator):
    server = emulator({'aig-1': generated(250)}, faults={'every': {'insert_head': 1}})
    result, warnings = run(validated(server, app_instance_group_ids=['aig-1', 'aig-1']))
    assert len(warnings) == 1 and 'kept changing' in warnings[0]
    assert list(result['groups']) == ['aig-1']   # a group given twice is listed once
    assert len({t['task_id'] for t in result['ota_tasks']}) == len(result['ota_tasks'])
