# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the gate waits for: one rule, shared by the wait action, the info module and the event source.

ListOtaTask returns a group's *history*. Without ``task_ids`` the group's state is decided by its
newest task (API order) and by every task seen in flight (STANDBY, RUNNING or a status this
collection does not know) at any poll; older tasks that had already ended are history. With
``ota_version`` the same rule applies to the tasks of that version, and a group without one is
waited for. With ``task_ids`` exactly those tasks count.

:class:`GroupGate` is fed one listing of a group per poll and returns a :class:`Verdict`; it keeps
only the ids it has seen in flight. No I/O here: the callers list and poll.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from . import tasks as task_model

DEFAULT_SUCCESS = ('FINISHED',)


def in_flight(task):
    """A task that may still change: STANDBY, RUNNING, or a status we do not know."""
    return not task_model.is_terminal(task['task_display_status'])


class Verdict(NamedTuple):
    """One group's state at one poll."""

    group_id: str
    done: bool                 # nothing the gate waits for is in flight (or missing)
    succeeded: bool            # done, and every deciding task ended in a success status
    newest: Optional[dict]     # the newest task the rule looks at (None: no task, or task_ids mode)
    deciding: list             # newest + tasks seen in flight (task_ids mode: the named tasks listed), API order
    in_flight: list            # deciding tasks not ended yet
    failed: list               # deciding tasks that ended outside the success statuses
    history_count: int         # listed tasks that do not decide (ended before the wait, or other versions)
    empty: bool                # the group lists no task at all
    waiting_for_version: bool  # ota_version mode and no task of that version is listed yet
    summary: str               # one line for progress output and the final message


def _when(task):
    return task.get('task_start_time') or 'an unknown date'


def _tasks_text(tasks):
    """'ota-x RUNNING (0.0.3-...)' for a few tasks, status counts for many."""
    if len(tasks) <= 3:
        return '; '.join('%s %s (%s)' % (t['task_id'], t['task_display_status'], t.get('ota_version')) for t in tasks)
    counts = task_model.status_counts(tasks)
    return '%d tasks: %s' % (len(tasks), ', '.join('%d %s' % (n, s) for s, n in sorted(counts.items())))


class GroupGate:
    """The gate's memory of one group across polls: the ids seen in flight."""

    def __init__(self, group_id, success_statuses=DEFAULT_SUCCESS, ota_version=None, task_ids=None):
        self.group_id = group_id
        self.success = frozenset(success_statuses)
        self.ota_version = ota_version
        self.task_ids = frozenset(task_ids) if task_ids else None
        self.tracked = set()

    def reset(self):
        """Forget what was seen in flight: the next listing starts a new wait (the event source, after a group settled)."""
        self.tracked = set()

    def observe(self, tasks):
        """The verdict for this listing of the group (API order, newest first)."""
        if self.task_ids is not None:
            deciding = [t for t in tasks if t['task_id'] in self.task_ids]
            newest = None
        else:
            candidates = tasks if self.ota_version is None else [t for t in tasks if t['ota_version'] == self.ota_version]
            self.tracked.update(t['task_id'] for t in candidates if in_flight(t))
            newest = candidates[0] if candidates else None
            wanted = self.tracked | ({newest['task_id']} if newest else set())
            deciding = [t for t in candidates if t['task_id'] in wanted]
        flying = [t for t in deciding if in_flight(t)]
        failed = [t for t in deciding if not in_flight(t) and t['task_display_status'] not in self.success]
        waiting_for_version = self.task_ids is None and self.ota_version is not None and newest is None
        done = not flying and not waiting_for_version
        succeeded = done and not failed
        verdict = dict(group_id=self.group_id, done=done, succeeded=succeeded, newest=newest, deciding=deciding,
                       in_flight=flying, failed=failed, history_count=len(tasks) - len(deciding), empty=not tasks,
                       waiting_for_version=waiting_for_version)
        verdict['summary'] = self._summary(verdict)
        return Verdict(**verdict)

    def _summary(self, v):
        history = ' (%d older task%s in history)' % (v['history_count'], '' if v['history_count'] == 1 else 's') if v['history_count'] else ''
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
        if not self.tracked:   # nothing was in flight at any poll: the group was up to date all along
            return 'up to date: newest task %s %s on %s%s' % (newest['task_id'], newest['task_display_status'], _when(newest), history)
        return 'done: %s%s' % (_tasks_text(v['deciding']), history)


def snapshot(group_id, tasks, success_statuses=DEFAULT_SUCCESS, ota_version=None, task_ids=None):
    """The verdict of a single listing (what the info module reports per group)."""
    return GroupGate(group_id, success_statuses, ota_version, task_ids).observe(tasks)
