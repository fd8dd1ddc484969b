// Resume links in Node.js, with node:crypto only. Node 18 or later.
import { createHash, createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** The seed's token: lowercase hex sha256(secret + "---" + entry_id + "---" + expires_at), over the exact UTF-8 strings. */
export const sessionRecoveryToken = (secret, entryId, expiresAt) => createHash('sha256').update(`${secret}---${entryId}---${expiresAt}`, 'utf8').digest('hex');

/**
 * A v2 token, for a credential created with --algorithm hmac-sha256: bound to the project (and the flow, when
 * given), and not open to length extension. flowId '' or undefined: valid for every flow of the project.
 */
export const sessionRecoveryV2Token = (secret, credentialId, projectId, flowId, entryId, expiresAt) => {
  const message = ['session-recovery/v2', projectId, flowId ?? '', entryId, expiresAt].join('\n');
  return `v2.${credentialId}.${createHmac('sha256', secret).update(message, 'utf8').digest('base64url')}`;
};

/**
 * Your page's URL with the link's three parameters added, each URL-encoded (a +01:00 offset becomes %2B01%3A00;
 * unencoded, the + would arrive as a space), before any #fragment.
 */
export const resumeLink = (resumeUrl, token, entryId, expiresAt) => {
  const [base, ...fragment] = resumeUrl.split('#');
  const query = [
    ['token', token],
    ['entry_id', entryId],
    ['expires_at', expiresAt],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${base}${base.includes('?') ? '&' : '?'}${query}${fragment.length ? `#${fragment.join('#')}` : ''}`;
};

// Example: a 7-day link.
//   const expiresAt = new Date(Date.now() + 7 * 86400_000).toISOString();   // 2026-12-08T10:00:00.000Z
//   const url = resumeLink('https://www.example.com/flow', sessionRecoveryToken(process.env.TOKEN_SIGNING_SECRET, entryId, expiresAt), entryId, expiresAt);

// How CI checks this file (test/recipes/recipes.test.ts): tab-separated lines on stdin, "token<TAB>url" out.
//   v1 <secret> <entry_id> <expires_at> <resume_url>
//   v2 <secret> <credential_id> <project_id> <flow_id> <entry_id> <expires_at> <resume_url>
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const input = await new Promise((resolve) => {
    let s = '';
    process.stdin
      .setEncoding('utf8')
      .on('data', (d) => (s += d))
      .on('end', () => resolve(s));
  });
  for (const line of input.split('\n').filter(Boolean)) {
    const [kind, ...f] = line.split('\t');
    const token = kind === 'v2' ? sessionRecoveryV2Token(...f.slice(0, 6)) : sessionRecoveryToken(f[0], f[1], f[2]);
    const [entryId, expiresAt, resumeUrl] = kind === 'v2' ? f.slice(4) : f.slice(1);
    process.stdout.write(`${token}\t${resumeLink(resumeUrl, token, entryId, expiresAt)}\n`);
  }
}
