// The discovery grid's filters (OPS-4): tags, language, camera on, new accounts. They drive the
// grid's presence query (GridDiscovery reads `gridFilters`); the server applies them.
import { signal, useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { t } from "../i18n";
import { NO_FILTERS, type PresenceFilters } from "../sdk";
import { Field } from "./Field";
import { LanguageSelect } from "./LanguageSelect";
import { parseTags, TagsField } from "./TagsField";

export const gridFilters = signal<PresenceFilters>(NO_FILTERS);

export function filtering(filters: PresenceFilters): boolean {
  return (
    filters.tags.length > 0 ||
    filters.language !== null ||
    filters.camera_on !== null ||
    filters.new ||
    filters.modes.length > 0
  );
}

export function clearFilters(): void {
  gridFilters.value = NO_FILTERS;
}

function update(change: Partial<PresenceFilters>): void {
  gridFilters.value = { ...gridFilters.peek(), ...change };
}

export function FiltersPanel(): JSX.Element {
  const filters = gridFilters.value;
  // What is typed stays as typed; the query takes it when the field is left or Enter pressed.
  const typed = useSignal(filters.tags.join(", "));
  // Cleared from elsewhere (the grid's empty state), or tidied: show what the query holds.
  const held = filters.tags.join(", ");
  useEffect(() => {
    typed.value = held;
  }, [held]);
  const applyTags = () => {
    const tags = parseTags(typed.value);
    typed.value = tags.join(", ");
    update({ tags });
  };

  return (
    <form
      class="filters"
      aria-labelledby="filters-title"
      data-active={filtering(filters) ? "true" : "false"}
      onSubmit={(event) => {
        event.preventDefault();
        applyTags();
      }}
    >
      <h2 id="filters-title">{t("filters.title")}</h2>
      <TagsField
        label={t("filters.tags")}
        hint={t("filters.tags_hint")}
        hintId="filters-tags-hint"
        text={typed}
        onDone={applyTags}
      />
      <Field label={t("filters.language")}>
        <LanguageSelect
          value={filters.language ?? ""}
          anyLabel={t("filters.any_language")}
          onPick={(code) => update({ language: code || null })}
        />
      </Field>
      <label class="check">
        <input
          type="checkbox"
          checked={filters.camera_on === true}
          onChange={(event) => update({ camera_on: event.currentTarget.checked ? true : null })}
        />
        <span>{t("filters.camera_on")}</span>
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={filters.new}
          onChange={(event) => update({ new: event.currentTarget.checked })}
        />
        <span>{t("filters.new")}</span>
      </label>
      <button
        type="button"
        class="secondary"
        disabled={!filtering(filters)}
        onClick={() => {
          typed.value = "";
          clearFilters();
        }}
      >
        {t("filters.clear")}
      </button>
    </form>
  );
}
