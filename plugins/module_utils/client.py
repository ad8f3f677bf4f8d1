# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one entry point of the shells: options -> credentials -> transport -> pager -> tasks.

The module, the lookup and the wait action each build an OtaTaskClient from their
(already type-checked) options and call it; everything they return comes from here.
"""

from __future__ import annotations

import time

from . import credentials, gate
from . import tasks as task_model
from .options import connection_settings, query as parse_query
from .pager import OtaTaskPager
from .transport import Transport

LISTING_TIME_BUDGET = 600.0  # seconds one listing (every page of every group, retries included) may take


class OtaTaskClient:
    """One credential resolution and one HTTP session, reused for every listing."""

    def __init__(self, params, environ=None, **transport_options):
        self.settings = connection_settings(params)  # every option is checked before credentials are looked for
        creds = credentials.resolve(params, environ)
        if not params.get('region_id') and getattr(creds, 'region', None):
            self.settings = connection_settings(params, creds.region)  # the region of the profile in use
        self.transport = Transport(self.settings, creds, **transport_options)
        self.pager = OtaTaskPager(self.transport)

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def warnings(self):
        return self.pager.warnings

    @property
    def unsettled(self):
        """The groups whose task list kept changing during the last full listing."""
        return self.pager.unsettled

    def list_groups(self, query, deadline=None):
        """[(group_id, total_count, [task, ...])] with snake_case tasks, unfiltered."""
        if query.page_number is not None:
            listings = self.pager.list_pages(query.group_ids, query.ota_type, query.page_number,
                                             query.page_size or 100, deadline)
        else:
            listings = self.pager.list_all(query.group_ids, query.ota_type, query.page_size, deadline)
        return [(lst.group_id, lst.total_count, lst.tasks) for lst in listings]

    def query(self, query, deadline=None):
        """The result the module returns (the lookup returns its ``ota_tasks``)."""
        groups = {}
        all_tasks = []
        total = 0
        for group_id, total_count, group_tasks in self.list_groups(query, deadline):
            selected = task_model.filter_tasks(group_tasks, query.statuses, query.task_ids, query.ota_version)
            groups[group_id] = dict(total_count=total_count, **task_model.summarize(selected))
            groups[group_id].update(_gate_fields(gate.snapshot(group_id, group_tasks, ota_version=query.ota_version,
                                                               task_ids=query.task_ids)))
            all_tasks.extend(selected)
            total += total_count
        unknown = task_model.unknown_statuses(all_tasks)
        if unknown:
            self.warnings.append('ListOtaTask returned task status(es) this collection does not know: %s; they are counted as '
                                 'not terminal' % ', '.join(map(str, unknown)))
        result = dict(ota_tasks=all_tasks, total_count=total, groups=groups)
        result.update(task_model.summarize(all_tasks))
        result['succeeded'] = all(g['succeeded'] for g in groups.values())
        return result


def _gate_fields(verdict):
    """What the ota_wait gate would decide from this one listing (with success_statuses [FINISHED])."""
    newest = verdict.newest
    return {'newest_task_id': newest['task_id'] if newest else None,
            'newest_status': newest['task_display_status'] if newest else None,
            'in_flight': bool(verdict.in_flight), 'succeeded': verdict.succeeded}


def run(params, environ=None):
    """Check options, list, and return (result, warnings): what the module and lookup need."""
    query = parse_query(params)
    with OtaTaskClient(params, environ) as client:
        result = client.query(query, deadline=time.monotonic() + LISTING_TIME_BUDGET)
        return result, list(client.warnings)
