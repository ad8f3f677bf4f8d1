# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OTA task changes as events: the logic of the ``ota_task_events`` event source (ansible-rulebook).

The event source (extensions/eda/plugins/event_source/ota_task_events.py) only polls and
puts events on its queue; what its options mean and which events a listing gives are
decided here, without I/O. A group's task list is compared with the one of the previous
poll; whether a group has settled is decided by :class:`gate.GroupGate`, the rule the
``ota_task_wait`` action and the ``ota_wait`` role wait by.
"""

from __future__ import annotations

from typing import NamedTuple

from . import gate
from .errors import OptionError
from .options import connection_argument_spec, query as parse_query

DEFAULT_INTERVAL = 60.0
BACKOFF_CAP = 600.0   # longest pause between two polls after failed polls (seconds)
BACKOFF_STEPS = 4     # the pause doubles for the first failed polls in a row: interval x 2, 4, 8, 16


def source_argument_spec():
    """The options of the event source: what to watch and how often, plus the connection options."""
    spec = dict(
        app_instance_group_ids=dict(type='list', elements='str', required=True, aliases=['app_instance_group_id']),
        interval=dict(type='float', default=DEFAULT_INTERVAL),
        emit_initial=dict(type='bool', default=False),
        max_polls=dict(type='int', default=0),
    )
    spec.update(connection_argument_spec())
    return spec


class SourceConfig(NamedTuple):
    query: object       # options.Query: the groups, every page, unfiltered
    interval: float
    emit_initial: bool
    max_polls: int      # 0: poll until the rulebook stops


def source_config(params):
    """Check the source options (already validated against source_argument_spec) beyond their types."""
    interval = params.get('interval')
    if interval is None or interval <= 0:
        raise OptionError('interval must be greater than 0 seconds, got %s' % interval)
    max_polls = params.get('max_polls')
    if max_polls is None or max_polls < 0:
        raise OptionError('max_polls must be 0 (poll until the rulebook stops) or more, got %s' % max_polls)
    query = parse_query({'app_instance_group_ids': params.get('app_instance_group_ids')})
    return SourceConfig(query=query, interval=float(interval), emit_initial=bool(params.get('emit_initial')),
                        max_polls=int(max_polls))


def backoff(interval, failures):
    """Seconds to the next poll after ``failures`` failed polls in a row (0: the normal interval)."""
    if failures <= 0:
        return interval
    return min(interval * 2 ** min(failures, BACKOFF_STEPS), max(interval, BACKOFF_CAP))


def task_event(task, previous_status):
    return {
        'type': 'ota_task',
        'app_instance_group_id': task['app_instance_group_id'],
        'task_id': task['task_id'],
        'ota_version': task['ota_version'],
        'status': task['task_display_status'],
        'previous_status': previous_status,
        'task_start_time': task['task_start_time'],
    }


def group_event(verdict):
    newest = verdict.newest
    return {
        'type': 'ota_group',
        'app_instance_group_id': verdict.group_id,
        'in_flight': False,
        'newest_status': newest['task_display_status'] if newest else None,
        'succeeded': verdict.succeeded,
    }


class _Group:
    __slots__ = ('gate', 'statuses', 'done')

    def __init__(self, group_id):
        self.gate = gate.GroupGate(group_id)
        self.statuses = None   # task id -> status at the last listing; None: no listing yet (the baseline is to come)
        self.done = True


class EventTracker:
    """Turns each poll's listing of a group into events.

    Feed it only listings that formed one snapshot (the pager's ``unsettled`` groups are
    skipped, their state kept). A group's first listing is its baseline: no events, except,
    with ``emit_initial``, its tasks in flight. After that, each task whose status changed, and
    each task listed for the first time (``previous_status`` None), gives an ``ota_task`` event
    in API order; then an ``ota_group`` event if the group settled: the gate's verdict went from
    not done to done. The gate then starts a new wait (``GroupGate.reset``).
    Memory: the statuses of the tasks of the last listing, per group.
    """

    def __init__(self, group_ids, emit_initial=False):
        self.emit_initial = emit_initial
        self._groups = {group_id: _Group(group_id) for group_id in group_ids}

    def feed(self, group_id, tasks):
        """The events of one consistent listing of a group (tasks in API order), in the order to emit them."""
        group = self._groups[group_id]
        verdict = group.gate.observe(tasks)
        previous = group.statuses
        events = []
        if previous is None:
            if self.emit_initial:
                events = [task_event(task, None) for task in tasks if gate.in_flight(task)]
        else:
            for task in tasks:
                before = previous.get(task['task_id'])
                if before != task['task_display_status']:
                    events.append(task_event(task, before))
            if verdict.done and not group.done:
                events.append(group_event(verdict))
                group.gate.reset()
        group.statuses = {task['task_id']: task['task_display_status'] for task in tasks}
        group.done = verdict.done
        return events
