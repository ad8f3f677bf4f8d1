# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a rollout in waves (the ota_rollout role): which groups, in which wave, and which are skipped.

The rules of docs/rolling-out-in-waves.md, checked here before anything is approved:

* the groups are named explicitly (ids, waves, a name or a glob), or every group of the region is
  asked for with ``all_groups``; a name matches whole names, a glob (``office-*``) with fnmatch;
* a version that none of the selected groups offers or runs is a typo and fails;
* a group whose update is already approved to start later than a wave could wait (``wave_timeout``)
  is skipped with that reason, unless an explicit ``start_time`` reschedules it into its wave;
* an explicit ``start_time`` must fall within ``wave_timeout``, and (only when an approval is to be
  sent) not more than 5 minutes in the past.

For the role, errors name its variables (``ota_rollout_batch_size``), and a variable it does not know
fails, naming the nearest one it knows.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from typing import NamedTuple, Optional

from . import lifecycle
from .approval import Approval, refuse_past_start, start_time as parse_start_time
from .errors import OptionError
from .groups import OtaInfo
from .options import connection_argument_spec, id_list, role_variable
from .waiter import MIN_POLL_INTERVAL

ROLE = 'ota_rollout'
GLOB_CHARACTERS = re.compile(r'[*?\[]')
# The role's own variables besides the plan's options and the connection options.
ROLE_ONLY = ('fail',)
# The fact the role sets: a variable of its name may exist from an earlier run in the play.
ROLE_RESULT = 'ota_rollout_result'


def argument_spec():
    """Options of ota_rollout_plan (the connection options come on top)."""
    return dict(
        ota_version=dict(type='str', required=True),
        app_instance_group_ids=dict(type='list', elements='str'),
        name=dict(type='str'),
        waves=dict(type='list', elements='list'),
        all_groups=dict(type='bool', default=False),
        canary=dict(type='int', default=1),
        batch_size=dict(type='int', default=10),
        start_time=dict(type='str', default='now'),
        wave_timeout=dict(type='int', default=3600),
        poll_interval=dict(type='int', default=15),
        role_variables=dict(type='list', elements='str'),
    )


def role_variables():
    """Every variable of the role ota_rollout: its plan options, the connection options, ota_rollout_fail, and its fact."""
    names = [role_variable(ROLE, option) for option in argument_spec() if option != 'role_variables']
    names += [role_variable(ROLE, option) for option in connection_argument_spec()]
    names += [role_variable(ROLE, option) for option in ROLE_ONLY]
    return tuple(names) + (ROLE_RESULT,)


class RolloutSpec(NamedTuple):
    ota_version: str
    group_ids: tuple = ()    # the groups named, in order
    waves: tuple = ()        # explicit waves (tuples of ids)
    name: Optional[str] = None   # a whole name, or a glob
    all_groups: bool = False
    canary: int = 1
    batch_size: int = 10
    start: Optional[Approval] = None   # the start time as ota_task checks it (start_time, explicit_start, now)
    wave_timeout: int = 3600
    role: bool = False       # errors name the role's variables

    def option(self, name):
        """How the user wrote option ``name``: the option, or for the role its variable."""
        return role_variable(ROLE, name) if self.role else name


def parse(params, now=None, role=None):
    """Check the rollout options; ``role``: errors name the role's variables (default: when role_variables is given)."""
    role = params.get('role_variables') is not None if role is None else role
    name = _namer(role)
    if role:
        check_role_variables(params.get('role_variables'))
    version = params.get('ota_version')
    if version is None or not str(version).strip():
        raise OptionError('%s must not be empty: give the OTA version you reviewed' % name('ota_version'))
    group_ids = None
    if params.get('app_instance_group_ids') is not None:
        group_ids = id_list(params, 'app_instance_group_ids', 'group id', required='delivery group id',
                            label=name('app_instance_group_ids'))
    waves = _waves(params.get('waves') or [], name)
    pattern = params.get('name')
    if pattern is not None and not str(pattern).strip():
        raise OptionError('%s must not be empty' % name('name'))
    given = [option for option, value in (('app_instance_group_ids', group_ids), ('waves', waves), ('name', pattern)) if value]
    if len(given) > 1:
        raise OptionError('%s are mutually exclusive: give the groups one way' % ' and '.join(name(o) for o in given))
    all_groups = bool(params.get('all_groups'))
    if all_groups and given:
        raise OptionError('%s: true selects every group of the region; it cannot be combined with %s'
                          % (name('all_groups'), name(given[0])))
    if not given and not all_groups:
        raise OptionError('Name the delivery groups to roll out to with %s, %s or %s, or set %s: true to roll out to every '
                          'group of the region that offers the version; nothing was approved'
                          % (name('app_instance_group_ids'), name('waves'), name('name'), name('all_groups')))
    batch_size, canary = params.get('batch_size', 10), params.get('canary', 1)
    if batch_size is None or batch_size < 1:
        raise OptionError('%s must be at least 1, got %s' % (name('batch_size'), batch_size))
    if canary is None or canary < 0:
        raise OptionError('%s must be 0 or more, got %s' % (name('canary'), canary))
    wave_timeout = params.get('wave_timeout', 3600)
    if wave_timeout is None or wave_timeout < 1:
        raise OptionError('%s must be at least 1 second, got %s' % (name('wave_timeout'), wave_timeout))
    interval = params.get('poll_interval', 15)
    if interval is None or interval < MIN_POLL_INTERVAL:
        raise OptionError('%s must be at least %d seconds, got %s' % (name('poll_interval'), MIN_POLL_INTERVAL, interval))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    try:
        moment, explicit = parse_start_time(params.get('start_time'), now)
    except OptionError as exc:
        raise OptionError(str(exc).replace('start_time', name('start_time'), 1)) from None
    if explicit and (moment - now).total_seconds() > wave_timeout:
        raise OptionError('%s %s is more than %s (%d s) from now: the first wave would time out before its updates start; '
                          'nothing was approved' % (name('start_time'), lifecycle.api_time(moment), name('wave_timeout'), wave_timeout))
    start = Approval(tuple(group_ids or ()), str(version).strip(), moment, explicit, now)
    return RolloutSpec(str(version).strip(), tuple(group_ids or ()), tuple(waves), str(pattern).strip() if pattern else None,
                       all_groups, int(canary), int(batch_size), start, int(wave_timeout), role)


def _namer(role):
    return (lambda option: role_variable(ROLE, option)) if role else (lambda option: option)


def nearest(name, known, prefix=ROLE + '_'):
    """The known variable most like ``name``, or None: by letters and by words (group_ids is app_instance_group_ids,
    not all_groups), without the common prefix."""
    import difflib  # only on this error path: not on every module start

    def score(other):
        first, second = name[len(prefix):], other[len(prefix):]
        letters = difflib.SequenceMatcher(None, first, second).ratio()
        words = difflib.SequenceMatcher(None, first.split('_'), second.split('_')).ratio()
        return (letters + words) / 2
    best = max(known, key=score, default=None)
    return best if best is not None and score(best) >= 0.3 else None


def check_role_variables(names):
    """OptionError for an ota_rollout_* variable the role does not know, naming the nearest one it knows."""
    known = role_variables()
    unknown = sorted(n for n in names or () if n.startswith(ROLE + '_') and not n.startswith(ROLE + '__') and n not in known)
    if not unknown:
        return
    parts = []
    for name in unknown:
        close = nearest(name, known)
        parts.append('%s (did you mean %s?)' % (name, close) if close else name)
    raise OptionError('The role alibabacloud.appstreaming.ota_rollout has no variable %s; nothing was approved' % '; '.join(parts))


def _waves(values, name):
    waves, seen = [], {}
    for number, wave in enumerate(values, 1):
        if not isinstance(wave, (list, tuple)) or not wave:
            raise OptionError('%s: wave %d must be a non-empty list of delivery group ids' % (name('waves'), number))
        for group_id in wave:
            group_id = str(group_id or '').strip()
            if not group_id:
                raise OptionError('%s: wave %d contains an empty group id' % (name('waves'), number))
            if group_id in seen:
                raise OptionError('%s: %s is in wave %d and again in wave %d; each group may be in one wave only'
                                  % (name('waves'), group_id, seen[group_id], number))
            seen[group_id] = number
        waves.append(tuple(str(g).strip() for g in wave))
    return waves


def matches(pattern, group_name):
    """A whole name, or (with * ? [ in it) a shell-style glob, case-sensitive."""
    if GLOB_CHARACTERS.search(pattern):
        return fnmatch.fnmatchcase(group_name or '', pattern)
    return (group_name or '') == pattern


def server_filter(pattern):
    """The longest literal part of ``pattern``: the API filters names by substring, so this narrows the listing."""
    literal = re.sub(r'\[[^\]]*\]', '*', pattern)
    return max(re.split(r'[*?\[\]]', literal), key=len) or None


def select(rollout, listed, region_id):
    """The ids of the selected groups, in order; OptionError for a named group the region does not have."""
    by_id = {g['app_instance_group_id']: g for g in listed}
    named = [g for wave in rollout.waves for g in wave] or list(rollout.group_ids)
    if named:
        unknown = [g for g in named if g not in by_id]
        if unknown:
            raise OptionError('%s: %s %s not a delivery group of region %s (unknown, or in another region: check %s); '
                              'nothing was approved' % (rollout.option('waves' if rollout.waves else 'app_instance_group_ids'),
                                                        ', '.join(unknown), 'is' if len(unknown) == 1 else 'are', region_id,
                                                        rollout.option('region_id')))
        return named
    if rollout.name:
        found = [g['app_instance_group_id'] for g in listed if matches(rollout.name, g.get('app_instance_group_name'))]
        if not found:
            how = 'matches' if GLOB_CHARACTERS.search(rollout.name) else 'is the whole name of'
            raise OptionError("%s %r %s no delivery group of region %s (a name is matched whole; use a glob such as "
                              "'office-*' for several); nothing was approved" % (rollout.option('name'), rollout.name, how, region_id))
        return found
    return [g['app_instance_group_id'] for g in listed]


def _group_view(group, decision, wave):
    ota = OtaInfo.of(group)
    task = decision.task
    return {'app_instance_group_id': group['app_instance_group_id'], 'app_instance_group_name': group.get('app_instance_group_name'),
            'ota_version': ota.ota_version, 'new_ota_version': ota.new_ota_version, 'action': decision.action,
            'reason': decision.reason, 'wave': wave, 'task_id': task['task_id'] if task else None,
            'task_status': task['task_display_status'] if task else None, 'start_time': task.get('task_start_time') if task else None}


def label(group):
    """How the plan shows a group: its name (id), then its current version."""
    shown = group.get('app_instance_group_name') or '-'
    return '%s (%s) at %s' % (shown, group['app_instance_group_id'], group.get('ota_version') or 'an unknown version')


def plan(rollout, listed, region_id, tasks=None):
    """(waves, skipped, groups) for the groups ``listed`` in the region and the tasks of those offering the version.

    ``tasks``: {group id: listed tasks} of the selected groups that offer the version (to know what is
    already approved, and for when). Raises OptionError for what must stop the rollout before it starts.
    """
    tasks = tasks or {}
    by_id = {g['app_instance_group_id']: g for g in listed}
    selected = select(rollout, listed, region_id)
    lifecycle.refuse_unknown_version(rollout.ota_version, [OtaInfo.of(by_id[g]) for g in selected], rollout.option('ota_version'))
    wanted_start = rollout.start.start_time if rollout.start is not None and rollout.start.explicit_start else None
    latest = rollout.start.now + datetime.timedelta(seconds=rollout.wave_timeout) if rollout.start is not None else None
    decisions, skipped = {}, []
    for group_id in selected:
        ota = OtaInfo.of(by_id[group_id])
        group_tasks = tasks.get(group_id, [])
        decision = lifecycle.decide(ota, group_tasks, rollout.ota_version, wanted_start)
        later = lifecycle.scheduled_after(ota, group_tasks, latest) if latest is not None and wanted_start is None else None
        if decision.action == lifecycle.UP_TO_DATE:
            reason = 'up to date (%s)' % decision.reason
        elif decision.action == lifecycle.SKIPPED:
            reason = decision.reason
        elif later is not None:
            reason = ('approved for %s (task %s), more than %s (%d s) away: a wave would time out waiting for it; set %s to '
                      'reschedule it into its wave' % (later.get('task_start_time'), later['task_id'], rollout.option('wave_timeout'),
                                                       rollout.wave_timeout, rollout.option('start_time')))
        else:
            decisions[group_id] = decision
            continue
        decisions[group_id] = decision
        skipped.append({'app_instance_group_id': group_id, 'reason': reason})
    rolled = {g for g in selected if g not in {s['app_instance_group_id'] for s in skipped}}
    if rollout.start is not None and any(decisions[g].writes for g in rolled):
        refuse_past_start(rollout.start, rollout.option('start_time'))
    if rollout.waves:
        waves = [w for w in ([g for g in wave if g in rolled] for wave in rollout.waves) if w]
    else:
        ordered = [g for g in selected if g in rolled]
        waves = []
        if rollout.canary and ordered:
            waves.append(ordered[:rollout.canary])
            ordered = ordered[rollout.canary:]
        waves.extend(ordered[i:i + rollout.batch_size] for i in range(0, len(ordered), rollout.batch_size))
    wave_of = {g: n for n, wave in enumerate(waves, 1) for g in wave}
    groups = [_group_view(by_id[g], decisions[g], wave_of.get(g)) for g in selected]
    return waves, skipped, groups


def run_plan(client, rollout, deadline=None):
    """The plan the role prints and follows: waves, skipped groups, each group's state, the release note."""
    single = rollout.group_ids[0] if len(rollout.group_ids) == 1 and not rollout.waves else None
    query_name = server_filter(rollout.name) if rollout.name else None
    listed = client.list_app_instance_groups([single] if single else None, name=query_name, deadline=deadline)
    selected = select(rollout, listed, client.settings.region_id)
    by_id = {g['app_instance_group_id']: g for g in listed}
    offering = [g for g in selected if OtaInfo.of(by_id[g]).new_ota_version == rollout.ota_version]
    waves, skipped, groups = plan(rollout, listed, client.settings.region_id, client.group_tasks(offering, deadline))
    release_note = None
    first = waves[0][0] if waves else None
    if first is not None:
        release_note = client.release_note(OtaInfo.of(by_id[first]).task_id, deadline)['release_note']
    view = {g['app_instance_group_id']: g for g in groups}
    summary = ['Wave %d: %s' % (n, ', '.join(label(view[g]) + _state(view[g]) for g in wave)) for n, wave in enumerate(waves, 1)]
    summary += ['Skipped %s: %s' % (label(view[s['app_instance_group_id']]), s['reason']) for s in skipped]
    start = rollout.start
    return {'ota_version': rollout.ota_version, 'waves': waves, 'skipped_groups': skipped, 'groups': groups, 'summary': summary,
            'release_note': release_note,
            # Each wave as ota_rollout_result.waves lists it before it runs: every key a run wave has.
            'wave_plan': [{'wave': n, 'groups': w, 'actions': {}, 'outcome': 'planned', 'task_ids': [], 'elapsed': 0,
                           'failed_tasks': [], 'msg': 'planned'} for n, w in enumerate(waves, 1)],
            'group_count': sum(len(w) for w in waves), 'region_id': client.settings.region_id,
            'start_time': lifecycle.api_time(start.start_time) if start.explicit_start else 'now',
            'start_timestamp': int(start.start_time.timestamp()) if start.explicit_start else None}


def _state(group):
    if group['action'] == lifecycle.ALREADY_APPROVED:
        return ' (already approved: task %s %s, start %s)' % (group['task_id'], group['task_status'], group['start_time'])
    if group['action'] == lifecycle.RESCHEDULED:
        return ' (to reschedule: task %s was approved for %s)' % (group['task_id'], group['start_time'])
    return ''
