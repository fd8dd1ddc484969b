/** The JSON document of one flow's imported legacy key. */
export interface LegacyKeyDocument {
  readonly schema_version: 1;
  readonly flow_id: string;
  readonly secret: string;
  readonly imported_at: string;
}

/** Legacy keys were issued by hand: accept any printable value of a sane length. */
export const LEGACY_SECRET_PATTERN = '^[\\x21-\\x7e]+$';
export const MIN_LEGACY_SECRET_LENGTH = 8;
export const MAX_LEGACY_SECRET_LENGTH = 4096;

export const parseLegacyKey = (text: string, flowId: string): LegacyKeyDocument | undefined => {
  try {
    const doc = JSON.parse(text) as Partial<LegacyKeyDocument>;
    if (doc.schema_version === 1 && doc.flow_id === flowId && typeof doc.secret === 'string' && doc.secret.length > 0) {
      return doc as LegacyKeyDocument;
    }
  } catch {
    // fall through: an unreadable document holds no usable key
  }
  return undefined;
};
