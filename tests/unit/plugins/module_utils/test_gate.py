# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gate's rule on real-looking OTA histories: the newest task decides, tasks seen in flight are waited for,
superseded tasks are history (every history of one to five tasks, and the hard cases)."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.gate import GroupGate, in_flight, snapshot, superseded_warning


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


# -- superseded tasks (issue 20): a task listed STANDBY or RUNNING below a newer task that has started or ended -------

KNOWN = ('STANDBY', 'RUNNING', 'FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED')
ALPHABET = KNOWN + ('PAUSED',)   # a status this collection does not know: in flight, never superseded, supersedes nothing
TERMINAL = ('FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED')


def listing(statuses, prefix='ota'):
    """Tasks newest first, ``ota-0`` the newest."""
    return [t('%s-%d' % (prefix, n), status, start='2025-%02d-01T10:00:00+08:00' % (12 - n)) for n, status in enumerate(statuses)]


def every_history(longest=5):
    return [list(history) for n in range(1, longest + 1) for history in itertools.product(ALPHABET, repeat=n)]


def expected(statuses):
    """The rule, restated from the issue, by index: (superseded, waited for, done, succeeded) of one listing."""
    started = [s == 'RUNNING' or s in TERMINAL for s in statuses]
    superseded = [n for n, s in enumerate(statuses) if s in ('STANDBY', 'RUNNING') and any(started[:n])]
    waited = [n for n, s in enumerate(statuses) if s not in TERMINAL and n not in superseded]
    done = not waited
    return superseded, waited, done, done and statuses[0] == 'FINISHED'


@pytest.mark.parametrize('longest', [5])
def test_every_history_of_one_to_five_tasks_follows_the_rule(longest):
    histories = every_history(longest)
    assert len(histories) == sum(7 ** n for n in range(1, 6))
    for statuses in histories:
        tasks = listing(statuses)
        verdict = snapshot('aig-1', tasks)
        superseded, waited, done, succeeded = expected(statuses)
        case = ' '.join(statuses)
        assert ids(verdict.superseded) == ['ota-%d' % n for n in superseded], case
        assert ids(verdict.in_flight) == ['ota-%d' % n for n in waited], case
        assert (verdict.done, verdict.succeeded) == (done, succeeded), case
        assert 'ota-0' not in ids(verdict.superseded), case   # the newest task is never superseded
        assert verdict.newest['task_id'] == 'ota-0', case
        assert verdict.history_count == len(tasks) - len(verdict.deciding), case
        if superseded and len(tasks) > 1:
            assert 'superseded: ' in verdict.summary, case
        # task_ids: every task named is waited for, superseded or not
        named = snapshot('aig-1', tasks, task_ids=ids(tasks))
        assert named.superseded == [] and ids(named.in_flight) == [task['task_id'] for task in tasks if in_flight(task)], case


@pytest.mark.parametrize('statuses, waited, superseded, done', [
    (['STANDBY', 'RUNNING'], ['ota-0', 'ota-1'], [], False),      # newest STANDBY above an older RUNNING: both waited for
    (['FINISHED', 'STANDBY'], [], ['ota-1'], True),               # newest FINISHED above an older STANDBY: done
    (['FINISHED', 'RUNNING'], [], ['ota-1'], True),
    (['RUNNING', 'STANDBY'], ['ota-0'], ['ota-1'], False),        # the demo's aig-demo-rollout while its newest task runs
    (['RUNNING', 'RUNNING'], ['ota-0'], ['ota-1'], False),
    (['STANDBY', 'STANDBY'], ['ota-0', 'ota-1'], [], False),      # nothing above has started: both may still run
    (['STANDBY', 'FAILED', 'RUNNING'], ['ota-0'], ['ota-2'], False),
    (['PAUSED', 'STANDBY'], ['ota-0', 'ota-1'], [], False),       # an unknown status is no evidence of a start
])
def test_the_hard_cases(statuses, waited, superseded, done):
    verdict = snapshot('aig-1', listing(statuses))
    assert (ids(verdict.in_flight), ids(verdict.superseded), verdict.done) == (waited, superseded, done)


def test_a_tracked_task_that_becomes_superseded_is_no_longer_waited_for():
    gate = GroupGate('aig-1')
    first = gate.observe(listing(['STANDBY', 'RUNNING']) + HISTORY)
    assert ids(first.in_flight) == ['ota-0', 'ota-1'] and gate.tracked == {'ota-0', 'ota-1'}
    started = gate.observe(listing(['RUNNING', 'RUNNING']) + HISTORY)   # the newer one started: the older never will end
    assert ids(started.in_flight) == ['ota-0'] and ids(started.superseded) == ['ota-1'] and gate.tracked == {'ota-0'}
    ended = gate.observe(listing(['FINISHED', 'FAILED']) + HISTORY)   # history for good, even if the API ends it later
    assert ended.done and ended.succeeded and ended.failed == []


def test_a_task_first_listed_already_ended_is_tracked_after_the_first_listing():
    gate = GroupGate('aig-1')
    assert gate.observe(listing(['FINISHED'], 'old')).done
    # An update ran between two listings and failed, below the newest (an older start time): it decides.
    verdict = gate.observe(listing(['FINISHED'], 'old') + listing(['FAILED'], 'new'))
    assert verdict.done and not verdict.succeeded and ids(verdict.failed) == ['new-0'] and gate.tracked == {'new-0'}
    assert verdict.summary.startswith('failed: new-0 FAILED')
    # At the first listing the same task is history.
    assert snapshot('aig-1', listing(['FINISHED'], 'old') + listing(['FAILED'], 'new')).succeeded


def test_ota_version_newest_of_that_version_superseded_waits_for_a_live_one():
    history = [t('ota-w', 'FINISHED', '0.0.4'), t('ota-v-stale', 'STANDBY', '0.0.3'), t('ota-v-old', 'FAILED', '0.0.3')]
    verdict = snapshot('aig-1', history, ota_version='0.0.3')
    assert ids(verdict.superseded) == ['ota-v-stale'] and verdict.newest['task_id'] == 'ota-v-old'
    assert verdict.done and ids(verdict.failed) == ['ota-v-old']
    only_stale = snapshot('aig-1', history[:2], ota_version='0.0.3')
    assert only_stale.waiting_for_version and not only_stale.done
    assert snapshot('aig-1', history, ota_version='0.0.4').superseded == []   # of that version only


def test_the_warning_names_each_superseded_task_and_the_summary_counts_it_as_history():
    demo = [t('ota-mc35kyldmfx4xd1f9', 'FINISHED', '0.0.3-R-20250618.093000', '2025-06-20T10:00:00+08:00'),
            t('ota-usqdsgm28n8kqjn5e', 'STANDBY', '0.0.3-R-20250610.221503', '2025-06-12T09:30:00+08:00')] + HISTORY
    verdict = snapshot('aig-demo-rollout', demo)
    assert verdict.done and verdict.succeeded and verdict.history_count == 5
    assert verdict.summary == ('nothing in flight: newest task ota-mc35kyldmfx4xd1f9 FINISHED on 2025-06-20T10:00:00+08:00 '
                               '(5 older tasks in history, superseded: ota-usqdsgm28n8kqjn5e STANDBY (0.0.3-R-20250610.221503))')
    assert superseded_warning(verdict) == (
        'aig-demo-rollout: taken as superseded, so history and not waited for (listed STANDBY or RUNNING below a newer task '
        'that has started or ended, which a never-run update is): ota-usqdsgm28n8kqjn5e STANDBY (0.0.3-R-20250610.221503, '
        '2025-06-12T09:30:00+08:00)')
    assert superseded_warning(snapshot('aig-1', HISTORY)) == ''
