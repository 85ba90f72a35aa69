"""Editions and builds on the queue: a real redis-server, real `bulletin worker` processes.

Shows read news from the test newsroom (tests/newsroom.py) and speak with espeak-ng (fast); one
show's feed is a file, whose bytes travel in the job. Each test has a Redis database of its own.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import redis

from bulletin.queue.app import SPEAKERS, make_app, send_job, site_queue
from redis_server import Service

SHOWS = ("harbour", "hills", "estuary")


def write_config(root: Path, broker: str, newsroom, schedule: str = "",
                 engine: str = "espeak") -> Path:
    """bulletin.toml with three shows, each its own title and site; estuary reads a feed file."""
    (root / "estuary.rss").write_bytes(newsroom.body("/rss.xml"))
    feeds = {"harbour": [newsroom.url("/rss.xml"), newsroom.url("/atom.xml")],
             "hills": [newsroom.url("/feed.json")], "estuary": ["estuary.rss"]}
    text = ('[show]\ntitle = "Network"\nemail = "desk@example.org"\n'
            f'[voice]\nengine = "{engine}"\n[queue]\nbroker = "{broker}"\n'
            '[edition]\nduration = "0:40"\nstories = 2\n')
    for name in SHOWS:
        text += (f'[shows.{name}]\ntitle = "{name.title()} Tonight"\nsite = "sites/{name}"\n'
                 f'feeds = {json.dumps(feeds[name])}\n')
        if schedule and name == "hills":
            text += f'schedule = "{schedule}"\n'
    path = root / "bulletin.toml"
    path.write_text(text)
    return path


def holding(root: Path, *names: str) -> list[str]:
    """A worker's options for holding the sites of the shows ``names`` (else of every show)."""
    return [arg for name in names or SHOWS for arg in ("--site", str(root / "sites" / name))]


def start_worker(services: list[Service], root: Path, broker: str, name: str,
                 *args: str) -> Service:
    worker = Service(root / f"{name}.log", "worker", "--broker", broker, *args, cwd=root)
    services.append(worker)
    worker.wait_for("ready.")
    return worker


def outcome(broker: str, job_id: str, timeout: float = 240) -> dict:
    result = make_app(broker).AsyncResult(job_id)
    return result.get(timeout=timeout)


def episodes(cli, config: Path, name: str) -> list[dict]:
    listed = cli("episodes", "list", "--config", config, "--site", config.parent / "sites" / name,
                 "--json")
    assert listed.exit_code == 0, listed.output
    return [json.loads(line) for line in listed.stdout.splitlines()]


def assert_feed_sound(cli, config: Path, name: str) -> None:
    checked = cli("feed", "check", "--config", config, "--site", config.parent / "sites" / name)
    assert checked.exit_code == 0, checked.output


def test_several_shows_queued_at_once_each_publish_one_edition_of_their_own(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    start_worker(services, tmp_path, broker, "worker1", *holding(tmp_path))
    start_worker(services, tmp_path, broker, "worker2")  # a speaker: it holds no site
    started = time.monotonic()
    ids = {}
    for name in SHOWS:
        sent = cli("edition", "--config", config, "--show", name, "--queue")
        assert sent.exit_code == 0, sent.output
        assert not sent.stderr  # a worker holds the show's site: no warning
        ids[name] = sent.stdout.strip()
    assert time.monotonic() - started < 10  # the ids come at once, not after the editions
    for name, job_id in ids.items():
        done = outcome(broker, job_id)
        assert "error" not in done, done
        assert done["summary"]["published"] is True
        made = episodes(cli, config, name)
        assert len(made) == 1
        assert f"{name.title()} Tonight" in (tmp_path / "sites" / name / "feed.xml").read_text()
        assert_feed_sound(cli, config, name)
    both = (tmp_path / "worker1.log").read_text() + (tmp_path / "worker2.log").read_text()
    assert all(both.count(f"[{job_id}] received") == 1 for job_id in ids.values())
    speaker = (tmp_path / "worker2.log").read_text()
    assert "bulletin.plan[" not in speaker and "bulletin.publish[" not in speaker


def test_wait_prints_what_a_local_run_prints(cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    start_worker(services, tmp_path, broker, "worker", *holding(tmp_path))
    queued = cli("edition", "--config", config, "--show", "harbour", "--queue", "--wait")
    assert queued.exit_code == 0, queued.output
    local = cli("edition", "--config", config, "--show", "hills", "--site",
                tmp_path / "local")
    assert local.exit_code == 0, local.output
    queued_lines, local_lines = queued.stdout.splitlines(), local.stdout.splitlines()
    mp3 = tmp_path / "sites" / "harbour" / "episodes"
    assert queued_lines[0].startswith(str(mp3)) and queued_lines[0].endswith("cached)")
    assert queued_lines[-1] == str(tmp_path / "sites" / "harbour" / "feed.xml")
    story = [line for line in queued_lines if " sentences; " in line]
    assert story and len(story) == len([line for line in local_lines if " sentences; " in line])
    again = cli("edition", "--config", config, "--show", "harbour", "--queue", "--wait", "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["published"] is False and summary["reason"].startswith("no new stories")


def test_a_bad_job_fails_once_with_the_line_a_local_run_gives(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    site = tmp_path / "public"
    worker = start_worker(services, tmp_path, broker, "worker", "--site", str(site))
    local = cli("build", "missing.txt", "--config", config)
    queued = cli("build", "missing.txt", "--config", config, "--queue", "--wait")
    assert (queued.exit_code, queued.stderr.splitlines()[-1]) == (2, local.stderr.strip())
    broken = send_job(make_app(broker), {"kind": "edition", "show": "", "sources": [],
                                         "settings": {"site": str(site), "voice": {"speed": 0}}})
    done = broken.get(timeout=60)
    assert done["exit"] == 2
    assert done["error"] == ("job settings: voice.speed = 0.0: must be between 0.25 and 4 "
                             "(times the voice's natural rate)")
    time.sleep(2)  # a step retried would come back in this time
    assert worker.text().count(f"[{broken.id}] received") == 1
    assert worker.text().count("bulletin.plan[") == 2  # received, then succeeded: once
    queued = redis.Redis.from_url(broker)
    assert queued.llen(SPEAKERS) == 0 and queued.llen(site_queue(str(site))) == 0


def test_an_edition_that_fails_in_its_speech_gives_its_show_the_turn_back(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    start_worker(services, tmp_path, broker, "worker", *holding(tmp_path))
    nowhere = tmp_path / "no-such-folder" / "news.wav"  # the playout copy cannot be written
    failed = cli("edition", "--config", config, "--show", "hills", "--queue", "--wait",
                 "--playout", nowhere)
    assert failed.exit_code == 2, failed.output
    assert str(nowhere) in failed.stderr.splitlines()[-1]
    assert not redis.Redis.from_url(broker).keys("bulletin:turn:*")  # the next need not wait
    again = cli("edition", "--config", config, "--show", "hills", "--queue", "--wait", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["published"] is True


def test_a_worker_killed_mid_edition_loses_no_job_and_doubles_no_episode(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom, engine="piper")  # slow enough to kill
    worker = start_worker(services, tmp_path, broker, "worker", "--concurrency", "1",
                          *holding(tmp_path))
    ids = {}
    for name in SHOWS:
        sent = cli("edition", "--config", config, "--show", name, "--queue", "--json")
        ids[name] = json.loads(sent.stdout)["id"]
    client = redis.Redis.from_url(broker)
    deadline = time.monotonic() + 60
    while "bulletin.speak[" not in worker.text():  # an edition is under way: speaking
        assert time.monotonic() < deadline, worker.text()
        time.sleep(0.05)
    time.sleep(1.0)  # well into it: the voice loading, or speaking
    killed = worker.children()
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    for name, job_id in ids.items():
        done = outcome(broker, job_id)
        assert "error" not in done, done
        made = episodes(cli, config, name)
        assert len(made) == 1, made  # every episode landed, none twice
        assert_feed_sound(cli, config, name)
    log = worker.text()
    assert "WorkerLostError" in log or "Worker exited prematurely" in log
    assert not client.keys("bulletin:turn:*")  # each show's turn given back


def test_beat_fires_a_show_on_its_schedule(cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom, schedule="* * * * *")
    start_worker(services, tmp_path, broker, "worker", *holding(tmp_path))
    beat = Service(tmp_path / "beat.log", "beat", "--config", str(config), cwd=tmp_path)
    services.append(beat)
    feed = tmp_path / "sites" / "hills" / "feed.xml"
    deadline = time.monotonic() + 150
    while not feed.exists():
        assert time.monotonic() < deadline, beat.text()
        time.sleep(0.5)
    assert "show hills: edition sent" in beat.text()
    assert len(episodes(cli, config, "hills")) == 1
    assert not (tmp_path / "sites" / "harbour").exists()  # no schedule: never sent


def test_speech_runs_on_a_worker_without_the_site_and_the_sites_worker_publishes_it(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    phrases = tmp_path / "phrases"  # a template the settings name: the job carries it too
    phrases.mkdir()
    (phrases / "outro.txt.j2").write_text("That was the estuary desk. Good night.\n")
    config.write_text(config.read_text() + '[script]\ntemplates = "phrases"\n')
    story = tmp_path / "ferry.txt"
    story.write_text("Night ferry returns\n\nThe night ferry across the estuary returns in April "
                     "after twelve years, the council said on Tuesday.\n")
    sent = cli("build", story, "--config", config, "--queue")
    assert sent.exit_code == 0, sent.output
    site = tmp_path / "public"
    assert sent.stderr == (f"bulletin: warning: no worker holds {site} now: the job waits until "
                           f"one is started with --site {site}\n")
    story.unlink()  # the worker needs no shared input files: the job holds them
    (phrases / "outro.txt.j2").unlink()
    (tmp_path / "elsewhere").mkdir()
    speaker = start_worker(services, tmp_path / "elsewhere", broker, "speaker")
    deadline = time.monotonic() + 120
    while "bulletin.speak[" not in speaker.text() or " succeeded in " not in speaker.text():
        assert time.monotonic() < deadline, speaker.text()
        time.sleep(0.2)
    assert not site.exists()  # spoken, and waiting for the worker that holds the site
    publisher = start_worker(services, tmp_path, broker, "publisher", "--site", str(site))
    done = outcome(broker, sent.stdout.strip())
    assert "error" not in done, done
    assert Path(done["summary"]["mp3"]).parent == site / "episodes"
    assert Path(done["summary"]["mp3"]).is_file()
    assert done["summary"]["synthesized"] >= 3  # the speaker's speech, not spoken again
    captions = Path(done["summary"]["mp3"]).with_suffix(".vtt").read_text()
    assert "That was the estuary desk. Good night." in captions
    checked = cli("feed", "check", "--config", config, "--site", site)
    assert checked.exit_code == 0, checked.output
    assert "bulletin.speak[" not in publisher.text()
    assert "bulletin.publish[" not in speaker.text()
    stored = redis.Redis.from_url(broker)  # what the result store keeps: the outcome, not the MP3
    kept = [stored.get(key) or b"" for key in stored.scan_iter("celery-task-meta-*")]
    assert kept and all(len(value) < 20_000 for value in kept), [len(v) for v in kept]


def test_two_editions_of_one_show_take_turns_across_workers(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    start_worker(services, tmp_path, broker, "worker1", *holding(tmp_path))
    start_worker(services, tmp_path, broker, "worker2", *holding(tmp_path))
    ids = [cli("edition", "--config", config, "--show", "hills", "--queue").stdout.strip()
           for _ in range(2)]
    done = [outcome(broker, job_id) for job_id in ids]
    assert all("error" not in one for one in done), done
    assert sorted(one["summary"]["published"] for one in done) == [False, True]
    assert next(one for one in done if not one["summary"]["published"])["summary"][
        "reason"].startswith("no new stories")
    assert len(episodes(cli, config, "hills")) == 1


def test_each_worker_process_loads_its_piper_voice_once(
        cli, newsroom, broker, services, tmp_path) -> None:
    config = write_config(tmp_path, broker, newsroom)
    worker = start_worker(services, tmp_path, broker, "worker", "--concurrency", "1",
                          "--site", str(tmp_path / "public"))
    for number, words in enumerate(("The pier reopens on Friday.", "The pier closes again.")):
        story = tmp_path / f"pier{number}.txt"
        story.write_text(f"Pier news {number}\n\n{words} The harbour master said so.\n")
        built = cli("build", story, "--config", config, "--engine", "piper", "--queue", "--wait")
        assert built.exit_code == 0, built.output
        assert built.stdout.splitlines()[0].endswith("cached)")
    listed = cli("episodes", "list", "--config", config, "--site", tmp_path / "public")
    assert len(listed.stdout.splitlines()) == 2
    assert worker.text().count(": voice piper ") == 1  # the second job found it loaded


def test_a_broker_that_does_not_answer_is_one_line_at_once(cli, tmp_path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    story = tmp_path / "pier.txt"
    story.write_text("Pier news\n\nThe pier reopens on Friday.\n")
    started = time.monotonic()
    sent = cli("build", story, "--queue", "--broker", f"redis://desk:hunter2@127.0.0.1:{port}/0")
    assert sent.exit_code == 1
    assert sent.stderr.startswith(f"bulletin: redis://desk:***@127.0.0.1:{port}/0: cannot reach "
                                  "the broker (")
    assert len(sent.stderr.splitlines()) == 1 and "hunter2" not in sent.output
    assert time.monotonic() - started < 10
    wait_alone = cli("build", story, "--wait")
    assert (wait_alone.exit_code, wait_alone.stderr) == (2, "bulletin: --wait: only with --queue\n")
