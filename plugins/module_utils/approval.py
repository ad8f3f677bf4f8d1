# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Approving an OTA version for delivery groups: read, decide (lifecycle.py), approve concurrently, read again.

Everything is read and checked before the first write: a group that is unknown or in another
region fails the whole run and nothing is approved. Then each group that needs it is approved
(or rescheduled) concurrently; a group that fails does not stop the others. The groups are read
once more afterwards, for the new task ids. ota_task's options (argument_spec, parse) and its
result (report) live here too.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from . import lifecycle
from .errors import AppStreamingError, OptionError
from .groups import OtaInfo
from .options import id_list
from .pager import concurrently

CHECK_MODE_TASK_ID = '(assigned when approved)'
MAX_REGION_LOOKUPS = 5  # groups not found in the region that are looked for in every region, for a clearer error
MAX_START_TIME_AGE = 300  # seconds: an explicit start_time may be at most this far in the past
FAILED = 'failed'


def argument_spec():
    """What ota_task approves."""
    return dict(
        state=dict(type='str', default='approved', choices=['approved']),
        app_instance_group_ids=dict(type='list', elements='str', required=True, aliases=['app_instance_group_id']),
        ota_version=dict(type='str', required=True),
        start_time=dict(type='str', default='now'),
    )


class Approval(NamedTuple):
    group_ids: tuple
    ota_version: str
    start_time: object         # aware datetime: when the update should start
    explicit_start: bool       # False for 'now': a STANDBY task is then left as scheduled
    now: object = None         # aware datetime the options were checked at (refuse_past_start)


def parse(params, now=None):
    """Check ota_task's options; ``now`` is an aware datetime (default: now)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    group_ids = id_list(params, 'app_instance_group_ids', 'group id', required='delivery group id')
    version = params.get('ota_version')
    if version is None or not str(version).strip():
        raise OptionError('ota_version must not be empty: give the OTA version you reviewed (new_ota_version of '
                          'app_instance_group_info)')
    if params.get('state', 'approved') != 'approved':
        raise OptionError("state must be approved, got %r" % params.get('state'))
    moment, explicit = start_time(params.get('start_time'), now)
    return Approval(group_ids, str(version).strip(), moment, explicit, now)


def start_time(value, now):
    """(aware datetime, explicit?) of a start_time option: 'now', or ISO 8601 with a zone.

    How far in the past it may be is checked by :func:`refuse_past_start`, only when an approval
    is about to be sent: a re-run with a fixed time that has passed still reports the groups.
    """
    text = '' if value is None else str(value).strip()
    if text.lower() in ('', 'now'):
        return now, False
    try:
        moment = lifecycle.parse_time(text)
    except ValueError as exc:
        raise OptionError('start_time %r %s' % (text, exc)) from None
    return moment, True


def refuse_past_start(spec, option='start_time'):
    """OptionError when the explicit start time of ``spec`` (Approval) is more than 5 minutes before its ``now``."""
    if not spec.explicit_start or spec.now is None:
        return
    if (spec.now - spec.start_time).total_seconds() > MAX_START_TIME_AGE:
        raise OptionError('%s %s is more than 5 minutes in the past (now is %s UTC); use now or a later time; nothing was '
                          'approved' % (option, lifecycle.api_time(spec.start_time), spec.now.strftime('%Y-%m-%dT%H:%M')))


def _schedule(task):
    if task is None:
        return {'task_status': None, 'start_time': None}
    return {'task_status': task['task_display_status'], 'start_time': task.get('task_start_time')}


def _regions_of(client, group_ids, deadline=None):
    """{group id: its region} for those of ``group_ids`` found in another region (an error path: one call per id)."""
    regions = {}
    for group_id in group_ids:
        try:
            found = client.list_app_instance_groups([group_id], region_id='', deadline=deadline)
        except AppStreamingError:
            return regions  # the API may insist on a region: the caller then gives the plain message
        regions.update((g['app_instance_group_id'], g.get('region_id')) for g in found if g.get('region_id'))
    return regions


def read(client, spec, deadline=None):
    """{group id: (group, OtaInfo, Decision)} for every group of ``spec`` (Approval); no write."""
    region = client.settings.region_id
    listed = {g['app_instance_group_id']: g for g in client.list_app_instance_groups(spec.group_ids, deadline=deadline)}
    missing = [g for g in spec.group_ids if g not in listed]
    if missing:
        elsewhere = _regions_of(client, missing[:MAX_REGION_LOOKUPS], deadline)
        if elsewhere:
            found = ', '.join('%s is in region %s' % item for item in sorted(elsewhere.items()))
            raise OptionError('app_instance_group_ids: %s, not region_id %s; nothing was approved' % (found, region))
        raise OptionError('app_instance_group_ids: %s %s not a delivery group of region %s (unknown, or in another region: '
                          'check region_id); nothing was approved' % (', '.join(missing), 'is' if len(missing) == 1 else 'are', region))
    elsewhere = [g for g in spec.group_ids if listed[g].get('region_id') not in (None, '', region)]
    if elsewhere:
        raise OptionError('app_instance_group_ids: %s %s in region %s, not region_id %s; nothing was approved'
                          % (', '.join(elsewhere), 'is' if len(elsewhere) == 1 else 'are', listed[elsewhere[0]]['region_id'], region))
    offered = [g for g in spec.group_ids if OtaInfo.of(listed[g]).new_ota_version == spec.ota_version]
    tasks = client.group_tasks(offered, deadline)
    wanted_start = spec.start_time if spec.explicit_start else None
    return {g: (listed[g], OtaInfo.of(listed[g]),
                lifecycle.decide(OtaInfo.of(listed[g]), tasks.get(g, []), spec.ota_version, wanted_start))
            for g in spec.group_ids}


def run(client, spec, check_mode=False, deadline=None):
    """Approve ``spec`` (Approval); returns (result, failed group ids).

    Before any write: a version that no group offers or runs fails (a typo), and an explicit
    start time more than 5 minutes in the past fails when an approval is to be sent. After the
    approvals the groups are read again (with retries) for their new task ids; a group approved
    whose new task id still cannot be read is failed with the reason (and listed in
    ``approved_without_task_id``): success always comes with the task to wait for.
    """
    state = read(client, spec, deadline)
    lifecycle.refuse_unknown_version(spec.ota_version, [state[g][1] for g in spec.group_ids])
    writes = [g for g in spec.group_ids if state[g][2].writes]
    if writes:
        refuse_past_start(spec)
    start_text = lifecycle.api_time(spec.start_time)
    errors = {}
    new_ota = {}
    unread = None
    if writes and not check_mode:
        outcomes = concurrently(lambda g: client.approve(g, state[g][1].task_id, start_text, deadline), writes,
                                client.transport.limiter.maximum)
        errors = {g: error for g, (_lost, error) in zip(writes, outcomes) if error is not None}
        done = [g for g in writes if g not in errors]
        if done:
            try:
                new_ota = {g['app_instance_group_id']: OtaInfo.of(g) for g in client.read_groups_again(done, deadline)}
            except AppStreamingError as exc:
                unread = exc
        new_ota = {g: ota for g, ota in new_ota.items() if ota.task_id and lifecycle.took_effect(state[g][1].task_id, ota)}
    groups, before, after = [], {}, {}
    unnamed = []
    for group_id in spec.group_ids:
        _group, ota, decision = state[group_id]
        item = {'app_instance_group_id': group_id, 'action': decision.action, 'reason': decision.reason,
                'ota_version': spec.ota_version if decision.action != lifecycle.SKIPPED else (ota.new_ota_version or ota.ota_version),
                'previous_task_id': ota.task_id or None, 'task_id': ota.task_id or None, 'start_time': None}
        before[group_id] = dict(ota_version=ota.ota_version, new_ota_version=ota.new_ota_version, task_id=ota.task_id or None,
                                **_schedule(decision.task))
        after[group_id] = dict(before[group_id])
        if decision.task is not None:
            item['start_time'] = decision.task.get('task_start_time')
        if not decision.writes:
            item['previous_task_id'] = None
        elif group_id in errors:
            error = errors[group_id]
            item.update(action=FAILED, reason=str(error), start_time=None)
            item.update(error.details())
        else:
            item['start_time'] = start_text
            if check_mode:
                item['task_id'] = CHECK_MODE_TASK_ID
            elif group_id in new_ota:
                item['task_id'] = new_ota[group_id].task_id
            else:
                unnamed.append(group_id)
                item['task_id'] = None
                item['reason'] = ('approved, but its new task id could not be read (%s): wait for it by version %s'
                                  % (str(unread).rstrip('.') if unread is not None else 'the group still shows task %s' % ota.task_id,
                                     spec.ota_version))
            after[group_id].update(task_id=item['task_id'], task_status='STANDBY', start_time=start_text)
        groups.append(item)
    changed_ids = [g['app_instance_group_id'] for g in groups if g['action'] in lifecycle.WRITES]
    result = {
        'changed': bool(changed_ids),
        'ota_version': spec.ota_version,
        'start_time': start_text,
        'groups': groups,
        'approved': changed_ids,
        'approved_without_task_id': unnamed,
        'task_ids': [g['task_id'] for g in groups if g['action'] in lifecycle.WRITES and g['task_id'] and not check_mode],
        'in_flight_task_ids': [g['task_id'] for g in groups if g['task_id'] and (
            (g['action'] in lifecycle.WRITES and not check_mode) or g['action'] == lifecycle.ALREADY_APPROVED)],
        'diff': {'before': before, 'after': after},
    }
    return result, sorted(set(errors) | set(unnamed))


def report(client, spec, check_mode=False, diff=False, deadline=None):
    """ota_task's result: run()'s, with the diff only when ``diff`` is asked for, and failed with a message naming each
    group when a group failed."""
    result, failed = run(client, spec, check_mode, deadline)
    changes = result.pop('diff')
    if diff:
        result['diff'] = changes
    if failed:
        reasons = '; '.join('%s: %s' % (g['app_instance_group_id'], g['reason']) for g in result['groups']
                            if g['app_instance_group_id'] in failed)
        done = ', '.join(result['approved']) or 'none'
        result.update(failed=True, msg='Approving the OTA update failed for %d group(s) - %s. Approved: %s' % (len(failed), reasons, done))
    return result
