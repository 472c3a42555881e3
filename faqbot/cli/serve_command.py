"""``faqbot serve``: the HTTP API, the help widget and its demo page, on uvicorn."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

import click
import uvicorn

from faqbot.analytics import Recorder, analytics_settings
from faqbot.answers.answering import Engine
from faqbot.cli.common import kb_option, load_engine, translate_errors
from faqbot.web.app import create_app, freeze_startup_objects
from faqbot.web.config import (
    ENV_ALLOW_CLIENT_TODAY,
    ENV_KB,
    ENV_SECRET,
    SECRET_HINT,
    ConfigError,
    WebConfig,
    generate_secret,
)
from faqbot.web.metrics import (
    ENV_MULTIPROC_DIR,
    MetricsSettings,
    prepare_multiprocess,
    remove_multiprocess,
    serve_metrics,
)
from faqbot.web.observe import install_access_log
from faqbot.web.workers import APP_FACTORY, ProcessSettings, Supervisor, reuse_port_supported, uvicorn_options

log = logging.getLogger("faqbot.web")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Worker processes; they share one loaded knowledge base and FAQBOT_SECRET (required for more than 1).",
)
@click.option(
    "--watch", is_flag=True,
    help="Reload the knowledge base when its files change (as SIGHUP does), keeping the old one if the new one is broken.",
)
@click.option(
    "--allow-client-today", is_flag=True,
    help="Honour a request's 'today' field (tests only; default: today is the date in $FAQBOT_TZ, Asia/Tokyo).",
)
@kb_option
@translate_errors
def serve(host: str, port: int, workers: int, watch: bool, allow_client_today: bool, kb_dir: Path | None) -> None:
    """Serve the API (/api/v1), the widget (/widget.js) and a demo page (/).

    Settings come from FAQBOT_* environment variables (see docs/embedding.md);
    set FAQBOT_SECRET in production so every worker and instance can continue
    every conversation. Chat turns and 👍/👎 are recorded for `faqbot report`
    (FAQBOT_ANALYTICS=off switches that off; FAQBOT_ANALYTICS_DB=PATH moves it).

    On Linux the workers are forked from one process holding the loaded knowledge
    base. SIGHUP (or --watch) reloads it without dropping a request: a broken one
    is reported file:line and the old one keeps serving. SIGTERM/SIGINT let
    in-flight requests finish (FAQBOT_GRACEFUL_TIMEOUT seconds, default 15); a
    worker whose event loop is stuck for FAQBOT_WORKER_TIMEOUT seconds (default 30)
    is replaced.

    \b
    Examples:
      faqbot serve
      faqbot serve --kb my-kb --watch
      FAQBOT_SECRET=... faqbot serve --host 0.0.0.0 --port 8080 --workers 4
      kill -HUP <pid>     # reload the knowledge base
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    # A reload asked for while the knowledge base is first loading must not kill the server
    # (SIGHUP's default); the supervisor takes the signal once it runs.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    env = _server_env(workers, kb_dir, allow_client_today)
    config = WebConfig.from_env(env)
    metrics = MetricsSettings.from_env(env)
    analytics_settings(env)  # a bad FAQBOT_ANALYTICS_DB stops here, in one sentence, not in every worker
    settings = ProcessSettings.from_env(env, watch=watch)
    # Load before starting: a broken knowledge base stops here with file:line and exit 1.
    engine = load_engine(config.kb_dir)
    click.echo(f"faqbot: serving {len(engine.kb.entries)} entries on http://{host}:{port}/ ({workers} worker(s))", err=True)
    # Workers write their metric samples to one folder that the metrics port sums (made here
    # unless the operator chose one; a chosen one is cleared of earlier runs' samples).
    own_samples = not env.get(ENV_MULTIPROC_DIR)
    multiprocess = metrics.port is not None and (workers > 1 or not own_samples)
    samples = prepare_multiprocess(env) if multiprocess else None
    os.environ.update({name: env[name] for name in (ENV_MULTIPROC_DIR,) if name in env})
    install_access_log()  # one JSON line per request replaces uvicorn's access log
    try:
        serve_metrics(metrics)
        if reuse_port_supported():
            # Forked workers share the engine, one socket each (faqbot/web/workers.py); also with
            # one worker, so that SIGHUP and --watch reload and a stuck worker is replaced.
            supervisor = Supervisor(
                host, port, workers, config, engine, settings,
                app_for=lambda e: create_app(config, e, Recorder.from_env(env)),
            )
            if supervisor.run() != 0:
                raise click.ClickException("a worker could not start; see the log above.")
            return
        if watch:
            raise ConfigError("--watch needs Linux (SO_REUSEPORT); restart faqbot serve after editing the knowledge base.")
        _serve_with_uvicorn(host, port, workers, config, engine, env)
    finally:
        if samples is not None and own_samples:
            remove_multiprocess(samples)


def _server_env(workers: int, kb_dir: Path | None, allow_client_today: bool) -> dict[str, str]:
    """The FAQBOT_* settings the workers read: this process's environment plus the options given."""
    env = dict(os.environ)
    if not env.get(ENV_SECRET) and workers > 1:
        # Several workers are a production set-up: a secret made up for this run would
        # break every conversation at each restart and on every other instance.
        raise ConfigError(
            f"--workers {workers} needs a shared secret: set {ENV_SECRET} (e.g. to the output of {SECRET_HINT}) and start again."
        )
    if not env.get(ENV_SECRET):
        env[ENV_SECRET] = generate_secret()
        log.warning(
            "%s is not set: using a random secret for this run. Conversations will not survive a "
            "restart, and other instances cannot continue them. Set %s in production.",
            ENV_SECRET,
            ENV_SECRET,
        )
    if kb_dir is not None:
        env[ENV_KB] = str(kb_dir.resolve())
    if allow_client_today:
        env[ENV_ALLOW_CLIENT_TODAY] = "1"
    return env


def _serve_with_uvicorn(host: str, port: int, workers: int, config: WebConfig, engine: Engine, env: dict[str, str]) -> None:
    """Where SO_REUSEPORT is missing: uvicorn serves, with its own workers when there are several."""
    if workers == 1:
        app = create_app(config, engine, Recorder.from_env(env))
        freeze_startup_objects()
        uvicorn.run(app, host=host, port=port, **uvicorn_options(config))
        return
    # uvicorn's workers are new processes that call the factory: they get the settings,
    # the generated secret included, through the environment they inherit.
    # (PROMETHEUS_MULTIPROC_DIR is in os.environ already: serve() put it there for every way of serving.)
    inherited = (ENV_SECRET, ENV_KB, ENV_ALLOW_CLIENT_TODAY)
    os.environ.update({name: env[name] for name in inherited if name in env})
    # The engine was loaded only to check the knowledge base; each of uvicorn's workers loads its own.
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, **uvicorn_options(config))
