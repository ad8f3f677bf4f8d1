# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging through any list action (ListOtaTask, ListAppInstanceGroup): every item exactly once, in API order.

A :class:`ListSpec` says how one action is asked and answered; :class:`Pager` does the rest
the same way for all of them. Page 1 of each listing gives TotalCount; the remaining pages
are independent, so they are fetched concurrently (bounded by the transport's limiter),
listings too. A listing whose pages disagree (TotalCount changed, a short or empty page, an
item seen twice) is read again, up to ``MAX_ROUNDS`` times; if it never settles, the caller
gets a warning.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional

from . import answers, tasks as task_model
from .errors import ApiError, AppStreamingError, ResponseError

ACTION = answers.LIST_OTA_TASK
DEFAULT_PAGE_SIZE = 100
MAX_ROUNDS = 3
MAX_PAGES = 10000  # 1,000,000 tasks at PageSize 100: anything above is not a real answer


class Page(NamedTuple):
    number: int
    total_count: int
    items: list  # the page's items, converted (snake_case)
    request_id: Optional[str]


class Listing(NamedTuple):
    key: object  # what was listed: (group id, OTA type) for ListOtaTask (OtaTaskPager: the group id), a GroupQuery
    total_count: int
    items: list  # snake_case items (tasks.to_task, groups.to_group), API order, unique ids
    consistent: bool = True


class ListSpec(NamedTuple):
    """How one list action is asked and answered.

    ``request(key, number, size)`` gives (form params, URL query or None); each page is checked
    against the action's declared answer (answers.py); ``convert(raw, key, strings)`` makes the
    returned item, whose ``id_key`` identifies it; ``describe(key)`` names the listing in messages; ``on_error(exc, key, region)`` may
    turn an ApiError into a clearer one (or return None).
    """

    action: str
    request: Callable
    convert: Callable
    id_key: str
    describe: Callable
    list_name: Callable
    item_name: str
    on_error: Optional[Callable] = None


def _task_request(key, number, size):
    group_id, ota_type = key
    return {'AppInstanceGroupId': group_id, 'OtaType': ota_type, 'PageNumber': number, 'PageSize': size}, None


def _task_not_found(exc, key, region_id):
    if exc.code == 'InvalidAppInstanceGroup.NotFound':
        return ApiError(exc.action, exc.code, exc.api_message, exc.request_id, exc.status, exc.recommend,
                        'Delivery group %r does not exist in region %s or is not visible to this account' % (key[0], region_id))
    return None


OTA_TASKS = ListSpec(
    action=ACTION, request=_task_request,
    convert=lambda raw, key, strings: task_model.to_task(raw, key[0], strings), id_key='task_id',
    describe=lambda key: 'group %s' % key[0], list_name=lambda key: 'the task list of %s' % key[0], item_name='tasks',
    on_error=_task_not_found)


class Pager:
    """Lists through one Transport; ``warnings`` collects what the caller should say."""

    def __init__(self, transport):
        self.transport = transport
        self.warnings = []
        self.unsettled = []  # keys of the last list_all whose pages never formed one snapshot
        self._strings = {}  # one copy of each repeated value (status, version): 100,000 tasks hold few distinct ones

    def fetch_page(self, spec, key, number, size, deadline=None):
        params, url_query = spec.request(key, number, size)
        try:
            if url_query:
                body = self.transport.call(spec.action, params, deadline, query=url_query)
            else:
                body = self.transport.call(spec.action, params, deadline)
        except ApiError as exc:
            clearer = spec.on_error(exc, key, self.transport.settings.region_id) if spec.on_error else None
            if clearer is not None:
                raise clearer from None
            raise
        request_id = body.get('RequestId') if isinstance(body.get('RequestId'), str) else None
        checked = answers.CHECKS[spec.action](body)
        if checked is None:
            raise ResponseError(spec.action, 'for %s page %d: %s' % (spec.describe(key), number, answers.explain(spec.action, body)),
                                request_id)
        total, raw_items = checked
        # Turned into the returned form at once, so the raw answer is garbage as soon as the page is read.
        strings = self._strings
        items = [spec.convert(raw, key, strings) for raw in raw_items]
        return Page(number, total, items, request_id)

    def pages(self, spec, keys, page_number, page_size, deadline=None):
        """One given page of each listing, as the API returns it (page_number mode)."""
        pages = self._run(spec, [(k, page_number) for k in keys], page_size, deadline)
        return [Listing(k, pages[(k, page_number)].total_count, pages[(k, page_number)].items) for k in keys]

    def all(self, spec, keys, page_size=None, deadline=None, errors=None):
        """Every item of each listing; Listings in the order of ``keys``.

        With an ``errors`` dict, a listing whose pages fail (an AppStreamingError) does not stop the
        others: it is left out and its error put in ``errors[key]``. Without it, the first error is raised.
        """
        size = page_size or DEFAULT_PAGE_SIZE
        listings = {}
        pending = list(keys)
        for _round in range(MAX_ROUNDS):
            firsts = self._run(spec, [(k, 1) for k in pending], size, deadline, errors)
            pending = [key for key in pending if (key, 1) in firsts]
            rest = []
            for key in pending:
                first = firsts[(key, 1)]
                pages = -(-first.total_count // size)
                if pages > MAX_PAGES:
                    too_many = ResponseError(spec.action, '%s reports TotalCount %d, more than %d pages'
                                             % (spec.describe(key), first.total_count, MAX_PAGES), first.request_id)
                    if errors is None:
                        raise too_many
                    errors[key] = too_many
                    continue
                rest.extend((key, n) for n in range(2, pages + 1))
            others = self._run(spec, rest, size, deadline, errors)
            unsettled = []
            for key in pending:
                if errors is not None and key in errors:
                    continue
                first = firsts[(key, 1)]
                pages = [first] + [others[(key, n)] for n in range(2, max(1, -(-first.total_count // size)) + 1)]
                listings[key] = _assemble(key, pages, size, spec.id_key)
                if not listings[key].consistent:
                    unsettled.append(key)
            pending = unsettled
            if not pending:
                break
        self.unsettled = list(pending)
        for key in pending:
            self.warnings.append(
                '%s: %s kept changing while it was read (%d attempts); the result may miss or repeat '
                '%s that changed meanwhile' % (spec.action, spec.list_name(key), MAX_ROUNDS, spec.item_name))
        return [listings[k] for k in keys if k in listings and (errors is None or k not in errors)]

    def _run(self, spec, jobs, size, deadline, errors=None):
        """{(key, page): Page} of (key, page) jobs, fetched concurrently. Without ``errors`` the first error wins and is
        raised; with it, a job's AppStreamingError goes to ``errors[key]`` (the first one of that key) and the job is
        left out."""
        outcomes = concurrently(lambda job: self.fetch_page(spec, job[0], job[1], size, deadline), jobs,
                                self.transport.limiter.maximum, keep_going=errors is not None)
        pages = {}
        for job, (page, error) in zip(jobs, outcomes):
            if error is not None:
                errors.setdefault(job[0], error)
            else:
                pages[job] = page
        return pages


def concurrently(function, items, max_workers, keep_going=True):
    """[(result, None) or (None, the AppStreamingError)] of ``function(item)`` for every item, in order.

    The one way the collection runs calls side by side (pages, listings, release notes, approvals), at
    most ``max_workers`` at a time. With ``keep_going`` every item is tried; without it the first error
    (in the order of ``items``) is raised and the items not started yet are not run.
    """
    def guarded(item):
        try:
            return function(item), None
        except AppStreamingError as exc:
            if not keep_going:
                raise
            return None, exc
    if len(items) <= 1:
        return [guarded(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor  # only needed from the second request on
    with ThreadPoolExecutor(max_workers=min(len(items), max_workers), thread_name_prefix='appstreaming') as pool:
        return list(pool.map(guarded, items))


class OtaTaskPager(Pager):
    """ListOtaTask per delivery group: the pager of the task listings (module, lookup, waiter)."""

    def fetch(self, group_id, ota_type, number, size, deadline=None):
        return self.fetch_page(OTA_TASKS, (group_id, ota_type), number, size, deadline)

    def list_pages(self, group_ids, ota_type, page_number, page_size, deadline=None):
        """One given page of each group, as the API returns it (page_number mode)."""
        listings = self.pages(OTA_TASKS, [(g, ota_type) for g in group_ids], page_number, page_size, deadline)
        return [listing._replace(key=listing.key[0]) for listing in listings]

    def list_all(self, group_ids, ota_type, page_size=None, deadline=None, errors=None):
        """Every task of each group; Listings (keyed by group id) in the order of ``group_ids``.

        With an ``errors`` dict, a group whose listing fails is left out, its error in ``errors[group_id]``.
        """
        keyed = None if errors is None else {}
        listings = self.all(OTA_TASKS, [(g, ota_type) for g in group_ids], page_size, deadline, keyed)
        self.unsettled = [key[0] for key in self.unsettled]
        if keyed:
            errors.update((key[0], error) for key, error in keyed.items())
        return [listing._replace(key=listing.key[0]) for listing in listings]


def _assemble(key, pages, size, id_key='task_id'):
    """Join pages; mark the listing inconsistent unless the pages form one snapshot."""
    total = pages[0].total_count
    seen = set()
    items = []
    consistent = True
    for index, page in enumerate(pages):
        expected = size if index < len(pages) - 1 else total - size * (len(pages) - 1)
        if page.total_count != total or len(page.items) != max(expected, 0):
            consistent = False
        for item in page.items:
            if item[id_key] in seen:
                consistent = False
                continue
            seen.add(item[id_key])
            items.append(item)
    if len(items) != total:
        consistent = False
    return Listing(key, total, items, consistent)
