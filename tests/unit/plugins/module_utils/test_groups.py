# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The delivery-group model: ListAppInstanceGroup answers checked and turned into snake_case groups."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import groups
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.groups import GroupQuery, OtaInfo

from ...helpers import group as model


def test_a_group_in_snake_case_with_its_ota_state():
    assert groups.to_group(model()) == {
        'app_instance_group_id': 'aig-1', 'app_instance_group_name': 'office-aig-1', 'region_id': 'cn-shanghai',
        'product_type': 'CloudApp', 'status': 'PUBLISHED', 'os_type': 'Windows', 'gmt_create': '2026-01-01T00:00:00.000+00:00',
        'app_center_image_id': 'img-1',
        'ota': {'ota_version': 'v1', 'new_ota_version': 'v2', 'task_id': 'ota-p', 'update_available': True}}


def test_an_empty_new_version_or_no_ota_info_means_no_update():
    assert groups.to_group(model(OtaInfo={'OtaVersion': 'v2', 'NewOtaVersion': '', 'TaskId': ''}))['ota']['update_available'] is False
    no_info = {'ota_version': '', 'new_ota_version': '', 'task_id': '', 'update_available': False}
    assert groups.to_group(model(OtaInfo=...))['ota'] == no_info
    assert OtaInfo.of(groups.to_group(model())) == OtaInfo('v1', 'v2', 'ota-p')
    assert OtaInfo.of({}) == OtaInfo() and not OtaInfo().update_available


def test_the_query_carries_the_filters_and_the_body_the_statuses():
    body, query = groups.request(GroupQuery('cn-hangzhou', 'aig-1', 'office', ('PUBLISHED', 'MAINTAINING')), 2, 100)
    assert query == {'BizRegionId': 'cn-hangzhou', 'ProductType': 'CloudApp', 'PageNumber': 2, 'PageSize': 100,
                     'AppInstanceGroupId': 'aig-1', 'AppInstanceGroupName': 'office'}
    assert body == {'Status': ['PUBLISHED', 'MAINTAINING']}
    body, query = groups.request(GroupQuery('cn-hangzhou'), 1, 100)
    assert body == {'Status': None} and query['AppInstanceGroupId'] is None and query['AppInstanceGroupName'] is None


def test_client_side_filters_match_ids_name_substring_and_statuses():
    listed = [groups.to_group(model('aig-1')), groups.to_group(model('aig-2', Status='MAINTAINING')),
              groups.to_group(model('aig-3', AppInstanceGroupName=None))]
    assert [g['app_instance_group_id'] for g in groups.filter_groups(listed, ['aig-3', 'aig-1'])] == ['aig-1', 'aig-3']
    assert [g['app_instance_group_id'] for g in groups.filter_groups(listed, name='aig-2')] == ['aig-2']
    assert [g['app_instance_group_id'] for g in groups.filter_groups(listed, statuses=['MAINTAINING'])] == ['aig-2']
    assert groups.filter_groups(listed) == listed


def test_group_filter():
    assert groups.parse({'app_instance_group_ids': ['aig-1', 'aig-1'], 'name': 'off', 'statuses': ['PUBLISHED'],
                         'release_notes': True}) == groups.GroupFilter(('aig-1',), 'off', ('PUBLISHED',), True)
    assert groups.parse({}) == groups.GroupFilter((), None, (), False)
    for params, words in (({'name': ' '}, 'name must not be empty'), ({'statuses': ['']}, 'statuses must not contain an empty')):
        with pytest.raises(OptionError, match=words):
            groups.parse(params)
