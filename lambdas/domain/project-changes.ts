/**
 * Changes a process makes to a project's secret (its credentials, allowed origins or browser-saves setting), told
 * to the key caches of the same process, so the change takes effect there at once rather than within the key cache
 * TTL. In AWS the admin Lambda that makes a change serves no public route, so no cache hears of it there and other
 * instances see it within `keyCacheTtl`; locally every route runs in one process (`npm start`), so `projects
 * browser-saves enable` and the next resume agree at once.
 */
type Listener = (projectId: string) => void;

const listeners = new Set<Listener>();

/** Calls `listener` with each project this process changes; returns how to stop. */
export const onProjectChanged = (listener: Listener): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** Tells this process's listeners that the project's secret was just written. */
export const projectChanged = (projectId: string): void => {
  for (const listener of listeners) listener(projectId);
};
