# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The delivery-group model: ListAppInstanceGroup answers -> snake_case groups with their OtaInfo.

The pager's ListSpec for ListAppInstanceGroup (how a page is asked for and checked) and the
conversion of each group live here, so every shell returns groups alike; so do the options of
app_instance_group_info and its result (:func:`report`, over a client.Client; the rest is free of I/O).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from . import answers
from .errors import ApiError, OptionError
from .options import id_list
from .pager import ListSpec

ACTION = answers.LIST_APP_INSTANCE_GROUP
PRODUCT_TYPE = 'CloudApp'
DEFAULT_PAGE_SIZE = 100  # always sent (docs/api-contract.md 3: the API's default is not documented)
# API field -> returned key, for the plain text fields of a group (others are ignored).
FIELDS = (
    ('AppInstanceGroupId', 'app_instance_group_id'),
    ('AppInstanceGroupName', 'app_instance_group_name'),
    ('RegionId', 'region_id'),
    ('ProductType', 'product_type'),
    ('Status', 'status'),
    ('OsType', 'os_type'),
    ('GmtCreate', 'gmt_create'),
    ('AppCenterImageId', 'app_center_image_id'),
)
OTA_FIELDS = (('OtaVersion', 'ota_version'), ('NewOtaVersion', 'new_ota_version'), ('TaskId', 'task_id'))


def argument_spec():
    """What app_instance_group_info lists and filters."""
    return dict(
        app_instance_group_ids=dict(type='list', elements='str', aliases=['app_instance_group_id']),
        name=dict(type='str'),
        statuses=dict(type='list', elements='str'),
        release_notes=dict(type='bool', default=False),
    )


class GroupFilter(NamedTuple):
    group_ids: tuple
    name: Optional[str]
    statuses: tuple
    release_notes: bool


def parse(params):
    """Check app_instance_group_info's filters."""
    statuses = []
    for status in params.get('statuses') or []:
        status = (status or '').strip()
        if not status:
            raise OptionError('statuses must not contain an empty status')
        statuses.append(status)
    name = params.get('name')
    if name is not None and not name.strip():
        raise OptionError('name must not be empty (leave it out to list every group)')
    return GroupFilter(id_list(params, 'app_instance_group_ids', 'group id'), name, tuple(statuses), bool(params.get('release_notes')))


def report(client, wanted, deadline=None):
    """app_instance_group_info's result for the filters ``wanted`` (GroupFilter); warnings go to ``client.warnings``."""
    listed = client.list_app_instance_groups(wanted.group_ids, wanted.name, wanted.statuses, deadline)
    missing = sorted(set(wanted.group_ids) - {g['app_instance_group_id'] for g in listed})
    if missing and not wanted.name and not wanted.statuses:
        client.warnings.append('app_instance_group_ids: %s not found in region %s' % (', '.join(missing), client.settings.region_id))
    if wanted.release_notes:
        notes = client.release_notes([g['ota']['task_id'] for g in listed if g['ota']['update_available']], deadline)
        for group in listed:
            note = notes.get(group['ota']['task_id']) if group['ota']['update_available'] else None
            group['ota']['release_note'] = note['release_note'] if note else None
    return dict(app_instance_groups=listed, total_count=len(listed),
                updates_available=sum(1 for g in listed if g['ota']['update_available']),
                region_id=client.settings.region_id)


class OtaInfo(NamedTuple):
    """A group's OTA state: its version, the version it is offered ('' = none) and its current task."""

    ota_version: str = ''
    new_ota_version: str = ''
    task_id: str = ''

    @property
    def update_available(self):
        """docs/api-contract.md 6.1: an update is available when NewOtaVersion is not empty."""
        return bool(self.new_ota_version)

    @classmethod
    def of(cls, group):
        """The OtaInfo of a snake_case group (to_group)."""
        ota = group.get('ota') or {}
        return cls(ota.get('ota_version') or '', ota.get('new_ota_version') or '', ota.get('task_id') or '')


class GroupQuery(NamedTuple):
    """The server-side filters of one ListAppInstanceGroup listing (hashable: the pager's key)."""

    region_id: Optional[str]        # BizRegionId; None lists every region
    group_id: Optional[str] = None  # the API takes one id
    name: Optional[str] = None      # substring, as the API matches it
    statuses: tuple = ()


def request(key, number, size):
    """(form body, URL query) of one page: the API reads its filters from the query, Status from the body."""
    url_query = {'BizRegionId': key.region_id, 'ProductType': PRODUCT_TYPE, 'PageNumber': number, 'PageSize': size,
                 'AppInstanceGroupId': key.group_id, 'AppInstanceGroupName': key.name}
    return {'Status': list(key.statuses) if key.statuses else None}, url_query


def to_group(raw, _key=None, _strings=None):
    """One API group as the collection returns it: snake_case, with ``ota`` (OtaInfo + update_available)."""
    group = {name: raw.get(api_key) for api_key, name in FIELDS}
    ota_raw = raw.get('OtaInfo') or {}
    ota = {name: ota_raw.get(api_key) or '' for api_key, name in OTA_FIELDS}
    ota['update_available'] = bool(ota['new_ota_version'])
    group['ota'] = ota
    return group


def describe(key):
    parts = ['region %s' % key.region_id] if key.region_id else ['every region']
    if key.group_id:
        parts.append('group %s' % key.group_id)
    if key.name:
        parts.append('name %r' % key.name)
    if key.statuses:
        parts.append('statuses %s' % ','.join(key.statuses))
    return 'the delivery groups of ' + ', '.join(parts)


def filter_groups(groups, group_ids=None, name=None, statuses=None):
    """Client-side filters, as the API applies them (name: a substring, case-insensitive)."""
    id_set = set(group_ids) if group_ids else None
    status_set = set(statuses) if statuses else None
    return [
        g for g in groups
        if (id_set is None or g['app_instance_group_id'] in id_set)
        and (not name or name.lower() in (g.get('app_instance_group_name') or '').lower())
        and (status_set is None or g.get('status') in status_set)
    ]


def _group_not_found(exc, key, region_id):  # pylint: disable=unused-argument
    if key.group_id and exc.code in ('InvalidAppInstanceGroup.NotFound', 'InvalidAppInstanceGroupId.NotFound'):
        return ApiError(exc.action, exc.code, exc.api_message, exc.request_id, exc.status, exc.recommend,
                        'Delivery group %r does not exist in region %s or is not visible to this account'
                        % (key.group_id, key.region_id or region_id))
    return None


APP_INSTANCE_GROUPS = ListSpec(
    action=ACTION, request=request,
    convert=to_group, id_key='app_instance_group_id', describe=describe,
    list_name=describe, item_name='groups', on_error=_group_not_found)
