# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OTA lifecycle this collection assumes (docs/api-contract.md section 6), in one place.

Nothing public documents it; it is the simplest behaviour consistent with the API reference:

* an update is available when the group's ``OtaInfo.NewOtaVersion`` is not empty, and
  ``OtaInfo.TaskId`` then names the pending task, which ListOtaTask does not list;
* ApproveOtaTask gives the group a new TaskId, listed STANDBY (RUNNING from its StartTime);
  approving a STANDBY task again reschedules it, a RUNNING one is refused (``OtaTask.Running``);
* a group is *up to date* (for a version) when it runs that version and is offered no update
  (NewOtaVersion is empty); *approved* when its current TaskId is listed STANDBY or RUNNING;
* an approval whose answer was lost took effect exactly when the group's TaskId changed.

Pure functions over a group's OtaInfo (groups.OtaInfo) and its listed tasks (tasks.to_task).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import NamedTuple, Optional

from .errors import OptionError

IN_FLIGHT = frozenset(('STANDBY', 'RUNNING'))
APPROVED = 'approved'
RESCHEDULED = 'rescheduled'
UP_TO_DATE = 'up to date'
ALREADY_APPROVED = 'already approved'
SKIPPED = 'skipped'
WRITES = frozenset((APPROVED, RESCHEDULED))

# ISO 8601 date and time with a zone: 2026-11-30T06:00Z, 2026-11-30T14:00:00+08:00, 2026-11-30 06:00:00.5+0000
_ISO = (r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?'
        r'\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$')
API_TIME_FORMAT = '%Y-%m-%dT%H:%MZ'


class Decision(NamedTuple):
    """What an approval should do for one group, and why."""

    action: str                 # APPROVED, RESCHEDULED (both write), UP_TO_DATE, ALREADY_APPROVED or SKIPPED
    reason: str
    task: Optional[dict] = None  # the group's current task as ListOtaTask lists it, if listed

    @property
    def writes(self):
        return self.action in WRITES


def parse_time(text):
    """An aware datetime from ISO 8601 text; ValueError('...') without a zone or when it is no ISO 8601 time."""
    match = re.match(_ISO, str(text).strip())
    if not match:
        raise ValueError('is not an ISO 8601 date and time like 2026-11-30T06:00Z')
    year, month, day, hour, minute, second, zulu, sign, off_h, off_m = match.groups()
    if not zulu and not sign:
        raise ValueError('has no time zone: add Z (UTC) or an offset like +08:00')
    offset = datetime.timedelta(0)
    if sign:
        offset = datetime.timedelta(hours=int(off_h), minutes=int(off_m))
        if offset >= datetime.timedelta(hours=24):
            raise ValueError('has an invalid UTC offset')
        offset = -offset if sign == '-' else offset
    try:
        return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                                 tzinfo=datetime.timezone(offset))
    except ValueError as exc:
        raise ValueError('is not a valid date and time (%s)' % exc) from None


def to_minute(moment):
    """The UTC minute the API schedules at (seconds are dropped)."""
    return moment.astimezone(datetime.timezone.utc).replace(second=0, microsecond=0)


def api_time(moment):
    """ApproveOtaTask's StartTime: UTC minutes, yyyy-MM-ddTHH:mmZ."""
    return to_minute(moment).strftime(API_TIME_FORMAT)


def same_minute(first, second):
    """Whether two times (aware datetimes or ISO 8601 text) name the same UTC minute; compares instants, not strings."""
    try:
        first = parse_time(first) if isinstance(first, str) else first
        second = parse_time(second) if isinstance(second, str) else second
    except ValueError:
        return False
    return first is not None and second is not None and to_minute(first) == to_minute(second)


def current_task(ota, tasks):
    """The listed task that is the group's current OtaInfo.TaskId, or None (a pending task is not listed)."""
    if not ota.task_id:
        return None
    return next((t for t in tasks if t['task_id'] == ota.task_id), None)


def is_up_to_date(ota, version):
    """The one meaning of "up to date" in this collection: the group runs ``version`` and is offered no update."""
    return not ota.update_available and ota.ota_version == version


def start_of(task):
    """The aware start time of a listed task, or None when it has none or it is not ISO 8601."""
    try:
        return parse_time(task.get('task_start_time') or '')
    except ValueError:
        return None


def scheduled_after(ota, tasks, moment):
    """The group's current task if it is approved (STANDBY) to start after ``moment``, else None."""
    task = current_task(ota, tasks)
    if task is None or task['task_display_status'] != 'STANDBY':
        return None
    start = start_of(task)
    return task if start is not None and start > moment else None


def refuse_unknown_version(version, otas, option='ota_version'):
    """OptionError, before anything is written, when none of the groups (their OtaInfo) offers or runs ``version``.

    A mistyped version would otherwise skip every group and pass as "nothing to do"; the error
    names the versions the groups do offer, with their counts.
    """
    otas = list(otas)
    if not otas or any(ota.new_ota_version == version or ota.ota_version == version for ota in otas):
        return
    offered = Counter(ota.new_ota_version for ota in otas)
    parts = ['%d group%s %s %s' % (number, '' if number == 1 else 's', 'offers' if number == 1 else 'offer', name or 'no update')
             for name, number in sorted(offered.items(), key=lambda item: (not item[0], -item[1], item[0]))]
    raise OptionError('%s %s: no group offers or runs it (a typo?): %s; nothing was approved' % (option, version, ', '.join(parts)))


def in_flight_task(ota, tasks):
    """The group's current task if it is approved and not done (STANDBY or RUNNING), else None."""
    task = current_task(ota, tasks)
    return task if task is not None and task['task_display_status'] in IN_FLIGHT else None


def is_approved(ota, tasks):
    return in_flight_task(ota, tasks) is not None


def decide(ota, tasks, version, start_time=None):
    """What approving ``version`` should do for a group, given its OtaInfo and its listed tasks.

    ``start_time`` is the aware datetime asked for explicitly, or None for "now": only an
    explicit start time that differs from a STANDBY task's reschedules it.
    """
    if not ota.update_available:
        if is_up_to_date(ota, version):
            return Decision(UP_TO_DATE, 'runs %s' % version)
        return Decision(SKIPPED, 'no update available (runs %s, not %s)' % (ota.ota_version or 'an unknown version', version))
    if ota.new_ota_version != version:
        return Decision(SKIPPED, 'offers version %s, not %s' % (ota.new_ota_version, version))
    task = current_task(ota, tasks)
    if task is not None and task['task_display_status'] == 'RUNNING':
        return Decision(ALREADY_APPROVED, 'task %s is RUNNING' % task['task_id'], task)
    if task is not None and task['task_display_status'] == 'STANDBY':
        if start_time is not None and not same_minute(start_time, task.get('task_start_time') or ''):
            return Decision(RESCHEDULED, 'task %s was scheduled for %s' % (task['task_id'], task.get('task_start_time')), task)
        return Decision(ALREADY_APPROVED, 'task %s is STANDBY, scheduled for %s' % (task['task_id'], task.get('task_start_time')), task)
    return Decision(APPROVED, 'version %s is available (task %s)' % (version, ota.task_id), task)


def took_effect(sent_task_id, ota_after):
    """Whether an approval quoting ``sent_task_id`` took effect, from the group read again afterwards.

    The API gives the group a new TaskId on every successful approval, and refuses an approval
    quoting a stale one: an unchanged TaskId means it did not take effect and may be sent again.
    """
    return ota_after.task_id != sent_task_id
