# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook event source: OTA task changes of App Streaming delivery groups as events.

A thin shell: options, listing and the events a listing gives are the collection's shared
code (plugins/module_utils: options, client, events, gate). ansible-rulebook runs this file
with runpy, outside any package, so it imports that code by its absolute name, and makes the
collection importable from where this file lies when ansible-rulebook's Python does not
already find it (collections are not on sys.path by default).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

DOCUMENTATION = r"""
---
short_description: OTA task changes of Alibaba Cloud App Streaming delivery groups as events
description:
  - An ansible-rulebook event source that polls the OTA update tasks (C(ListOtaTask)) of delivery
    groups every O(interval) seconds and emits one event per change, and one when a group settles.
  - It uses the collection's client (signing, credentials, retries, paging), with the same connection
    options and environment variables as the M(alibabacloud.appstreaming.ota_task_info) module.
  - "Task event: C(type: ota_task), C(app_instance_group_id), C(task_id), C(ota_version), C(task_display_status),
    C(previous_status) (null for a task seen for the first time), C(task_start_time); and C(status), a deprecated alias of
    C(task_display_status) that will be removed in the release after 0.1.0."
  - "Group event, when a group settles (the rule of the M(alibabacloud.appstreaming.ota_task_wait) gate: the newest task and
    every task seen in flight have ended; a task listed STANDBY or RUNNING below a newer task that has started or ended is
    superseded, history), also when its update ran between two polls (a task first listed already ended):
    C(type: ota_group), C(app_instance_group_id), C(in_flight: false), C(newest_task_id), C(newest_status), C(succeeded),
    C(superseded_task_ids)."
  - "Group error event, once, when a watched group answers C(InvalidAppInstanceGroup.NotFound) after the source started
    (it was deleted): C(type: ota_group_error), C(app_instance_group_id), C(code), C(message). The group is then polled at
    the backoff rate, so it can come back."
  - The first poll of a group is a baseline and emits nothing (with O(emit_initial), its tasks in flight); with
    O(state_file), a group the last run saw has no baseline and gives the changes since that run.
  - Each group is polled on its own. Errors that the client's retries could not get past are logged as warnings, per group,
    and that group is polled again with backoff; only a configuration error (an option, an unknown group, a credential,
    the state file) ends the source, at start, before any event.
  - "Throttling (the account's API rate limit, shared with every job that uses it) only makes a poll slower: the
    poll completes and its events are exact. A group is polled again O(interval) seconds after its last poll started
    or, after a poll that took longer than that, after a pause as long as the poll (max(O(interval), the poll's own
    time)). The source warns once while the API throttles it, not at every poll."
  - Give credentials through environment variables (or vault), never literally in a rulebook
    (ansible-rulebook prints source arguments at -vv). The credential variables (those of O(access_key_id),
    O(access_key_secret), O(security_token), O(profile)) are read only when no credential option is set.
requirements:
  - ansible-core, requests and voluptuous in the Python that runs ansible-rulebook (alibabacloud-credentials
    too for profiles, role_arn and the default credential chain).
options:
  app_instance_group_ids:
    description: The delivery groups to watch.
    type: list
    elements: str
    required: true
    aliases: [app_instance_group_id]
  interval:
    description: Seconds from one poll to the next.
    type: float
    default: 60
  emit_initial:
    description: Emit the tasks in flight at the first poll (with O(previous_status) null) instead of nothing.
    type: bool
    default: false
  max_polls:
    description: Stop after this many polls, the first one included; 0 polls until the rulebook stops.
    type: int
    default: 0
  state_file:
    description:
      - A file where the source keeps what it has seen (per group, the statuses of the listed tasks and the tasks the gate
        tracks), written atomically after each poll that changed it. At start it is read back instead of taking a baseline,
        so the changes made while the source was stopped give their events, once. A group not in it takes a baseline.
      - Without it, every start takes a baseline. A file that cannot be read or is not one of this source's state files
        is a configuration error; a missing one is a first run. Give each source its own file.
    type: path
  # BEGIN connection options: generated by `make options` from plugins/module_utils/options.py; edit them there
  access_key_id:
    description: The AccessKey ID to sign requests with. See
      O(alibabacloud.appstreaming.ota_task_info#module:access_key_id); environment E(ALIBABA_CLOUD_ACCESS_KEY_ID), then
      E(ALICLOUD_ACCESS_KEY).
    type: str
    aliases: [alicloud_access_key]
  access_key_secret:
    description: The AccessKey secret. See O(alibabacloud.appstreaming.ota_task_info#module:access_key_secret);
      environment E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), then E(ALICLOUD_SECRET_KEY).
    type: str
    aliases: [alicloud_secret_key]
  security_token:
    description: The STS token of a temporary key. See O(alibabacloud.appstreaming.ota_task_info#module:security_token);
      environment E(ALIBABA_CLOUD_SECURITY_TOKEN), then E(ALICLOUD_SECURITY_TOKEN).
    type: str
    aliases: [alicloud_security_token]
  profile:
    description: A named credentials profile. See O(alibabacloud.appstreaming.ota_task_info#module:profile); environment
      E(ALIBABA_CLOUD_PROFILE).
    type: str
  role_arn:
    description: A RAM role to assume. See O(alibabacloud.appstreaming.ota_task_info#module:role_arn).
    type: str
  role_session_name:
    description: The session name used with the RAM role. See
      O(alibabacloud.appstreaming.ota_task_info#module:role_session_name).
    type: str
    default: ansible-appstreaming
  sts_endpoint:
    description: The STS endpoint used to assume the RAM role. See
      O(alibabacloud.appstreaming.ota_task_info#module:sts_endpoint).
    type: str
  region_id:
    description: The region of the delivery groups. See O(alibabacloud.appstreaming.ota_task_info#module:region_id);
      environment E(ALIBABA_CLOUD_REGION_ID), then E(ALICLOUD_REGION).
    type: str
    aliases: [alicloud_region]
  endpoint:
    description: Overrides the App Streaming endpoint (for example the bundled emulator). See
      O(alibabacloud.appstreaming.ota_task_info#module:endpoint).
    type: str
  validate_certs:
    description: Whether to verify the endpoint's TLS certificate. See
      O(alibabacloud.appstreaming.ota_task_info#module:validate_certs).
    type: bool
    default: true
  ca_bundle:
    description: A file of PEM CA certificates to verify the endpoint with. See
      O(alibabacloud.appstreaming.ota_task_info#module:ca_bundle).
    type: path
  timeout:
    description: Seconds per HTTP request. See O(alibabacloud.appstreaming.ota_task_info#module:timeout).
    type: float
    default: 10
  retries:
    description: How often a failed request is tried again. See
      O(alibabacloud.appstreaming.ota_task_info#module:retries).
    type: int
    default: 6
  max_concurrency:
    description: At most this many requests at once. See
      O(alibabacloud.appstreaming.ota_task_info#module:max_concurrency).
    type: int
    default: 16
  max_requests_per_second:
    description: At most this many requests per second, for an account whose API rate limit you know and share. See
      O(alibabacloud.appstreaming.ota_task_info#module:max_requests_per_second).
    type: float
  # END connection options
notes:
  - An option set to null is taken as not set.
"""

EXAMPLES = r"""
- alibabacloud.appstreaming.ota_task_events:
    app_instance_group_ids: [aig-53fvrq1oanz6c]
    region_id: cn-shanghai
    interval: 60
    state_file: /var/lib/ota-gate/ota_task_events.json
"""

SOURCE = 'alibabacloud.appstreaming.ota_task_events'
CORE = 'ansible_collections.alibabacloud.appstreaming.plugins'
FEEDBACK_ARGS = ('eda_feedback_queue',)   # what ansible-rulebook itself may add to the arguments
QUIET_POLLS = 5   # polls in a row without throttling before a new throttling warning

logger = logging.getLogger(SOURCE)


class ConfigurationError(Exception):
    """What ends the source: an option, an unknown group or a credential, found at start."""


class _Core:
    """The collection's modules this source uses."""

    def __init__(self):
        self.client = importlib.import_module(CORE + '.module_utils.client')
        self.errors = importlib.import_module(CORE + '.module_utils.errors')
        self.events = importlib.import_module(CORE + '.module_utils.events')
        self.options = importlib.import_module(CORE + '.module_utils.options')
        self.state_file = importlib.import_module(CORE + '.module_utils.state_file')
        self.transport = importlib.import_module(CORE + '.module_utils.transport')
        self.plugin_options = importlib.import_module(CORE + '.plugin_utils.options')


def _collections_root():
    """The directory that holds ansible_collections/alibabacloud/appstreaming/, from where this file is."""
    here = Path(__file__).resolve()
    parents = here.parents
    if len(parents) > 7 and (parents[6].name, parents[5].name, parents[4].name) == ('ansible_collections', 'alibabacloud', 'appstreaming'):
        return str(parents[7])
    return None


def load_core():
    """Import the collection's shared code, making the collection importable first if it is not."""
    try:
        return _Core()
    except ModuleNotFoundError as exc:
        missing = exc.name or ''
        if missing.partition('.')[0] == 'ansible':
            raise ConfigurationError('%s needs ansible-core installed in the Python that runs ansible-rulebook (the decision '
                                     'environment): %s' % (SOURCE, exc)) from None
        if missing.partition('.')[0] != 'ansible_collections':
            raise ConfigurationError('%s: a Python library it needs is missing: %s' % (SOURCE, exc)) from None
    root = _collections_root()
    if root is None:
        raise ConfigurationError('%s: cannot import the collection alibabacloud.appstreaming: run this source from the '
                                 'installed collection (ansible_collections/alibabacloud/appstreaming/)' % SOURCE)
    if root not in sys.path:
        sys.path.append(root)
    importlib.invalidate_caches()
    return _Core()


def configure(core, args):
    """(client params, SourceConfig) from the source arguments; ConfigurationError names what is wrong."""
    params = {key: value for key, value in (args or {}).items() if value is not None and key not in FEEDBACK_ARGS}
    try:
        validated = core.plugin_options.validate(dict(core.events.argument_spec(), **core.options.connection_argument_spec()), params)
        return validated, core.events.parse(validated)
    except core.errors.AppStreamingError as exc:
        raise ConfigurationError('%s: %s' % (SOURCE, exc)) from None


async def main(queue: asyncio.Queue[Any], args: dict[str, Any]) -> None:
    """Poll the groups and put their OTA task events on ``queue`` (ansible-rulebook's entry point)."""
    core = load_core()
    if not core.transport.HAS_REQUESTS:
        raise ConfigurationError('%s needs the Python library requests in the Python that runs ansible-rulebook' % SOURCE)
    params, config = configure(core, args)
    saved = _read_state(core, config.state_file)
    try:
        client = await asyncio.to_thread(core.client.Client, params)
    except core.errors.AppStreamingError as exc:
        raise ConfigurationError('%s: %s' % (SOURCE, exc)) from None
    try:
        await _poll(queue, core, client, config, saved)
    finally:
        client.close()


def _read_state(core, path):
    """The per-group state saved by the last run, {} for a first run; ConfigurationError names the file."""
    if path is None:
        return {}
    try:
        document = core.state_file.read(path)
        core.state_file.check_writable(path)
        return {} if document is None else core.events.restore_state(document, path)
    except core.errors.AppStreamingError as exc:
        raise ConfigurationError('%s: %s' % (SOURCE, exc)) from None


async def _poll(queue, core, client, config, saved):
    loop = asyncio.get_running_loop()
    group_ids = config.query.group_ids
    tracker = core.events.EventTracker(group_ids, config.emit_initial, saved)
    schedule = core.events.PollSchedule(group_ids, config.interval, loop.time())
    state = _StateWriter(core, config.state_file)
    started = False   # a group has been listed: the options and the credential work
    polls = 0
    throttling = _Throttling(client.transport)
    while not config.max_polls or polls < config.max_polls:
        pause = schedule.next_time() - loop.time()
        if pause > 0:
            await asyncio.sleep(pause)
        began = loop.time()
        polls += 1
        due = schedule.due(max(began, schedule.next_time()))   # a timer may fire a hair early
        listing, errors = await _list(core, client, config.query._replace(group_ids=tuple(due)), started, polls)
        if not started:
            for exc in errors.values():
                if _configuration_error(core, exc):
                    raise ConfigurationError('%s: %s' % (SOURCE, exc)) from None
        throttling.after(polls)
        unsettled = set(client.unsettled)
        del client.warnings[:]   # said below; the list would otherwise grow with every poll
        emitted = 0
        for group_id in due:
            if group_id in errors:
                exc = errors[group_id]
                wait = schedule.failed(group_id, began)
                logger.warning('%s: poll %d failed for %s, polling it again in %.1fs: %s', SOURCE, polls, group_id, wait, exc)
                found = tracker.fail(group_id, exc)
            elif group_id in unsettled:
                schedule.polled(group_id, began)
                logger.warning('%s: the task list of %s kept changing while it was read; no events from this poll for it',
                               SOURCE, group_id)
                continue
            else:
                schedule.polled(group_id, began)
                found = tracker.feed(group_id, listing[group_id])
            for event in found:
                await queue.put(event)
                emitted += 1
        for warning in tracker.warnings:
            logger.warning('%s: %s', SOURCE, warning)
        del tracker.warnings[:]
        started = started or bool(listing)
        state.save(tracker)   # after the events are on the queue: a stop in between gives them again, never none
        schedule.slowed(began, loop.time())   # a poll the API slowed down is followed by a pause as long as itself
        logger.debug('%s: poll %d: %d events, %d ListOtaTask calls in all, %.2fs (%d of %d groups due)', SOURCE, polls, emitted,
                     client.transport.calls, loop.time() - began, len(due), len(group_ids))
    logger.info('%s: stopping after %d polls (max_polls)', SOURCE, polls)


async def _list(core, client, query, started, polls):
    """({group id: tasks}, {group id: error}) of one poll of the groups of ``query``, each group on its own."""
    errors = {}
    try:
        deadline = time.monotonic() + core.client.LISTING_TIME_BUDGET   # one poll: every page of every group, retries included
        listing = await asyncio.to_thread(client.list_tasks, query, deadline, errors)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        if not started:
            raise
        logger.exception('%s: poll %d failed unexpectedly: %s', SOURCE, polls, exc)
        return {}, dict.fromkeys(query.group_ids, exc)
    return {group_id: tasks for group_id, _total, tasks in listing}, errors


class _StateWriter:
    """Writes the tracker's state to the state file after the first poll, then when it changed; a failed write is
    warned about, not fatal."""

    def __init__(self, core, path):
        self._core = core
        self._path = path
        self._written = None
        self._failing = False

    def save(self, tracker):
        if self._path is None:
            return
        document = tracker.state()
        if document == self._written:
            return
        try:
            self._core.state_file.write(self._path, document)
        except OSError as exc:
            if not self._failing:
                logger.warning('%s: cannot write the state_file %s, will try again after each poll: %s', SOURCE, self._path, exc)
            self._failing = True
            return
        self._written = document
        self._failing = False


class _Throttling:
    """Says once, not at every poll, that the API throttles the polls (they take longer; no event is lost).

    It says so again only after QUIET_POLLS polls in a row that were not throttled.
    """

    def __init__(self, transport):
        self._transport = transport
        self._seen = transport.throttled
        self._quiet = QUIET_POLLS   # polls in a row without throttling

    def after(self, poll):
        throttled, self._seen = self._transport.throttled - self._seen, self._transport.throttled
        if not throttled:
            self._quiet += 1
            return
        if self._quiet >= QUIET_POLLS:
            logger.warning('%s: the API throttles the requests of this account (%d in poll %d): its rate limit is shared by '
                           'every job that uses the account. Polls take longer; no event is lost. Said once while it lasts',
                           SOURCE, throttled, poll)
        self._quiet = 0


def _configuration_error(core, exc):
    """An error at start that another poll will not cure: options, credentials, an unknown group, TLS."""
    errors = core.errors
    if isinstance(exc, (errors.OptionError, errors.CredentialError)):
        return True
    return isinstance(exc, (errors.ApiError, errors.TransportError)) and not exc.transient


async def _against_emulator(queue: asyncio.Queue[Any], extra: dict[str, Any]) -> None:
    """Run the source against the collection's own emulator (tests/emulator) and its sample data.

    Loopback only: the emulator binds to 127.0.0.1 and the ECS metadata lookup is switched off.
    """
    os.environ['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true'
    path = Path(__file__).resolve().parents[4] / 'tests' / 'emulator' / 'ota_emulator.py'
    spec = importlib.util.spec_from_file_location('ota_emulator', path)
    emulator_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(emulator_module)
    key = emulator_module.load_data_file(emulator_module.SAMPLE_DATA)['accounts'][0]
    server = emulator_module.Emulator().start()
    try:
        args = {'app_instance_group_ids': ['aig-demo-rollout', 'aig-demo-busy'], 'endpoint': server.endpoint,
                'access_key_id': key['access_key_id'], 'access_key_secret': key['access_key_secret'],
                'interval': 5, 'max_polls': 6, 'emit_initial': True}
        args.update(extra)
        await main(queue, args)
    finally:
        server.stop()


if __name__ == '__main__':
    # Run directly from the installed (or staged) collection, this source watches two demo groups of the bundled
    # emulator for 30 s and prints each event; a JSON object argument overrides source arguments:
    #   python ota_task_events.py '{"max_polls": 1}'

    class PrintQueue(asyncio.Queue[Any]):
        """Prints each event as a JSON line instead of handing it to a rulebook."""

        async def put(self, item: Any) -> None:
            print(json.dumps(item, sort_keys=True), flush=True)

    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')
    asyncio.run(_against_emulator(PrintQueue(), json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
