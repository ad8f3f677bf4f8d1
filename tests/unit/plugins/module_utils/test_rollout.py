# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a rollout in waves (rollout.py): pure, over listed groups and their tasks."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import rollout
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec, role_variable

V1, V2 = 'v1', 'v2'
NOW = datetime.datetime(2026, 12, 7, 6, 0, 30, tzinfo=datetime.timezone.utc)
ROLES = Path(__file__).resolve().parents[4] / 'roles'


def listed(group_id, current=V1, new=V2, name=None, task_id=None):
    return {'app_instance_group_id': group_id, 'app_instance_group_name': name or 'office-' + group_id[4:],
            'ota': {'ota_version': current, 'new_ota_version': new, 'task_id': task_id or 'ota-' + group_id}}


LISTED = [listed('aig-%d' % n) for n in range(1, 8)] + [listed('aig-done', V2, ''), listed('aig-other', V1, 'v3')]


def spec(**params):
    return rollout.parse(dict({'ota_version': V2}, **params), NOW)


def plan(rollout_spec, groups=None, tasks=None):
    waves, skipped, _groups = rollout.plan(rollout_spec, groups or LISTED, 'cn-shanghai', tasks)
    return [list(w) for w in waves], skipped


def test_every_group_of_the_region_gives_a_canary_then_batches_and_skips_with_reasons():
    waves, skipped = plan(spec(all_groups=True, canary=1, batch_size=3))
    assert waves == [['aig-1'], ['aig-2', 'aig-3', 'aig-4'], ['aig-5', 'aig-6', 'aig-7']]
    assert skipped == [{'app_instance_group_id': 'aig-done', 'reason': 'up to date (runs v2)'},
                       {'app_instance_group_id': 'aig-other', 'reason': 'offers version v3, not v2'}]


def test_named_groups_keep_their_order_and_no_canary_is_possible():
    waves, skipped = plan(spec(app_instance_group_ids=['aig-3', 'aig-1', 'aig-done', 'aig-3'], canary=0, batch_size=5))
    assert waves == [['aig-3', 'aig-1']] and [s['app_instance_group_id'] for s in skipped] == ['aig-done']


def test_explicit_waves_drop_groups_that_need_nothing_and_empty_waves():
    waves, skipped = plan(spec(waves=[['aig-2'], ['aig-done'], ['aig-1', 'aig-other']]))
    assert waves == [['aig-2'], ['aig-1']] and len(skipped) == 2


def test_without_a_selection_nothing_is_planned():
    with pytest.raises(OptionError) as err:
        spec()
    assert str(err.value) == ('Name the delivery groups to roll out to with app_instance_group_ids, waves or name, or set '
                              'all_groups: true to roll out to every group of the region that offers the version; nothing was approved')
    with pytest.raises(OptionError) as err:
        rollout.parse({'ota_version': V2, 'role_variables': ['ota_rollout_ota_version']}, NOW)
    assert 'with ota_rollout_app_instance_group_ids, ota_rollout_waves or ota_rollout_name, or set ota_rollout_all_groups: true' \
        in str(err.value)


NAMED = [listed('aig-a', name='office-apps-sh-01'), listed('aig-b', name='office-apps-sh-012'), listed('aig-c', name='office-apps-sh-016'),
         listed('aig-d', name='Office-Apps-SH-01'), listed('aig-e', name='design-apps-sg-001')]


@pytest.mark.parametrize('name, selected', [
    ('office-apps-sh-01', ['aig-a']),                        # a whole name: not -012, not the upper-case one
    ('office-apps-sh-01*', ['aig-a', 'aig-b', 'aig-c']),     # a glob
    ('office-apps-sh-01?', ['aig-b', 'aig-c']),
    ('office-apps-sh-01[26]', ['aig-b', 'aig-c']),
    ('*-apps-*', ['aig-a', 'aig-b', 'aig-c', 'aig-e']),
])
def test_a_name_matches_whole_names_or_a_glob(name, selected):
    waves, _skipped = plan(spec(name=name, canary=0, batch_size=10), NAMED)
    assert waves == [selected]


def test_a_name_that_matches_nothing_fails():
    with pytest.raises(OptionError, match="^name 'office-apps-sh-0' is the whole name of no delivery group of region cn-shanghai"):
        plan(spec(name='office-apps-sh-0'), NAMED)
    with pytest.raises(OptionError, match="^name 'x-\\*' matches no delivery group"):
        plan(spec(name='x-*'), NAMED)


def test_the_api_pre_filter_is_a_literal_part_of_the_glob():
    assert rollout.server_filter('office-apps-sh-01') == 'office-apps-sh-01'
    assert rollout.server_filter('office-*-sh-0[12]?') == 'office-'
    assert rollout.server_filter('*') is None


def test_a_version_no_group_offers_or_runs_is_a_typo_and_names_what_they_offer():
    groups = LISTED + [listed('aig-none', V1, '')]
    with pytest.raises(OptionError) as err:
        plan(spec(all_groups=True, ota_version='v2-typo'), groups)
    assert str(err.value) == ('ota_version v2-typo: no group offers or runs it (a typo?): 7 groups offer v2, 1 group offers v3, '
                              '2 groups offer no update; nothing was approved')
    waves, skipped = plan(spec(app_instance_group_ids=['aig-done']))   # runs it: nothing to do, no error
    assert waves == [] and skipped[0]['reason'] == 'up to date (runs v2)'


def later_task(group_id, start):
    return {'task_id': 'ota-' + group_id, 'task_display_status': 'STANDBY', 'ota_version': V2, 'task_start_time': start}


def test_a_group_approved_for_later_than_a_wave_can_wait_is_skipped_unless_a_start_time_reschedules_it():
    tasks = {'aig-1': [later_task('aig-1', '2027-01-10T02:00:00+08:00')], 'aig-2': [later_task('aig-2', '2026-12-07T14:30:00+08:00')]}
    waves, skipped = plan(spec(app_instance_group_ids=['aig-1', 'aig-2', 'aig-3'], canary=0), tasks=tasks)
    assert waves == [['aig-2', 'aig-3']]   # aig-2 starts in 30 minutes: waited for
    assert skipped == [{'app_instance_group_id': 'aig-1', 'reason': (
        'approved for 2027-01-10T02:00:00+08:00 (task ota-aig-1), more than wave_timeout (3600 s) away: a wave would time out '
        'waiting for it; set start_time to reschedule it into its wave')}]
    short = rollout.parse({'ota_version': V2, 'app_instance_group_ids': ['aig-2'], 'wave_timeout': 600,
                          'role_variables': []}, NOW)
    assert plan(short, tasks=tasks)[1][0]['reason'].startswith('approved for 2026-12-07T14:30:00+08:00 (task ota-aig-2), more than '
                                                               'ota_rollout_wave_timeout (600 s) away')
    waves, skipped = plan(spec(app_instance_group_ids=['aig-1', 'aig-3'], canary=0, start_time='2026-12-07T06:10Z'), tasks=tasks)
    assert waves == [['aig-1', 'aig-3']] and skipped == []
    _waves, _skipped, groups = rollout.plan(spec(app_instance_group_ids=['aig-1'], start_time='2026-12-07T06:10Z'), LISTED,
                                            'cn-shanghai', tasks)
    assert groups[0]['action'] == 'rescheduled' and groups[0]['task_id'] == 'ota-aig-1'


def test_an_explicit_start_time_must_be_within_the_wave_timeout():
    with pytest.raises(OptionError, match='^start_time 2026-12-07T08:00Z is more than wave_timeout \\(3600 s\\) from now'):
        spec(all_groups=True, start_time='2026-12-07T08:00Z')
    assert spec(all_groups=True, start_time='2026-12-07T06:59Z').start.explicit_start


def test_a_start_time_in_the_past_fails_only_when_an_approval_is_to_be_sent():
    old = '2026-12-07T05:00Z'
    waves, skipped = plan(spec(app_instance_group_ids=['aig-done'], start_time=old))
    assert waves == [] and len(skipped) == 1
    running = {'aig-1': [dict(later_task('aig-1', '2026-12-07T04:00:00+08:00'), task_display_status='RUNNING')]}
    assert plan(spec(app_instance_group_ids=['aig-1'], start_time=old), tasks=running)[0] == [['aig-1']]   # already approved
    with pytest.raises(OptionError, match='^start_time 2026-12-07T05:00Z is more than 5 minutes in the past'):
        plan(spec(app_instance_group_ids=['aig-1', 'aig-2'], start_time=old), tasks=running)


BAD = [
    ({'waves': [['aig-1'], ['aig-2', 'aig-1']]}, '{waves}: aig-1 is in wave 1 and again in wave 2'),
    ({'waves': [['aig-1'], []]}, '{waves}: wave 2 must be a non-empty list'),
    ({'waves': [['aig-1']], 'app_instance_group_ids': ['aig-1']}, '{app_instance_group_ids} and {waves} are mutually exclusive'),
    ({'name': 'x', 'all_groups': True}, '{all_groups}: true selects every group of the region; it cannot be combined with {name}'),
    ({'all_groups': True, 'batch_size': 0}, '{batch_size} must be at least 1, got 0'),
    ({'all_groups': True, 'canary': -1}, '{canary} must be 0 or more, got -1'),
    ({'all_groups': True, 'poll_interval': 1}, '{poll_interval} must be at least 2 seconds, got 1'),
    ({'all_groups': True, 'wave_timeout': 0}, '{wave_timeout} must be at least 1 second, got 0'),
    ({'all_groups': True, 'start_time': '2026-12-07T06:30'}, "{start_time} '2026-12-07T06:30' has no time zone"),
    ({'app_instance_group_ids': []}, '{app_instance_group_ids} needs at least one delivery group id'),
    ({'app_instance_group_ids': ['aig-1', ' ']}, '{app_instance_group_ids} must not contain an empty group id'),
    ({'ota_version': ' '}, '{ota_version} must not be empty'),
    ({'name': ' '}, '{name} must not be empty'),
]


@pytest.mark.parametrize('params, words', BAD, ids=[row[1].split(' ')[0].strip('{}:') + '-%d' % n for n, row in enumerate(BAD)])
def test_bad_options_name_the_option_and_for_the_role_its_variable(params, words):
    options = list(rollout.argument_spec())
    for role_variables, prefix in ((None, ''), ([], 'ota_rollout_')):
        with pytest.raises(OptionError) as err:
            rollout.parse(dict({'ota_version': V2, 'canary': 1, 'batch_size': 10, 'role_variables': role_variables}, **params), NOW)
        assert str(err.value).startswith(words.format(**{option: prefix + option for option in options})), str(err.value)


def test_unknown_groups_name_the_option_they_came_from():
    for params, option in (({'app_instance_group_ids': ['aig-1', 'aig-x']}, 'app_instance_group_ids'), ({'waves': [['aig-x']]}, 'waves')):
        with pytest.raises(OptionError) as err:
            plan(spec(**params))
        assert str(err.value).startswith('%s: aig-x is not a delivery group of region cn-shanghai' % option)


def test_a_variable_the_role_does_not_know_fails_naming_the_nearest():
    known = ['ota_rollout_ota_version', 'ota_rollout_canary', 'ota_rollout__plan', 'ota_rollout_result']
    with pytest.raises(OptionError) as err:
        rollout.parse({'ota_version': V2, 'all_groups': True, 'role_variables': known + ['ota_rollout_group_ids', 'ota_rollout_bogus']}, NOW)
    assert str(err.value) == ('The role alibabacloud.appstreaming.ota_rollout has no variable ota_rollout_bogus; ota_rollout_group_ids '
                              '(did you mean ota_rollout_app_instance_group_ids?); nothing was approved')
    rollout.parse({'ota_version': V2, 'all_groups': True, 'role_variables': known}, NOW)   # internal ota_rollout__ and the fact: fine


def _role_options(role):
    return yaml.safe_load((ROLES / role / 'meta' / 'argument_specs.yml').read_text())['argument_specs']['main']['options']


@pytest.mark.parametrize('role', ['ota_wait', 'ota_rollout'])
def test_each_role_takes_every_connection_option_with_its_type_and_no_log(role):
    """Both roles accept every connection option of the modules, as <role>_<option> (timeout: <role>_request_timeout)."""
    options = _role_options(role)
    for option, entry in connection_argument_spec().items():
        variable = role_variable(role, option)
        assert variable in options, '%s: %s is missing' % (role, variable)
        assert options[variable]['type'] == entry.get('type', 'str'), variable
        assert bool(options[variable].get('no_log')) == bool(entry.get('no_log')), variable


def test_the_role_knows_exactly_the_variables_of_its_argument_spec():
    """What check_role_variables accepts is the role's argument spec and the fact it sets, nothing else."""
    assert set(rollout.role_variables()) == set(_role_options('ota_rollout')) | {'ota_rollout_result'}


def test_the_plan_shows_each_group_as_name_id_and_version():
    assert rollout.label({'app_instance_group_id': 'aig-1', 'app_instance_group_name': 'office-1', 'ota_version': V1}) == \
        'office-1 (aig-1) at v1'
