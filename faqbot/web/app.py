"""The ASGI application factory.

``create_app(config)`` builds one app over one knowledge base; uvicorn calls
:func:`app_from_env` (``--factory``) in each worker, so every worker loads and
indexes the knowledge base itself and reads the same ``FAQBOT_*`` settings —
including the signing secret, which is why any worker can continue any
conversation.  Only the production entry points (:func:`app_from_env` and
``faqbot serve``) record analytics; ``create_app`` alone records nothing.
"""

from __future__ import annotations

import gc
import logging
import sys

from starlette.applications import Starlette
from starlette.middleware import Middleware
from uvicorn.config import STARTUP_FAILURE

from faqbot.analytics import Recorder
from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.dialogue.manager import prepare as prepare_dialogue
from faqbot.web import metrics
from faqbot.web.allocator import keep_heap_pages
from faqbot.web.api import Api
from faqbot.web.config import ConfigError, WebConfig, in_worker_pool
from faqbot.web.errors import EXCEPTION_HANDLERS
from faqbot.web.handoff import HandoffDesk
from faqbot.web.logmask import install_log_masking
from faqbot.web.middleware import build_middleware
from faqbot.web.observe import ObserveMiddleware, install_access_log
from faqbot.web.pages import page_routes
from faqbot.web.signing import StateSigner
from faqbot.web.turncache import TurnCache


def create_app(config: WebConfig, engine: Engine | None = None, recorder: Recorder | None = None) -> Starlette:
    """The web app; loads ``config.kb_dir`` (through the engine cache) unless an ``engine`` is given.

    ``recorder`` receives each chat turn and 👍/👎 for ``faqbot report``; None records nothing.

    Raises :class:`~faqbot.errors.KnowledgeBaseError` for a broken knowledge base.
    """
    if engine is None:
        engine = load_engine(config.kb_dir)
    prepare_dialogue(engine)  # built here, not by a worker's first requests
    install_log_masking()  # uvicorn's access log quotes query strings
    signer = StateSigner(config.secret, engine.kb.content_hash, config.state_max_age)
    if recorder is not None and not recorder.enabled:
        recorder = None  # switched off (FAQBOT_ANALYTICS=off): the handlers then skip recording entirely
    api = Api(engine=engine, config=config, signer=signer, recorder=recorder, turns=TurnCache(config.turn_cache))
    desk = HandoffDesk.build(engine.kb, config, signer)
    app = Starlette(
        routes=[*api.routes(), *desk.routes(), *page_routes(engine.kb)],
        # Outermost: the access log, request id and request metrics see every answer.
        middleware=[Middleware(ObserveMiddleware), *build_middleware(config)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=desk.lifespan,
    )
    app.state.config = config
    app.state.engine = engine
    metrics.kb_loaded(engine.kb.content_hash, len(engine.kb.entries))
    return app


def app_from_env() -> Starlette:
    """uvicorn's factory: the app configured from the ``FAQBOT_*`` environment variables.

    Analytics follow ``FAQBOT_ANALYTICS`` / ``FAQBOT_ANALYTICS_DB`` (see docs/maintainers.md).
    In a worker of a multi-process server (``uvicorn --factory --workers N``) an unset
    ``FAQBOT_SECRET`` stops the start: each worker would sign with a secret of its own and
    refuse the others' conversations.  A bad setting is one logged sentence and uvicorn's
    start-up-failure exit status, so its supervisor stops instead of restarting the worker.
    """
    install_access_log()
    try:
        config = WebConfig.from_env(shared=in_worker_pool())
    except ConfigError as exc:
        logging.getLogger("faqbot.web").error("faqbot cannot start: %s", exc)
        sys.exit(STARTUP_FAILURE)
    app = create_app(config, recorder=Recorder.from_env())
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Keep everything loaded so far (the engine above all) out of garbage collection.

    A server process calls this once its app is built.  The engine lives as long
    as the process, yet every full collection walked it: 27 ms with a 10k-entry
    knowledge base, a pause in whichever request triggered it.  It also keeps freed
    memory mapped (:func:`faqbot.web.allocator.keep_heap_pages`): each chat turn's
    temporary arrays were faulted in afresh.
    """
    gc.freeze()
    keep_heap_pages()
