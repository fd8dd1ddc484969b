import { DETAIL_TYPES, type EventPublisher, type LinkExpiredDetail } from './link-events';

/** At most one mark per entry per window (a conditional write). */
export interface OncePerWindow {
  /** Takes the entry's mark at `now`; false when it was taken within the window. */
  take(entryId: string, now: number): Promise<boolean>;
  /** Gives back the mark taken at `now`, if it is still that one. */
  giveBack(entryId: string, now: number): Promise<void>;
}

/** Tells the team's backend, through the bus, that a valid link was opened too late: once per entry per hour. */
export interface ExpiredLinkEvents {
  readonly marks: OncePerWindow;
  readonly events: EventPublisher;
  /** Told why an event could not be put; the browser's answer never changes. */
  readonly onFailure: (error: unknown) => void;
}

/**
 * Puts a `Resume Link Expired` event unless one was put for the entry within
 * the hour. Never throws. A mark whose event could not be put is given back,
 * so the next expired request may try again.
 */
export const announceExpiredLink = async (detail: LinkExpiredDetail, now: number, deps: ExpiredLinkEvents): Promise<void> => {
  let taken = false;
  try {
    taken = await deps.marks.take(detail.entry_id, now);
    if (!taken) return;
    await deps.events.publish(DETAIL_TYPES.linkExpired, detail);
  } catch (error) {
    deps.onFailure(error);
    if (taken) await deps.marks.giveBack(detail.entry_id, now).catch(() => undefined);
  }
};
