# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one entry point of the shells: options -> credentials -> transport -> pager -> tasks.

The modules (through module.AppStreamingModule) and the lookup hand their (already type-checked)
options to :func:`execute`; the wait action and the event source build a :class:`Client` and
poll it. Everything they return comes from here.
"""

from __future__ import annotations

import time

from . import answers, credentials, gate
from . import tasks as task_model
from .errors import AppStreamingError, OutcomeUnknown, ResponseError
from .options import connection_settings
from .pager import OtaTaskPager, concurrently
from .transport import Transport

LISTING_TIME_BUDGET = 600.0  # seconds one listing (every page of every group, retries included) may take
OTA_TYPE = 'Fota'


class Client:
    """The App Streaming API as the collection uses it: task and group listings, release notes, approvals.

    One credential resolution and one HTTP session, reused for every call.
    """

    def __init__(self, params, environ=None, **transport_options):
        self.settings = connection_settings(params)  # every option is checked before credentials are looked for
        creds = credentials.resolve(params, environ)
        if not params.get('region_id') and getattr(creds, 'region', None):
            self.settings = connection_settings(params, creds.region)  # the region of the profile in use
        self.transport = Transport(self.settings, creds, **transport_options)
        self.pager = OtaTaskPager(self.transport)

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def warnings(self):
        return self.pager.warnings

    @property
    def unsettled(self):
        """The groups whose task list kept changing during the last full listing."""
        return self.pager.unsettled

    def list_tasks(self, query, deadline=None, errors=None):
        """[(group_id, total_count, [task, ...])] for the groups of ``query`` (tasks.TaskQuery), snake_case tasks, unfiltered.

        With an ``errors`` dict, each group is listed on its own: one whose listing fails (an
        AppStreamingError) is left out and its error put in ``errors[group_id]`` (the event source);
        without it, the first error is raised.
        """
        if query.page_number is not None:
            listings = self.pager.list_pages(query.group_ids, query.ota_type, query.page_number,
                                             query.page_size or 100, deadline)
        else:
            listings = self.pager.list_all(query.group_ids, query.ota_type, query.page_size, deadline, errors)
        return [(lst.key, lst.total_count, lst.items) for lst in listings]

    def task_report(self, query, deadline=None, gate_warnings=False):
        """What ota_task_info returns for ``query`` (tasks.TaskQuery); the lookup returns its ``ota_tasks``.

        ``gate_warnings``: also warn about the tasks the gate took as superseded (the module; the
        lookup returns only the tasks).
        """
        groups = {}
        all_tasks = []
        total = 0
        for group_id, total_count, group_tasks in self.list_tasks(query, deadline):
            selected = task_model.filter_tasks(group_tasks, query.statuses, query.task_ids, query.ota_version)
            groups[group_id] = dict(total_count=total_count, **task_model.summarize(selected))
            verdict = gate.snapshot(group_id, group_tasks, ota_version=query.ota_version, task_ids=query.task_ids)
            groups[group_id].update(gate.result_fields(verdict))   # what the ota_wait gate would decide (success: FINISHED)
            if gate_warnings and verdict.superseded:
                self.warnings.append(gate.superseded_warning(verdict))
            all_tasks.extend(selected)
            total += total_count
        unknown = task_model.unknown_statuses(all_tasks)
        if unknown:
            self.warnings.append('ListOtaTask returned task status(es) this collection does not know: %s; they are counted as '
                                 'not terminal' % ', '.join(map(str, unknown)))
        result = dict(ota_tasks=all_tasks, total_count=total, groups=groups)
        result.update(task_model.summarize(all_tasks))
        result['succeeded'] = all(g['succeeded'] for g in groups.values())
        return result

    # --- Delivery groups, release notes and approvals (docs/api-contract.md sections 3-6) ---

    def list_app_instance_groups(self, group_ids=None, name=None, statuses=None, deadline=None, region_id=None):
        """The delivery groups of the region (snake_case, groups.to_group), every page, API order.

        One id is asked for server-side; several are filtered from the region's listing, which
        takes ceil(groups / 100) calls instead of one per id. ``name`` is a substring.
        ``region_id=''`` lists every region (no BizRegionId).
        """
        from . import groups as group_model  # the group and approval code: not imported by ota_task_info
        group_ids = tuple(group_ids or ())
        region = self.settings.region_id if region_id is None else (region_id or None)
        key = group_model.GroupQuery(region, group_ids[0] if len(group_ids) == 1 else None,
                                     name or None, tuple(statuses or ()))
        listing, = self.pager.all(group_model.APP_INSTANCE_GROUPS, [key], group_model.DEFAULT_PAGE_SIZE, deadline)
        # The API applies name and statuses; only several ids are picked here (in the order listed).
        return group_model.filter_groups(listing.items, group_ids) if len(group_ids) > 1 else listing.items

    def group_tasks(self, group_ids, deadline=None):
        """{group id: every listed task (ListOtaTask, all pages)} for the groups given, concurrently."""
        if not group_ids:
            return {}
        return {lst.key: lst.items for lst in self.pager.list_all(list(group_ids), OTA_TYPE, None, deadline)}

    def release_note(self, task_id, deadline=None):
        """GetOtaTaskByTaskId: {task_id, ota_version, release_note, task_start_time} of one (pending) task."""
        body = self.transport.call(answers.GET_OTA_TASK, {'TaskId': task_id}, deadline)
        if answers.release_note(body) is None:
            raise ResponseError(answers.GET_OTA_TASK, 'for task %s: %s' % (task_id, answers.explain(answers.GET_OTA_TASK, body)),
                                body.get('RequestId') if isinstance(body.get('RequestId'), str) else None)
        return {'task_id': task_id, 'ota_version': body.get('OtaVersion') or '', 'release_note': body.get('ReleaseNote') or '',
                'task_start_time': body.get('TaskStartTime') or ''}

    def release_notes(self, task_ids, deadline=None):
        """{task id: release_note()} for each distinct task id, concurrently."""
        distinct = list(dict.fromkeys(t for t in task_ids if t))
        results = concurrently(lambda task_id: self.release_note(task_id, deadline), distinct, self.transport.limiter.maximum)
        notes = {}
        for task_id, (value, error) in zip(distinct, results):
            if error is not None:
                raise error
            notes[task_id] = value
        return notes

    def approve(self, group_id, task_id, start_time, deadline=None):
        """ApproveOtaTask for one group, quoting its pending ``task_id``; ``start_time`` as the API takes it.

        A lost answer is settled by reading the group again (docs/api-contract.md 6.6): a changed
        TaskId means the approval took effect; an unchanged one means it did not, and sending it
        again is safe (an approval quoting a stale TaskId is refused). Returns the number of
        lost answers settled that way.
        """
        from . import groups as group_model, lifecycle
        params = {'AppInstanceGroupId': group_id, 'BizRegionId': self.settings.region_id, 'OtaType': OTA_TYPE,
                  'StartTime': start_time, 'TaskId': task_id}
        lost = 0
        while True:
            try:
                body = self.transport.call(answers.APPROVE_OTA_TASK, params, deadline, write=True)
                if answers.approval(body) is None:  # applied or not: only the group can tell
                    raise OutcomeUnknown('%s: the outcome is unknown: an answer of the wrong shape: %s'
                                         % (answers.APPROVE_OTA_TASK, answers.explain(answers.APPROVE_OTA_TASK, body)))
                return lost
            except OutcomeUnknown as exc:
                lost += 1
                group = self._read_group(group_id, deadline)
                if group is not None and lifecycle.took_effect(task_id, group_model.OtaInfo.of(group)):
                    return lost
                if lost > self.settings.retries:
                    raise OutcomeUnknown('%s; the group still shows task %s after %d attempts' % (str(exc).rstrip('.'), task_id, lost)) from None

    def read_groups_again(self, group_ids, deadline=None):
        """The groups read once more (after approvals, for their new task ids), trying again up to ``retries`` times.

        Each listing already retries what the transport retries (throttling, 5xx, garbled JSON);
        this also gets past an answer of the wrong shape. Raises the last error when every try failed.
        """
        transport = self.transport  # its backoff, sleep and clock, so that tests run this without sleeping
        attempt = 0
        while True:
            try:
                return self.list_app_instance_groups(group_ids, deadline=deadline)
            except AppStreamingError:
                delay = transport._backoff(attempt, None)  # pylint: disable=protected-access
                if attempt >= self.settings.retries or (deadline is not None and transport._clock() + delay > deadline):  # pylint: disable=protected-access
                    raise
                transport._sleep(delay)  # pylint: disable=protected-access
                attempt += 1

    def _read_group(self, group_id, deadline=None):
        found = self.list_app_instance_groups([group_id], deadline=deadline)
        return found[0] if found else None


def execute(params, parse, work, environ=None):
    """What every shell does with its (already type-checked) options: (result, warnings).

    Its own options are checked by ``parse(params)`` first, then the connection options and the
    credentials by one Client, which ``work(client, parsed options, deadline)`` uses within
    LISTING_TIME_BUDGET.
    """
    options = parse(params)
    with Client(params, environ) as client:
        result = work(client, options, time.monotonic() + LISTING_TIME_BUDGET)
        return result, list(client.warnings)


def run(params, environ=None, gate_warnings=False):
    """The task report (ota_task_info's result; the lookup returns its ``ota_tasks``) and the warnings.

    ``gate_warnings``: also warn about the tasks the gate took as superseded (the module).
    """
    return execute(params, task_model.parse, lambda client, query, deadline: client.task_report(query, deadline, gate_warnings),
                   environ)
