// Mirror (UI-6 `/mirror`): your own camera, local only (nothing leaves the device), with the
// device pickers, a camera and a microphone check, and "Open to…" the social modes.
import { type Signal, useSignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { locale, modeLabel, t } from "../i18n";
import { useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { RetryButton } from "./Retry";

interface Props {
  profile?: string;
  open_to_party?: string;
  open_to_random?: string;
  /** The screen's name, when the check is another screen's first step (Random's). */
  title?: string;
  /** What that screen offers first, above the pickers (Random's Start). */
  children?: ComponentChildren;
}

type Access = "asking" | "granted" | "denied" | "missing" | "failed";

// A level (RMS of the waveform, 0..1) above this means the microphone hears something: about
// -46 dBFS, over a quiet room's hiss and under speech.
const HEARD_LEVEL = 0.005;

function describeFailure(error: unknown): Access {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
  return "failed";
}

// A device's label stays empty until access is granted: meanwhile it is named by its place.
const DEVICE_COPY = {
  camera: { name: () => t("mirror.camera"), nth: (n: number) => t("mirror.camera_n", { n }) },
  microphone: {
    name: () => t("mirror.microphone"),
    nth: (n: number) => t("mirror.microphone_n", { n }),
  },
};

// Picking another device opens the preview again with it (a new attempt).
function DevicePicker({
  kind,
  devices,
  chosen,
  disabled,
  attempt,
}: {
  kind: keyof typeof DEVICE_COPY;
  devices: Signal<MediaDeviceInfo[]>;
  chosen: Signal<string>;
  disabled: boolean;
  attempt: Signal<number>;
}): JSX.Element {
  const copy = DEVICE_COPY[kind];
  const pick = (event: JSX.TargetedEvent<HTMLSelectElement>) => {
    chosen.value = event.currentTarget.value;
    attempt.value += 1;
  };
  return (
    <label class="field">
      <span>{copy.name()}</span>
      <select value={chosen.value} onChange={pick} disabled={disabled}>
        {devices.value.map((device, index) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || copy.nth(index + 1)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function MirrorView({
  profile,
  open_to_party,
  open_to_random,
  title,
  children,
}: Props): JSX.Element {
  const shell = useShell();
  const { presence } = useSdk();
  const preview = useRef<HTMLVideoElement>(null);
  const access = useSignal<Access>("asking");
  const cameras = useSignal<MediaDeviceInfo[]>([]);
  const microphones = useSignal<MediaDeviceInfo[]>([]);
  const cameraId = useSignal<string>("");
  const microphoneId = useSignal<string>("");
  const picture = useSignal<{ width: number; height: number } | null>(null);
  const level = useSignal(0);
  const heard = useSignal(false);
  const attempt = useSignal(0);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let audio: AudioContext | null = null;
    let frame = 0;
    let cancelled = false;

    const listDevices = async () => {
      const devices = await navigator.mediaDevices.enumerateDevices();
      cameras.value = devices.filter((device) => device.kind === "videoinput");
      microphones.value = devices.filter((device) => device.kind === "audioinput");
    };

    const open = async () => {
      access.value = "asking";
      picture.value = null;
      heard.value = false;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: cameraId.peek() ? { deviceId: { exact: cameraId.peek() } } : true,
          audio: microphoneId.peek() ? { deviceId: { exact: microphoneId.peek() } } : true,
        });
      } catch (error) {
        if (!cancelled) access.value = describeFailure(error);
        return;
      }
      if (cancelled) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      access.value = "granted";
      await listDevices(); // labels are only readable once access is granted
      const [videoTrack] = stream.getVideoTracks();
      const [audioTrack] = stream.getAudioTracks();
      cameraId.value = videoTrack?.getSettings().deviceId ?? "";
      microphoneId.value = audioTrack?.getSettings().deviceId ?? "";
      const element = preview.current;
      if (element) {
        element.srcObject = stream;
        element.onloadedmetadata = () => {
          picture.value = { width: element.videoWidth, height: element.videoHeight };
        };
        void element.play().catch(() => {});
      }
      if (audioTrack) {
        audio = new AudioContext();
        const analyser = audio.createAnalyser();
        audio.createMediaStreamSource(new MediaStream([audioTrack])).connect(analyser);
        const samples = new Float32Array(analyser.fftSize);
        const measure = () => {
          analyser.getFloatTimeDomainData(samples);
          let sum = 0;
          for (const sample of samples) sum += sample * sample;
          const rms = Math.sqrt(sum / samples.length);
          level.value = rms;
          if (rms > HEARD_LEVEL) heard.value = true;
          frame = requestAnimationFrame(measure);
        };
        measure();
      }
    };

    const onDeviceChange = () => void listDevices();
    navigator.mediaDevices?.addEventListener("devicechange", onDeviceChange);
    if (navigator.mediaDevices) void open();
    else access.value = "failed";
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      void audio?.close();
      for (const track of stream?.getTracks() ?? []) track.stop();
      navigator.mediaDevices?.removeEventListener("devicechange", onDeviceChange);
    };
  }, [attempt.value]);

  const targets = [open_to_party, open_to_random]
    .map((name) => (name ? shell.modeNamed(name) : null))
    .filter((mode) => mode !== null);
  // Opening to Party is being seen there with your camera on (PRS-2), set before the mode mounts
  // so its list shows you that way from the first frame; Random pairs, it lists no one.
  const openTo = (name: string) => {
    if (name === open_to_party) {
      presence.set(name, { is_camera_on: true, language: locale.peek() });
    }
    shell.goToMode(name);
  };

  const state = access.value;
  const picking = { disabled: state !== "granted", attempt };
  return (
    <section
      class="mirror-view"
      aria-labelledby="mirror-title"
      data-access={state}
      data-profile={profile}
      data-camera={picture.value ? "ok" : "waiting"}
      data-microphone={heard.value ? "ok" : "waiting"}
    >
      <h1 id="mirror-title" class="visually-hidden">
        {title ?? t("mirror.title")}
      </h1>
      <div class="mirror-preview">
        <video
          ref={preview}
          class="mirror-video"
          playsInline
          muted
          aria-label={t("mirror.preview")}
        />
        {state === "asking" && (
          <div class="player-veil" role="status">
            <span class="spinner" aria-hidden="true" />
            <span>{t("mirror.asking")}</span>
          </div>
        )}
        {(state === "denied" || state === "missing" || state === "failed") && (
          <div class="player-veil" role="alert">
            <p>
              {state === "denied"
                ? t("mirror.denied")
                : state === "missing"
                  ? t("mirror.missing")
                  : t("mirror.failed")}
            </p>
            <RetryButton attempt={attempt} label={t("mirror.retry")} look="secondary" />
          </div>
        )}
      </div>
      <div class="mirror-panel">
        {children}
        <DevicePicker kind="camera" devices={cameras} chosen={cameraId} {...picking} />
        <DevicePicker kind="microphone" devices={microphones} chosen={microphoneId} {...picking} />
        <ul class="checks">
          <li data-ok={picture.value !== null}>
            {picture.value
              ? t("mirror.camera_ok", { width: picture.value.width, height: picture.value.height })
              : t("mirror.camera_checking")}
          </li>
          <li data-ok={heard.value}>
            {heard.value ? t("mirror.microphone_ok") : t("mirror.microphone_checking")}
            <meter
              class="level"
              min={0}
              max={1}
              value={Math.min(1, level.value * 10)}
              aria-label={t("mirror.level")}
            />
          </li>
        </ul>
        {targets.length > 0 && (
          <div class="open-to">
            <h2>{t("mirror.open_to")}</h2>
            {targets.map((mode) => (
              <button
                key={mode.name}
                type="button"
                class="primary"
                onClick={() => openTo(mode.name)}
              >
                {t("mirror.open_to_mode", { mode: modeLabel(mode.name) })}
              </button>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}
