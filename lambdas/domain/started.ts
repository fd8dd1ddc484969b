/**
 * Work started ahead of the step that needs it, so that it runs beside the
 * steps before (a new instance's second Secrets Manager read beside its first,
 * a save key's read beside the entry's). Its failure is kept for whoever awaits
 * it; if the request ends first (refused, or failed elsewhere), nothing awaits
 * it and the failure is dropped, instead of surfacing as an unhandled rejection
 * that would end the Lambda's process.
 */
export const startedAhead = <T>(work: Promise<T>): Promise<T> => {
  work.catch(() => undefined);
  return work;
};
