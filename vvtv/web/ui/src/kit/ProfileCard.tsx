// Someone's card, opened from any member of a presence list: who they are, and what you can do
// about them: chat (your private conversation with them, in the mode's chat), invite to a private
// call, report (the ModerationSheet, MOD-5) and block (MOD-2: confirmed first, then neither of you
// sees the other).
import { signal, useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { t } from "../i18n";
import { type PresenceMember, type ReportContext, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { InviteToCall } from "./ConsentOverlay";
import { ChatButton } from "./ChatPanel";
import { Dismiss } from "./Dismiss";
import { moderate } from "./ModerationSheet";
import { Avatar, CameraState, NewBadge } from "./People";
import { Sheet } from "./Sheet";

const shown = signal<PresenceMember | null>(null);
/** Where the card was opened from: a member's live tile, or their row. */
const openedFrom = signal<ReportContext>("profile_card");
/** The handle blocked last, for the note that says it worked. */
const blocked = signal<string | null>(null);

/** Open `member`'s card (the mode's overlays mount it); `from` a live tile says so in a report. */
export function showProfile(member: PresenceMember, from: ReportContext = "profile_card"): void {
  blocked.value = null;
  openedFrom.value = from;
  shown.value = member;
}

type Step = "card" | "confirm" | "blocking" | "failed";

interface Props {
  allow_invite?: boolean;
}

export function ProfileCard({ allow_invite = false }: Props): JSX.Element {
  const { api, presence } = useSdk();
  const shell = useShell();
  const step = useSignal<Step>("card");
  const member = shown.value;

  const close = () => {
    shown.value = null;
    step.value = "card";
  };

  const block = async (who: PresenceMember) => {
    step.value = "blocking";
    try {
      await api.block(who.user_id);
    } catch {
      step.value = "failed";
      return;
    }
    presence.forget(who.user_id);
    close();
    blocked.value = who.handle;
  };

  const toStep = (next: Step) => () => {
    step.value = next;
  };
  const confirming = step.value === "confirm" || step.value === "blocking";
  return (
    <>
      <Sheet open={member !== null} labelledBy="profile-title" onClose={close}>
        {member && (
          <div class="profile" data-handle={member.handle}>
            <div class="profile-head">
              <Avatar member={member} large />
              <div class="profile-who">
                <h2 id="profile-title">{member.handle}</h2>
                <p class="profile-badges">
                  <CameraState on={member.is_camera_on} words />
                  {member.quarantined_new && <NewBadge />}
                </p>
              </div>
            </div>
            {confirming ? (
              <div class="profile-confirm">
                <p class="profile-confirm-title">
                  {t("profile.block_confirm", { handle: member.handle })}
                </p>
                <p class="hint">{t("profile.block_explain")}</p>
                <div class="profile-confirm-actions">
                  <button
                    type="button"
                    class="danger"
                    disabled={step.value === "blocking"}
                    onClick={() => void block(member)}
                  >
                    {step.value === "blocking" ? t("profile.blocking") : t("profile.block_yes")}
                  </button>
                  <button type="button" class="secondary" onClick={toStep("card")}>
                    {t("profile.cancel")}
                  </button>
                </div>
              </div>
            ) : (
              <>
                <div class="profile-actions">
                  <ChatButton member={member} onOpened={close} />
                  {allow_invite && <InviteToCall member={member} onInvited={close} />}
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      close();
                      moderate({
                        userId: member.user_id,
                        handle: member.handle,
                        context: openedFrom.peek(),
                        modeId: shell.mode.peek().name,
                      });
                    }}
                  >
                    {t("profile.report")}
                  </button>
                </div>
                {step.value === "failed" && (
                  <p class="form-error" role="alert">
                    {t("profile.block_failed")}
                  </p>
                )}
                <button type="button" class="danger-outline" onClick={toStep("confirm")}>
                  {t("profile.block", { handle: member.handle })}
                </button>
              </>
            )}
          </div>
        )}
      </Sheet>
      {blocked.value && (
        <div class="toast" role="status">
          <span>{t("profile.blocked", { handle: blocked.value })}</span>
          <Dismiss
            onDismiss={() => {
              blocked.value = null;
            }}
          />
        </div>
      )}
    </>
  );
}
