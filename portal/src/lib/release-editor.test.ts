import { describe, expect, it } from 'vitest';
import type { Release } from '@flotilla/protocol';
import {
  selectableVersions,
  addChecklistItem,
  addComponent,
  addStage,
  editorState,
  lockProblems,
  looksLikeSemver,
  moveComponent,
  moveStage,
  patchBody,
  releaseActions,
  removeChecklistItem,
  removeComponent,
  removeStage,
  setChecklistDone,
  stageOf,
  stagesBody,
  unassigned,
  updateComponent,
  type EditorStages,
} from './release-editor';
import { T0 } from '../testing/fixtures';

const c = (applicationId: string, versionId = '', instructions = '') => ({ applicationId, versionId, instructions });

function release(patch: Partial<Release> = {}): Release {
  return {
    id: 'r1',
    vendorId: 'v1',
    trackId: 't1',
    version: '1.0.0',
    name: null,
    notes: null,
    status: 'draft',
    locked: false,
    required: false,
    deployment: 'none',
    stages: [],
    checklist: [],
    createdAt: T0,
    updatedAt: T0,
    lockedAt: null,
    firstDeployedAt: null,
    ...patch,
  };
}

describe('stages', () => {
  const stages: EditorStages = [[c('db')], [c('api', 'v-api'), c('worker')], [c('web')]];

  it('moves a stage up or down, and not off either end', () => {
    expect(moveStage(stages, 1, -1)).toEqual([[c('api', 'v-api'), c('worker')], [c('db')], [c('web')]]);
    expect(moveStage(stages, 1, 1)).toEqual([[c('db')], [c('web')], [c('api', 'v-api'), c('worker')]]);
    expect(moveStage(stages, 0, -1)).toEqual(stages);
    expect(moveStage(stages, 2, 1)).toEqual(stages);
    expect(moveStage(stages, 7, -1)).toEqual(stages);
  });

  it('never mutates its input', () => {
    const before = JSON.stringify(stages);
    moveStage(stages, 0, 1);
    moveComponent(stages, 'db', 2);
    addComponent(stages, 0, 'new');
    updateComponent(stages, 'db', { versionId: 'x' });
    removeComponent(stages, 'db');
    removeStage(stages, 0);
    expect(JSON.stringify(stages)).toBe(before);
  });

  it('adds and removes stages; a removed stage frees its components', () => {
    expect(addStage(stages)).toHaveLength(4);
    expect(addStage([])).toEqual([[]]);
    const removed = removeStage(stages, 1);
    expect(removed).toEqual([[c('db')], [c('web')]]);
    expect(unassigned(['db', 'api', 'worker', 'web'], removed)).toEqual(['api', 'worker']);
  });

  it('adds a component to a stage once, and removes it', () => {
    const added = addComponent([[], []], 1, 'api');
    expect(added).toEqual([[], [c('api')]]);
    expect(addComponent(added, 0, 'api')).toEqual(added); // already in stage 2
    expect(addComponent(added, 5, 'db')).toEqual(added); // no such stage
    expect(removeComponent(added, 'api')).toEqual([[], []]);
    expect(stageOf(added, 'api')).toBe(1);
    expect(stageOf(added, 'db')).toBe(-1);
  });

  it('moves a component between stages with its version and instructions, or into a new stage', () => {
    const withNotes: EditorStages = [[c('db', 'v1', 'Back up first'), c('api')]];
    expect(moveComponent(withNotes, 'db', 1)).toEqual([[c('api')], [c('db', 'v1', 'Back up first')]]);
    const two: EditorStages = [[c('db')], [c('api')]];
    expect(moveComponent(two, 'api', 0)).toEqual([[c('db'), c('api')], []]);
    expect(moveComponent(two, 'api', 1)).toEqual(two);
    expect(moveComponent(two, 'nope', 0)).toEqual(two);
    expect(moveComponent(two, 'db', 5)).toEqual(two);
  });

  it('sets a component version or instructions', () => {
    expect(updateComponent(stages, 'worker', { versionId: 'v-w', instructions: 'Drain queues' })[1]).toEqual([c('api', 'v-api'), c('worker', 'v-w', 'Drain queues')]);
  });

  it('builds the hub body: empty stages dropped, unpinned null, blank instructions left out', () => {
    expect(stagesBody([[], [c('db', 'v1', 'Back up first')], [], [c('api'), c('web', 'v3', '  ')]])).toEqual([
      [{ applicationId: 'db', versionId: 'v1', instructions: 'Back up first' }],
      [
        { applicationId: 'api', versionId: null },
        { applicationId: 'web', versionId: 'v3' },
      ],
    ]);
  });
});

describe('editorState and patchBody', () => {
  const saved = release({
    name: 'Spring',
    notes: '# Notes',
    stages: [[{ applicationId: 'db', versionId: 'v1', instructions: null }], [{ applicationId: 'api', versionId: null, instructions: 'Watch logs' }]],
    checklist: [{ text: 'QA signed off', done: false }],
  });

  it('starts from the release', () => {
    expect(editorState(saved)).toEqual({
      version: '1.0.0',
      name: 'Spring',
      notes: '# Notes',
      stages: [[c('db', 'v1')], [c('api', '', 'Watch logs')]],
      checklist: [{ text: 'QA signed off', done: false }],
    });
  });

  it('is null when nothing changed (also after adding an empty stage)', () => {
    expect(patchBody(saved, editorState(saved))).toBeNull();
    const state = editorState(saved);
    state.stages = addStage(state.stages);
    expect(patchBody(saved, state)).toBeNull();
  });

  it('holds only what changed', () => {
    const state = editorState(saved);
    state.notes = '# Notes\n\nMore';
    state.stages = moveStage(state.stages, 1, -1);
    expect(patchBody(saved, state)).toEqual({
      notes: '# Notes\n\nMore',
      stages: [[{ applicationId: 'api', versionId: null, instructions: 'Watch logs' }], [{ applicationId: 'db', versionId: 'v1' }]],
    });
  });

  it('clears name and notes with null, trims the name and version', () => {
    const state = { ...editorState(saved), name: '  ', notes: '', version: ' 1.1.0 ' };
    expect(patchBody(saved, state)).toEqual({ name: null, notes: null, version: '1.1.0' });
    expect(patchBody(saved, { ...editorState(saved), name: ' Summer ' })).toEqual({ name: 'Summer' });
  });

  it('sends the whole checklist when an item is added or ticked', () => {
    const added = addChecklistItem(saved.checklist, ' Docs updated ');
    expect(added.ok).toBe(true);
    if (!added.ok) return;
    const ticked = setChecklistDone(added.value, 0, true);
    expect(patchBody(saved, { ...editorState(saved), checklist: ticked })).toEqual({
      checklist: [
        { text: 'QA signed off', done: true },
        { text: 'Docs updated', done: false },
      ],
    });
  });

  it('never sends version, stages or checklist for a locked release', () => {
    const ready = { ...saved, status: 'ready' as const, locked: true };
    const state = { ...editorState(ready), version: '9.9.9', notes: 'changed', stages: [], checklist: [] };
    expect(patchBody(ready, state)).toEqual({ notes: 'changed' });
  });
});

describe('checklist', () => {
  it('refuses blank and duplicate items', () => {
    expect(addChecklistItem([], '   ')).toEqual({ ok: false, message: 'Write the checklist item first' });
    expect(addChecklistItem([{ text: 'QA', done: true }], ' QA ')).toEqual({ ok: false, message: '"QA" is already on the checklist' });
    expect(addChecklistItem([], 'x'.repeat(501)).ok).toBe(false);
  });

  it('ticks and removes by position', () => {
    const list = [
      { text: 'a', done: false },
      { text: 'b', done: false },
    ];
    expect(setChecklistDone(list, 1, true)).toEqual([
      { text: 'a', done: false },
      { text: 'b', done: true },
    ]);
    expect(removeChecklistItem(list, 0)).toEqual([{ text: 'b', done: false }]);
    expect(list[1]?.done).toBe(false);
  });
});

describe('lockProblems', () => {
  it('lists what the hub would refuse', () => {
    expect(lockProblems({ version: '1.0.0', name: '', notes: '', stages: [[]], checklist: [] })).toEqual(['Add at least one component to a stage']);
    expect(lockProblems({ version: '1.0.0', name: '', notes: '', stages: [[c('db', 'v1'), c('api')]], checklist: [{ text: 'QA', done: false }] })).toEqual([
      'Pick a version for every component',
      'Tick every checklist item',
    ]);
    expect(lockProblems({ version: '1.0.0', name: '', notes: '', stages: [[c('db', 'v1')]], checklist: [{ text: 'QA', done: true }] })).toEqual([]);
  });
});

describe('releaseActions', () => {
  it('follows the lifecycle', () => {
    expect(releaseActions({ status: 'draft', deployment: 'none' })).toEqual(['lock', 'delete']);
    expect(releaseActions({ status: 'ready', deployment: 'none' })).toEqual(['unlock', 'hold', 'delete']);
    expect(releaseActions({ status: 'ready', deployment: 'partial' })).toEqual(['unlock', 'hold', 'rescind']);
    expect(releaseActions({ status: 'hold', deployment: 'none' })).toEqual(['resume', 'delete']);
    expect(releaseActions({ status: 'hold', deployment: 'complete' })).toEqual(['resume', 'rescind']);
    expect(releaseActions({ status: 'rescinded', deployment: 'complete' })).toEqual(['delete']);
  });
});

describe('looksLikeSemver', () => {
  it('accepts versions and pre-releases, refuses the rest', () => {
    for (const v of ['1.0.0', ' 2.10.3 ', '1.0.0-rc.1', '1.0.0+build.5', 'v1.2.3']) expect(looksLikeSemver(v)).toBe(true);
    for (const v of ['1.0', 'latest', '', '1.0.0.0']) expect(looksLikeSemver(v)).toBe(false);
  });
});

describe('selectableVersions', () => {
  const active = { id: 'v2', archivedAt: null };
  const archived = { id: 'v1', archivedAt: '2026-01-01T00:00:00.000Z' };
  it('hides archived versions unless the component pins one', () => {
    expect(selectableVersions([active, archived], '')).toEqual([active]);
    expect(selectableVersions([active, archived], 'v2')).toEqual([active]);
    expect(selectableVersions([active, archived], 'v1')).toEqual([active, archived]);
  });
});
