# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting until OTA tasks reach a terminal status: one deadline, fail fast, useful output.

Polls every group (all pages, concurrently) through one OtaTaskClient, on a monotonic
clock. Tasks that are not listed yet are waited for; a task that ends in a status outside
``success_statuses`` fails the wait at once (``fail_fast``); errors that retries could not
get past are polled through until the deadline; the deadline bounds everything, HTTP
timeouts included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

from . import tasks as task_model
from .errors import AppStreamingError, OptionError
from .options import Query

MIN_POLL_INTERVAL = 2


@dataclass(frozen=True)
class WaitSpec:
    group_ids: tuple
    task_ids: Optional[tuple] = None
    ota_version: Optional[str] = None
    timeout: float = 1800
    poll_interval: float = 15
    success_statuses: tuple = ('FINISHED',)
    fail_fast: bool = True


def wait_spec(params, group_ids):
    """Check the wait options; ``group_ids`` were already checked by options.query."""
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
    task_ids = tuple(t for t in (params.get('task_ids') or ()) if t is not None)
    if any(not str(t).strip() for t in task_ids):
        raise OptionError('task_ids must not contain an empty task id')
    return WaitSpec(group_ids=tuple(group_ids), task_ids=task_ids or None, ota_version=params.get('ota_version') or None,
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


class Waiter:
    """Runs one wait; ``progress`` receives one line per group per poll."""

    def __init__(self, client, spec, clock=time.monotonic, sleep=time.sleep, progress=None):
        self.client = client
        self.spec = spec
        self._clock = clock
        self._sleep = sleep
        self._progress = progress or (lambda line: None)
        self._watched = set(spec.task_ids) if spec.task_ids else None

    def _select(self, listed):
        """The waited tasks among those listed, and the ids still missing."""
        spec = self.spec
        if self._watched is None and spec.ota_version is None:
            self._watched = {t['task_id'] for t in listed}   # "every task listed at the first poll"
        chosen = [t for t in listed
                  if (self._watched is None or t['task_id'] in self._watched)
                  and (spec.ota_version is None or t['ota_version'] == spec.ota_version)]
        missing = sorted(self._watched - {t['task_id'] for t in listed}) if self._watched is not None else []
        return chosen, missing

    def wait(self):
        spec = self.spec
        start = self._clock()
        deadline = start + spec.timeout
        query = Query(spec.group_ids, 'Fota', None, None, None, None, None)
        polls = 0
        last_error = None
        state = None
        while True:
            polls += 1
            try:
                listing = self.client.list_groups(query, deadline=deadline)
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
                if state['failed_tasks'] and spec.fail_fast:
                    return self._result(state, polls, now - start, timed_out=False)
                if state['done']:
                    return self._result(state, polls, now - start, timed_out=False)
            if now >= deadline:
                return self._result(state, polls, now - start, timed_out=True, error=last_error)
            self._sleep(max(0.0, min(spec.poll_interval, deadline - now)))

    def _evaluate(self, listing, elapsed):
        listed = [task for _group, _total, group_tasks in listing for task in group_tasks]
        chosen, missing = self._select(listed)
        success = set(self.spec.success_statuses)
        failed = [t for t in chosen if task_model.is_terminal(t['task_display_status']) and t['task_display_status'] not in success]
        pending = [t for t in chosen if not task_model.is_terminal(t['task_display_status'])]
        groups = {}
        for group_id, _total, _tasks in listing:
            mine = [t for t in chosen if t['app_instance_group_id'] == group_id]
            counts = task_model.status_counts(mine)
            groups[group_id] = {'status_counts': counts, 'task_count': len(mine), 'empty': not _tasks}
            if not _tasks:
                text = 'no OTA tasks, nothing to wait for'
            elif not mine:
                text = 'no matching task listed yet'
            else:
                text = counts_text(counts)
            self._progress('%s: %s (%s elapsed)' % (group_id, text, duration(elapsed)))
        if missing:
            self._progress('not listed yet: %s' % ', '.join(missing))
        waiting_for_version = self.spec.ota_version is not None and not chosen
        return {'tasks': chosen, 'failed_tasks': failed, 'pending_tasks': pending, 'missing_task_ids': missing,
                'groups': groups, 'done': not pending and not missing and not waiting_for_version}

    def _result(self, state, polls, elapsed, timed_out, error=None):
        state = state or {'tasks': [], 'failed_tasks': [], 'pending_tasks': [], 'missing_task_ids': [], 'groups': {}}
        failed = state['failed_tasks']
        result = {
            'tasks': state['tasks'], 'groups': state['groups'], 'failed_tasks': failed,
            'pending_tasks': state['pending_tasks'], 'missing_task_ids': state['missing_task_ids'], 'elapsed': round(elapsed, 1), 'timed_out': timed_out,
            'polls': polls, 'success': not timed_out and not failed,
        }
        empty = sorted(g for g, info in state['groups'].items() if info['empty'])
        if result['success']:
            msg = 'OTA tasks done after %s: %d task(s) %s' % (
                duration(elapsed), len(state['tasks']), counts_text(task_model.status_counts(state['tasks'])) or 'none')
            if empty:
                msg += '; group(s) with no OTA tasks: %s' % ', '.join(empty)
        elif failed:
            msg = 'OTA task(s) failed after %s: %s' % (duration(elapsed), '; '.join(_describe(t) for t in failed))
            if state['pending_tasks']:
                msg += '; still running: %s' % '; '.join(_describe(t) for t in state['pending_tasks'])
        else:
            parts = [_describe(t) for t in state['pending_tasks']] + ['%s (not listed yet)' % i for i in state['missing_task_ids']]
            if self.spec.ota_version and not state['tasks']:
                parts.append('no task of OTA version %s listed' % self.spec.ota_version)
            msg = 'Timed out after %s waiting for: %s' % (duration(elapsed), '; '.join(parts) or 'the first successful poll')
            if error is not None:
                msg += '; last error: %s' % error
        result['msg'] = msg
        return result


def wait_argument_spec():
    """Options of the ota_task_wait action (the connection options come on top)."""
    return dict(
        app_instance_group_ids=dict(type='list', elements='str', required=True, aliases=['app_instance_group_id']),
        task_ids=dict(type='list', elements='str'),
        ota_version=dict(type='str'),
        wait_timeout=dict(type='float', default=1800),
        poll_interval=dict(type='float', default=15),
        success_statuses=dict(type='list', elements='str', default=['FINISHED'], choices=list(task_model.STATUSES)),
        fail_fast=dict(type='bool', default=True),
    )
