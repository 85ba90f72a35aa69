"""The push stage: the published site, sent to any storage rclone reaches.

``push_site(site, remote, config, runner=..., dry_run=False, progress=None)`` → ``PushResult``
(what was uploaded and deleted, how many files were already there). In: a site folder with a feed
whose links are public, and an rclone remote (``name:path`` from rclone.conf or
``RCLONE_CONFIG_<NAME>_*`` variables, or ``:backend,options:path``).

Order, so that a push killed at any moment leaves a remote feed whose every enclosure and
companion is there: plan first (the site read at one moment, the remote listed), then media
(audio, transcripts, chapters not already there), then pages (cover, ``index.html``), then
``feed.xml``, and only then the deletions (episode files and an old cover the site no longer
has). Each step is logged at INFO (and rclone's word on each file at DEBUG). A failure at any step
stops the push before anything is deleted. ``dry_run``: the plan only; nothing changes anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...config import Config
from ...feed import FEED_FILE, INDEX_FILE
from ...runner import DEFAULT_RUNNER, CommandRunner
from .local import LocalSite, local_site
from .plan import Plan, plan_push
from .rclone import Rclone

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (files uploaded or deleted, of how many)


@dataclass(frozen=True)
class PushResult:
    remote: str  # as messages show it: without the options an on-the-fly remote carries
    uploaded: tuple[str, ...]  # site paths, in the order they went up
    deleted: tuple[str, ...]
    unchanged: int  # files already on the remote as the site has them
    dry_run: bool = False  # nothing was done: uploaded and deleted say what would be
    hub: str = ""  # the WebSub hub told of the new feed, if one was

    def summary(self) -> dict[str, object]:
        """The one-object summary ``bulletin push --json`` prints (with ``hub`` when one was
        told)."""
        told = {"hub": self.hub} if self.hub else {}
        return {"remote": self.remote, "uploaded": list(self.uploaded),
                "deleted": list(self.deleted), "unchanged": self.unchanged, **told}

    def lines(self) -> list[str]:
        """What ``bulletin push`` prints: a line for each file uploaded and deleted, and a total."""
        up, gone = ("would upload", "would delete") if self.dry_run else ("uploaded", "deleted")
        total = (f"{self.remote}: {len(self.uploaded)} {up}, {len(self.deleted)} {gone}, "
                 f"{self.unchanged} unchanged")
        if self.dry_run:
            total += " (dry run: nothing was changed)"
        told = [f"told the WebSub hub {self.hub}"] if self.hub else []
        return [*(f"{up} {p}" for p in self.uploaded), *(f"{gone} {p}" for p in self.deleted),
                total, *told]


def _plan(local: LocalSite, rclone: Rclone) -> Plan:
    """Compare the site with the remote: sizes of everything, MD5s of same-size pages."""
    sizes = rclone.sizes()
    pages = [p for p in (local.cover, INDEX_FILE, FEED_FILE)
             if p in local.sizes and sizes.get(p) == local.sizes[p]]
    return plan_push(local, sizes, rclone.md5(pages))


def _act(plan: Plan, local: LocalSite, rclone: Rclone, progress: Progress) -> None:
    """Upload in the plan's order, then delete: the feed is up before anything goes."""
    total = len(plan.uploaded) + len(plan.deletions)
    done = 0
    progress(done, total)
    for upload in plan.uploads:
        log.info("push %s: uploading %s", upload.step, " ".join(upload.paths))
        rclone.copy(local.root, upload.paths, upload.headers, upload.size)
        done += len(upload.paths)
        progress(done, total)
    if plan.deletions:
        log.info("push deletions (the feed is up): deleting %s", " ".join(plan.deletions))
        rclone.delete(plan.deletions)
        progress(total, total)
    log.info("push done: %d uploaded, %d deleted, %d unchanged", len(plan.uploaded),
             len(plan.deletions), len(plan.unchanged))


def push_site(site: Path, remote: str, config: Config, *, runner: CommandRunner = DEFAULT_RUNNER,
              dry_run: bool = False, progress: Progress | None = None) -> PushResult:
    """Make ``remote`` hold what ``site`` publishes (see the module's description). ``config``
    words the refusal of a feed whose links are local; ``progress`` is told (done, total) files.
    An ``InputError`` for a site that cannot be pushed or a remote rclone does not know, a
    ``ToolError`` when the remote refuses or cannot be reached (nothing deleted either way)."""
    rclone = Rclone(remote, runner)
    with local_site(site, config, snapshot=not dry_run) as local:
        plan = _plan(local, rclone)
        log.info("push plan for %s: %d to upload, %d to delete, %d unchanged", rclone.shown,
                 len(plan.uploaded), len(plan.deletions), len(plan.unchanged))
        if not dry_run:
            _act(plan, local, rclone, progress or (lambda done, total: None))
    return PushResult(remote=rclone.shown, uploaded=plan.uploaded, deleted=plan.deletions,
                      unchanged=len(plan.unchanged), dry_run=dry_run)
