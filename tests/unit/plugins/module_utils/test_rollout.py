# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a rollout in waves (rollout.py): pure, over listed groups."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import rollout
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError

V1, V2 = 'v1', 'v2'


def listed(group_id, current=V1, new=V2):
    return {'app_instance_group_id': group_id, 'ota': {'ota_version': current, 'new_ota_version': new, 'task_id': 'ota-' + group_id}}


LISTED = [listed('aig-%d' % n) for n in range(1, 8)] + [listed('aig-done', V2, ''), listed('aig-other', V1, 'v3')]


def ids(waves):
    return [list(w) for w in waves]


def test_discovery_gives_a_canary_then_batches_and_skips_with_reasons():
    waves, skipped = rollout.plan(rollout.spec({'ota_version': V2, 'canary': 1, 'batch_size': 3}), LISTED, 'cn-shanghai')
    assert ids(waves) == [['aig-1'], ['aig-2', 'aig-3', 'aig-4'], ['aig-5', 'aig-6', 'aig-7']]
    assert skipped == [{'app_instance_group_id': 'aig-done', 'reason': 'up to date (runs v2)'},
                       {'app_instance_group_id': 'aig-other', 'reason': 'offers version v3, not v2'}]


def test_named_groups_keep_their_order_and_no_canary_is_possible():
    spec = rollout.spec({'ota_version': V2, 'app_instance_group_ids': ['aig-3', 'aig-1', 'aig-done', 'aig-3'], 'canary': 0, 'batch_size': 5})
    waves, skipped = rollout.plan(spec, LISTED, 'cn-shanghai')
    assert ids(waves) == [['aig-3', 'aig-1']] and [s['app_instance_group_id'] for s in skipped] == ['aig-done']


def test_explicit_waves_drop_groups_that_need_nothing_and_empty_waves():
    spec = rollout.spec({'ota_version': V2, 'waves': [['aig-2'], ['aig-done'], ['aig-1', 'aig-other']]})
    waves, skipped = rollout.plan(spec, LISTED, 'cn-shanghai')
    assert ids(waves) == [['aig-2'], ['aig-1']] and len(skipped) == 2


@pytest.mark.parametrize('params, words', [
    ({'waves': [['aig-1'], ['aig-2', 'aig-1']]}, 'waves: aig-1 is in wave 1 and again in wave 2'),
    ({'waves': [['aig-1'], []]}, 'waves: wave 2 must be a non-empty list'),
    ({'waves': [['aig-1']], 'app_instance_group_ids': ['aig-1']}, 'waves and app_instance_group_ids are mutually exclusive'),
    ({'batch_size': 0}, 'batch_size must be at least 1, got 0'),
    ({'canary': -1}, 'canary must be 0 or more, got -1'),
    ({'app_instance_group_ids': []}, 'app_instance_group_ids needs at least one delivery group id'),
    ({'app_instance_group_ids': ['aig-1', ' ']}, 'app_instance_group_ids must not contain an empty group id'),
    ({'ota_version': ' '}, 'ota_version must not be empty'),
])
def test_bad_options_name_the_option(params, words):
    with pytest.raises(OptionError) as err:
        rollout.spec(dict({'ota_version': V2, 'canary': 1, 'batch_size': 10}, **params))
    assert words in str(err.value)


def test_unknown_groups_name_the_option_they_came_from():
    for params, option in (({'app_instance_group_ids': ['aig-1', 'aig-x']}, 'app_instance_group_ids'), ({'waves': [['aig-x']]}, 'waves')):
        with pytest.raises(OptionError) as err:
            rollout.plan(rollout.spec(dict({'ota_version': V2}, **params)), LISTED, 'cn-shanghai')
        assert str(err.value).startswith('%s: aig-x is not a delivery group of region cn-shanghai' % option)
