// The 24/7 channel (UI-6 `/`): hls.js on the live playlist, what is on air now and next, and a
// calm state for every way the channel can be: tuning in, on air, the reserve loop, off the air.
import { effect, useSignal } from "@preact/signals";
import type Hls from "hls.js";
import type { ErrorData } from "hls.js";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";
import { type ChannelNow, useSdk } from "../sdk";

interface Props {
  profile?: string;
  autoplay?: boolean;
  start_muted?: boolean;
}

type HlsClass = typeof Hls;

// hls.js (its light build: no subtitles, no DRM) arrives with the player, not with the shell.
const loadHls = (): Promise<HlsClass> => import("hls.js/light").then((module) => module.default);

type PlayerState = "loading" | "playing" | "buffering" | "paused" | "offline";

export function MainPlayer({ profile, autoplay = true, start_muted = true }: Props): JSX.Element {
  const { api, settings, telemetry } = useSdk();
  const video = useRef<HTMLVideoElement>(null);
  const state = useSignal<PlayerState>("loading");
  const muted = useSignal(start_muted);
  const fatalErrors = useSignal(0);
  const now = useSignal<ChannelNow | null>(null);

  // What is on air, polled (the channel is public: no socket before login).
  useEffect(() => {
    let alive = true;
    const poll = async () => {
      try {
        const current = await api.channelNow();
        if (alive) now.value = current;
      } catch {
        // the player's own state already says when the channel is unreachable
      }
    };
    void poll();
    const timer = setInterval(poll, settings.channel_poll_s * 1000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const source = api.channelStreamUrl;
    const retryMs = settings.player_retry_s * 1000;
    let hls: Hls | null = null;
    let Player: HlsClass | null = null;
    let disposed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let reported = false;

    const start = () => {
      element.muted = muted.peek();
      if (!autoplay) return;
      element.play().catch(() => {
        // Autoplay with sound is refused until the viewer interacts: start muted instead.
        element.muted = true;
        muted.value = true;
        element.play().catch(() => {
          state.value = "paused";
        });
      });
    };

    const offline = () => {
      state.value = "offline";
      clearTimeout(retry);
      retry = setTimeout(load, retryMs);
    };

    const onError = (_event: string, data: ErrorData) => {
      if (!data.fatal || !hls) return;
      fatalErrors.value += 1;
      if (Player && data.type === Player.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      offline(); // network: the channel is off the air or unreachable; try again shortly
    };

    const load = () => {
      if (disposed) return;
      if (now.peek()?.on_air === "off") {
        offline(); // nothing to fetch while the channel says it is off the air: ask again later
        return;
      }
      if (!Player) {
        loadHls().then((loaded) => {
          Player = loaded;
          load();
        }, offline);
        return;
      }
      hls?.destroy();
      hls = null;
      state.value = state.peek() === "offline" ? "offline" : "loading";
      if (Player.isSupported()) {
        hls = new Player({ capLevelToPlayerSize: true });
        hls.on(Player.Events.ERROR, onError);
        hls.on(Player.Events.MANIFEST_PARSED, start);
        hls.loadSource(source);
        hls.attachMedia(element);
      } else if (element.canPlayType("application/vnd.apple.mpegurl")) {
        element.src = source;
        start();
      } else {
        offline();
      }
    };

    const onPlaying = () => {
      state.value = "playing";
      if (!reported) {
        reported = true;
        telemetry.track("view_broadcast", { rendition: `${element.videoHeight}p` });
      }
    };
    const onWaiting = () => {
      if (state.peek() === "playing") state.value = "buffering";
    };
    const onPause = () => {
      if (!element.ended) state.value = "paused";
    };
    const onVolume = () => {
      muted.value = element.muted;
    };
    const onNativeError = () => {
      if (!hls) offline();
    };
    element.addEventListener("playing", onPlaying);
    element.addEventListener("waiting", onWaiting);
    element.addEventListener("pause", onPause);
    element.addEventListener("volumechange", onVolume);
    element.addEventListener("error", onNativeError);
    load();
    // Back on the air: tune in now rather than at the next retry.
    const tuneIn = effect(() => {
      const onAir = now.value?.on_air;
      if (onAir && onAir !== "off" && state.peek() === "offline") {
        clearTimeout(retry);
        load();
      }
    });
    return () => {
      disposed = true;
      tuneIn();
      clearTimeout(retry);
      hls?.destroy();
      element.removeEventListener("playing", onPlaying);
      element.removeEventListener("waiting", onWaiting);
      element.removeEventListener("pause", onPause);
      element.removeEventListener("volumechange", onVolume);
      element.removeEventListener("error", onNativeError);
    };
  }, []);

  const current = now.value;
  const onAir = current?.on_air ?? null;
  const playerState = state.value;
  const play = () => {
    const element = video.current;
    if (!element) return;
    element.muted = false;
    void element.play().catch(() => {
      element.muted = true;
      void element.play();
    });
  };

  return (
    <section
      class="player"
      aria-label={t("player.label")}
      data-state={playerState}
      data-on-air={onAir ?? "unknown"}
      data-profile={profile}
      data-fatal-errors={fatalErrors.value}
    >
      <video ref={video} class="player-video" playsInline muted={muted.value} />
      {(playerState === "loading" || playerState === "buffering") && (
        <div class="player-veil" role="status">
          <span class="spinner" aria-hidden="true" />
          <span>{t("player.loading")}</span>
        </div>
      )}
      {playerState === "offline" && (
        <div class="player-veil player-offline" role="status">
          <p class="player-headline">{t("player.offline_title")}</p>
          <p>{t("player.offline_body")}</p>
        </div>
      )}
      {onAir === "reserve" && playerState !== "offline" && (
        <p class="player-banner" role="status">
          {t("player.reserve")}
        </p>
      )}
      <div class="player-info">
        {onAir && onAir !== "off" && playerState !== "offline" && (
          <span class="live-badge">{t("player.live")}</span>
        )}
        {current?.title && onAir === "plan" && (
          <p class="now-on-air">
            <span class="label">{t("player.on_air")}</span> <strong>{current.title}</strong>
          </p>
        )}
        {current && current.up_next.length > 0 && (
          <p class="up-next">
            <span class="label">{t("player.up_next")}</span>{" "}
            {current.up_next.map((item: { title: string }) => item.title).join(" · ")}
          </p>
        )}
      </div>
      {(muted.value || playerState === "paused") && playerState !== "offline" && (
        <button type="button" class="player-sound" onClick={play}>
          {playerState === "paused" ? t("player.play") : t("player.unmute")}
        </button>
      )}
    </section>
  );
}
