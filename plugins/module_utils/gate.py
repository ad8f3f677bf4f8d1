# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the gate waits for: one rule, shared by the wait action, the info module and the event source.

ListOtaTask returns a group's *history*, newest task first. Without ``task_ids`` the group's state
is decided by its newest task and by every task the gate has *tracked*: seen in flight (STANDBY,
RUNNING or a status this collection does not know) at any listing, or first listed after the
first listing already ended (an update that ran between two listings). Older tasks that had
already ended are history.

A task listed STANDBY or RUNNING below a newer task that has started (RUNNING) or ended is
*superseded*: a newer task has overtaken it, so it will never run; the API just still lists it.
It is history too, even if it was tracked before. So the newest task is never superseded, and a
newest STANDBY task does not supersede an older RUNNING one (both are waited for). With
``ota_version`` the same rule applies to the tasks of that version (whatever supersedes them),
and a group without one that is not superseded is waited for. With ``task_ids`` exactly those
tasks count, superseded or not.

:class:`GroupGate` is fed one listing of a group per poll and returns a :class:`Verdict`; it
keeps the ids it tracks and the statuses of the last listing. No I/O here: the callers list and poll.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from . import tasks as task_model

DEFAULT_SUCCESS = ('FINISHED',)
SUPERSEDABLE = frozenset(('STANDBY', 'RUNNING'))


def in_flight(task):
    """A task that may still change: STANDBY, RUNNING, or a status we do not know."""
    return not task_model.is_terminal(task['task_display_status'])


def superseded(tasks):
    """The tasks of a listing (API order, newest first) listed STANDBY or RUNNING below a task that has started or ended."""
    found = []
    overtaken = False   # a newer task has started (RUNNING) or ended: what is still waiting below it never runs
    for task in tasks:
        status = task['task_display_status']
        if overtaken and status in SUPERSEDABLE:
            found.append(task)
        elif status == 'RUNNING' or task_model.is_terminal(status):
            overtaken = True
    return found


class Verdict(NamedTuple):
    """One group's state at one poll."""

    group_id: str
    done: bool                 # nothing the gate waits for is in flight (or missing)
    succeeded: bool            # done, and every deciding task ended in a success status
    newest: Optional[dict]     # the newest task the rule looks at (None: no task, or task_ids mode)
    deciding: list             # newest + tracked tasks (task_ids mode: the named tasks listed), API order
    in_flight: list            # deciding tasks not ended yet
    failed: list               # deciding tasks that ended outside the success statuses
    superseded: list           # tasks taken as superseded (history), API order; [] in task_ids mode
    history_count: int         # listed tasks that do not decide (ended before the wait, superseded, other versions)
    empty: bool                # the group lists no task at all
    waiting_for_version: bool  # ota_version mode and no task of that version (not superseded) is listed yet
    summary: str               # one line for progress output and the final message


def _when(task):
    return task.get('task_start_time') or 'an unknown date'


def _tasks_text(tasks):
    """'ota-x RUNNING (0.0.3-...)' for a few tasks, status counts for many."""
    if len(tasks) <= 3:
        return '; '.join('%s %s (%s)' % (t['task_id'], t['task_display_status'], t.get('ota_version')) for t in tasks)
    counts = task_model.status_counts(tasks)
    return '%d tasks: %s' % (len(tasks), ', '.join('%d %s' % (n, s) for s, n in sorted(counts.items())))


def result_fields(verdict):
    """A verdict as ota_task_info (per group) and the event source (ota_group events) return it."""
    newest = verdict.newest
    return {'newest_task_id': newest['task_id'] if newest else None,
            'newest_status': newest['task_display_status'] if newest else None,
            'in_flight': bool(verdict.in_flight), 'succeeded': verdict.succeeded,
            'superseded_task_ids': [t['task_id'] for t in verdict.superseded]}


def superseded_warning(verdict):
    """The warning naming the tasks a verdict took as superseded ('' when none)."""
    if not verdict.superseded:
        return ''
    return ('%s: taken as superseded, so history and not waited for (listed STANDBY or RUNNING below a newer task that '
            'has started or ended, which a never-run update is): %s' % (
                verdict.group_id, ', '.join('%s %s (%s, %s)' % (t['task_id'], t['task_display_status'], t.get('ota_version'), _when(t))
                                            for t in verdict.superseded)))


class GroupGate:
    """The gate's memory of one group across polls: the ids it tracks and the statuses of the last listing."""

    def __init__(self, group_id, success_statuses=DEFAULT_SUCCESS, ota_version=None, task_ids=None):
        self.group_id = group_id
        self.success = frozenset(success_statuses)
        self.ota_version = ota_version
        self.task_ids = frozenset(task_ids) if task_ids else None
        self.tracked = set()   # ids waited for since the start (or the last reset): seen in flight, or first listed ended
        self.last = None       # task id -> status of the last listing; None before the first one

    def reset(self):
        """Forget what was tracked: the next listing starts a new wait (the event source, after a group settled)."""
        self.tracked = set()

    def observe(self, tasks):
        """The verdict for this listing of the group (API order, newest first)."""
        previous = self.last
        self.last = {t['task_id']: t['task_display_status'] for t in tasks}
        if self.task_ids is not None:
            deciding = [t for t in tasks if t['task_id'] in self.task_ids]
            newest = None
            overtaken = []
        else:
            overtaken = superseded(tasks)
            gone = {t['task_id'] for t in overtaken}
            self.tracked -= gone
            candidates = [t for t in tasks if t['task_id'] not in gone
                          and (self.ota_version is None or t['ota_version'] == self.ota_version)]
            overtaken = [t for t in overtaken if self.ota_version is None or t['ota_version'] == self.ota_version]
            self.tracked.update(t['task_id'] for t in candidates
                                if in_flight(t) or (previous is not None and t['task_id'] not in previous))
            newest = candidates[0] if candidates else None
            wanted = self.tracked | ({newest['task_id']} if newest else set())
            deciding = [t for t in candidates if t['task_id'] in wanted]
        flying = [t for t in deciding if in_flight(t)]
        failed = [t for t in deciding if not in_flight(t) and t['task_display_status'] not in self.success]
        waiting_for_version = self.task_ids is None and self.ota_version is not None and newest is None
        done = not flying and not waiting_for_version
        succeeded = done and not failed
        verdict = dict(group_id=self.group_id, done=done, succeeded=succeeded, newest=newest, deciding=deciding,
                       in_flight=flying, failed=failed, superseded=overtaken, history_count=len(tasks) - len(deciding),
                       empty=not tasks, waiting_for_version=waiting_for_version)
        verdict['summary'] = self._summary(verdict)
        return Verdict(**verdict)

    def _summary(self, v):
        history = ''
        if v['history_count']:
            history = ' (%d older task%s in history' % (v['history_count'], '' if v['history_count'] == 1 else 's')
            if v['superseded']:
                history += ', superseded: %s' % _tasks_text(v['superseded'])
            history += ')'
        if self.task_ids is not None:
            if not v['deciding']:
                return 'none of the task ids is listed here'
            return _tasks_text(v['deciding'])
        if v['empty']:
            return 'no OTA tasks: nothing to wait for'
        if v['waiting_for_version']:
            return 'no task of OTA version %s listed yet%s' % (self.ota_version, history)
        if v['failed']:
            return 'failed: %s%s' % (_tasks_text(v['failed']), history)
        if v['in_flight']:
            return 'waiting for %s%s' % (_tasks_text(v['in_flight']), history)
        newest = v['newest']
        if not self.tracked:   # nothing was in flight at any poll: the newest task had ended before the wait began
            return 'nothing in flight: newest task %s %s on %s%s' % (newest['task_id'], newest['task_display_status'],
                                                                     _when(newest), history)
        return 'done: %s%s' % (_tasks_text(v['deciding']), history)


def snapshot(group_id, tasks, success_statuses=DEFAULT_SUCCESS, ota_version=None, task_ids=None):
    """The verdict of a single listing (what the info module reports per group)."""
    return GroupGate(group_id, success_statuses, ota_version, task_ids).observe(tasks)
