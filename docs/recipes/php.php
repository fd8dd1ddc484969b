<?php
// Resume links in PHP, with no extension beyond the defaults. PHP 7.4 or later.

/** The seed's token: lowercase hex sha256(secret + "---" + entry_id + "---" + expires_at), over the UTF-8 bytes. */
function session_recovery_token(string $secret, string $entryId, string $expiresAt): string
{
    return hash('sha256', $secret . '---' . $entryId . '---' . $expiresAt);
}

/** Your page's URL with the three parameters added, URL-encoded (+01:00 becomes %2B01%3A00), before any #fragment. */
function resume_link(string $resumeUrl, string $token, string $entryId, string $expiresAt): string
{
    $parts = explode('#', $resumeUrl, 2);
    $base = $parts[0];
    $query = 'token=' . rawurlencode($token) . '&entry_id=' . rawurlencode($entryId) . '&expires_at=' . rawurlencode($expiresAt);
    return $base . (strpos($base, '?') === false ? '?' : '&') . $query . (isset($parts[1]) ? '#' . $parts[1] : '');
}

// Example: a 7-day link.
//   $expiresAt = (new DateTimeImmutable('now', new DateTimeZone('UTC')))->modify('+7 days')->format('Y-m-d\TH:i:s.v\Z');
//   $url = resume_link('https://www.example.com/flow', session_recovery_token(getenv('TOKEN_SIGNING_SECRET'), $entryId, $expiresAt), $entryId, $expiresAt);

// How CI checks this file (test/recipes/recipes.test.ts): "v1<TAB>secret<TAB>entry_id<TAB>expires_at<TAB>resume_url" in, "token<TAB>url" out.
if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME']) === __FILE__) {
    while (($line = fgets(STDIN)) !== false) {
        $f = explode("\t", rtrim($line, "\n"));
        if (count($f) !== 5 || $f[0] !== 'v1') {
            continue;
        }
        $token = session_recovery_token($f[1], $f[2], $f[3]);
        echo $token, "\t", resume_link($f[4], $token, $f[2], $f[3]), "\n";
    }
}
