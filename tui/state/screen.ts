// Derives what is on screen from data + interaction state; shared by the container (to interpret
// keys) and the presentational Dashboard (to draw), so both always agree.
import type { DashboardData } from '../model.js';
import { viewDef, type Section, type ViewDef } from '../views/registry.js';
import { cursorOf, currentView, focusedSection, type UiState, type ViewContext } from './ui.js';

export interface Size {
  readonly columns: number;
  readonly rows: number;
}

export interface ScreenModel {
  readonly view: ViewDef;
  readonly sections: readonly Section[];
  readonly ctx: ViewContext;
  readonly focus: number;
  readonly cursors: readonly number[];
}

export function buildScreen(data: DashboardData, ui: UiState, now: number, size: Size): ScreenModel {
  const view = viewDef(currentView(ui));
  const sections = view.sections(data, now, ui.filter[view.name] ?? '');
  const ctx: ViewContext = {
    sections: sections.map((s) => ({ id: s.id, rowKeys: s.rows.map((r) => r.key), approvable: s.approvable })),
    page: Math.max(1, Math.floor((size.rows - 8) / Math.max(1, sections.length))),
  };
  return {
    view,
    sections,
    ctx,
    focus: focusedSection(ui, ctx),
    cursors: sections.map((s) => cursorOf(ui, view.name, s.id, s.rows.length)),
  };
}
