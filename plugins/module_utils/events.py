# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OTA task changes as events: the logic of the ``ota_task_events`` event source (ansible-rulebook).

The event source (extensions/eda/plugins/event_source/ota_task_events.py) only polls, puts
events on its queue and reads and writes its state file; what its options mean, which events a
listing (or a failed one) gives, when each group is polled next and what the state file holds
are decided here, without I/O. A group's task list is compared with the one of the previous
poll; whether a group has settled is decided by :class:`gate.GroupGate`, the rule the
``ota_task_wait`` action and the ``ota_wait`` role wait by.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from . import gate, tasks as task_model
from .errors import OptionError

SOURCE = 'alibabacloud.appstreaming.ota_task_events'
DEFAULT_INTERVAL = 60.0
POLL_BACKOFF_CAP = 600.0   # longest pause between two polls of a group after failed polls (seconds)
POLL_BACKOFF_STEPS = 4     # the pause doubles for the first failed polls in a row: interval x 2, 4, 8, 16
GROUP_NOT_FOUND = 'InvalidAppInstanceGroup.NotFound'
STATE_VERSION = 1


def argument_spec():
    """The options of the event source: what to watch and how often (the connection options come on top)."""
    return dict(
        app_instance_group_ids=dict(type='list', elements='str', required=True, aliases=['app_instance_group_id']),
        interval=dict(type='float', default=DEFAULT_INTERVAL),
        emit_initial=dict(type='bool', default=False),
        max_polls=dict(type='int', default=0),
        state_file=dict(type='path'),
    )


class SourceConfig(NamedTuple):
    query: object       # tasks.TaskQuery: the groups, every page, unfiltered
    interval: float
    emit_initial: bool
    max_polls: int      # 0: poll until the rulebook stops
    state_file: Optional[str] = None


def parse(params):
    """Check the source options (already validated against argument_spec) beyond their types."""
    interval = params.get('interval')
    if interval is None or interval <= 0:
        raise OptionError('interval must be greater than 0 seconds, got %s' % interval)
    max_polls = params.get('max_polls')
    if max_polls is None or max_polls < 0:
        raise OptionError('max_polls must be 0 (poll until the rulebook stops) or more, got %s' % max_polls)
    state_file = params.get('state_file')
    if state_file is not None and not str(state_file).strip():
        raise OptionError('state_file must be the path of a file, got an empty string')
    query = task_model.parse({'app_instance_group_ids': params.get('app_instance_group_ids')})
    return SourceConfig(query=query, interval=float(interval), emit_initial=bool(params.get('emit_initial')),
                        max_polls=int(max_polls), state_file=state_file or None)


def backoff(interval, failures):
    """Seconds to the next poll after ``failures`` failed polls in a row (0: the normal interval)."""
    if failures <= 0:
        return interval
    return min(interval * 2 ** min(failures, POLL_BACKOFF_STEPS), max(interval, POLL_BACKOFF_CAP))


def task_event(task, previous_status):
    status = task['task_display_status']
    return {
        'type': 'ota_task',
        'app_instance_group_id': task['app_instance_group_id'],
        'task_id': task['task_id'],
        'ota_version': task['ota_version'],
        'task_display_status': status,
        'status': status,   # deprecated alias of task_display_status (0.1.0 only); removed in the next release
        'previous_status': previous_status,
        'task_start_time': task['task_start_time'],
    }


def group_event(verdict):
    """The event of a group that settled (nothing in flight)."""
    event = {'type': 'ota_group', 'app_instance_group_id': verdict.group_id, 'in_flight': False}
    event.update(gate.result_fields(verdict))
    return event


def group_error_event(group_id, error):
    return {
        'type': 'ota_group_error',
        'app_instance_group_id': group_id,
        'code': getattr(error, 'code', None),
        'message': str(error),
    }


class _Group:
    __slots__ = ('gate', 'verdict', 'gone', 'warned')

    def __init__(self, group_id):
        self.gate = gate.GroupGate(group_id)   # its ``last`` (statuses of the last listing) is the group's memory
        self.verdict = None   # of the last listing
        self.gone = False     # answered InvalidAppInstanceGroup.NotFound since its last listing (its event was given)
        self.warned = set()   # superseded task ids already warned about


class EventTracker:
    """Turns each poll's listing of a group, or its failure, into events.

    Feed it only listings that formed one snapshot (the pager's ``unsettled`` groups are
    skipped, their state kept). A group's first listing is its baseline: no events, except,
    with ``emit_initial``, its tasks in flight (not superseded); a group restored from a state file has its
    baseline already. After that, each task whose status changed, and each task listed for the
    first time (``previous_status`` None), gives an ``ota_task`` event in API order; then an
    ``ota_group`` event if the group settled: the gate tracked a task since the group last
    settled (one seen in flight, or one first listed already ended: an update that ran between
    two polls) and nothing it waits for is in flight. The gate then starts a new wait
    (``GroupGate.reset``). A group that answers InvalidAppInstanceGroup.NotFound gives one
    ``ota_group_error`` event until it is listed again.
    Memory: per group the statuses of the tasks of the last listing and the ids the gate tracks.
    """

    def __init__(self, group_ids, emit_initial=False, state=None):
        self.emit_initial = emit_initial
        self._groups = {group_id: _Group(group_id) for group_id in group_ids}
        self.warnings = []   # superseded tasks, each said once per run; the caller logs and clears them
        for group_id, saved in (state or {}).items():
            group = self._groups.get(group_id)
            if group is not None:   # a group no longer watched is dropped; a new one takes a baseline
                group.gate.last = dict(saved['tasks'])
                group.gate.tracked = set(saved['tracked'])

    def feed(self, group_id, tasks):
        """The events of one consistent listing of a group (tasks in API order), in the order to emit them."""
        group = self._groups[group_id]
        previous = group.gate.last
        verdict = group.gate.observe(tasks)
        group.verdict = verdict
        group.gone = False
        events = []
        if previous is None:
            if self.emit_initial:
                events = [task_event(task, None) for task in verdict.in_flight]   # superseded tasks are history
        else:
            for task in tasks:
                before = previous.get(task['task_id'])
                if before != task['task_display_status']:
                    events.append(task_event(task, before))
            if verdict.done and group.gate.tracked:
                events.append(group_event(verdict))
                group.gate.reset()
        fresh = [t for t in verdict.superseded if t['task_id'] not in group.warned]
        if fresh:
            group.warned.update(t['task_id'] for t in fresh)
            self.warnings.append(gate.superseded_warning(verdict._replace(superseded=fresh)))
        return events

    def fail(self, group_id, error):
        """The events of a failed listing of a group (``error``: the AppStreamingError its retries could not get past)."""
        group = self._groups[group_id]
        if getattr(error, 'code', None) != GROUP_NOT_FOUND or group.gone:
            return []
        group.gone = True
        return [group_error_event(group_id, error)]

    def verdict(self, group_id):
        """The gate's verdict on the group's last listing (None before the first one)."""
        return self._groups[group_id].verdict

    def state(self):
        """What to keep across a restart (the state file's document): per group listed so far, the statuses of its
        last listing, in API order, and the ids the gate tracks."""
        groups = {}
        for group_id, group in self._groups.items():
            if group.gate.last is not None:
                groups[group_id] = {'tasks': dict(group.gate.last), 'tracked': sorted(group.gate.tracked)}
        return {'source': SOURCE, 'version': STATE_VERSION, 'groups': groups}


def restore_state(document, path):
    """The per-group state of a state file's ``document`` (as state() wrote it); OptionError naming ``path`` if the
    document is not one (another program's file, another version)."""
    def foreign(why):
        return OptionError('state_file %s is not a state file of %s version %d (%s); move it away or give another path'
                           % (path, SOURCE, STATE_VERSION, why))
    if not isinstance(document, dict) or document.get('source') != SOURCE:
        raise foreign('it does not say "source": "%s"' % SOURCE)
    if document.get('version') != STATE_VERSION:
        raise foreign('its version is %r' % (document.get('version'),))
    groups = document.get('groups')
    if not isinstance(groups, dict):
        raise foreign('"groups" is not a mapping')
    for group_id, saved in groups.items():
        if not (isinstance(saved, dict) and isinstance(saved.get('tasks'), dict) and isinstance(saved.get('tracked'), list)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in saved['tasks'].items())
                and all(isinstance(i, str) for i in saved['tracked'])):
            raise foreign('group %s is not {"tasks": {task id: status}, "tracked": [task id]}' % group_id)
    return groups


class PollSchedule:
    """When each group is polled next: every ``interval`` seconds from the start of its last poll; after failed
    polls in a row, with backoff (doubling up to 16 intervals, at most 10 minutes), each group on its own.

    A poll lists every group that is due. Polls keep the pace of the groups that answer: a group in
    backoff joins the first poll at or after its time, so a failing group adds no polls of its own
    (unless every group is failing).
    """

    def __init__(self, group_ids, interval, now):
        self.interval = interval
        self._next = dict.fromkeys(group_ids, now)
        self._failures = dict.fromkeys(group_ids, 0)

    def next_time(self):
        """When the next poll starts."""
        healthy = [when for group_id, when in self._next.items() if not self._failures[group_id]]
        return min(healthy or self._next.values())

    def due(self, now):
        """The groups to poll now, in the order given."""
        return [group_id for group_id, when in self._next.items() if when <= now]

    def polled(self, group_id, began):
        self._failures[group_id] = 0
        self._next[group_id] = began + self.interval

    def slowed(self, began, ended):
        """After a poll that took longer than the interval (throttling slowed it), pause as long as it took.

        So the next poll starts after max(interval, the poll's own time), and a gate that the API
        slows down takes at most half of a rate limit it shares with other jobs.
        """
        if ended - began <= self.interval:
            return
        floor = ended + (ended - began)
        for group_id, when in self._next.items():
            if when < floor:
                self._next[group_id] = floor

    def failed(self, group_id, began):
        """Record a failed poll of the group; returns the seconds to its next poll."""
        self._failures[group_id] += 1
        wait = backoff(self.interval, self._failures[group_id])
        self._next[group_id] = began + wait
        return wait
