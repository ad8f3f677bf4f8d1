# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a rollout in waves (the ota_rollout role): which groups, in which wave, and which are skipped.

Pure over the listed groups (groups.to_group): the groups offering the version are rolled out,
a canary wave first, then waves of ``batch_size`` (or the waves given); the others are skipped
with the reason. Every check (a repeated group, an unknown one, batch_size < 1, an empty list)
happens here, before anything is approved.
"""

from __future__ import annotations

from typing import NamedTuple

from . import lifecycle
from .errors import OptionError
from .groups import OtaInfo


class RolloutSpec(NamedTuple):
    ota_version: str
    group_ids: tuple = ()   # empty: every group of the region offering the version
    waves: tuple = ()       # explicit waves (tuples of ids); empty: canary + batches
    canary: int = 1
    batch_size: int = 10


def spec(params):
    """Check the rollout options (module option names, which the role's variables carry with ota_rollout_ in front)."""
    version = params.get('ota_version')
    if version is None or not str(version).strip():
        raise OptionError('ota_version must not be empty: give the OTA version you reviewed')
    group_ids = params.get('app_instance_group_ids')
    if group_ids is not None:
        group_ids = [str(g or '').strip() for g in group_ids]
        if not group_ids:
            raise OptionError('app_instance_group_ids needs at least one delivery group id (leave it out for every group '
                              'offering the version)')
        if any(not g for g in group_ids):
            raise OptionError('app_instance_group_ids must not contain an empty group id')
    waves = []
    seen = {}
    for number, wave in enumerate(params.get('waves') or [], 1):
        if not isinstance(wave, (list, tuple)) or not wave:
            raise OptionError('waves: wave %d must be a non-empty list of delivery group ids' % number)
        for group_id in wave:
            group_id = str(group_id or '').strip()
            if not group_id:
                raise OptionError('waves: wave %d contains an empty group id' % number)
            if group_id in seen:
                raise OptionError('waves: %s is in wave %d and again in wave %d; each group may be in one wave only'
                                  % (group_id, seen[group_id], number))
            seen[group_id] = number
        waves.append(tuple(str(g).strip() for g in wave))
    if waves and group_ids is not None:
        raise OptionError('waves and app_instance_group_ids are mutually exclusive: the waves name the groups')
    batch_size, canary = params.get('batch_size', 10), params.get('canary', 1)
    if batch_size is None or batch_size < 1:
        raise OptionError('batch_size must be at least 1, got %s' % batch_size)
    if canary is None or canary < 0:
        raise OptionError('canary must be 0 or more, got %s' % canary)
    if group_ids is not None:
        group_ids = list(dict.fromkeys(group_ids))
    return RolloutSpec(str(version).strip(), tuple(group_ids or ()), tuple(waves), int(canary), int(batch_size))


def plan(rollout, listed, region_id):
    """(waves, skipped) for the groups ``listed`` in the region: waves of group ids, skipped [{id, reason}].

    Raises OptionError for a named group the region does not have.
    """
    by_id = {g['app_instance_group_id']: g for g in listed}
    named = [g for wave in rollout.waves for g in wave] or list(rollout.group_ids)
    unknown = [g for g in named if g not in by_id]
    if unknown:
        option = 'waves' if rollout.waves else 'app_instance_group_ids'
        raise OptionError('%s: %s %s not a delivery group of region %s (unknown, or in another region: check region_id); '
                          'nothing was approved' % (option, ', '.join(unknown), 'is' if len(unknown) == 1 else 'are', region_id))
    candidates = named or [g['app_instance_group_id'] for g in listed]
    skipped = []
    rolled = set()
    for group_id in candidates:
        ota = OtaInfo.of(by_id[group_id])
        decision = lifecycle.decide(ota, [], rollout.ota_version)
        if decision.action == lifecycle.UP_TO_DATE:
            skipped.append({'app_instance_group_id': group_id, 'reason': 'up to date (%s)' % decision.reason})
        elif decision.action == lifecycle.SKIPPED:
            skipped.append({'app_instance_group_id': group_id, 'reason': decision.reason})
        else:
            rolled.add(group_id)
    if rollout.waves:
        waves = [[g for g in wave if g in rolled] for wave in rollout.waves]
        return [w for w in waves if w], skipped
    ordered = [g for g in candidates if g in rolled]
    waves = []
    if rollout.canary and ordered:
        waves.append(ordered[:rollout.canary])
        ordered = ordered[rollout.canary:]
    waves.extend(ordered[i:i + rollout.batch_size] for i in range(0, len(ordered), rollout.batch_size))
    return waves, skipped


def run_plan(client, rollout, name=None, deadline=None):
    """The plan the role prints and follows: waves, skipped groups, and the release note of the version."""
    listed = client.list_app_instance_groups(rollout.group_ids if len(rollout.group_ids) == 1 else None, name=name, deadline=deadline)
    waves, skipped = plan(rollout, listed, client.settings.region_id)
    by_id = {g['app_instance_group_id']: g for g in listed}
    release_note = None
    first = waves[0][0] if waves else None
    if first is not None:
        release_note = client.release_note(OtaInfo.of(by_id[first]).task_id, deadline)['release_note']
    return {'ota_version': rollout.ota_version, 'waves': waves, 'skipped_groups': skipped, 'release_note': release_note,
            'wave_plan': [{'wave': n, 'groups': w, 'outcome': 'planned', 'task_ids': [], 'elapsed': 0} for n, w in enumerate(waves, 1)],
            'group_count': sum(len(w) for w in waves), 'region_id': client.settings.region_id}
