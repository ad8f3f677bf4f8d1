# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting until the OTA updates of delivery groups are done: one deadline, fail fast, useful output.

What is waited for is gate.py's rule (the newest task decides, tasks seen in flight are waited
for, older ended tasks and superseded ones are history). This module only polls: every group (all pages,
concurrently) through one Client, on a monotonic clock. Errors that retries could not get
past are polled through until the deadline; the deadline bounds every request and the wait for
a free request slot (a credential request already started keeps its library's own timeouts).
Throttling only makes a poll slower: the poll goes on until it completes or the deadline comes,
and the next one starts after max(poll_interval, the poll's own time).
"""

from __future__ import annotations

import time
from typing import NamedTuple, Optional

from . import tasks as task_model
from .errors import AppStreamingError, OptionError
from .gate import GroupGate, superseded_warning
from .options import id_list

MIN_POLL_INTERVAL = 2
MAX_GROUPS_IN_MESSAGE = 10


def argument_spec():
    """Options of the ota_task_wait action (the connection options come on top)."""
    return dict(
        app_instance_group_ids=dict(type='list', elements='str', required=True, aliases=['app_instance_group_id']),
        task_ids=dict(type='list', elements='str'),
        ota_version=dict(type='str'),
        wait_timeout=dict(type='float', default=1800),
        poll_interval=dict(type='float', default=15),
        success_statuses=dict(type='list', elements='str', default=['FINISHED'], choices=sorted(task_model.TERMINAL_STATUSES)),
        fail_fast=dict(type='bool', default=True),
    )


class WaitSpec(NamedTuple):
    group_ids: tuple
    task_ids: Optional[tuple] = None
    ota_version: Optional[str] = None
    timeout: float = 1800
    poll_interval: float = 15
    success_statuses: tuple = ('FINISHED',)
    fail_fast: bool = True


def parse(params):
    """Check the wait options."""
    group_ids = id_list(params, 'app_instance_group_ids', 'group id', required='delivery group id')
    task_ids = id_list(params, 'task_ids', 'task id')
    timeout, interval = params.get('wait_timeout'), params.get('poll_interval')
    if timeout is None or timeout <= 0:
        raise OptionError('wait_timeout must be greater than 0 seconds, got %s' % timeout)
    if interval is None or interval < MIN_POLL_INTERVAL:
        raise OptionError('poll_interval must be at least %d seconds, got %s' % (MIN_POLL_INTERVAL, interval))
    success = tuple(params.get('success_statuses') or ())
    if not success:
        raise OptionError('success_statuses must name at least one status')
    for status in success:
        if not task_model.is_terminal(status):
            raise OptionError('success_statuses: %r is not a terminal status (%s)' % (status, ', '.join(sorted(task_model.TERMINAL_STATUSES))))
    ota_version = (params.get('ota_version') or '').strip() or None
    if task_ids and ota_version:
        raise OptionError('task_ids and ota_version are mutually exclusive: task_ids names the tasks to wait for exactly, '
                          'ota_version waits for the newest task of that version; give one of them')
    return WaitSpec(group_ids=tuple(group_ids), task_ids=task_ids or None, ota_version=ota_version,
                    timeout=float(timeout), poll_interval=float(interval), success_statuses=success,
                    fail_fast=bool(params.get('fail_fast', True)))


def duration(seconds):
    """1m30s-style elapsed time for progress lines."""
    seconds = int(round(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return '%dh%02dm%02ds' % (hours, minutes, secs)
    return '%dm%02ds' % (minutes, secs) if minutes else '%ds' % secs


def counts_text(counts):
    """'2 RUNNING, 5 FINISHED' from status counts."""
    return ', '.join('%d %s' % (n, s) for s, n in sorted(counts.items()))


def _describe(task):
    return '%s/%s (%s) %s' % (task['app_instance_group_id'], task['task_id'], task.get('ota_version'), task['task_display_status'])


def _group_info(verdict):
    newest = verdict.newest
    return {
        'status_counts': task_model.status_counts(verdict.deciding), 'task_count': len(verdict.deciding),
        'empty': verdict.empty, 'newest_task_id': newest['task_id'] if newest else None,
        'newest_status': newest['task_display_status'] if newest else None, 'in_flight': bool(verdict.in_flight),
        'in_flight_count': len(verdict.in_flight), 'superseded_task_ids': [t['task_id'] for t in verdict.superseded],
        'history_count': verdict.history_count, 'done': verdict.done, 'succeeded': verdict.succeeded,
        'summary': verdict.summary,
    }


class Waiter:
    """Runs one wait; ``progress`` receives one line per group per poll, ``warn`` each new warning once."""

    def __init__(self, client, spec, clock=time.monotonic, sleep=time.sleep, progress=None, warn=None):
        self.client = client
        self.spec = spec
        self._clock = clock
        self._sleep = sleep
        self._progress = progress or (lambda line: None)
        self._warn = warn or self._progress
        self._gates = {g: GroupGate(g, spec.success_statuses, spec.ota_version, spec.task_ids) for g in spec.group_ids}
        self._unknown = set()
        self._superseded = set()   # (group, task id) already warned about

    def wait(self):
        spec = self.spec
        start = self._clock()
        deadline = start + spec.timeout
        query = task_model.TaskQuery(spec.group_ids)
        polls = 0
        last_error = None
        state = None
        while True:
            polls += 1
            began, sent, throttled = self._clock(), self.client.transport.calls, self.client.transport.throttled
            try:
                listing = self.client.list_tasks(query, deadline=deadline)
                last_error = None
            except AppStreamingError as exc:
                if not exc.transient:
                    raise
                last_error = exc
                self._progress('poll %d failed, will poll again: %s' % (polls, exc))
                listing = None
            if listing is not None and self.client.unsettled:
                # Pages that never formed one snapshot may miss tasks: never the basis of "done".
                last_error = 'the task list of %s kept changing while it was read' % ', '.join(self.client.unsettled)
                self._progress('poll %d: %s, will poll again' % (polls, last_error))
                listing = None
            now = self._clock()
            if listing is not None:
                state = self._evaluate(listing, now - start)
                if (state['failed_tasks'] and spec.fail_fast) or state['done']:
                    return self._result(state, polls, now - start, timed_out=False)
            if now >= deadline:
                return self._result(state, polls, now - start, timed_out=True, error=last_error)
            # A slow poll (the API throttled it) is followed by a pause as long as itself: the gate
            # takes at most half of a rate limit it shares with other jobs.
            pause = max(spec.poll_interval, now - began)
            if self.client.transport.throttled > throttled:
                self._progress('poll %d took %s: the API throttled %d of its %d requests (the rate limit of the account); '
                               'the next poll starts in %s' % (polls, duration(now - began), self.client.transport.throttled - throttled,
                                                               self.client.transport.calls - sent, duration(pause)))
            self._sleep(max(0.0, min(pause, deadline - now)))

    def _evaluate(self, listing, elapsed):
        verdicts = [self._gates[group_id].observe(group_tasks) for group_id, _total, group_tasks in listing]
        self._warn_unknown(listing)
        self._warn_superseded(verdicts)
        listed = {t['task_id'] for _g, _t, group_tasks in listing for t in group_tasks}
        missing = [i for i in self.spec.task_ids if i not in listed] if self.spec.task_ids else []
        for verdict in verdicts:
            self._progress('%s: %s (%s elapsed)' % (verdict.group_id, verdict.summary, duration(elapsed)))
        if missing:
            self._progress('not listed yet: %s' % ', '.join(missing))
        return {
            'tasks': [t for v in verdicts for t in v.deciding],
            'failed_tasks': [t for v in verdicts for t in v.failed],
            'pending_tasks': [t for v in verdicts for t in v.in_flight],
            'superseded_tasks': [t for v in verdicts for t in v.superseded],
            'missing_task_ids': missing,
            'groups': {v.group_id: _group_info(v) for v in verdicts},
            'done': all(v.done for v in verdicts) and not missing,
        }

    def _warn_unknown(self, listing):
        """Say once about each status this collection does not know (it counts as in flight, so the wait goes on)."""
        seen = {t['task_display_status'] for _g, _t, group_tasks in listing for t in group_tasks} - set(task_model.STATUSES)
        for status in sorted(seen - self._unknown, key=str):
            self._unknown.add(status)
            self._warn('ListOtaTask returned the task status %r, which this collection does not know; it is counted as not '
                       'terminal, so the wait goes on until it changes or wait_timeout passes' % (status,))

    def _warn_superseded(self, verdicts):
        """Say once about each task taken as superseded (it is history: the wait does not hold for it)."""
        for verdict in verdicts:
            fresh = [t for t in verdict.superseded if (verdict.group_id, t['task_id']) not in self._superseded]
            if fresh:
                self._superseded.update((verdict.group_id, t['task_id']) for t in fresh)
                self._warn(superseded_warning(verdict._replace(superseded=fresh)))

    def _result(self, state, polls, elapsed, timed_out, error=None):
        state = state or {'tasks': [], 'failed_tasks': [], 'pending_tasks': [], 'superseded_tasks': [], 'missing_task_ids': [],
                          'groups': {}}
        failed = state['failed_tasks']
        result = {
            'tasks': state['tasks'], 'groups': state['groups'], 'failed_tasks': failed,
            'pending_tasks': state['pending_tasks'], 'superseded_tasks': state['superseded_tasks'],
            'missing_task_ids': state['missing_task_ids'], 'elapsed': round(elapsed, 1),
            'timed_out': timed_out, 'polls': polls, 'success': not timed_out and not failed,
            'unknown_statuses': sorted(self._unknown, key=str),
        }
        if result['success']:
            msg = 'OTA updates done after %s: %s' % (duration(elapsed), self._per_group(state['groups']))
        elif timed_out:
            parts = [_describe(t) for t in state['pending_tasks']] + ['%s (not listed yet)' % i for i in state['missing_task_ids']]
            parts += ['%s: %s' % (g, info['summary']) for g, info in state['groups'].items()
                      if not info['done'] and not info['in_flight']]
            msg = 'Timed out after %s waiting for: %s' % (duration(elapsed), '; '.join(parts) or 'the first successful poll')
            if failed:
                msg += '; and OTA task(s) failed: %s' % '; '.join(_describe(t) for t in failed)
            if error is not None:
                msg += '; last error: %s' % error
        else:
            msg = 'OTA task(s) failed after %s: %s' % (duration(elapsed), '; '.join(_describe(t) for t in failed))
            if state['pending_tasks']:
                msg += '; still running: %s' % '; '.join(_describe(t) for t in state['pending_tasks'])
        result['msg'] = msg
        return result

    @staticmethod
    def _per_group(groups):
        lines = ['%s %s' % (g, info['summary']) for g, info in groups.items()]
        if len(lines) > MAX_GROUPS_IN_MESSAGE:
            lines = lines[:MAX_GROUPS_IN_MESSAGE] + ['and %d more group(s)' % (len(lines) - MAX_GROUPS_IN_MESSAGE)]
        return '; '.join(lines)
