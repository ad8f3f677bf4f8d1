# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gate's rule on real-looking OTA histories: the newest task decides, tasks seen in flight are waited for."""

from __future__ import annotations

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.gate import GroupGate, snapshot


def t(task_id, status, version='0.0.3-R-20250618.093000', start='2025-06-20T10:00:00+08:00'):
    return {'task_id': task_id, 'task_display_status': status, 'ota_version': version, 'task_start_time': start,
            'app_instance_group_id': 'aig-1'}


HISTORY = [t('ota-old-failed', 'FAILED', '0.0.2'), t('ota-old-ok', 'FINISHED', '0.0.2'),
           t('ota-old-stopped', 'TERMINATED', '0.0.1'), t('ota-old-part', 'PART_FINISHED', '0.0.1')]


def ids(tasks):
    return [task['task_id'] for task in tasks]


def test_old_failures_are_history_while_the_newest_runs_then_finishes():
    gate = GroupGate('aig-1')
    first = gate.observe([t('ota-new', 'RUNNING')] + HISTORY)
    assert (first.done, first.succeeded, ids(first.in_flight), first.failed) == (False, False, ['ota-new'], [])
    assert first.history_count == 4
    assert first.summary.startswith('waiting for ota-new RUNNING') and '4 older tasks in history' in first.summary
    second = gate.observe([t('ota-new', 'FINISHED')] + HISTORY)
    assert (second.done, second.succeeded, ids(second.deciding)) == (True, True, ['ota-new'])
    assert second.summary.startswith('done: ota-new FINISHED')


def test_newest_already_finished_is_nothing_in_flight_at_the_first_poll():
    verdict = snapshot('aig-1', [t('ota-new', 'FINISHED')] + HISTORY)
    assert verdict.done and verdict.succeeded
    assert verdict.summary.startswith('nothing in flight: newest task ota-new FINISHED on 2025-06-20T10:00:00+08:00')
    assert 'up to date' not in verdict.summary   # lifecycle.py's meaning: no new version offered


def test_newest_already_failed_fails_the_gate():
    verdict = snapshot('aig-1', [t('ota-new', 'FAILED')] + HISTORY)
    assert verdict.done and not verdict.succeeded
    assert ids(verdict.failed) == ['ota-new']
    assert verdict.summary.startswith('failed: ota-new FAILED')


def test_empty_group_is_done():
    verdict = snapshot('aig-1', [])
    assert verdict.done and verdict.succeeded and verdict.empty
    assert verdict.summary == 'no OTA tasks: nothing to wait for'


def test_task_first_listed_during_the_wait_is_waited_for_and_the_older_one_still_counts():
    gate = GroupGate('aig-1')
    assert gate.observe([t('ota-a', 'RUNNING')] + HISTORY).in_flight
    inserted = gate.observe([t('ota-b', 'STANDBY'), t('ota-a', 'FINISHED')] + HISTORY)
    assert not inserted.done and ids(inserted.deciding) == ['ota-b', 'ota-a']
    ended = gate.observe([t('ota-b', 'FINISHED'), t('ota-a', 'FINISHED')] + HISTORY)
    assert ended.done and ended.succeeded


def test_a_task_seen_in_flight_that_failed_fails_even_when_a_newer_one_finished():
    gate = GroupGate('aig-1')
    gate.observe([t('ota-a', 'RUNNING')])
    verdict = gate.observe([t('ota-b', 'FINISHED'), t('ota-a', 'FAILED')])
    assert verdict.done and not verdict.succeeded and ids(verdict.failed) == ['ota-a']


def test_success_statuses_decide_what_counts():
    verdict = snapshot('aig-1', [t('ota-new', 'PART_FINISHED')], success_statuses=('FINISHED', 'PART_FINISHED'))
    assert verdict.succeeded
    assert not snapshot('aig-1', [t('ota-new', 'PART_FINISHED')]).succeeded


def test_unknown_status_is_in_flight():
    verdict = snapshot('aig-1', [t('ota-new', 'PAUSED')] + HISTORY)
    assert not verdict.done and ids(verdict.in_flight) == ['ota-new']


def test_task_ids_mode_counts_exactly_those_tasks():
    verdict = snapshot('aig-1', [t('ota-new', 'RUNNING')] + HISTORY, task_ids=['ota-old-failed'])
    assert verdict.done and not verdict.succeeded and ids(verdict.failed) == ['ota-old-failed']
    assert snapshot('aig-1', [t('ota-new', 'RUNNING')], task_ids=['ota-new']).in_flight
    missing = snapshot('aig-1', HISTORY, task_ids=['ota-later'])
    assert missing.done and missing.deciding == []   # the caller waits for ids listed nowhere


def test_ota_version_mode_newest_of_that_version_decides():
    history = [t('ota-other', 'RUNNING', '0.0.4'), t('ota-retry', 'FINISHED', '0.0.3'), t('ota-first', 'FAILED', '0.0.3')]
    verdict = snapshot('aig-1', history, ota_version='0.0.3')
    assert verdict.done and verdict.succeeded and ids(verdict.deciding) == ['ota-retry']
    assert verdict.history_count == 2
    waiting = snapshot('aig-1', history, ota_version='0.0.5')
    assert not waiting.done and waiting.waiting_for_version
    assert waiting.summary.startswith('no task of OTA version 0.0.5 listed yet')


def test_reset_starts_a_new_wait():
    gate = GroupGate('aig-1')
    gate.observe([t('ota-a', 'RUNNING')])
    gate.observe([t('ota-b', 'RUNNING'), t('ota-a', 'FAILED')])
    gate.reset()
    verdict = gate.observe([t('ota-b', 'FINISHED'), t('ota-a', 'FAILED')])
    assert verdict.done and verdict.succeeded
