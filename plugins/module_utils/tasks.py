# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OTA task model: what to list (the ListOtaTask options), API task -> snake_case task, statuses, filters and summaries.

Kept free of I/O so the module, the lookup and the wait action all count and filter
tasks the same way.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from .errors import OptionError
from .options import id_list, positive

STATUSES = ('STANDBY', 'RUNNING', 'FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED')
TERMINAL_STATUSES = frozenset(('FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED'))
OTA_TYPES = ('Fota',)

MAX_SHARED_STRINGS = 1000


def argument_spec():
    """What to list and how to filter it (ota_task_info, the ota_tasks lookup)."""
    return dict(
        app_instance_group_ids=dict(type='list', elements='str', required=True, aliases=['app_instance_group_id']),
        ota_type=dict(type='str', default='Fota', choices=list(OTA_TYPES)),
        page_size=dict(type='int'),
        page_number=dict(type='int'),
        statuses=dict(type='list', elements='str', choices=list(STATUSES)),
        task_ids=dict(type='list', elements='str'),
        ota_version=dict(type='str'),
    )


class TaskQuery(NamedTuple):
    """What to list (ListOtaTask per group) and the client-side filters."""

    group_ids: tuple
    ota_type: str = 'Fota'
    page_size: Optional[int] = None
    page_number: Optional[int] = None
    statuses: Optional[tuple] = None
    task_ids: Optional[tuple] = None
    ota_version: Optional[str] = None


def parse(params):
    """Check what to list: non-empty, unique group ids and in-range paging."""
    group_ids = id_list(params, 'app_instance_group_ids', 'group id', required='delivery group id')
    ota_type = params.get('ota_type') or 'Fota'
    if ota_type not in OTA_TYPES:
        raise OptionError('ota_type must be one of %s, got %r' % (', '.join(OTA_TYPES), ota_type))
    statuses = params.get('statuses')
    for status in statuses or ():
        if status not in STATUSES:
            raise OptionError('statuses: %r is not one of %s' % (status, ', '.join(STATUSES)))
    return TaskQuery(
        group_ids=tuple(group_ids),
        ota_type=ota_type,
        page_size=positive(params, 'page_size', int, minimum=1, maximum=100),
        page_number=positive(params, 'page_number', int, minimum=1),
        statuses=tuple(statuses) if statuses else None,
        task_ids=id_list(params, 'task_ids', 'task id') or None,
        ota_version=params.get('ota_version') or None,
    )


def to_task(raw, group_id, strings=None):
    """One API task as the collection returns it (snake_case, with its delivery group).

    With a ``strings`` dict, equal statuses and versions share one string object: a
    100,000-task listing then holds a handful of them instead of 200,000. The dict stops
    growing at MAX_SHARED_STRINGS, so values that never repeat do not cost a second copy.
    """
    status, version = raw.get('TaskDisplayStatus'), raw.get('OtaVersion')
    if strings is not None:
        if len(strings) < MAX_SHARED_STRINGS:
            status = strings.setdefault(status, status)
            version = strings.setdefault(version, version)
        else:
            status = strings.get(status, status)
            version = strings.get(version, version)
    return {'task_id': raw.get('TaskId'), 'ota_version': version, 'task_display_status': status,
            'task_start_time': raw.get('TaskStartTime'), 'app_instance_group_id': group_id}


def is_terminal(status):
    """True for a status the task never leaves; unknown statuses count as not terminal."""
    return status in TERMINAL_STATUSES


def unknown_statuses(tasks):
    return sorted({t['task_display_status'] for t in tasks} - set(STATUSES), key=str)


def filter_tasks(tasks, statuses=None, task_ids=None, ota_version=None):
    """Client-side filters; each one given narrows the list, order is kept."""
    status_set = set(statuses) if statuses else None
    id_set = set(task_ids) if task_ids else None
    return [
        t for t in tasks
        if (status_set is None or t['task_display_status'] in status_set)
        and (id_set is None or t['task_id'] in id_set)
        and (ota_version is None or t['ota_version'] == ota_version)
    ]


def status_counts(tasks):
    counts = {}
    for task in tasks:
        counts[task['task_display_status']] = counts.get(task['task_display_status'], 0) + 1
    return counts


def summarize(tasks):
    """status_counts and all_terminal of a list of tasks (vacuously terminal when empty)."""
    return {
        'status_counts': status_counts(tasks),
        'all_terminal': all(is_terminal(t['task_display_status']) for t in tasks),
    }
