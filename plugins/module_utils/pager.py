# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging through ListOtaTask: every task of every group, exactly once, in API order.

Page 1 of each group gives TotalCount; the remaining pages are independent, so they are
fetched concurrently (bounded by the transport's limiter), groups too. A group whose
pages disagree (TotalCount changed, a short or empty page, a task seen twice) is read
again, up to ``MAX_ROUNDS`` times; if it never settles, the caller gets a warning.
"""

from __future__ import annotations

import importlib.util
from typing import NamedTuple, Optional

from . import tasks as task_model
from .errors import ApiError, ResponseError

# voluptuous describes what is wrong with an invalid answer (page_schema); valid answers never
# need it, so it is imported only then (it and concurrent.futures cost ~10 ms of every module start).
HAS_VOLUPTUOUS = importlib.util.find_spec('voluptuous') is not None

ACTION = 'ListOtaTask'
DEFAULT_PAGE_SIZE = 100
MAX_ROUNDS = 3
MAX_PAGES = 10000  # 1,000,000 tasks at PageSize 100: anything above is not a real answer
_TASK_TEXT = (('TaskId', 1), ('TaskDisplayStatus', 1), ('OtaVersion', 0), ('TaskStartTime', 0))  # key, minimum length


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_page(body):
    """(TotalCount, TaskList) of a valid answer, else None: what page_schema.page_schema() accepts, without voluptuous.

    Every page of every listing goes through here, so it is plain code: about 50x faster.
    """
    total = body.get('TotalCount')
    if not _is_int(total) or total < 0:
        return None
    for key in ('PageNumber', 'PageSize'):
        if key in body and not _is_int(body[key]):
            return None
    if 'RequestId' in body and not isinstance(body['RequestId'], str):
        return None
    task_list = body.get('TaskList', [])
    if not isinstance(task_list, list):
        return None
    for task in task_list:
        if not isinstance(task, dict):
            return None
        for key, minimum in _TASK_TEXT:
            value = task.get(key)
            if not isinstance(value, str) or len(value) < minimum:
                return None
    return total, task_list


class Page(NamedTuple):
    number: int
    total_count: int
    tasks: list
    request_id: Optional[str]


class GroupListing(NamedTuple):
    group_id: str
    total_count: int
    tasks: list  # snake_case tasks (tasks.to_task), API order, unique task_id
    consistent: bool = True


class OtaTaskPager:
    """Lists groups through one Transport; ``warnings`` collects what the caller should say."""

    def __init__(self, transport):
        self.transport = transport
        self.warnings = []
        self.unsettled = []  # groups of the last list_all whose pages never formed one snapshot
        self._strings = {}  # one copy of each repeated value (status, version): 100,000 tasks hold few distinct ones

    def fetch(self, group_id, ota_type, number, size, deadline=None):
        params = {'AppInstanceGroupId': group_id, 'OtaType': ota_type, 'PageNumber': number, 'PageSize': size}
        try:
            body = self.transport.call(ACTION, params, deadline)
        except ApiError as exc:
            if exc.code == 'InvalidAppInstanceGroup.NotFound':
                raise ApiError(exc.action, exc.code, exc.api_message, exc.request_id, exc.status, exc.recommend,
                               'Delivery group %r does not exist in region %s or is not visible to this account'
                               % (group_id, self.transport.settings.region_id)) from None
            raise
        request_id = body.get('RequestId') if isinstance(body.get('RequestId'), str) else None
        checked = check_page(body)
        if checked is None:
            from .page_schema import explain  # only for an invalid answer
            raise ResponseError(ACTION, 'for group %s page %d: %s' % (group_id, number, explain(body)), request_id)
        total, raw_tasks = checked
        # Turned into the returned form at once, so the raw answer is garbage as soon as the page is read.
        strings = self._strings
        tasks = [task_model.to_task(raw, group_id, strings) for raw in raw_tasks]
        return Page(number, total, tasks, request_id)

    def list_pages(self, group_ids, ota_type, page_number, page_size, deadline=None):
        """One given page of each group, as the API returns it (page_number mode)."""
        jobs = [(g, page_number) for g in group_ids]
        pages = self._run(jobs, ota_type, page_size, deadline)
        return [GroupListing(g, pages[(g, page_number)].total_count, pages[(g, page_number)].tasks) for g in group_ids]

    def list_all(self, group_ids, ota_type, page_size=None, deadline=None):
        """Every task of each group; GroupListings in the order of ``group_ids``."""
        size = page_size or DEFAULT_PAGE_SIZE
        listings = {}
        pending = list(group_ids)
        for _round in range(MAX_ROUNDS):
            firsts = self._run([(g, 1) for g in pending], ota_type, size, deadline)
            rest = []
            for group_id in pending:
                first = firsts[(group_id, 1)]
                pages = -(-first.total_count // size)
                if pages > MAX_PAGES:
                    raise ResponseError(ACTION, 'group %s reports TotalCount %d, more than %d pages' % (group_id, first.total_count, MAX_PAGES),
                                        first.request_id)
                rest.extend((group_id, n) for n in range(2, pages + 1))
            others = self._run(rest, ota_type, size, deadline)
            unsettled = []
            for group_id in pending:
                first = firsts[(group_id, 1)]
                pages = [first] + [others[(group_id, n)] for n in range(2, max(1, -(-first.total_count // size)) + 1)]
                listings[group_id] = _assemble(group_id, pages, size)
                if not listings[group_id].consistent:
                    unsettled.append(group_id)
            pending = unsettled
            if not pending:
                break
        self.unsettled = list(pending)
        for group_id in pending:
            self.warnings.append(
                '%s: the task list of %s kept changing while it was read (%d attempts); the result may miss or repeat '
                'tasks that changed meanwhile' % (ACTION, group_id, MAX_ROUNDS))
        return [listings[g] for g in group_ids]

    def _run(self, jobs, ota_type, size, deadline):
        """Fetch (group, page) jobs concurrently; the first error wins and is raised."""
        if not jobs:
            return {}
        if len(jobs) == 1:
            group_id, number = jobs[0]
            return {jobs[0]: self.fetch(group_id, ota_type, number, size, deadline)}
        from concurrent.futures import ThreadPoolExecutor  # only needed from the second request on
        workers = min(len(jobs), self.transport.limiter.maximum)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix='ListOtaTask') as pool:
            futures = {job: pool.submit(self.fetch, job[0], ota_type, job[1], size, deadline) for job in jobs}
            try:
                return {job: future.result() for job, future in futures.items()}
            except BaseException:
                for future in futures.values():
                    future.cancel()
                raise


def _assemble(group_id, pages, size):
    """Join pages; mark the listing inconsistent unless the pages form one snapshot."""
    total = pages[0].total_count
    seen = set()
    tasks = []
    consistent = True
    for index, page in enumerate(pages):
        expected = size if index < len(pages) - 1 else total - size * (len(pages) - 1)
        if page.total_count != total or len(page.tasks) != max(expected, 0):
            consistent = False
        for task in page.tasks:
            if task['task_id'] in seen:
                consistent = False
                continue
            seen.add(task['task_id'])
            tasks.append(task)
    if len(tasks) != total:
        consistent = False
    return GroupListing(group_id, total, tasks, consistent)
