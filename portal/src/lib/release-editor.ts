import type { ChecklistItem, Release, UpdateReleaseBody } from '@flotilla/protocol';
import type { Parsed } from './identity-forms';

/**
 * The release editor's state and the pure operations on it. Every operation returns new arrays
 * (the page assigns them back), so the original release stays the baseline `patchBody` diffs against.
 */

export interface EditorComponent {
  applicationId: string;
  /** The pinned application version; '' = not pinned yet (the select's empty option). */
  versionId: string;
  /** Markdown for whoever deploys this component; '' = none. */
  instructions: string;
}

export type EditorStages = EditorComponent[][];

export interface EditorState {
  version: string;
  name: string;
  notes: string;
  /** Stages in release order. An empty stage is allowed while editing and dropped on save. */
  stages: EditorStages;
  checklist: ChecklistItem[];
}

export function editorState(release: Release): EditorState {
  return {
    version: release.version,
    name: release.name ?? '',
    notes: release.notes ?? '',
    stages: release.stages.map((stage) => stage.map((c) => ({ applicationId: c.applicationId, versionId: c.versionId ?? '', instructions: c.instructions ?? '' }))),
    checklist: release.checklist.map((c) => ({ ...c })),
  };
}

const copy = (stages: EditorStages): EditorStages => stages.map((s) => s.map((c) => ({ ...c })));

/** The stage (0-based) holding the application, or -1. */
export function stageOf(stages: EditorStages, applicationId: string): number {
  return stages.findIndex((s) => s.some((c) => c.applicationId === applicationId));
}

/** The track's applications that are in no stage yet, in the track's order. */
export function unassigned(applicationIds: readonly string[], stages: EditorStages): string[] {
  const used = new Set(stages.flat().map((c) => c.applicationId));
  return applicationIds.filter((id) => !used.has(id));
}

export function addStage(stages: EditorStages): EditorStages {
  return [...copy(stages), []];
}

/** Removes a stage; its components go back to "not in any stage". */
export function removeStage(stages: EditorStages, index: number): EditorStages {
  return copy(stages).filter((_s, i) => i !== index);
}

/** Swaps stage `index` with its neighbour above (-1) or below (+1); a move off either end changes nothing. */
export function moveStage(stages: EditorStages, index: number, delta: -1 | 1): EditorStages {
  const next = copy(stages);
  const other = index + delta;
  if (index < 0 || index >= next.length || other < 0 || other >= next.length) return next;
  [next[index], next[other]] = [next[other] ?? [], next[index] ?? []];
  return next;
}

/** Adds an application to a stage (at its end). An application is in at most one stage: no-op if already placed. */
export function addComponent(stages: EditorStages, stageIndex: number, applicationId: string): EditorStages {
  const next = copy(stages);
  if (stageOf(next, applicationId) >= 0 || stageIndex < 0 || stageIndex >= next.length) return next;
  next[stageIndex]?.push({ applicationId, versionId: '', instructions: '' });
  return next;
}

export function removeComponent(stages: EditorStages, applicationId: string): EditorStages {
  return copy(stages).map((s) => s.filter((c) => c.applicationId !== applicationId));
}

/**
 * Moves a component (with its version and instructions) to another stage, at its end.
 * `toStage === stages.length` puts it in a new last stage. The stage it leaves may become empty.
 */
export function moveComponent(stages: EditorStages, applicationId: string, toStage: number): EditorStages {
  const from = stageOf(stages, applicationId);
  if (from < 0 || from === toStage || toStage < 0 || toStage > stages.length) return copy(stages);
  const component = stages[from]?.find((c) => c.applicationId === applicationId);
  const next = removeComponent(stages, applicationId);
  if (toStage === next.length) next.push([]);
  if (component) next[toStage]?.push({ ...component });
  return next;
}

/** Sets a field of one component, wherever it is. */
export function updateComponent(stages: EditorStages, applicationId: string, patch: Partial<Pick<EditorComponent, 'versionId' | 'instructions'>>): EditorStages {
  return copy(stages).map((s) => s.map((c) => (c.applicationId === applicationId ? { ...c, ...patch } : c)));
}

/** The stages as the hub takes them: empty stages dropped, unpinned = null, no empty instructions. */
export function stagesBody(stages: EditorStages): NonNullable<UpdateReleaseBody['stages']> {
  return stages
    .filter((s) => s.length > 0)
    .map((s) =>
      s.map((c) => {
        const component: { applicationId: string; versionId: string | null; instructions?: string } = { applicationId: c.applicationId, versionId: c.versionId || null };
        if (c.instructions.trim() !== '') component.instructions = c.instructions;
        return component;
      }),
    );
}

/** Adds an item to the checklist (unticked); refuses blanks and duplicates (items are labelled by their text). */
export function addChecklistItem(checklist: readonly ChecklistItem[], text: string): Parsed<ChecklistItem[]> {
  const clean = text.trim();
  if (!clean) return { ok: false, message: 'Write the checklist item first' };
  if (clean.length > 500) return { ok: false, message: 'A checklist item has at most 500 characters' };
  if (checklist.some((c) => c.text === clean)) return { ok: false, message: `"${clean}" is already on the checklist` };
  if (checklist.length >= 100) return { ok: false, message: 'A checklist has at most 100 items' };
  return { ok: true, value: [...checklist.map((c) => ({ ...c })), { text: clean, done: false }] };
}

export function setChecklistDone(checklist: readonly ChecklistItem[], index: number, done: boolean): ChecklistItem[] {
  return checklist.map((c, i) => (i === index ? { ...c, done } : { ...c }));
}

export function removeChecklistItem(checklist: readonly ChecklistItem[], index: number): ChecklistItem[] {
  return checklist.filter((_c, i) => i !== index).map((c) => ({ ...c }));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The `PATCH /releases/:id` body for what changed between the release and the editor, or null when
 * nothing did. Version, stages and checklist are sent only for a draft (the hub refuses them otherwise).
 */
export function patchBody(release: Release, state: EditorState): UpdateReleaseBody | null {
  const body: UpdateReleaseBody = {};
  const name = state.name.trim();
  if (name !== (release.name ?? '')) body.name = name === '' ? null : name;
  if (state.notes !== (release.notes ?? '')) body.notes = state.notes === '' ? null : state.notes;
  if (release.status === 'draft') {
    const version = state.version.trim();
    if (version !== release.version) body.version = version;
    const stages = stagesBody(state.stages);
    if (!same(stages, stagesBody(editorState(release).stages))) body.stages = stages;
    if (!same(state.checklist, release.checklist)) body.checklist = state.checklist;
  }
  return Object.keys(body).length > 0 ? body : null;
}

/** Why the hub would refuse to lock what the editor holds (empty: it may lock). Mirrors the hub's lifecycle. */
export function lockProblems(state: EditorState): string[] {
  const problems: string[] = [];
  const components = state.stages.flat();
  if (components.length === 0) problems.push('Add at least one component to a stage');
  else if (components.some((c) => !c.versionId)) problems.push('Pick a version for every component');
  if (state.checklist.some((c) => !c.done)) problems.push('Tick every checklist item');
  return problems;
}

export type ReleaseAction = 'lock' | 'unlock' | 'hold' | 'resume' | 'rescind' | 'delete';

/**
 * The lifecycle actions the release's status allows (hub/src/domain/releases/lifecycle.ts):
 * a draft locks; a ready release unlocks (back to draft, or on hold once deployed) or holds; a release
 * on hold resumes; a deployed ready or held release may be rescinded; a never-deployed release, or a
 * rescinded one, may be deleted.
 */
export function releaseActions(release: Pick<Release, 'status' | 'deployment'>): ReleaseAction[] {
  const deployed = release.deployment !== 'none';
  switch (release.status) {
    case 'draft':
      return deployed ? ['lock'] : ['lock', 'delete'];
    case 'ready':
      return ['unlock', 'hold', ...(deployed ? (['rescind'] as const) : (['delete'] as const))];
    case 'hold':
      return ['resume', ...(deployed ? (['rescind'] as const) : (['delete'] as const))];
    case 'rescinded':
      return ['delete'];
  }
}

/** A lenient client-side semver check (the hub normalises and is the authority). */
export function looksLikeSemver(version: string): boolean {
  return /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version.trim());
}

export const STATUS_TONE: Record<Release['status'], 'neutral' | 'success' | 'warning' | 'danger'> = {
  draft: 'neutral',
  ready: 'success',
  hold: 'warning',
  rescinded: 'danger',
};

/**
 * The versions a component's select offers: active ones, plus the pinned one even when archived
 * (shown as such), so archiving never hides what a release already pins. Order kept.
 */
export function selectableVersions<V extends { id: string; archivedAt: string | null }>(versions: readonly V[], pinnedId: string): V[] {
  return versions.filter((v) => v.archivedAt === null || v.id === pinnedId);
}
