/**
 * The QR code of session-recovery.js's `autosave.handoff()`, in a file of its
 * own: session-recovery.js imports it, from the URL beside its own, only when a
 * page calls `handoff()`, so a page that never hands off never downloads it.
 * Serve it next to session-recovery.js, under this name.
 */

// Draws the code: QRCode.toString(text, { type: 'svg' }), a maintained library rather than our own encoder.
//#bundle qrcode QRCode

/**
 * The QR code of `text` as the source of an `<svg>` element.
 * @param {string} text
 * @returns {Promise<string>}
 */
export function qrCodeSvg(text) {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
}
