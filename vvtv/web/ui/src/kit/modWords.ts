// The moderators' words for what the server says in codes: a report's fields (which the queue's
// filters also pick by, under the same names), and where a held chat message was written.
import type { CopyKey } from "../i18n";
import type { ChatScope, ModerationAction, RaisedBy, ReportContext, ReportStatus } from "../sdk";

export const MOD_WORDS = {
  status: {
    open: "mod.status_open",
    claimed: "mod.status_claimed",
    decided: "mod.status_decided",
  },
  context: {
    profile_card: "mod.context_profile_card",
    chat: "mod.context_chat",
    random: "mod.context_random",
    private_call: "mod.context_private_call",
    live: "mod.context_live",
    tile: "mod.context_tile",
  },
  raised_by: {
    person: "mod.raised_by_person",
    frame_check: "mod.raised_by_frame_check",
  },
  decision: {
    dismiss: "mod.action_dismiss",
    warn: "mod.action_warn",
    quarantine: "mod.action_quarantine",
    shadow_quarantine: "mod.action_shadow_quarantine",
    ban: "mod.action_ban",
  },
  scope: {
    private_1to1: "mod.scope_private_1to1",
    room: "mod.scope_room",
    performer_room: "mod.scope_performer_room",
    live_public: "mod.scope_live_public",
  },
} as const satisfies {
  status: Record<ReportStatus, CopyKey>;
  context: Record<ReportContext, CopyKey>;
  raised_by: Record<RaisedBy, CopyKey>;
  decision: Record<ModerationAction, CopyKey>;
  scope: Record<ChatScope, CopyKey>;
};
