"""The composition root: opens the database and the actor registry, builds each context's service
and wires them together. `vvtv serve`, the CLI and the tests all start the product through here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import trio

from vvtv.actors import open_registry
from vvtv.actors import open_running
from vvtv.assembly.services import Services
from vvtv.assembly.wiring import FrameReportsToModeration
from vvtv.assembly.wiring import active_loads
from vvtv.assembly.wiring import audit_entries
from vvtv.assembly.wiring import live_board
from vvtv.assembly.wiring import watch_services
from vvtv.chat import api as chat_api
from vvtv.chat.actor import ChatPorts
from vvtv.chat.gate import ChatGate
from vvtv.chat.gate import GatePorts
from vvtv.chat.metrics import ChatMetrics
from vvtv.chat.safety_store import SqliteSafetyStore
from vvtv.chat.service import Chat
from vvtv.chat.store import SqliteChatStore
from vvtv.clock import WallClock
from vvtv.clock import utc_now
from vvtv.config import ConfigBundle
from vvtv.consent import api as consent_api
from vvtv.consent.actor import InboxPorts
from vvtv.consent.metrics import ConsentMetrics
from vvtv.consent.service import Consent
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.events import SessionStateChanged
from vvtv.contracts.lab import OwnerCard
from vvtv.cost.ladder import KillSwitch
from vvtv.cost.ladder import LadderPorts
from vvtv.cost.metrics import CostMetrics
from vvtv.cost.metrics import LadderMetrics
from vvtv.cost.service import CostMeter
from vvtv.cost.service import CostPorts
from vvtv.cost.store import SqliteLadderStore
from vvtv.domain.agreements import AgreementPorts
from vvtv.frames.metrics import FrameCheckMetrics
from vvtv.frames.service import FrameChecks
from vvtv.frames.service import FramePorts
from vvtv.identity.actor import IdentityPorts
from vvtv.identity.metrics import IdentityMetrics
from vvtv.identity.passwords import Passwords
from vvtv.identity.service import Identity
from vvtv.identity.store import SqliteAccountStore
from vvtv.identity.tokens import TokenSigner
from vvtv.identity.tokens import load_or_create_key
from vvtv.lab.api import LIVE_ROUTE
from vvtv.lab.auth import optional_token
from vvtv.lab.board import LabStatusBoard
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.settings import default_ladder_names
from vvtv.lab.settings import settings_from_config
from vvtv.matching.actor import QueuePorts
from vvtv.matching.metrics import MatchingMetrics
from vvtv.matching.service import Matching
from vvtv.media.local_sfu import SfuOptions
from vvtv.media.local_sfu import open_local_sfu
from vvtv.moderation.actor import ModerationPorts
from vvtv.moderation.metrics import ModerationMetrics
from vvtv.moderation.service import Moderation
from vvtv.moderation.store import SqliteReportStore
from vvtv.observability.audit import AuditLog
from vvtv.observability.events import ServerEvents
from vvtv.observability.health import HealthBoard
from vvtv.observability.switches import SqliteSwitchStore
from vvtv.observability.switches import SwitchPorts
from vvtv.observability.switches import SwitchTable
from vvtv.observability.tracing import TRACE_ID
from vvtv.observability.tracing import Tracing
from vvtv.operator import api as operator_api
from vvtv.operator.feed import FeedPorts
from vvtv.operator.feed import OperatorFeed
from vvtv.presence import api as presence_api
from vvtv.presence.actor import PresencePorts
from vvtv.presence.actor import ecosystems
from vvtv.presence.actor import open_presence_rooms
from vvtv.presence.metrics import PresenceMetrics
from vvtv.presence.service import Presence
from vvtv.runtime import Runtime
from vvtv.runtime import actor_settings
from vvtv.runtime import open_store
from vvtv.sessions import api as sessions_api
from vvtv.sessions.actor import SessionPorts
from vvtv.sessions.metrics import SessionMetrics
from vvtv.sessions.orchestrator import Orchestrator
from vvtv.sessions.orchestrator import open_orchestrator
from vvtv.sessions.store import SqliteSessionStore
from vvtv.shield.metrics import ShieldMetrics
from vvtv.shield.service import Shield
from vvtv.shield.service import ShieldPorts
from vvtv.telemetry.funnel import funnel_report
from vvtv.telemetry.incident import Incident
from vvtv.tiles import api as tiles_api
from vvtv.tiles.actor import TilesPorts
from vvtv.tiles.metrics import TileMetrics
from vvtv.tiles.service import Tiles
from vvtv.web.sockets import SocketHub


@asynccontextmanager
async def open_runtime(
    config: ConfigBundle,
    data_dir: Path,
    clock: WallClock = utc_now,
    sfu_options: SfuOptions | None = None,
) -> AsyncIterator[tuple[Runtime, Services]]:
    """`sfu_options`: how the SFU runs (`vvtv serve`: in a worker process; tests: on a thread)."""
    await trio.Path(data_dir).mkdir(parents=True, exist_ok=True)
    grace = config.limits.runtime.shutdown.grace_s
    async with (
        open_store(config, data_dir) as database,
        open_registry(actor_settings(config), shutdown_timeout_s=grace / 2) as actors,
    ):
        runtime = Runtime(
            config=config, actors=actors, database=database, data_dir=data_dir, clock=clock
        )
        audit = AuditLog(database)
        # A trace id per request and socket message reaches the actors handling it (TEL-7).
        runtime.tracing = Tracing(config.limits.observability.tracing)
        actors.carry(TRACE_ID)
        # The server's telemetry events, counted for the funnel as they are emitted (TEL-1).
        telemetry = ServerEvents(config.telemetry.events, runtime.metrics.registry, runtime.events)
        auth = config.limits.auth
        identity = Identity(
            actors,
            config,
            IdentityPorts(
                store=SqliteAccountStore(database),
                signer=TokenSigner(load_or_create_key(data_dir), auth.tokens.access_ttl_s),
                passwords=Passwords(auth.password),
                clock=clock,
                metrics=IdentityMetrics(runtime.metrics.registry),
                events=telemetry,
            ),
        )
        await identity.load()
        sockets = SocketHub(
            identity, auth.socket, clock, outbox_size=config.limits.runtime.actors.mailbox_size
        )
        identity.on_ban(sockets.ban)
        sockets.trace_with(runtime.tracing.span)
        runtime.metrics.describe_config(config.tier or "base", config.skin, config.version)
        runtime.metrics.watch_actors(actors.statistics)
        board = LabStatusBoard(runtime.metrics.registry)
        lab = await LabRuntime.open(
            settings_from_config(config, data_dir),
            runtime.metrics.registry,
            database,
            actors,
            default_card=OwnerCard(ladder=default_ladder_names(config)),
            clock=clock,
            sink=board.sink(),
            events=telemetry,
        )
        # Matching hears the calls it made end by themselves (a timeout, a participant's own end).
        session_watchers: list[Callable[[SessionStateChanged], None]] = []

        def notify_session(user_id: str, event: ServerEvent) -> None:
            sockets.push(user_id, event)
            if isinstance(event, SessionStateChanged):
                for watcher in session_watchers:
                    watcher(event)

        # Consent's inboxes and matching's queue only tell and count: they are never handed the
        # orchestrator (INV-2), which only their services reach, holding the agreement.
        inboxes = InboxPorts(
            notify=sockets.push,
            handle_of=identity.handle_of,
            clock=clock,
            metrics=ConsentMetrics(runtime.metrics.registry),
            events=telemetry,
        )
        queue = QueuePorts(
            notify=sockets.push,
            handle_of=lambda user_id: identity.user_view(user_id).handle,
            clock=clock,
            events=telemetry,
            metrics=MatchingMetrics(runtime.metrics.registry),
        )

        def agreement_ports() -> AgreementPorts[Identity, Orchestrator]:
            """What consent and matching, who make the agreements, reach besides their actors'
            ports: identity, the orchestrator and Shield Mode (both opened below), the sockets."""
            return AgreementPorts(
                people=identity,
                calls=sessions,
                connections=sockets.connections,
                gates=lambda: shield.gates(),
            )

        async with (
            # Every socket's writer runs here while it has events to send, and its token's expiry
            # timer (first in, last out: every context below pushes to sockets).
            open_running(sockets, name="sockets"),
            open_local_sfu(
                config,
                data_dir=data_dir,
                registry=runtime.metrics.registry,
                options=sfu_options,
                wall_clock=clock,
            ) as sfu,
            open_orchestrator(
                actors,
                config,
                SessionPorts(
                    provider=sfu,
                    store=SqliteSessionStore(database),
                    clock=clock,
                    metrics=SessionMetrics(runtime.metrics.registry),
                    notify=notify_session,
                    policy_version=lab.policy.current_version,
                    events=telemetry,
                ),
            ) as sessions,
            open_presence_rooms(
                actors,
                config,
                PresencePorts(
                    notify=sockets.push_to,
                    clock=clock,
                    metrics=PresenceMetrics(runtime.metrics.registry, ecosystems(config.modes)),
                    events=telemetry,
                ),
            ) as rooms,
            # Invites between users (CNS-1..5): identity answers blocks and bans, the orchestrator
            # starts the agreed call, the hub says whether an inviter still has a tab open.
            # Live tiles (THB-1..6): each viewer's pool of slots at the SFU, in a session of the
            # orchestrator's; presence says whose camera a viewer may see.
            open_running(
                Tiles(
                    actors,
                    config,
                    TilesPorts(
                        media=sfu,
                        sight=(presence := Presence(rooms, config, identity)),
                        sessions=sessions,
                        notify=sockets.push_to,
                        metrics=TileMetrics(runtime.metrics.registry, list(config.modes.modes)),
                        events=telemetry,
                    ),
                ),
                name="tiles",
            ) as tiles,
            open_running(
                Consent(
                    actors,
                    config,
                    inboxes,
                    agreement_ports(),
                ),
                name="consent timers",
            ) as consent,
            # Random (MAT-1..5, ABU-1..7): identity answers quarantine and blocks, the
            # orchestrator makes each match's call, the hub says whether a joiner has a tab left.
            open_running(
                Matching(
                    actors,
                    config,
                    queue,
                    agreement_ports(),
                ),
                name="matching calls",
            ) as matching,
            # Automated frame checks (issue 16): the SFU scores published cameras; a high score
            # blurs the publisher's tiles, raises a report with the still and ends a Random call.
            open_running(
                FrameChecks(
                    actors,
                    config,
                    FramePorts(
                        media=sfu,
                        checked=sfu.frame_checks,
                        tiles=tiles,
                        random=matching,
                        reports=(frame_reports := FrameReportsToModeration(sessions)),
                        clock=clock,
                        metrics=FrameCheckMetrics(runtime.metrics.registry),
                    ),
                ),
                name="frame checks",
            ) as frames,
            # Live cost per mode (TEL-4): sessions for the estimate, the SFU's senders and the
            # channel's HLS responses for what was really sent.
            open_running(
                CostMeter(
                    config,
                    CostPorts(
                        loads=lambda: active_loads(SqliteSessionStore(database), config),
                        sfu_bytes=lambda: sfu.statistics().bytes_sent,
                        channel_bytes=lambda: runtime.metrics.response_bytes(LIVE_ROUTE),
                        clock=clock,
                        metrics=CostMetrics(runtime.metrics.registry),
                        emit=telemetry.emit,
                    ),
                ),
                name="cost meter",
            ) as cost,
            open_running(
                HealthBoard(
                    config.limits.observability, actors.statistics, runtime.metrics.registry
                ),
                name="service health",
            ) as health,
        ):
            # Sessions a dead process left open are ended and their endpoints revoked.
            await sessions.reconcile()
            sockets.handle(sessions_api.socket_handlers(sessions))
            # A participant's last socket closing leaves them socket_grace_s (OPS-5).
            sockets.on_close(sessions.socket_closed)
            sockets.handle(presence_api.socket_handlers(presence))
            # Closing a socket leaves nothing at once (the TTL does); a ban, a block or a shadow
            # quarantine reaches every room at once (MOD-2/3/4).
            sockets.on_close(presence.forget)
            identity.on_ban(presence.expel)
            identity.on_block(presence.block_changed)
            identity.on_shadow_quarantine(presence.quarantine_changed)
            # A tile is granted, released and stepped down by its viewer's actor; a closed socket
            # or a block releases at once (INV-4, MOD-2); a shadow quarantine is asked again.
            sockets.handle(tiles_api.socket_handlers(tiles))
            sockets.on_close(tiles.close)
            identity.on_block(tiles.block_changed)
            identity.on_shadow_quarantine(tiles.quarantine_changed)

            # Shield Mode (issue 16): its gates are read by chat, consent and matching as of each
            # request; it tells users through the ladder's notice, and sweeps through chat.
            def switch(table: SwitchTable) -> SwitchPorts:
                store = SqliteSwitchStore(database, table)
                return SwitchPorts(store=store, notify_all=sockets.push_all, clock=clock)

            shield = Shield(
                config,
                ShieldPorts(
                    switch=switch("shield_mode"),
                    notice=lambda: kill_switch.notice(),
                    sweep=lambda *sweep: chat.sweep(*sweep),
                    metrics=ShieldMetrics(runtime.metrics.registry),
                ),
            )
            await shield.restore()
            chat_metrics = ChatMetrics(runtime.metrics.registry)
            # Timeouts, Shield's gates, auto-moderation and the quarantine's rate (MOD-4/6).
            safety = SqliteSafetyStore(database)
            gate = ChatGate(
                config,
                GatePorts(
                    store=safety,
                    people=identity,
                    clock=clock,
                    metrics=chat_metrics,
                    gates=shield.gates,
                ),
            )
            await gate.restore()
            # Chat (CHT-1..4): a message reaches each socket that follows its thread once;
            # identity answers who stands in a block with whom and who is shadow-quarantined, as
            # of each message (MOD-2, MOD-4). A closed socket follows nothing.
            chat = Chat(
                actors,
                config,
                ChatPorts(
                    store=SqliteChatStore(database),
                    notify_connection=sockets.push_to,
                    connections_of=sockets.connection_ids,
                    blocked=identity.blocked_either_way,
                    shadowed=lambda user_id: identity.user_view(user_id).shadow_quarantine,
                    handle_of=identity.handle_of,
                    clock=clock,
                    people=identity,
                    gate=gate,
                    safety=safety,
                    metrics=chat_metrics,
                    events=telemetry,
                ),
            )
            sockets.handle(chat_api.socket_handlers(chat))
            sockets.on_close(chat.socket_closed)
            # Reports from every context go to one queue (MOD-1, MOD-5); a decision is made of
            # identity's own operations, a warning reaches the user's tabs at once.
            moderation = Moderation(
                actors,
                config,
                ModerationPorts(
                    store=SqliteReportStore(database),
                    clock=clock,
                    metrics=ModerationMetrics(runtime.metrics.registry),
                ),
                identity,
                chat,
                sessions,
                audit,
                sockets.push,
                events=telemetry,
                # A report on a video stream carries the SFU's last checked frame of it, and its
                # camera is checked densely again (issue 16).
                stills=frames.still_of,
            )
            await moderation.load()
            chat.report_to(moderation)
            frame_reports.file_into(moderation)
            sockets.handle(consent_api.socket_handlers(consent))
            # The inviter's last tab closing withdraws their invites (OPS-5).
            sockets.on_close(consent.socket_closed)
            identity.on_block(consent.block_changed)
            identity.on_ban(consent.banned)
            # The last tab a joiner searched from closing leaves the queue; a block parts the two
            # at once and ends a call between them (MOD-2).
            session_watchers.append(matching.session_changed)
            session_watchers.append(frames.session_changed)
            sockets.on_close(matching.socket_closed)
            identity.on_block(matching.block_changed)
            identity.on_ban(matching.banned)
            watch_services(health, config, board, sfu, clock)
            # The kill-switch ladder judges each cost sample; the orchestrator asks it before
            # every new session, and every signed-in tab hears of each step (INV-7).
            kill_switch = KillSwitch(
                config,
                LadderPorts(
                    audit=audit.append,
                    notify_all=sockets.push_all,
                    clock=clock,
                    metrics=LadderMetrics(runtime.metrics.registry),
                    store=SqliteLadderStore(database),
                    emit=telemetry.emit,
                    shield=shield.banner,
                ),
            )
            # A restart resumes the ladder where it stood, an admin's pin included.
            await kill_switch.restore()
            cost.on_sample(kill_switch.observe)
            sessions.admit_with(kill_switch.admit)
            # Tiles step down with the ladder (thumbnails degraded, then off) and back up (INV-7).
            tiles.follow(kill_switch)
            # Random pauses while the ladder refuses its calls: joins get 503 random_closed and
            # the queue is stopped, each told; it runs again when the step lifts.
            matching.admit_with(kill_switch.admit)
            kill_switch.on_change(matching.ladder_changed)
            incident = Incident(config, switch("incident_flag"))
            await incident.restore()
            live = live_board(config, runtime.metrics.registry, lab.viewers, cost, health, clock)
            runtime.health = health
            # The console's figures, pushed to the admin sockets that follow it, after each cost
            # sample and each move of the ladder (TEL-4/5, INV-7).
            audit_page = config.limits.auth.audit_page_max
            events = runtime.events
            feed = OperatorFeed(
                FeedPorts(
                    live=live.status,
                    cost=cost.report,
                    history=cost.history,
                    ladder=kill_switch.status,
                    funnel=lambda: funnel_report(events, config.telemetry.chains),
                    lab=lab.status,
                    incident=incident.status,
                    shield=shield.status,
                    audit=lambda: audit_entries(audit, audit_page),
                    is_admin=identity.is_admin,
                    push_to=sockets.push_to,
                )
            )
            sockets.handle(operator_api.socket_handlers(feed))
            sockets.on_close(feed.unfollow)
            cost.on_sample(feed.sampled)
            kill_switch.on_recorded(feed.changed)  # the move and its audit entry in one update
            async with open_running(feed, name="operator feed"):
                yield (
                    runtime,
                    Services(
                        identity=identity,
                        audit=audit,
                        sockets=sockets,
                        sessions=sessions,
                        presence=presence,
                        chat=chat,
                        moderation=moderation,
                        consent=consent,
                        tiles=tiles,
                        matching=matching,
                        frames=frames,
                        lab=lab,
                        lab_board=board,
                        lab_token=optional_token(config.limits.lab),
                        cost=cost,
                        kill_switch=kill_switch,
                        incident=incident,
                        live=live,
                        shield=shield,
                    ),
                )
