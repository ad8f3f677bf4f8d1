# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OTA task model: API task -> snake_case task, statuses, filters and summaries.

Kept free of I/O so the module, the lookup and the wait action all count and filter
tasks the same way.
"""

from __future__ import annotations

STATUSES = ('STANDBY', 'RUNNING', 'FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED')
TERMINAL_STATUSES = frozenset(('FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED'))
OTA_TYPES = ('Fota',)

MAX_SHARED_STRINGS = 1000


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
