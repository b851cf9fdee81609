/**
 * Nav slice: which view (step) of the lab is open — read from `?view=` at start-up and on Back /
 * Forward, written to the URL as a new history entry when the user opens another view — and
 * whether the first-run hint was dismissed (remembered in localStorage, first-run.ts; "Show first
 * steps" brings it back).
 */
import type { StateCreator } from 'zustand';
import {
  browserStorage,
  forgetHintDismissed,
  readHintDismissed,
  rememberHintDismissed,
} from './first-run';
import type { LabState } from './lab-store';
import { DEFAULT_VIEW, readViewParam, searchWithView, VIEW_PARAM, type View } from './view-url';

export interface NavValues {
  view: View;
  hintDismissed: boolean;
}

export interface NavActions {
  /** Opens `view` and records it in the URL (a new history entry: Back returns). */
  openView: (view: View) => void;
  /** Follows the URL's `?view=` (start-up, Back / Forward); none or unknown: the default. */
  viewFromUrl: (search: string) => void;
  dismissHint: () => void;
  /** Shows the dismissed first-run hint again (and forgets the dismissal). */
  showHint: () => void;
}

export type NavSlice = NavValues & NavActions;

export const NAV_DEFAULT: NavValues = { view: DEFAULT_VIEW, hintDismissed: false };

/** Pushes `?view=` into the page URL unless it is already there. */
function writeViewUrl(view: View): void {
  if (typeof window === 'undefined') return;
  const { pathname, search, hash } = window.location;
  if (new URLSearchParams(search).get(VIEW_PARAM) === view) return;
  window.history.pushState(
    window.history.state,
    '',
    `${pathname}${searchWithView(search, view)}${hash}`,
  );
}

/** The view the page was opened on (before the first render, so no other view flashes). */
function initialView(): View {
  return typeof window === 'undefined'
    ? DEFAULT_VIEW
    : (readViewParam(window.location.search) ?? DEFAULT_VIEW);
}

export const createNavSlice: StateCreator<LabState, [], [], NavSlice> = (set) => ({
  ...NAV_DEFAULT,
  view: initialView(),
  hintDismissed: readHintDismissed(browserStorage()),
  openView: (view) => {
    set({ view });
    writeViewUrl(view);
  },
  viewFromUrl: (search) => set({ view: readViewParam(search) ?? DEFAULT_VIEW }),
  dismissHint: () => {
    rememberHintDismissed(browserStorage());
    set({ hintDismissed: true });
  },
  showHint: () => {
    forgetHintDismissed(browserStorage());
    set({ hintDismissed: false });
  },
});
