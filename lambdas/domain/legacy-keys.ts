/**
 * The JSON document of one flow's imported legacy key. The key belongs to exactly
 * one project: flow ids are not unique across projects, so the legacy endpoint
 * returns only that project's entries of the flow.
 */
export interface LegacyKeyDocument {
  readonly schema_version: 1;
  readonly flow_id: string;
  readonly project_id: string;
  readonly secret: string;
  readonly imported_at: string;
}

/** Legacy keys were issued by hand: accept any printable value of a sane length. */
export const LEGACY_SECRET_PATTERN = '^[\\x21-\\x7e]+$';
export const MIN_LEGACY_SECRET_LENGTH = 8;
export const MAX_LEGACY_SECRET_LENGTH = 4096;

/**
 * The document, or undefined when it holds no usable key. A key imported without
 * a project (before keys were bound to one) is not usable: import it again with
 * its project.
 */
export const parseLegacyKey = (text: string, flowId: string): LegacyKeyDocument | undefined => {
  try {
    const doc = JSON.parse(text) as Partial<LegacyKeyDocument>;
    if (
      doc.schema_version === 1 &&
      doc.flow_id === flowId &&
      typeof doc.project_id === 'string' &&
      doc.project_id.length > 0 &&
      typeof doc.secret === 'string' &&
      doc.secret.length > 0
    ) {
      return doc as LegacyKeyDocument;
    }
  } catch {
    // fall through: an unreadable document holds no usable key
  }
  return undefined;
};
